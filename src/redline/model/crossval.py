"""Out-of-fold probabilities: what the classifier says about training sentences it never saw.

The extractor's gates were first set on the dev split alone, which holds 17 threats, 2
crossings and 3 responses: far too few to place a threshold (the crossing gate landed at 0.20).
The train split holds five times as many items, but the shipped model has learned those
sentences, so its probabilities there flatter. Cross-validation fixes that: the train documents
are cut into ``FOLDS`` folds by document group; for each fold a model is trained by the same
recipe on the other folds and scores the held-out fold's screened sentences. Every train
sentence so gets a probability from a model that never saw it, and the gates
(``redline.model.calibrate``) are set on those plus the dev split. The shipped weights are not
changed; the test split is never read.

    python -m redline.model.crossval --shared ../shared     # about 45 minutes on 2 cores

The probabilities are written to ``OOF_FILE`` (document id, sentence offsets and four
probabilities per sentence: no text), with the training configuration and data digest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from redline.errors import ModelError
from redline.gold.annotations import CLASSES, Split, learned_splits
from redline.gold.corpus import GoldDocument
from redline.model.classifier import (
    MANIFEST,
    StatementClassifier,
    _sha256,
    check_contexts,
    contexts_of,
)
from redline.model.dataset import Example

FOLDS = 4
OOF_FILE = Path(__file__).resolve().parent / "files" / "out_of_fold.json"


def fold_of(group: str, folds: int = FOLDS) -> int:
    """A train document's fold, by a hash of its group (near-copies share one)."""
    return int(hashlib.sha1(f"fold:{group}".encode()).hexdigest(), 16) % folds


def out_of_fold(
    data: list[Example],
    documents: dict[str, GoldDocument],
    config: Any = None,
    folds: int = FOLDS,
    log: Any = print,
    path: Path | None = None,
) -> dict[str, Any]:
    """Train ``folds`` models, each without one fold of the train split, and score that fold's
    screened sentences with the int8 export (as the extractor would). Returns the table.

    With ``path``, the table is written there after every fold, and folds a table already
    there holds (for the same data, folds and configuration) are not trained again: an
    interrupted run resumes where it stopped."""
    from redline.model.train import (
        TrainConfig,
        _export,
        _seed_everything,
        _tokenizer,
        base_model_dir,
        fit,
        limited,
        training_sets,
    )

    cfg = config or TrainConfig()
    base = base_model_dir()
    learned = learned_splits(cfg.learn_dev)
    train_docs = sorted({ex.doc for ex in data if ex.split in learned and ex.doc in documents})
    table: dict[str, Any] = {
        "data_digest": train_digest(data, cfg.learn_dev),
        "about": "Out-of-fold probabilities of the statement classifier on the train split "
        "(redline.model.crossval): document id, sentence start and end, P(threat, crossing, "
        "response, outcome claim) from a model trained without that document's fold.",
        "folds": folds,
        "config": dict(cfg.__dict__),
        "classes": list(CLASSES),
        "folds_done": [],
        "rows": [],
    }
    if path is not None and path.exists():
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            before = {}
        same = ("data_digest", "folds", "config")
        if all(before.get(k) == table[k] for k in same) and "folds_done" in before:
            table["folds_done"], table["rows"] = before["folds_done"], before["rows"]
            if "lexical_rows" in before:
                table["lexical_rows"] = before["lexical_rows"]
            log(f"resuming: folds {[k + 1 for k in table['folds_done']]} already in {path}")
    rows: list[list[Any]] = table["rows"]
    started = time.time()
    for k in range(folds):
        if k in table["folds_done"]:
            continue
        _seed_everything(cfg.seed + k)
        tok = _tokenizer(base, cfg.max_length, cfg.context_tokens)
        rng = random.Random(cfg.seed + k)
        held = {d for d in train_docs if fold_of(documents[d].group, folds) == k}
        kept = [ex if ex.doc not in held else replace(ex, split=Split.TEST) for ex in data]
        train_set, _ = training_sets(kept, cfg, rng)
        if cfg.limit:
            train_set = limited(train_set, cfg.limit)
        log(
            f"fold {k + 1}/{folds}: training on {len(train_set)} sentences, {len(held)} documents held out"
        )
        model, _ = fit(train_set, cfg, base, tok, rng, log)
        with tempfile.TemporaryDirectory() as tmp:
            staged = Path(tmp)
            _export(model, tok, staged, base)
            manifest = {
                "classes": list(CLASSES),
                "thresholds": dict.fromkeys(CLASSES, 0.5),
                "max_length": cfg.max_length,
                "context_tokens": cfg.context_tokens,
                "files": {n: _sha256(staged / n) for n in ("classifier.onnx", "tokenizer.json")},
            }
            (staged / MANIFEST).write_text(json.dumps(manifest))
            clf = StatementClassifier(staged)
            for doc_id in sorted(held):
                text = documents[doc_id].text
                every = screen_sentences(text)
                before = contexts_of([text[s:e] for s, e, _ in every])
                pairs = [(b, s) for b, s in zip(before, every, strict=True) if s[2]]
                sentences = [s for _, s in pairs]
                if not sentences:
                    continue
                probs = clf.probabilities(
                    [text[s:e] for s, e, _ in sentences], contexts=[b for b, _ in pairs]
                )
                rows.extend(
                    [doc_id, s, e, [round(float(p), 5) for p in row]]
                    for (s, e, _), row in zip(sentences, probs, strict=True)
                )
        table["folds_done"].append(k)
        if path is not None:  # written whole, then renamed: a crash leaves the last fold's
            tmp_path = path.with_suffix(".tmp")
            tmp_path.write_text(json.dumps(table, separators=(",", ":")), encoding="utf-8")
            tmp_path.replace(path)
        log(f"fold {k + 1}/{folds} done ({time.time() - started:.0f}s)")
    if "lexical_rows" not in table:  # the fold heads: seconds each, beside the fold encoders
        from redline.model.lexical import fold_rows

        table["lexical_rows"] = fold_rows(data, documents, cfg, folds)
        if path is not None:
            tmp_path = path.with_suffix(".tmp")
            tmp_path.write_text(json.dumps(table, separators=(",", ":")), encoding="utf-8")
            tmp_path.replace(path)
    return table


def train_digest(data: list[Example], learn_dev: bool = False) -> str:
    """A digest of the learned splits' sentences and labels (train, and dev with ``learn_dev``):
    an out-of-fold table is valid for the data it was computed on, and ``redline train`` uses
    it only when this matches."""
    learned = learned_splits(learn_dev)
    h = hashlib.sha256()
    for ex in data:
        if ex.split in learned and ex.source != "review":
            # a written sentence has no place in a document: its words identify it
            where = ex.text if ex.source == "written" else f"{ex.start}:{ex.end}"
            h.update(f"{ex.doc}:{where}:{sorted(ex.labels)}\n".encode())
    return h.hexdigest()[:16]


def table_matches(
    data: list[Example],
    path: Path = OOF_FILE,
    context_tokens: int | None = None,
    layers: int | None = None,
    learn_dev: bool = False,
) -> bool:
    """Is there an out-of-fold table at ``path`` computed on this training data (and, given
    ``context_tokens`` and ``layers``, by models that read as much of the sentence before and
    keep as many of the base model's layers)? With ``learn_dev``, the table must hold out the
    dev documents by fold too, as a model that learns from them needs."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    if not isinstance(table, dict) or learns_dev(table) != learn_dev:
        return False
    if table.get("data_digest") != train_digest(data, learn_dev):
        return False
    if layers is not None and _layers(table) != layers:
        return False
    return context_tokens is None or _context_tokens(table) == context_tokens


def learns_dev(table: dict[str, Any]) -> bool:
    """Did the table's fold models learn from (and hold out by fold) the dev split too?"""
    return bool((table.get("config") or {}).get("learn_dev", False))


def _layers(table: dict[str, Any]) -> int:
    """How many of the base model's layers the table's fold models kept."""
    from redline.model.train import BASE_LAYERS

    return _setting(table, "layers", BASE_LAYERS)


def _context_tokens(table: dict[str, Any]) -> int:
    """How much of the sentence before the table's fold models read."""
    return _setting(table, "context_tokens", 0)


def _setting(table: dict[str, Any], name: str, before: int) -> int:
    """A training setting of the table's fold models; ``before``, the value every model had
    before the setting existed, for tables that do not record it."""
    return int((table.get("config") or {}).get(name, before))


def screen_sentences(text: str) -> list[tuple[int, int, bool]]:
    """The extractor's sentences of ``text``: (start, end, could pass the lexical screen). The
    length floor is left out, so a shorter floor later needs no new folds."""
    from redline.extract.learned import _SCREEN
    from redline.extract.sentences import split_sentences

    return [(s, e, bool(_SCREEN.search(text[s:e]))) for s, e in split_sentences(text)]


@dataclass(frozen=True)
class Table:
    """An out-of-fold table as calibration reads it: sentence text -> probabilities (averaged
    when a text recurs), and the train documents its folds scored."""

    probabilities: dict[str, np.ndarray]
    documents: frozenset[str]
    # the fold heads' probabilities (``lexical.fold_rows``), by sentence text, when computed
    lexical: dict[str, np.ndarray] | None = None


def load_table(
    documents: dict[str, GoldDocument], path: Path = OOF_FILE, context_tokens: int | None = None
) -> Table:
    """The table at ``path``; rows whose document is missing or whose offsets no longer fit it
    give no probability. Given ``context_tokens`` (the model's), a table computed by models that
    read another share of the sentence before is an error, not a calibration."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: cannot read the out-of-fold probabilities: {exc}") from exc
    read = _context_tokens(table)
    if context_tokens is not None and read != context_tokens:
        raise ModelError(
            f"{path}: computed by models reading {read} tokens of the sentence before, the "
            f"model {context_tokens}: recompute it (python -m redline.model.crossval)"
        )
    lexical = table.get("lexical_rows")
    return Table(
        _by_text(table["rows"], documents),
        frozenset(row[0] for row in table["rows"]),
        None if lexical is None else _by_text(lexical, documents),
    )


def _by_text(rows: list[Any], documents: dict[str, GoldDocument]) -> dict[str, np.ndarray]:
    """Rows (document id, start, end, probabilities) by sentence text, averaged when a text
    recurs; rows whose document is missing or whose offsets no longer fit it are left out."""
    sums: dict[str, list[Any]] = {}
    for doc_id, start, end, probs in rows:
        doc = documents.get(doc_id)
        if doc is None or end > len(doc.text):
            continue
        slot = sums.setdefault(doc.text[start:end], [np.zeros(len(probs)), 0])
        slot[0] = slot[0] + np.array(probs)
        slot[1] += 1
    return {text: total / n for text, (total, n) in sums.items()}


class OutOfFold:
    """A classifier for calibration: out-of-fold probabilities for the sentences the table
    scored (train, and dev for a model that learns from it), the shipped model's for every
    other sentence, the shipped prefilter for all."""

    def __init__(self, base: StatementClassifier, table: Table) -> None:
        if base.lexical is not None and table.lexical is None:
            raise ModelError(
                "the out-of-fold table has no lexical rows for a model with lexical heads: "
                "python -m redline.model.lexical"
            )
        self.base = base
        self.table = table.probabilities
        self.lexical = table.lexical or {}
        self.classes = base.classes
        self.prefilter = base.prefilter
        self.used = 0

    def gates(self) -> dict[str, Any]:
        return self.base.gates()

    def gated_probabilities(
        self, texts: Any, on_batch: Any = None, contexts: Any = None
    ) -> np.ndarray:
        check_contexts(texts, contexts)
        keep = self.prefilter.keep(texts) if self.prefilter else [True] * len(texts)
        out = np.zeros((len(texts), len(self.classes)), dtype=np.float32)
        for i, (text, k) in enumerate(zip(texts, keep, strict=True)):
            if not k:
                continue
            row = self.table.get(text)
            if row is None:
                before = [contexts[i]] if contexts else None
                out[i] = self.base.probabilities([text], contexts=before)[0]
            else:
                if self.base.lexical is not None:
                    from redline.model.lexical import blend

                    lexical = self.lexical.get(text)
                    if lexical is None:  # gates must be set on what the model gives
                        raise ModelError(
                            "the out-of-fold table scores a sentence its lexical rows do not: "
                            "python -m redline.model.lexical"
                        )
                    row = blend(row, lexical, self.base.lexical_weights)
                out[i] = row
                self.used += 1
        return out


def main(argv: list[str] | None = None) -> None:
    from redline.gold.evaluation import load
    from redline.model.dataset import examples

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--out", type=Path, default=OOF_FILE)
    args = parser.parse_args(argv)
    gold, documents = load(args.shared)
    table = out_of_fold(examples(gold, documents), documents, folds=args.folds, path=args.out)
    print(f"wrote {args.out}: {len(table['rows'])} sentences")


if __name__ == "__main__":
    main()

"""A second opinion beside the encoder: one logistic regression per class over the prefilter's
hashed words and word pairs (``prefilter.features``).

Why: fine-tuned on 180 threats, the encoder separates threats from the rest poorly (sentence-
level average precision about 0.49 out of fold), and a linear model over words, trained on the
same kind of sentences, does as well (0.50) while erring on other sentences: their mean scores
0.57 out of fold on the train split and 0.49 against 0.46 on dev (docs/model-card.md gives the
table). A sentence costs microseconds more: its features are those the prefilter reads.

The classifier reports ``(1 - w) * encoder + w * lexical`` per class (``blend``; ``w`` is the
manifest's ``lexical_weights``, ``WEIGHTS`` here). A class is blended only where that measured
better per item out of fold on train and dev: threats (98/106 right against 96/106, same
recall) and responses (16/22 and 8 found against 14/22 and 6 at an even share; 16/18 at the
0.7 share shipped); crossings measured no better
(20/29 against 20/30, one fewer found) and outcome claims have one gold item, so those keep the
encoder alone. The heads are fitted by the encoder's recipe and seed (``training_sets``: the
lexical screen may have changed since the encoder was trained, so the sample can differ a
little; the manifest records both digests); the out-of-fold table gets fold heads fitted the
same way per fold (``fold_rows``), and the gates are set on the blend.

    python -m redline.model.lexical [--shared ../shared]   # refit the shipped heads, add their
                                                           # out-of-fold rows, then recalibrate
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from redline.errors import ModelError
from redline.model.prefilter import BUCKETS, feature_matrix, features

FILE = "lexical.npz"
# the share of the heads per class, chosen out of fold on train and dev (module docstring):
# threats the mean (0.3 and 0.7 read F1 0.804 and 0.799 against 0.814); responses 0.7 (16/18
# right against 16/22 at 0.5, the same 8 of 22 found; dev 4/5 against 4/8); crossings and
# outcome claims none
WEIGHTS = {"threat": 0.5, "crossing": 0.0, "response": 0.7, "outcome_claim": 0.0}
C = 1.0  # scikit-learn's default; 0.3 measured no better at sentence level out of fold


class LexicalHeads:
    """Per-class logistic regressions over hashed words: ``probabilities(texts)``."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        if weights.ndim != 2 or weights.shape[1] != BUCKETS or bias.shape != (weights.shape[0],):
            raise ModelError(
                f"lexical heads of shape {weights.shape}: expected (classes, {BUCKETS})"
            )
        self.weights = weights
        self.bias = bias

    @classmethod
    def load(cls, path: Path) -> LexicalHeads:
        try:
            with np.load(path) as data:
                weights = data["weights"].astype(np.float32)
                bias = data["bias"].astype(np.float32)
            return cls(weights, bias)
        except ModelError as exc:
            raise ModelError(f"{path}: {exc}") from exc
        except Exception as exc:  # a damaged file fails in zipfile, zlib or numpy's header parser
            raise ModelError(f"{path}: cannot read the lexical heads: {exc}") from exc

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            np.savez_compressed(
                fh, weights=self.weights.astype(np.float16), bias=self.bias.astype(np.float32)
            )

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.probabilities_of([features(t) for t in texts])

    def probabilities_of(self, feats: Sequence[list[int]]) -> np.ndarray:
        """Probabilities of sentences given by their ``prefilter.features`` (computed once by
        the caller, as the prefilter reads them too)."""
        out = np.zeros((len(feats), len(self.bias)), dtype=np.float32)
        for i, f in enumerate(feats):
            out[i] = self.bias + self.weights[:, f].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-out))


def blend(encoder: np.ndarray, lexical: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The classifier's probabilities: the one place the two opinions are combined (``weights``:
    the heads' share, one per class, the last axis)."""
    return ((1.0 - weights) * encoder + weights * lexical).astype(np.float32)


def class_weights(manifest: dict[str, Any], classes: Sequence[str]) -> np.ndarray:
    """The heads' share per class, as the manifest gives it."""
    given = manifest.get("lexical_weights", {})
    return np.array([float(given.get(c, 0.0)) for c in classes], dtype=np.float32)


def fit(texts: Sequence[str], labels: np.ndarray, seed: int) -> LexicalHeads:
    """One logistic regression per column of ``labels`` (scikit-learn, the ``train`` extra),
    classes balanced. A class with no positive gets zero weights and a low bias."""
    from sklearn.linear_model import LogisticRegression

    x = feature_matrix(texts)
    weights = np.zeros((labels.shape[1], BUCKETS), dtype=np.float32)
    bias = np.full(labels.shape[1], -10.0, dtype=np.float32)
    for k in range(labels.shape[1]):
        y = labels[:, k].astype(np.int8)
        if y.min() == y.max():
            continue
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=seed)
        model.fit(x, y)
        weights[k] = model.coef_[0]
        bias[k] = model.intercept_[0]
    return LexicalHeads(weights, bias)


def fit_examples(examples: Sequence[Any], seed: int) -> LexicalHeads:
    """Heads fitted on ``examples`` (``dataset.Example``), one column per class."""
    from redline.model.dataset import label_matrix

    return fit([ex.text for ex in examples], np.array(label_matrix(list(examples))), seed)


def fold_rows(
    data: list[Any], documents: dict[str, Any], config: Any, folds: int
) -> list[list[Any]]:
    """Out-of-fold lexical probabilities of the train split's screened sentences, in the
    table's row form (document id, start, end, probabilities): for each fold, heads fitted on
    the sentences its fold encoder learned from (``crossval.out_of_fold`` draws them the same
    way) score the held-out documents."""
    from dataclasses import replace

    from redline.gold.annotations import Split, learned_splits
    from redline.model.crossval import fold_of, screen_sentences
    from redline.model.dataset import real_only
    from redline.model.train import training_sets

    learned = learned_splits(config.learn_dev)
    train_docs = sorted({ex.doc for ex in data if ex.split in learned and ex.doc in documents})
    rows: list[list[Any]] = []
    for k in range(folds):
        held = {d for d in train_docs if fold_of(documents[d].group, folds) == k}
        kept = [ex if ex.doc not in held else replace(ex, split=Split.TEST) for ex in data]
        train_set, _ = training_sets(kept, config, random.Random(config.seed + k))
        if config.limit:
            train_set = train_set[: config.limit]
        heads = fit_examples(real_only(train_set), config.seed + k)
        for doc_id in sorted(held):
            text = documents[doc_id].text
            spans = [(s, e) for s, e, ok in screen_sentences(text) if ok]
            if not spans:
                continue
            probs = heads.probabilities([text[s:e] for s, e in spans])
            rows.extend(
                [doc_id, s, e, [round(float(p), 5) for p in row]]
                for (s, e), row in zip(spans, probs, strict=True)
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    """Refit the shipped model's heads on its own training sentences and add the fold heads'
    rows to the out-of-fold table; the encoder is left as it is."""
    from redline.gold.evaluation import load
    from redline.model.classifier import MANIFEST, MODEL_DIR, _sha256
    from redline.model.crossval import OOF_FILE, learns_dev, train_digest
    from redline.model.dataset import examples
    from redline.model.train import TrainConfig, training_sets

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--out-of-fold", type=Path, default=OOF_FILE)
    args = parser.parse_args(argv)
    gold, documents = load(args.shared)
    data = examples(gold, documents)
    path = args.model / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    table = json.loads(args.out_of_fold.read_text(encoding="utf-8"))
    if table.get("data_digest") != train_digest(data, learns_dev(table)):
        raise ModelError(f"{args.out_of_fold}: computed on other data: recompute it")
    cfg = TrainConfig(**manifest["training"]["config"])
    # the encoder's recipe and seed; the lexical screen may have changed since the encoder was
    # trained, so the sample can differ a little from its own (the manifest records both)
    train_set, _ = training_sets(data, cfg, random.Random(cfg.seed))
    add_heads(args.model, manifest, train_set, cfg.seed)
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    # the fold heads follow the recipe the fold encoders were trained by
    folds = int(table["folds"])
    table["lexical_rows"] = fold_rows(data, documents, TrainConfig(**table["config"]), folds)
    args.out_of_fold.write_text(json.dumps(table, separators=(",", ":")), encoding="utf-8")
    print(
        f"wrote {args.model / FILE} ({_sha256(args.model / FILE)[:12]}) and "
        f"{len(table['lexical_rows'])} out-of-fold rows; now: python -m redline.model.calibrate --write"
    )


def add_heads(
    model_dir: Path, manifest: dict[str, Any], train_set: Sequence[Any], seed: int
) -> None:
    """Fit the heads on ``train_set``, write them beside the encoder and enter them (file digest
    and weight) in ``manifest`` (the caller writes it)."""
    from redline.model.classifier import _sha256
    from redline.model.train import _data_digest

    fit_examples(train_set, seed).save(model_dir / FILE)
    manifest["files"][FILE] = _sha256(model_dir / FILE)
    manifest["lexical_weights"] = dict(WEIGHTS)
    manifest["lexical_training"] = {
        "sentences": len(train_set),
        "data_digest": _data_digest(list(train_set)),
        "C": C,
        "seed": seed,
    }


if __name__ == "__main__":
    main()

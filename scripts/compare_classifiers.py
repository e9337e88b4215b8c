"""Compare sentence classifiers on the dev split: the old rules, a spaCy text classifier trained
with `spacy train`, and the fine-tuned MiniLM that ships with Redline.

    .venv/bin/python scripts/compare_classifiers.py --shared ../shared --out /tmp/redline-compare

Prints a Markdown table (per class precision / recall / F1 on dev sentences, and sentences per
second on one core) for docs/extraction.md. The test split is not read.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from redline.gold.annotations import CLASSES, Split
from redline.gold.evaluation import load
from redline.model.dataset import Example, examples


def _prf(pred: list[set[str]], data: list[Example], cls: str) -> tuple[float, float, float]:
    tp = sum(cls in p and cls in ex.labels for p, ex in zip(pred, data, strict=True))
    np_ = sum(cls in p for p in pred)
    ng = sum(cls in ex.labels for ex in data)
    p = tp / np_ if np_ else 0.0
    r = tp / ng if ng else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def rules(dev: list[Example], shared_docs: dict) -> tuple[list[set[str]], float]:
    from redline.extract.rules import RuleExtractor
    from redline.gold.score import predictions, to_input

    ext = RuleExtractor()
    by_doc: dict[str, list[Example]] = {}
    for ex in dev:
        by_doc.setdefault(ex.doc, []).append(ex)
    found: dict[tuple[str, int], set[str]] = {}
    started = time.perf_counter()
    docs = [shared_docs[d] for d in by_doc]
    results = ext.extract_many([to_input(d, i) for i, d in enumerate(docs)])
    elapsed = time.perf_counter() - started
    for doc, result in zip(docs, results, strict=True):
        for p in predictions(doc, result):
            found.setdefault((doc.id, p.start), set()).add(p.kind.value)
    return [found.get((ex.doc, ex.start), set()) for ex in dev], len(dev) / elapsed


def spacy_textcat(
    train: list[Example], dev: list[Example], out: Path
) -> tuple[list[set[str]], float]:
    import spacy
    from spacy.tokens import DocBin

    out.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("en")
    for name, data in (("train", train), ("dev", dev)):
        db = DocBin()
        for ex in data:
            doc = nlp.make_doc(ex.text)
            doc.cats = {c: float(c in ex.labels) for c in CLASSES}
            db.add(doc)
        db.to_disk(out / f"{name}.spacy")
    config = out / "config.cfg"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "init",
            "config",
            str(config),
            "--lang",
            "en",
            "--pipeline",
            "textcat_multilabel",
            "--optimize",
            "efficiency",
            "--force",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "train",
            str(config),
            "--output",
            str(out / "model"),
            "--paths.train",
            str(out / "train.spacy"),
            "--paths.dev",
            str(out / "dev.spacy"),
            "--system.seed",
            "13",
            "--training.max_epochs",
            "10",
        ],
        check=True,
        capture_output=True,
    )
    trained = spacy.load(out / "model" / "model-best")
    started = time.perf_counter()
    docs = list(trained.pipe(ex.text for ex in dev))
    elapsed = time.perf_counter() - started
    scores = np.array([[d.cats[c] for c in CLASSES] for d in docs])
    return _at_best_thresholds(scores, dev), len(dev) / elapsed


def minilm(
    dev: list[Example], lexical: bool = True, model: Path | None = None
) -> tuple[list[set[str]], float]:
    """The shipped classifier (or the one in ``model``); without ``lexical``, its encoder alone
    (no hashed-word heads)."""
    from redline.model.classifier import MODEL_DIR, StatementClassifier

    clf = StatementClassifier(model or MODEL_DIR, threads=1)
    if not lexical:
        clf.lexical = None
    started = time.perf_counter()
    scores = clf.gated_probabilities([ex.text for ex in dev])  # prefilter, then the encoder
    return _at_best_thresholds(scores, dev), len(dev) / (time.perf_counter() - started)


def _at_best_thresholds(scores: np.ndarray, dev: list[Example]) -> list[set[str]]:
    """Each class at the threshold with the best dev F1 (the same advantage for every model)."""
    best = []
    for i, c in enumerate(CLASSES):
        truth = np.array([c in ex.labels for ex in dev])
        f1s = []
        for t in np.arange(0.05, 0.96, 0.05):
            pred = scores[:, i] >= t
            tp = float((pred & truth).sum())
            p = tp / pred.sum() if pred.sum() else 0.0
            r = tp / truth.sum() if truth.sum() else 0.0
            f1s.append((2 * p * r / (p + r) if p + r else 0.0, t))
        best.append(max(f1s)[1])
    return [{c for i, c in enumerate(CLASSES) if row[i] >= best[i]} for row in scores]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("/tmp/redline-compare"))
    ap.add_argument(
        "--learned-only",
        action="store_true",
        help="only the shipped classifier, with and without its lexical heads",
    )
    ap.add_argument(
        "--model",
        type=Path,
        action="append",
        default=[],
        help="also another trained model directory (redline train --out DIR; repeatable)",
    )
    args = ap.parse_args()
    gold, docs = load(args.shared)
    data = examples(gold, docs)
    train = [ex for ex in data if ex.split == Split.TRAIN]
    dev = [ex for ex in data if ex.split == Split.DEV and ex.source != "plover"]
    rows = {}
    candidates = [
        ("rules (before this change)", lambda: rules(dev, docs)),
        (
            "spaCy textcat_multilabel (bag of words + CNN), `spacy train`",
            lambda: spacy_textcat(train, dev, args.out),
        ),
        ("MiniLM-L6 fine-tuned, int8 ONNX, alone", lambda: minilm(dev, lexical=False)),
        ("MiniLM-L6 blended with the lexical heads (shipped)", lambda: minilm(dev)),
        *((f"{m} (blended)", lambda m=m: minilm(dev, model=m)) for m in args.model),
    ]
    for name, run in candidates[2:] if args.learned_only else candidates:
        pred, speed = run()
        rows[name] = ({c: _prf(pred, dev, c) for c in CLASSES}, speed)
    print(
        f"Dev split: {len(dev)} sentences of news and statements "
        f"({sum(bool(e.labels) for e in dev)} with an item); learned models at each class's "
        "best dev threshold.\n"
    )
    print(
        "| classifier | "
        + " | ".join(f"{c} P / R / F1" for c in CLASSES)
        + " | sentences/s (1 core) |"
    )
    print("|---|" + "---|" * len(CLASSES) + "---|")
    for name, (scores, speed) in rows.items():
        cells = " | ".join(f"{p:.2f} / {r:.2f} / {f:.2f}" for p, r, f in scores.values())
        print(f"| {name} | {cells} | {speed:,.0f} |")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "comparison.json").write_text(
        json.dumps({k: v[0] for k, v in rows.items()}, indent=1)
    )


if __name__ == "__main__":
    main()

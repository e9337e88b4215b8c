"""How few sentences could reach the encoder? Measures, on the dev split, the two cheaper first
stages docs/performance.md reports (twelfth stop), against the shipped prefilter.

    .venv/bin/python scripts/first_stage.py [--shared ../shared] [--cascade DIR ...]

A sentence only changes the ledger when the shipped classifier scores it at or above a class's
low gate ("encoder-positive"); every other sentence takes the same path as one the prefilter
drops (``LearnedExtractor.extract_many``). So a first stage may drop any sentence that is not
encoder-positive without changing an item. For each candidate it prints the share of the
screened dev sentences it keeps when it keeps all encoder-positive ones but ``miss``:

- ``prefilter``: the shipped hashed-word prefilter (fitted on gold labels);
- ``distilled``: the same logistic regression refitted on the train split to predict gold labels
  or encoder-positive (out-of-fold probabilities for train sentences; needs the ``train``
  extra);
- ``--variants N``: the shipped prefilter with its threshold set by the encoder instead (the
  highest that keeps 99% of the dev sentences at a gate), and how many sentences at a gate it
  and the shipped threshold drop in N variants of the dev documents made as ``redline bench``
  makes its corpus (paragraphs dropped and mixed, politicians swapped);
- ``--cascade DIR``: a smaller encoder (``redline train --layers 3 --out DIR``) run on what the
  prefilter keeps, before the shipped one; its cost per sentence is printed too.

Test documents are never read.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from redline.extract.learned import LearnedExtractor
from redline.gold import score
from redline.gold.annotations import CLASSES, Split
from redline.gold.evaluation import load
from redline.model.classifier import StatementClassifier
from redline.model.crossval import OOF_FILE, OutOfFold, load_table
from redline.model.prefilter import feature_matrix

MISSES = (0, 1, 2, 3)


def sentences(shared: Path | None, model: StatementClassifier) -> dict[str, tuple]:
    """Per split: the screened sentences, whether a gold item overlaps each, and the shipped
    classifier's probabilities (out of fold for the train split)."""
    gold, documents = load(shared)
    table = load_table(documents, OOF_FILE, context_tokens=model.context_tokens)
    oof = OutOfFold(model, table)
    oof.prefilter = None  # every screened sentence scored: the first stages decide here
    extractor = LearnedExtractor(classifier=model)
    primary = gold.primary()
    out = {}
    for split in (Split.TRAIN, Split.DEV):
        docs = score.gold_documents(gold, documents, [split])
        if split == Split.TRAIN:
            docs = [d for d in docs if d.id in table.documents]
        texts, labelled = [], []
        for doc in docs:
            items = [i for i in gold.items_of(doc.id, primary[doc.id]) if i.kind.value in CLASSES]
            for sent in extractor.screened(doc.text):
                if sent.kinds:
                    end = sent.start + len(sent.text)
                    texts.append(sent.text)
                    labelled.append(any(i.start < end and i.end > sent.start for i in items))
        if split == Split.TRAIN:
            probs = oof.gated_probabilities(texts)
        else:
            probs = model.probabilities(texts)
        out[split.value] = (texts, np.array(labelled), probs)
    return out


def keep_shares(scores: np.ndarray, wanted: np.ndarray) -> list[tuple[int, float]]:
    """(miss, share kept) for the highest thresholds that keep all but ``miss`` wanted ones."""
    ranked = np.sort(scores[wanted])
    return [(m, float((scores >= ranked[m]).mean())) for m in MISSES if m < len(ranked)]


def variants(
    shared: Path | None,
    model: StatementClassifier,
    low: np.ndarray,
    texts: list[str],
    positive: np.ndarray,
    count: int,
) -> None:
    """The encoder-set threshold against the shipped one, on dev and on bench-made variants of
    the dev documents (distinct screened sentences)."""
    import random

    from redline.bench.corpus import SourceArticle, _NameSwapper, variant
    from redline.model.prefilter import recall_threshold

    assert model.prefilter is not None
    scores = model.prefilter.scores(texts)
    by_encoder = recall_threshold(scores, positive, 0.99)
    gold, documents = load(shared)
    docs = score.gold_documents(gold, documents, [Split.DEV], ("news", "statements"))
    sources = [SourceArticle(d.title or "", d.text, d.published) for d in docs]
    rng, swapper = random.Random(13), _NameSwapper()
    extractor = LearnedExtractor(classifier=model)
    made: set[str] = set()
    for number in range(count):
        text, _ = variant(sources, number, rng, swapper)
        made.update(s.text for s in extractor.screened(text) if s.kinds)
    sentences = sorted(made)
    at_gate = model.probabilities(sentences) >= low
    varied = model.prefilter.scores(sentences)
    for name, threshold in (("shipped", model.prefilter.threshold), ("by the encoder", by_encoder)):
        dropped = (at_gate & (varied < threshold)[:, None]).sum(axis=0)
        print(
            f"  threshold {name} ({threshold:.3f}): keeps {(scores >= threshold).mean():.3f} of "
            f"dev, {(varied >= threshold).mean():.3f} of {len(sentences)} distinct variant "
            f"sentences; drops, of those at a gate per class "
            f"({', '.join(f'{c} {n}' for c, n in zip(model.classes, at_gate.sum(axis=0), strict=True))}): "
            + ", ".join(f"{c} {n}" for c, n in zip(model.classes, dropped, strict=True))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--cascade", type=Path, action="append", default=[])
    parser.add_argument("--variants", type=int, default=0)
    args = parser.parse_args()
    model = StatementClassifier()
    low = np.array([model.gates()[c].low for c in model.classes])
    data = sentences(args.shared, model)
    texts, labelled, probs = data["dev"]
    positive = (probs >= low).any(axis=1)
    print(
        f"dev: {len(texts)} screened sentences, {int(positive.sum())} encoder-positive "
        f"({positive.mean():.3f}), {int(labelled.sum())} holding a gold item"
    )

    def show(name: str, scores: np.ndarray, wanted: np.ndarray, base: int) -> None:
        shares = ", ".join(
            f"miss {m}: {s * base / len(texts):.3f}" for m, s in keep_shares(scores, wanted)
        )
        print(f"  {name}: share of screened dev sentences kept — {shares}")

    assert model.prefilter is not None
    show("prefilter", model.prefilter.scores(texts), positive, len(texts))
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("  distilled: needs the train extra (scikit-learn)")
    else:
        tr_texts, tr_labelled, tr_probs = data["train"]
        target = tr_labelled | (tr_probs >= low).any(axis=1)
        fitted = LogisticRegression(class_weight="balanced", max_iter=3000, random_state=13)
        fitted.fit(feature_matrix(tr_texts), target.astype(np.int8))
        show("distilled", fitted.decision_function(feature_matrix(texts)), positive, len(texts))
    if args.variants:
        variants(args.shared, model, low, texts, positive, args.variants)
    kept = np.array(model.prefilter.keep(texts))
    for path in args.cascade:
        small = StatementClassifier(path)
        chosen = [t for t, k in zip(texts, kept, strict=True) if k]
        start = time.process_time()
        p = small.probabilities(chosen)
        ms = (time.process_time() - start) / len(chosen) * 1000
        # a sentence goes on when the small model scores it near any class's gate
        show(
            f"cascade {path} ({ms:.2f} ms a sentence)",
            (p / low).max(axis=1),
            positive[kept],
            len(chosen),
        )


if __name__ == "__main__":
    main()

"""Set each class's two gates on the dev split, by the item-level scores they give.

The extractor runs once on the dev documents with every gate at ``FLOOR``, remembering for each
item its probability and whether the dependency rules found it. Every (low, high) pair on a grid
is then scored by keeping an item when p >= high, or p >= low and the rules found it: the pair
with the best F1 among those with precision >= ``TARGET_PRECISION`` wins (the best F1 if none
reaches it). The test split is never read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redline.extract.learned import LearnedExtractor
from redline.gold import score
from redline.gold.annotations import GoldSet, Kind, Split
from redline.gold.corpus import GoldDocument
from redline.model.classifier import Gate

FLOOR = 0.05
TARGET_PRECISION = 0.85
GRID = [round(0.05 * i, 2) for i in range(1, 20)]
_KIND = {
    "threat": Kind.THREAT,
    "crossing": Kind.CROSSING,
    "response": Kind.RESPONSE,
    "outcome_claim": Kind.OUTCOME_CLAIM,
}


def calibrate(
    extractor: LearnedExtractor,
    gold: GoldSet,
    documents: dict[str, GoldDocument],
    sources: Iterable[str] = ("news", "statements"),
) -> dict[str, dict[str, Any]]:
    primary = gold.primary()
    docs = score.gold_documents(gold, documents, [Split.DEV], sources)
    extractor._gates = {c: Gate(FLOOR, FLOOR) for c in extractor.classifier.classes}
    extractor.origins = {}
    results = extractor.extract_many([score.to_input(d, i) for i, d in enumerate(docs)])
    traced: list[tuple[GoldDocument, list[tuple[score.Prediction, float, bool]]]] = []
    for doc, result in zip(docs, results, strict=True):
        items: list[Any] = [*result.threats, *result.events, *result.claims]
        preds = score.predictions(doc, result)
        traced.append(
            (
                doc,
                [
                    (pred, it.confidence, extractor.origins.get(id(it), False))
                    for pred, it in zip(preds, items, strict=True)
                ],
            )
        )
    extractor.origins = None
    extractor._gates = None
    out: dict[str, dict[str, Any]] = {}
    for cls, kind in _KIND.items():
        best: tuple[float, float, float, float, float] | None = None  # key, f1, p, low, high
        fallback: tuple[float, float, float, float, float] | None = None
        for high in GRID:
            for low in (g for g in GRID if g <= high):
                ks = score.KindScore(kind)
                for doc, scored in traced:
                    keep: list[score.Prediction] = []
                    for pred, prob, ruled in scored:
                        if pred.kind == kind and (prob >= high or (ruled and prob >= low)):
                            keep.append(pred)
                    gold_items = [
                        i for i in gold.items_of(doc.id, primary[doc.id]) if i.kind == kind
                    ]
                    score._score_kind(ks, gold_items, keep, lambda a, b: a == b)
                prec = ks.precision.value if ks.predictions else 0.0
                cand = (ks.f1, ks.f1, prec or 0.0, low, high)
                if fallback is None or cand > fallback:
                    fallback = cand
                if (
                    ks.f1 > 0
                    and (prec or 0.0) >= TARGET_PRECISION
                    and (best is None or cand > best)
                ):
                    best = cand
        chosen = best or fallback
        assert chosen is not None
        out[cls] = {
            "low": chosen[3],
            "high": chosen[4],
            "dev_f1": round(chosen[1], 3),
            "dev_precision": round(chosen[2], 3),
            "meets_target": best is not None,
        }
    return out

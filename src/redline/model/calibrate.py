"""Set each class's two gates by the item-level scores they give, on documents the model never
learned from.

The extractor runs once with every gate at ``FLOOR``, remembering for each item its probability
and whether the dependency rules found it. Every (low, high) pair on a grid is then scored by
keeping an item when p >= high, or p >= low and the rules found it, or the rules found a threat
in the conditional form, which no gate drops (``grid``); ``choose``
keeps the best F1 among pairs with precision >= ``TARGET_PRECISION`` when that costs little
recall, else the best F0.5.

Which documents: the dev split, and, when out-of-fold probabilities are at hand
(``redline.model.crossval``), the train split as well, each train sentence scored by a model
trained without its document. Dev alone holds 17 threats, 2 crossings and 3 responses: too few
to place a threshold; with the train split's out-of-fold scores the gates rest on about six
times as many items. The test split is never read.

    python -m redline.model.calibrate [--write]    # print (and write into the manifest) the gates
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from redline.extract.base import EventItem, Extraction, ThreatItem
from redline.extract.learned import LearnedExtractor, Origin
from redline.gold import score
from redline.gold.annotations import GoldSet, Kind, Split, split_of
from redline.gold.corpus import GoldDocument
from redline.model.classifier import Gate
from redline.model.crossval import Table

FLOOR = 0.05
TARGET_PRECISION = 0.85
KEEP_SHARE = 0.8
GRID = [round(0.05 * i, 2) for i in range(1, 20)]
Traced = list[tuple[GoldDocument, list[tuple[score.Prediction, float, Origin]]]]
_KIND = {
    "threat": Kind.THREAT,
    "crossing": Kind.CROSSING,
    "response": Kind.RESPONSE,
    "outcome_claim": Kind.OUTCOME_CLAIM,
}


def trace(
    extractor: LearnedExtractor,
    gold: GoldSet,
    documents: dict[str, GoldDocument],
    sources: Iterable[str] = ("news", "statements"),
    out_of_fold: Table | None = None,
) -> tuple[Traced, str]:
    """Every item the extractor finds with all gates open, with its probability and whether
    the rules found it, and which splits were read. With an ``out_of_fold`` table
    (``crossval.load_table``) the train documents it scored count too: never one the model
    learned from without an out-of-fold probability."""
    splits = [Split.DEV] if out_of_fold is None else [Split.TRAIN, Split.DEV]
    docs = [
        d
        for d in score.gold_documents(gold, documents, splits, sources)
        if out_of_fold is None or split_of(d.group) != Split.TRAIN or d.id in out_of_fold.documents
    ]
    shipped = extractor.classifier
    if out_of_fold is not None:
        from redline.model.crossval import OutOfFold

        extractor._classifier = OutOfFold(shipped, out_of_fold)  # type: ignore[assignment]
    extractor._gates = {c: Gate(FLOOR, FLOOR) for c in extractor.classifier.classes}
    extractor.origins = {}
    results = extractor.extract_many([score.to_input(d, i) for i, d in enumerate(docs)])
    traced: Traced = []
    for doc, result in zip(docs, results, strict=True):
        scored = []
        seen: set[tuple[str, int]] = set()
        for single, it in _one_by_one(result):
            for pred in score.predictions(doc, single):
                if pred.kind != Kind.THREAT and (pred.kind.value, pred.start) in seen:
                    continue  # a joint act is one item, as scoring counts it
                seen.add((pred.kind.value, pred.start))
                where = (_origin_kind(it), it.provenance.sentence_start, it.provenance.sentence)
                scored.append((pred, it.confidence, extractor.origins.get(where, "classifier")))
        traced.append((doc, scored))
    extractor.origins = None
    extractor._gates = None
    extractor._classifier = shipped
    return traced, "+".join(s.value for s in splits)


def calibrate(
    extractor: LearnedExtractor,
    gold: GoldSet,
    documents: dict[str, GoldDocument],
    sources: Iterable[str] = ("news", "statements"),
    out_of_fold: Table | None = None,
) -> dict[str, dict[str, Any]]:
    """The gates per class (``choose``), with the figures behind them; arguments as ``trace``."""
    traced, where = trace(extractor, gold, documents, sources, out_of_fold)
    return {
        cls: {**choose(grid(traced, gold, kind)), "documents": where} for cls, kind in _KIND.items()
    }


def grid(traced: Traced, gold: GoldSet, kind: Kind) -> list[dict[str, Any]]:
    """Precision, recall and F1 of ``kind``'s items for every (low, high) pair on ``GRID``."""
    primary = gold.primary()
    out = []
    for high in GRID:
        for low in (g for g in GRID if g <= high):
            ks = score.KindScore(kind)
            for doc, scored in traced:
                keep = [
                    pred
                    for pred, prob, origin in scored
                    if pred.kind == kind
                    and (
                        origin == "conditional"
                        or prob >= high
                        or (origin != "classifier" and prob >= low)
                    )
                ]
                gold_items = [i for i in gold.items_of(doc.id, primary[doc.id]) if i.kind == kind]
                score._score_kind(ks, gold_items, keep, lambda a, b: a == b)
            out.append(
                {
                    "low": low,
                    "high": high,
                    "precision": round(ks.precision.value or 0.0, 3) if ks.predictions else 0.0,
                    "recall": round(ks.recall.value or 0.0, 3) if ks.gold else 0.0,
                    "f1": round(ks.f1, 3),
                    "gold_items": ks.gold,
                    "kept": ks.predictions,
                }
            )
    return out


def choose(points: list[dict[str, Any]]) -> dict[str, Any]:
    """The gate pair to ship: the best F1 among pairs with precision >= ``TARGET_PRECISION``
    when that F1 is at least ``KEEP_SHARE`` of the best F1 overall (a precision bought by
    keeping almost nothing is no gate); otherwise the best F0.5, which weighs precision twice
    as much as recall: a false item in the ledger costs more than a missed one."""

    def key(p: dict[str, Any], f: str) -> tuple[float, float, float, float]:
        return (p[f], p["precision"], p["low"], p["high"])

    for p in points:
        pr, rc = p["precision"], p["recall"]
        p["f05"] = round(1.25 * pr * rc / (0.25 * pr + rc), 3) if pr + rc else 0.0
    top = max(points, key=lambda p: key(p, "f1"))
    precise = [p for p in points if p["precision"] >= TARGET_PRECISION and p["f1"] > 0]
    best = max(precise, key=lambda p: key(p, "f1")) if precise else None
    if best is not None and best["f1"] >= KEEP_SHARE * top["f1"]:
        return {**best, "meets_target": True}
    weighed: dict[str, Any] = max(points, key=lambda p: key(p, "f05"))
    return {**weighed, "meets_target": False}


def _origin_kind(item: Any) -> str:
    """The kind ``LearnedExtractor._gated`` files an item under."""
    if isinstance(item, EventItem):
        return item.kind
    return "threat" if isinstance(item, ThreatItem) else "claim"


def _one_by_one(result: Extraction) -> list[tuple[Extraction, Any]]:
    """Each item of ``result`` alone, as an extraction of its own."""
    return [
        *((Extraction(threats=[t]), t) for t in result.threats),
        *((Extraction(events=[e]), e) for e in result.events),
        *((Extraction(claims=[c]), c) for c in result.claims),
    ]


def main(argv: list[str] | None = None) -> None:
    import argparse
    import json

    from redline.gold.evaluation import load
    from redline.model.classifier import MANIFEST, MODEL_DIR, StatementClassifier
    from redline.model.crossval import OOF_FILE, load_table

    parser = argparse.ArgumentParser(description="Set the extractor's gates (never on test).")
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--out-of-fold", type=Path, default=OOF_FILE)
    parser.add_argument("--dev-only", action="store_true", help="ignore the out-of-fold table")
    parser.add_argument("--write", action="store_true", help="write the gates into the manifest")
    args = parser.parse_args(argv)
    gold, documents = load(args.shared)
    model = StatementClassifier(args.model)
    table = (
        None
        if args.dev_only
        else load_table(documents, args.out_of_fold, context_tokens=model.context_tokens)
    )
    gates = calibrate(
        LearnedExtractor(classifier=model),
        gold,
        documents,
        out_of_fold=table,
    )
    for cls, g in gates.items():
        print(cls, g)
    if args.write:
        path = args.model / MANIFEST
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["gates"] = {c: {"low": g["low"], "high": g["high"]} for c, g in gates.items()}
        manifest["calibration"] = gates
        path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        print(f"wrote the gates into {path}")


if __name__ == "__main__":
    main()

"""``redline eval`` on the real-document gold: every figure the README quotes, in one call.

- extraction per split (``score.score``): precision over all predictions, recall over
  non-borderline gold, field accuracy, with 95% intervals;
- PLOVER: sentences coded THREATEN by the event-data field, held out from training, against the
  extractor's threat predictions;
- inter-annotator agreement on the documents annotated twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from redline.extract.base import Extractor
from redline.gold import annotations as gold_annotations
from redline.gold import score
from redline.gold.annotations import GoldSet, Kind, Split, split_of
from redline.gold.corpus import GoldDocument, default_shared, load_documents
from redline.score.intervals import Proportion

EXTRACTORS = ("learned", "rules")


def make_extractor(name: str) -> Extractor:
    if name == "rules":
        from redline.extract.rules import RuleExtractor

        return RuleExtractor()
    if name == "learned":
        from redline.extract.learned import LearnedExtractor

        return LearnedExtractor()
    raise ValueError(f"unknown extractor {name!r}; choose one of {', '.join(EXTRACTORS)}")


def load(shared: Path | None = None) -> tuple[GoldSet, dict[str, GoldDocument]]:
    documents = load_documents(shared or default_shared())
    return gold_annotations.load(gold_annotations.GOLD_FILE, documents), documents


def plover(
    extractor: Extractor,
    documents: dict[str, GoldDocument],
    splits: Sequence[Split],
    gold: GoldSet | None = None,
) -> dict[str, Any]:
    """THREATEN (PLOVER's gold class) against "the extractor found a threat in the sentence".

    With ``gold``, the same sentences are also scored by the codebook (``codebook``: a threat
    our annotators marked, not borderline), and against the sentences both call a threat
    (``both``): PLOVER's THREATEN also holds threats by militias, parties and private persons,
    boycotts and curfews, which the codebook does not count, so its recall has a ceiling."""
    docs = [d for d in documents.values() if d.source == "plover" and split_of(d.group) in splits]
    inputs = [score.to_input(d, i) for i, d in enumerate(docs)]
    many = getattr(extractor, "extract_many", None)
    results = many(inputs) if many else [extractor.extract(x) for x in inputs]
    primary = gold.primary() if gold is not None else {}
    counts = {name: [0, 0, 0] for name in ("plover", "codebook", "both")}  # tp, fp, fn
    for doc, result in zip(docs, results, strict=True):
        pred = bool(result.threats)
        threaten = doc.extra.get("gold_root") == "THREATEN"
        marked = gold.items_of(doc.id, primary[doc.id]) if gold and doc.id in primary else []
        codebook = any(i.kind == Kind.THREAT and not i.borderline for i in marked)
        for name, truth in (
            ("plover", threaten),
            ("codebook", codebook),
            ("both", threaten and codebook),
        ):
            c = counts[name]
            c[0] += truth and pred
            c[1] += pred and not truth
            c[2] += truth and not pred
    tp, fp, fn = counts["plover"]
    out: dict[str, Any] = {
        "sentences": len(docs),
        "threaten": tp + fn,
        "precision": Proportion(tp, tp + fp).as_dict(),
        "recall": Proportion(tp, tp + fn).as_dict(),
    }
    if gold is not None:
        for name in ("codebook", "both"):
            tp, fp, fn = counts[name]
            out[name] = {
                "gold": tp + fn,
                "precision": Proportion(tp, tp + fp).as_dict(),
                "recall": Proportion(tp, tp + fn).as_dict(),
            }
    return out


def evaluate_real(
    extractor_name: str = "learned",
    shared: Path | None = None,
    splits: Sequence[Split] = (Split.TEST, Split.DEV),
    *,
    episodes: bool = True,
    db: str | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Score ``splits`` of the real gold, and (``episodes``) the episodes of a ledger of the
    news and statements, kept at ``db`` when given and extracted by ``workers`` processes."""
    gold, documents = load(shared)
    extractor = make_extractor(extractor_name)
    out: dict[str, Any] = {"extractor": extractor_name, "version": extractor.version, "splits": {}}
    # the splits the statement classifier learned from: figures on them are not held out
    model = getattr(extractor, "classifier", None)
    out["learned_from"] = list(getattr(model, "learned_from", ()))
    real = ("news", "statements")
    for split in splits:
        report = score.score(
            extractor, gold, documents, [split], sources=real, same_trigger=score.trigger_matcher()
        )
        out["splits"][split.value] = report.summary()
    out["plover"] = plover(extractor, documents, [s for s in splits if s != Split.TRAIN], gold)
    if episodes:
        from redline.gold.episodes import evaluate_episodes

        out["episodes"] = evaluate_episodes(
            shared or default_shared(), extractor=extractor, splits=splits, db=db, workers=workers
        )
    out["agreement"] = score.agreement(gold, documents)
    out["corpus"] = _corpus_counts(gold, documents)
    return out


def _corpus_counts(gold: GoldSet, documents: dict[str, GoldDocument]) -> dict[str, Any]:
    primary = gold.primary()
    counts: dict[str, dict[str, int]] = {}
    for doc_id in primary:
        doc = documents.get(doc_id)
        if doc is None:
            continue
        row = counts.setdefault(doc.source, {s.value: 0 for s in Split})
        row[split_of(doc.group).value] += 1
    items: dict[str, dict[str, int]] = {}
    for item in gold.items:
        if primary.get(item.doc) != item.annotator:
            continue
        row = items.setdefault(item.kind.value, {"items": 0, "borderline": 0})
        row["items"] += 1
        row["borderline"] += item.borderline
    return {"documents": counts, "items": items}

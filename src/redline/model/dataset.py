"""Training examples for the statement classifier: every sentence of every gold document.

Gold documents are annotated exhaustively, so a sentence with no gold item is a true negative.
A sentence's labels are the kinds of the items the primary annotator put on it (borderline items
included: they are the annotator's best call). Analysts' review decisions add examples, and so
do sentences written here from the codebook alone (``written_examples``): those only ever train.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from redline.errors import ModelError
from redline.gold.annotations import CLASSES, GoldSet, Split, json_lines, split_of
from redline.gold.corpus import GoldDocument
from redline.model.classifier import contexts_of


@dataclass(frozen=True)
class Example:
    doc: str
    start: int
    end: int
    text: str
    labels: frozenset[str]
    split: Split
    source: str  # news | statements | plover | review | written
    borderline: bool = False  # every item on the sentence is borderline (kept as a positive)
    context: str = ""  # the sentence before in its document ("" for the first, or none known)


def examples(gold: GoldSet, documents: dict[str, GoldDocument]) -> list[Example]:
    out: list[Example] = []
    for doc_id, annotator in sorted(gold.primary().items()):
        doc = documents.get(doc_id)
        if doc is None:
            continue
        labels: dict[tuple[int, int], set[str]] = {}
        firm: set[tuple[int, int]] = set()
        for item in gold.items_of(doc_id, annotator):
            if item.kind.value in CLASSES:
                labels.setdefault((item.start, item.end), set()).add(item.kind.value)
                if not item.borderline:
                    firm.add((item.start, item.end))
        split = split_of(doc.group)
        spans = doc.sentences
        before = contexts_of([doc.text[s:e] for s, e in spans])
        for (start, end), context in zip(spans, before, strict=True):
            out.append(
                Example(
                    doc_id,
                    start,
                    end,
                    doc.text[start:end],
                    frozenset(labels.get((start, end), ())),
                    split,
                    doc.source,
                    borderline=(start, end) in labels and (start, end) not in firm,
                    context=context,
                )
            )
    return out


WRITTEN_DIR = Path(__file__).resolve().parent.parent / "data" / "written"
NOT_AN_ITEM = (
    "prediction",
    "being_threatened",
    "refusal",
    "pledge",
    "appeal",
    "commentator",
    "history",
    "background",
    "plan",
    "own_side_act",
    "statement",
    "description",
    "other",
)


def written_examples(path: Path) -> list[Example]:
    """Training sentences from a JSON Lines file of ``{"text", "labels", "reason",
    "borderline"}``, written here by annotators who saw only the codebook (never the corpora,
    the tool or its output; ``docs/model-card.md``). They are made up, so they train and are never
    dev, test or scored. A sentence written twice is kept once; a malformed line is an error
    naming the file and the line."""
    out: list[Example] = []
    seen: set[str] = set()
    for where, row in json_lines(path, ModelError, "written training sentences"):
        text, labels = row.get("text"), row.get("labels")
        if not isinstance(text, str) or not text.strip():
            raise ModelError(f"{where}: 'text' must be a non-empty string")
        if not isinstance(labels, list) or not set(labels) <= set(CLASSES):
            raise ModelError(f"{where}: 'labels' must be a list drawn from {', '.join(CLASSES)}")
        if not labels and row.get("reason") not in NOT_AN_ITEM:
            raise ModelError(
                f"{where}: a sentence with no label needs a 'reason' among {NOT_AN_ITEM}"
            )
        text = " ".join(text.split())
        if text in seen:
            continue
        seen.add(text)
        out.append(
            Example(
                f"written:{path.stem}:{where.rsplit(':', 1)[1]}",
                0,
                len(text),
                text,
                frozenset(labels),
                Split.TRAIN,
                "written",
                borderline=bool(row.get("borderline")),
            )
        )
    return out


def real_only(batch: Iterable[Example]) -> list[Example]:
    """The examples drawn from real text: the prefilter and the lexical heads learn from these
    alone. They count words, and the written sentences' vocabulary is not the news's: heads
    fitted with them separated real sentences worse out of fold (``docs/model-card.md``,
    "Written sentences"), while the encoder learned from them."""
    return [ex for ex in batch if ex.source != "written"]


WRITTEN_SECOND = WRITTEN_DIR.parent / "written_second.jsonl"


def written_agreement(second: Path = WRITTEN_SECOND) -> dict[str, float]:
    """Cohen's kappa between the writers' labels and a second annotator's, who labelled a random
    sample of the written sentences from the codebook and the text alone: on the whole label
    set of a sentence and on each class as yes/no; ``sentences`` is the sample's size."""
    from redline.gold.score import cohen_kappa

    first = {
        ex.doc: ex.labels for f in sorted(WRITTEN_DIR.glob("*.jsonl")) for ex in written_examples(f)
    }
    pairs: list[tuple[frozenset[str], frozenset[str]]] = []
    for where, row in json_lines(second, ModelError, "the second annotation"):
        if row.get("id") not in first or not isinstance(row.get("labels"), list):
            raise ModelError(f"{where}: no written sentence {row.get('id')!r} or no 'labels'")
        pairs.append((first[row["id"]], frozenset(row["labels"])))
    out = {"sentences": float(len(pairs))}
    out["label_set"] = cohen_kappa([(",".join(sorted(a)), ",".join(sorted(b))) for a, b in pairs])
    for c in CLASSES:
        out[c] = cohen_kappa([(str(c in a), str(c in b)) for a, b in pairs])
    return out


def label_matrix(batch: list[Example]) -> list[list[float]]:
    return [[1.0 if c in ex.labels else 0.0 for c in CLASSES] for ex in batch]


def ledger_reviews(ledger: object) -> list[Example]:
    """Confirm/reject decisions on threats, events and outcome claims in a ledger, and the
    items analysts added (``redline add``), as examples: one per reviewed sentence, a positive
    of each kind whose item there an analyst's latest decision confirms or added. A decision a later one replaced does not train: a threat one analyst
    confirmed and another then rejected (rejected in every listing) was a positive and a
    negative of the same sentence, as were a threat rejected and a crossing confirmed there."""
    import sqlalchemy as sa

    from redline.store import Ledger
    from redline.store.schema import events, evidence, outcome_claims, reviews, threats

    assert isinstance(ledger, Ledger)
    # each item's decisions in the order stored; the last one stands (docs/linking.md)
    latest: dict[tuple[str, int], tuple[str, str, tuple[int, int], str]] = {}
    with ledger.connect() as conn:
        for item_type, table in (
            ("threat", threats),
            ("event", events),
            ("outcome_claim", outcome_claims),
        ):
            kind_col = table.c.kind if item_type == "event" else sa.literal(item_type)
            query = (
                sa.select(
                    table.c.id,
                    kind_col,
                    reviews.c.action,
                    evidence.c.document_id,
                    evidence.c.sentence_start,
                    evidence.c.sentence,
                )
                .select_from(
                    reviews.join(
                        table,
                        sa.and_(reviews.c.item_type == item_type, reviews.c.item_id == table.c.id),
                    ).join(evidence, evidence.c.id == table.c.evidence_id)
                )
                .where(reviews.c.action.in_(("confirm", "reject", "add")))
                .order_by(reviews.c.id)
            )
            for item, kind, action, doc, start, sentence in conn.execute(query):
                latest[(item_type, item)] = (kind, action, (doc, start), sentence)
    # one example per reviewed sentence, positive of each kind confirmed there
    sentences: dict[tuple[int, int], tuple[str, set[str]]] = {}
    for kind, action, where, sentence in latest.values():
        _, confirmed = sentences.setdefault(where, (sentence, set()))
        if action in ("confirm", "add") and kind in CLASSES:
            confirmed.add(kind)
    return [
        Example("review", 0, len(text), text, frozenset(kinds), Split.TRAIN, "review")
        for text, kinds in sentences.values()
    ]

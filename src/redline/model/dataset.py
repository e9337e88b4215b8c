"""Training examples for the statement classifier: every sentence of every gold document.

Gold documents are annotated exhaustively, so a sentence with no gold item is a true negative.
A sentence's labels are the kinds of the items the primary annotator put on it (borderline items
included: they are the annotator's best call). Analysts' review decisions add examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from redline.gold.annotations import CLASSES, GoldSet, Split, split_of
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
    source: str  # news | statements | plover | review
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


def review_examples(rows: Iterable[tuple[str, str, str]]) -> list[Example]:
    """(kind, decision, sentence) from analysts' reviews: a confirmed item is a positive of its
    kind, a rejected one a negative. Reviews always train (they are never in dev or test)."""
    out = []
    for kind, decision, sentence in rows:
        if kind not in CLASSES or decision not in ("confirm", "reject"):
            continue
        labels = frozenset({kind}) if decision == "confirm" else frozenset()
        out.append(Example("review", 0, len(sentence), sentence, labels, Split.TRAIN, "review"))
    return out


def label_matrix(batch: list[Example]) -> list[list[float]]:
    return [[1.0 if c in ex.labels else 0.0 for c in CLASSES] for ex in batch]


def ledger_reviews(ledger: object) -> list[Example]:
    """Confirm/reject decisions on threats, events and outcome claims in a ledger, as examples."""
    import sqlalchemy as sa

    from redline.store import Ledger
    from redline.store.schema import events, evidence, outcome_claims, reviews, threats

    assert isinstance(ledger, Ledger)
    rows: list[tuple[str, str, str]] = []
    with ledger.connect() as conn:
        for item_type, table in (
            ("threat", threats),
            ("event", events),
            ("outcome_claim", outcome_claims),
        ):
            kind_col = table.c.kind if item_type == "event" else sa.literal(item_type)
            query = (
                sa.select(kind_col, reviews.c.action, evidence.c.sentence)
                .select_from(
                    reviews.join(
                        table,
                        sa.and_(reviews.c.item_type == item_type, reviews.c.item_id == table.c.id),
                    ).join(evidence, evidence.c.id == table.c.evidence_id)
                )
                .where(reviews.c.action.in_(("confirm", "reject")))
                .order_by(reviews.c.id)
            )
            rows.extend((k, a, s) for k, a, s in conn.execute(query))
    return review_examples(rows)

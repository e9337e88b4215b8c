"""Does `redline audit recall` tell the truth? Check it where the truth is known.

Builds a scratch ledger of the **dev** split's news articles and statements of the real-document
gold (the documents' own text, so offsets are the gold's), extracts it with the shipped
extractor, then draws samples of missed items of each ``--kind`` (``redline.misses.draw_misses``)
with several seeds and judges each drawn sentence by the gold instead of a person: the kind
(``threat``, ``crossing`` or ``response``) when the sentence overlaps a sentence of the gold
holding an item of that kind (borderline ones included, as a careful analyst would say yes to
them too). It reports, per seed, the estimate and its 95% interval beside the true number of
gold sentences of the kind the ledger holds no item of the kind in, and how often the interval
covers it. The test split is never read.

``--planning`` instead prints, per kind, the share of the dev sentences in each stratum that
hold a gold item of the kind: how ``redline.misses.PLANNING`` was measured (no extraction).

    python scripts/validate_misses.py [--kind threat] [--seeds 20] [--n 80] [--shared ../shared]
    python scripts/validate_misses.py --planning --kind crossing --kind response
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from redline.extract import extract_documents
from redline.extract.sentences import split_sentences
from redline.gold.annotations import GoldSet, Split, split_of
from redline.gold.corpus import GoldDocument
from redline.gold.evaluation import load
from redline.misses import (
    KINDS,
    STRATA,
    _scorer,
    _stratum,
    draw_misses,
    held_sentences,
    judge_misses,
    miss_figures,
)
from redline.store import Ledger
from redline.store.schema import documents
from redline.vocab import ItemKind

Spans = dict[str, list[tuple[int, int]]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--n", type=int, default=80)
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in KINDS],
        help="the kind of item (repeatable; default threat)",
    )
    parser.add_argument(
        "--planning", action="store_true", help="print the dev shares per stratum, then stop"
    )
    args = parser.parse_args()
    kinds = [ItemKind(k) for k in dict.fromkeys(args.kind or [ItemKind.THREAT.value])]

    gold, docs = load(args.shared)
    primary = gold.primary()
    dev = sorted(
        (
            d
            for d in docs.values()
            if d.source in ("news", "statements")
            and d.id in primary
            and split_of(d.group) == Split.DEV
        ),
        key=lambda d: d.id,
    )
    if args.planning:
        for kind in kinds:
            planning(kind, dev, _gold_sentences(gold, primary, dev, kind))
        return
    scratch = Path(tempfile.mkdtemp(prefix="redline-misses-"))
    ledger = Ledger.open(f"sqlite:///{scratch / 'dev.db'}")
    ids: dict[int, str] = {}
    with ledger.begin() as conn:
        for d in dev:
            row = conn.execute(
                sa.insert(documents).values(
                    content_hash=hashlib.sha256(d.text.encode()).hexdigest(),
                    source_path=d.id,
                    source_format="text",
                    title=d.title,
                    published=d.published,
                    published_precision="day" if d.published else "unknown",
                    genre=d.genre,
                    text=d.text,
                    n_chars=len(d.text),
                    ingested_at=datetime.now(UTC),
                )
            )
            ids[int(row.inserted_primary_key[0])] = d.id  # type: ignore[index]
    extract_documents(ledger)
    for kind in kinds:
        by_name = _gold_sentences(gold, primary, dev, kind)
        validate(ledger, kind, {i: by_name.get(name, []) for i, name in ids.items()}, args)


def _gold_sentences(
    gold: GoldSet, primary: Mapping[str, str], dev: list[GoldDocument], kind: ItemKind
) -> Spans:
    """Per dev document, the sentences (as the gold splits them) holding a gold item of
    ``kind``, borderline ones included."""
    out: Spans = {}
    for d in dev:
        for item in gold.items_of(d.id, primary[d.id]):
            if item.kind != kind:
                continue
            for s, e in d.sentences:
                if s < item.end and item.start < e:
                    out.setdefault(d.id, []).append((s, e))
    return out


def _holds(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def planning(kind: ItemKind, dev: list[GoldDocument], gold_sentences: Spans) -> None:
    """The share of the dev sentences (as extraction splits them) in each stratum of the
    shipped lexical head of ``kind`` that hold a gold item of the kind."""
    score = _scorer(kind)
    counts = {name: [0, 0] for name, _ in STRATA}  # sentences, holding one
    for d in dev:
        spans = split_sentences(d.text)
        probabilities = score([d.text[s:e] for s, e in spans]) if spans else []
        for (s, e), p in zip(spans, probabilities, strict=True):
            row = counts[_stratum(float(p))]
            row[0] += 1
            row[1] += _holds(gold_sentences.get(d.id, []), s, e)
    total = sum(c[0] for c in counts.values())
    held = sum(c[1] for c in counts.values())
    print(f"{kind}: {len(dev)} dev documents, {total} sentences, {held} holding a {kind}")
    for name, (n, y) in counts.items():
        # the share, and the share smoothed as few items need it: (y + 1/2) / (n + 1)
        print(f"  {name:9s} {y:3d} of {n:5d} = {y / n if n else 0:.4f} ({(y + 0.5) / (n + 1):.4f})")


def validate(
    ledger: Ledger, kind: ItemKind, gold_sentences: dict[int, list[tuple[int, int]]], args: Any
) -> None:
    with ledger.connect() as conn:
        held_by = held_sentences(conn, kind)
    every = {(d, s, e) for d, spans in gold_sentences.items() for s, e in set(spans)}
    missed_true = sum(1 for d, s, e in every if not _holds(held_by.get(d, []), s, e))
    found = sum(len(set(spans)) for spans in held_by.values())
    truth = found / (found + missed_true) if found + missed_true else float("nan")
    print(
        f"{kind} on dev: {len(every)} gold {kind} sentences, {found} sentences held, "
        f"{missed_true} gold sentences holding none; true recall {truth:.2f}"
    )
    covered = 0
    for seed in range(args.seeds):
        sample = draw_misses(ledger, n=args.n, seed=seed, kind=kind)
        marks = {
            s.number: (
                kind.value
                if _holds(gold_sentences.get(s.document_id, []), s.start, s.end)
                else "none"
            )
            for s in sample.sentences
        }
        judge_misses(ledger, sample.audit_id, marks, reviewer="gold")
        f = miss_figures(ledger, sample.audit_id, kind=kind)
        assert f.missed is not None and f.missed_interval is not None
        lo, hi = f.missed_interval
        inside = lo <= missed_true <= hi
        covered += inside
        judged_yes = sum(1 for m in marks.values() if m == kind)
        print(
            f"seed {seed:2d}: {judged_yes} of {len(marks)} judged {kind}; missed {f.missed:5.1f} "
            f"[{lo:5.1f}-{hi:5.1f}] {'covers' if inside else 'MISSES'} {missed_true}; recall "
            + (
                f"{f.recall:.2f} [{f.recall_interval[0]:.2f}-{f.recall_interval[1]:.2f}]"
                if f.recall is not None and f.recall_interval is not None
                else "none to give"
            )
        )
    print(f"{kind}: the 95% interval covered the true count in {covered} of {args.seeds} samples")


if __name__ == "__main__":
    main()

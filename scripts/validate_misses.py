"""Does `redline audit recall` tell the truth? Check it where the truth is known.

Builds a scratch ledger of the **dev** split's news articles and statements of the real-document
gold (the documents' own text, so offsets are the gold's), extracts it with the shipped
extractor, then draws samples of missed threats (``redline.misses.draw_misses``) with several
seeds and judges each drawn sentence by the gold instead of a person: ``threat`` when the
sentence overlaps a threat sentence of the gold (borderline ones included, as a careful analyst
would say yes to them too). It reports, per seed, the estimate and its 95% interval beside the
true number of gold threat sentences the ledger holds no threat in, and how often the interval
covers it. The test split is never read.

    python scripts/validate_misses.py [--seeds 20] [--n 80] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from redline.extract import extract_documents
from redline.gold.annotations import Kind, Split, split_of
from redline.gold.evaluation import load
from redline.misses import draw_misses, judge_misses, miss_figures
from redline.store import Ledger
from redline.store.schema import documents, evidence, threats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--n", type=int, default=80)
    parser.add_argument("--shared", type=Path, default=None)
    args = parser.parse_args()

    gold, docs = load(args.shared)
    primary = gold.primary()
    dev = [
        d
        for d in docs.values()
        if d.source in ("news", "statements") and d.id in primary and split_of(d.group) == Split.DEV
    ]
    scratch = Path(tempfile.mkdtemp(prefix="redline-misses-"))
    ledger = Ledger.open(f"sqlite:///{scratch / 'dev.db'}")
    ids: dict[int, str] = {}
    with ledger.begin() as conn:
        for d in sorted(dev, key=lambda d: d.id):
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

    # the gold's threat sentences, and those the ledger holds no threat in
    gold_sentences: dict[int, list[tuple[int, int]]] = {}
    for doc_id, name in ids.items():
        spans = docs[name].sentences
        for item in gold.items_of(name, primary[name]):
            if item.kind != Kind.THREAT:
                continue
            for s, e in spans:
                if s < item.end and item.start < e:
                    gold_sentences.setdefault(doc_id, []).append((s, e))
    with ledger.connect() as conn:
        held = conn.execute(
            sa.select(
                evidence.c.document_id, evidence.c.sentence_start, evidence.c.sentence_end
            ).join(threats, threats.c.evidence_id == evidence.c.id)
        ).all()
    held_by: dict[int, list[tuple[int, int]]] = {}
    for doc, s, e in held:
        held_by.setdefault(int(doc), []).append((int(s), int(e)))
    every = {(d, s, e) for d, spans in gold_sentences.items() for s, e in set(spans)}
    missed_true = sum(
        1 for d, s, e in every if not any(hs < e and s < he for hs, he in held_by.get(d, []))
    )
    print(
        f"dev: {len(ids)} documents, {len(every)} gold threat sentences, {len(held)} threats "
        f"held, {missed_true} gold threat sentences holding none"
    )
    covered = 0
    for seed in range(args.seeds):
        sample = draw_misses(ledger, n=args.n, seed=seed)
        marks = {
            s.number: (
                "threat"
                if any(
                    gs < s.end and s.start < ge for gs, ge in gold_sentences.get(s.document_id, [])
                )
                else "none"
            )
            for s in sample.sentences
        }
        judge_misses(ledger, sample.audit_id, marks, reviewer="gold")
        f = miss_figures(ledger, sample.audit_id)
        assert f.missed is not None and f.missed_interval is not None
        lo, hi = f.missed_interval
        inside = lo <= missed_true <= hi
        covered += inside
        found = sum(1 for m in marks.values() if m == "threat")
        print(
            f"seed {seed:2d}: {found} of {len(marks)} judged threat; missed {f.missed:5.1f} "
            f"[{lo:5.1f}-{hi:5.1f}] {'covers' if inside else 'MISSES'} {missed_true}; recall "
            f"{f.recall:.2f} [{f.recall_interval[0]:.2f}-{f.recall_interval[1]:.2f}]"
            if f.recall is not None and f.recall_interval is not None
            else ""
        )
    print(f"the 95% interval covered the true count in {covered} of {args.seeds} samples")


if __name__ == "__main__":
    main()

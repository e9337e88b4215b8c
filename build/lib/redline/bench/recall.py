"""Recall on the gold files: the fast path (lexical screen, then the classifier) against the
same learned extractor with the screen off (the classifier reads every sentence).

Whatever the unscreened path finds and the fast path misses is a sentence the screen wrongly
skipped. Results name gold items by
file, span and the annotator's note, never by article text (the corpora are third-party).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from redline import evaluate, knowledge
from redline.extract.base import Extractor
from redline.store import Ledger
from redline.store.schema import events, evidence, threats


@dataclass(frozen=True)
class GoldSet:
    name: str
    gold: Path
    corpus: Path


def recall_check(gold_sets: list[GoldSet]) -> dict[str, Any]:
    """Score both paths on each gold set; ``ok`` is False when the fast path recalls less."""
    from redline.bench.naive import UnscreenedLearnedExtractor
    from redline.extract.learned import LearnedExtractor
    from redline.extract.nlp import load_pipeline

    paths: dict[str, Extractor] = {
        "fast": LearnedExtractor(nlp=load_pipeline()),
        "naive": UnscreenedLearnedExtractor(nlp=load_pipeline()),
    }
    sets: list[dict[str, Any]] = []
    for gs in gold_sets:
        if not (gs.gold.exists() and gs.corpus.exists()):
            sets.append({"name": gs.name, "skipped": f"{gs.gold} or {gs.corpus} is missing"})
            continue
        sets.append(_check_one(gs, paths))
    failures = [
        f"FAIL recall {s['name']} {kind}: fast {s['fast'][kind]['recall']:.3f} "
        f"< naive {s['naive'][kind]['recall']:.3f}"
        for s in sets
        if "skipped" not in s
        for kind in ("threats", "crossings")
        if s["fast"][kind]["recall"] < s["naive"][kind]["recall"]
    ]
    return {"gold_sets": sets, "ok": not failures, "failures": failures}


def _check_one(gs: GoldSet, paths: dict[str, Extractor]) -> dict[str, Any]:
    from redline.extract import extract_documents
    from redline.ingest import ingest_paths

    gold = evaluate.load_gold(gs.gold, gs.corpus)
    files = evaluate.annotated_files(gold)
    tree = knowledge.triggers()
    out: dict[str, Any] = {"name": gs.name, "gold": str(gs.gold), "corpus": str(gs.corpus)}
    with tempfile.TemporaryDirectory(prefix="redline-bench-recall-") as tmp:
        ledger = Ledger.open(f"sqlite:///{Path(tmp) / 'recall.db'}")
        try:
            docs = sorted({gs.corpus / f.split("#")[0] for f in files})
            ingest_paths(ledger, [p for p in docs if p.exists()], progress=False)
            out["documents"] = len(docs)
            for label, extractor in paths.items():
                started = time.perf_counter()
                extract_documents(ledger, extractor=extractor, redo=True)
                seconds = time.perf_counter() - started
                pred_threats, pred_crossings = _predictions(ledger)
                scores = {
                    "threats": evaluate._score_items(
                        "threats",
                        gold.get("threats", {}),
                        pred_threats,
                        files,
                        evaluate._threat_fields(tree),
                    ),
                    "crossings": evaluate._score_items(
                        "crossings",
                        gold.get("crossings", {}),
                        pred_crossings,
                        files,
                        evaluate._crossing_fields(tree),
                    ),
                }
                out[label] = {k: _summary(s) for k, s in scores.items()}
                out[label]["extract_seconds"] = round(seconds, 3)
        finally:
            ledger.dispose()
    out["missed_only_by_fast"] = {
        kind: [m for m in out["fast"][kind]["misses"] if m not in out["naive"][kind]["misses"]]
        for kind in ("threats", "crossings")
    }
    return out


def _predictions(ledger: Ledger) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Threats and crossings as the evaluator's prediction dicts (as ``evaluate._score`` builds them)."""
    docs = evaluate._doc_index(ledger)
    dups = evaluate._duplicate_names(ledger)
    with ledger.connect() as conn:
        found = [
            [dict(r._mapping) for r in conn.execute(query)]
            for query in (
                sa.select(threats, evidence.c.sentence, evidence.c.context).join(
                    evidence, evidence.c.id == threats.c.evidence_id
                ),
                sa.select(events, evidence.c.sentence, evidence.c.context)
                .join(evidence, evidence.c.id == events.c.evidence_id)
                .where(events.c.kind == "crossing"),
            )
        ]
    for p in found[0] + found[1]:
        p["file"] = docs[p["document_id"]][0]
        p["files"] = {p["file"], *dups.get(p["document_id"], set())}
    return found[0], found[1]


def _summary(score: evaluate.ItemScore) -> dict[str, Any]:
    return {
        "required": score.required,
        "found": score.found,
        "found_with_fields": score.found_exact,
        "errors": score.errors,
        "recall": round(score.recall, 4),
        "precision": round(score.precision, 4),
        "misses": [{"file": m["file"], "note": m.get("note")} for m in score.misses],
    }

"""One measured stage in a fresh process, so that its peak memory is its own.

``python -m redline.bench.child SPEC.json RESULT.json`` runs the stage the spec names and
writes its wall time, the details its API reports, and the peak resident memory of this
process (``VmHWM``, else ``getrusage`` SELF) and of its largest worker (``getrusage``
CHILDREN maxrss).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from redline.errors import RedlineError
from redline.store import Ledger

Spec = dict[str, Any]


def _ingest(ledger: Ledger, spec: Spec) -> dict[str, Any]:
    from redline.ingest import ingest_paths

    report = ingest_paths(ledger, [Path(spec["corpus"])], progress=False)
    return {
        "stored": len(report.ingested),
        "duplicates": len(report.duplicates),
        "problems": len(report.problems),
    }


def _extract(ledger: Ledger, spec: Spec) -> dict[str, Any]:
    from redline.extract import extract_documents

    report = extract_documents(ledger, workers=spec["workers"])
    return {**report.as_dict(), "errors": len(report.errors), "first_errors": report.errors[:5]}


def _link(ledger: Ledger, spec: Spec) -> dict[str, Any]:
    from redline.link import link

    report = link(ledger)
    return {"episodes": report.episodes, "comparisons": report.comparisons}


def _score(ledger: Ledger, spec: Spec) -> dict[str, Any]:
    from redline.score import credibility

    return {"estimates": len(credibility(ledger))}


def _sample_ids(ledger: Ledger, size: int, seed: int) -> list[int]:
    from redline.store.schema import documents

    with ledger.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.select(documents.c.id).order_by(documents.c.id))]
    return sorted(random.Random(seed).sample(ids, min(size, len(ids))))


def _baseline(ledger: Ledger, spec: Spec) -> dict[str, Any]:
    """The naive path on a sample: full parse and every rule on every sentence, one process."""
    from redline.bench.naive import NaiveRuleExtractor
    from redline.extract.base import DocumentInput
    from redline.extract.nlp import load_full_pipeline
    from redline.extract.sentences import split_sentences
    from redline.model.classifier import contexts_of
    from redline.store.schema import documents as d

    sample = _sample_ids(ledger, spec["sample"], spec["seed"])
    cols = (d.c.id, d.c.text, d.c.published, d.c.published_precision, d.c.genre, d.c.title)
    with ledger.connect() as conn:
        docs = [DocumentInput(*r) for r in conn.execute(sa.select(*cols).where(d.c.id.in_(sample)))]
    started = time.perf_counter()
    nlp = load_full_pipeline()
    load_seconds = time.perf_counter() - started
    naive = NaiveRuleExtractor(nlp=nlp)
    started = time.perf_counter()
    items = sum(len(r.threats) + len(r.events) + len(r.claims) for r in map(naive.extract, docs))
    rules_seconds = time.perf_counter() - started
    by_doc = [[doc.text[s:e] for s, e in split_sentences(doc.text)] for doc in docs]
    sentences = [s for own in by_doc for s in own]
    before = [c for own in by_doc for c in contexts_of(own)]  # the sentence before each
    started = time.perf_counter()
    for _ in nlp.pipe(sentences):
        pass
    parse_seconds = time.perf_counter() - started
    # The learned extractor's own cost: the statement classifier on the sentences that pass
    # the lexical screen (what it runs on in the fast path), one thread.
    from redline.extract.learned import passes_screen
    from redline.model.classifier import StatementClassifier

    screened = [(b, s) for b, s in zip(before, sentences, strict=True) if passes_screen(s)]
    classifier = StatementClassifier(threads=1)
    started = time.perf_counter()
    texts = [s for _, s in screened]
    kept = classifier.prefilter.keep(texts) if classifier.prefilter else [True] * len(texts)
    prefilter_seconds = time.perf_counter() - started
    encoded = [pair for pair, k in zip(screened, kept, strict=True) if k]
    started = time.perf_counter()
    classifier.probabilities([s for _, s in encoded], contexts=[b for b, _ in encoded])
    encoder_seconds = time.perf_counter() - started
    return {
        "screened_sentences": len(screened),
        "encoded_sentences": len(encoded),
        "prefilter_seconds": round(prefilter_seconds, 4),
        "encoder_seconds": round(encoder_seconds, 3),
        "sample": len(docs),
        "sample_bytes": sum(len(doc.text.encode("utf-8")) for doc in docs),
        "sentences": len(sentences),
        "items": items,
        "load_seconds": round(load_seconds, 3),
        "naive_seconds": round(rules_seconds, 3),
        "parse_only_seconds": round(parse_seconds, 3),
    }


def _big_document(ledger: Ledger, spec: Spec) -> dict[str, Any]:
    """Ingest one big document, load the extractor, then time its extraction alone (wall and
    CPU seconds of this one process: the ratio between sizes is read from CPU time, which
    other work on a shared machine disturbs far less)."""
    from redline.extract import extract_documents
    from redline.extract.base import DocumentInput
    from redline.extract.pipeline import default_extractor
    from redline.ingest import ingest_paths

    ingested = ingest_paths(ledger, [Path(spec["file"])], progress=False)
    ext = default_extractor()
    # one sentence that reaches the classifier and the parser loads both models before timing
    ext.extract(DocumentInput(0, "Russia warned it would strike if NATO sent jets.", None, ""))
    wall, cpu = time.perf_counter(), time.process_time()
    report = extract_documents(ledger, extractor=ext)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    megabytes = spec["bytes"] / 1e6
    return {
        "megabytes": round(megabytes, 3),
        "bytes": spec["bytes"],
        "documents": len(ingested.ingested),
        "items": report.threats + report.crossings + report.responses + report.claims,
        "errors": len(report.errors),
        "extract_seconds": round(wall, 3),
        "extract_cpu_seconds": round(cpu, 3),
        "cpu_seconds_per_mb": round(cpu / max(megabytes, 1e-9), 3),
    }


def _profile(ledger: Ledger, spec: Spec) -> dict[str, Any]:
    from redline.bench.profiling import profile

    ids = _sample_ids(ledger, spec["sample"], spec["seed"])
    return profile(ledger, Path(spec["corpus"]), ids, spec["sample"])


STAGES: dict[str, Callable[[Ledger, Spec], dict[str, Any]]] = {
    "ingest": _ingest,
    "extract": _extract,
    "link": _link,
    "score": _score,
    "baseline": _baseline,
    "profile": _profile,
    "big_document": _big_document,
}


def run_stage(spec: Spec) -> dict[str, Any]:
    """Run ``spec["stage"]`` on the ledger ``spec["db"]`` in this process; time and peak memory."""
    ledger = Ledger.open(f"sqlite:///{spec['db']}")
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    try:
        cpu_before, waits_before = _cpu_seconds(), _waits()
        started = time.perf_counter()
        detail = STAGES[spec["stage"]](ledger, spec)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        read_blocks, switches = (after - b for after, b in zip(_waits(), waits_before, strict=True))
    finally:
        ledger.dispose()
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "read_blocks": read_blocks,
        "voluntary_switches": switches,
        "load_before": load_before,
        "rss_self_kib": peak_rss_kib(),
        "rss_workers_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "detail": detail,
    }


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished workers."""
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _waits() -> tuple[int, int]:
    """Blocks read from disk (512 bytes each) and voluntary context switches (each a wait: on
    the disk, a lock, a pipe) of this process and its finished workers. A stage whose CPU per
    wall is low waited on these when they are many, on the CPU (other work) when they are few:
    the score stage's wait on a cold ``scipy.stats`` import showed only as a low ratio."""
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_inblock + workers.ru_inblock, own.ru_nvcsw + workers.ru_nvcsw


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB.

    Linux carries ``ru_maxrss`` over ``exec``, so a stage started by a large parent would
    report the parent's peak; ``VmHWM`` belongs to the new address space alone.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_in_child(spec: Spec, timeout: float | None = None) -> dict[str, Any]:
    """Run one stage in a fresh Python process and return what it measured.

    ``timeout`` (seconds) turns a stage that never ends into an error instead of a stall.
    """
    with tempfile.TemporaryDirectory(prefix="redline-bench-stage-") as tmp:
        spec_path, result_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        try:
            done = subprocess.run(
                [sys.executable, "-m", "redline.bench.child", str(spec_path), str(result_path)],
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            # one line, as every error (it was a 20-line traceback); the child is killed
            raise RedlineError(
                f"benchmark stage {spec['stage']} did not end within {timeout:g} s "
                "(--stage-timeout): it counts as hung"
            ) from exc
        if done.returncode != 0 or not result_path.exists():
            raise RuntimeError(
                f"benchmark stage {spec['stage']} failed (exit {done.returncode}):\n"
                + done.stderr[-4000:]
            )
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        return result


def main(argv: list[str]) -> None:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[1]).write_text(json.dumps(run_stage(spec)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

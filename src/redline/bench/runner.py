"""Run the benchmark: build each corpus, measure every stage in its own process, add the baseline.

Ingest does not depend on the worker count, so it runs once per size; its ledger is copied
for each worker count, which then extracts, links and scores. End to end is the sum of the
four stages, and its peak memory the largest of theirs.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redline.bench import corpus, machine
from redline.bench.child import run_in_child
from redline.bench.recall import GoldSet, recall_check

REPO = Path(__file__).resolve().parents[3]
STAGES = ("ingest", "extract", "link", "score")
SCHEMA = "redline-bench-1"
BUSY_LOAD = 0.5  # a 1-minute load average above this before a run means shared CPUs


def default_sources() -> list[Path]:
    return [REPO.parent / "shared" / "corpus" / "ukraine-news-dev", REPO / "examples" / "corpus"]


def default_gold_sets() -> list[GoldSet]:
    shared = REPO.parent / "shared"
    return [
        GoldSet("seeds", shared / "gold" / "seeds.json", shared / "seeds"),
        GoldSet(
            "ukraine-news-dev",
            REPO / "tests" / "gold" / "ukraine-news-dev.json",
            shared / "corpus" / "ukraine-news-dev",
        ),
        GoldSet("sample", REPO / "examples" / "gold" / "sample.json", REPO / "examples" / "corpus"),
    ]


@dataclass
class BenchConfig:
    sizes: Sequence[int] = (1000, 10000, 100000)
    workers: Sequence[int] = (1, 2)
    sources: Sequence[Path] = field(default_factory=default_sources)
    baseline_sample: int = 500
    profile_sample: int = 200  # articles profiled with pyinstrument on the largest size; 0: none
    gold_sets: Sequence[GoldSet] = field(default_factory=default_gold_sets)
    seed: int = 13
    work_dir: Path | None = None  # where corpora and ledgers go (default: a temporary folder)
    stage_timeout: float | None = None  # seconds before a stage counts as hung
    command: str = ""
    # sizes in MB of single big documents whose extraction is timed (``make bench``: 1, 4, 16)
    big_documents: Sequence[float] = ()


def run_benchmark(
    config: BenchConfig, *, log: Callable[[str], None] = lambda _m: None
) -> dict[str, Any]:
    """Measure every size and worker count; the result is what ``report.write_results`` stores."""
    missing = [str(p) for p in config.sources if not p.exists()]
    if missing:
        raise FileNotFoundError(f"benchmark source not found: {', '.join(missing)} (use --source)")
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": config.command,
        "machine": machine.describe(),
        "code": machine.code_version(),
        "config": {
            **{
                k: v
                for k, v in asdict(config).items()
                if k not in ("gold_sets", "work_dir", "sources")
            },
            "sources": [str(p) for p in config.sources],
        },
        "notes": NOTES,
        "corpora": {},
        "baselines": {},
        "runs": [],
    }
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    result["load_at_start"] = load
    if load > BUSY_LOAD:
        log(f"warning: the load average is {load:.1f}; other work will slow the stages")
    log(f"reading source articles from {', '.join(map(str, config.sources))}")
    sources = corpus.load_sources(list(config.sources))
    if config.work_dir is not None:
        config.work_dir.mkdir(parents=True, exist_ok=True)  # --work-dir names a folder to use
    with tempfile.TemporaryDirectory(prefix="redline-bench-", dir=config.work_dir) as tmp:
        for size in config.sizes:
            _one_size(config, sources, size, Path(tmp) / f"size-{size}", result, log)
        if config.big_documents:
            result["big_documents"] = big_documents(config, sources, Path(tmp) / "big", log)
        at_end = machine.code_version()
        if at_end != result["code"]:
            result["code"]["changed_during_run"] = at_end
            log(f"warning: the code changed during the run: {result['code']}")
        log("recall check: fast path against naive path on the gold files")
        result["recall"] = recall_check(list(config.gold_sets))
        for line in result["recall"]["failures"]:
            log(line)
    return result


def _one_size(
    config: BenchConfig,
    sources: list[corpus.SourceArticle],
    size: int,
    where: Path,
    result: dict[str, Any],
    log: Callable[[str], None],
) -> None:
    log(f"[{size}] generating {size} articles")
    info = corpus.generate(sources, size, where / "corpus", seed=config.seed)
    base_db = where / "ingested.db"
    log(f"[{size}] ingest")
    ingest = run_in_child(
        {"stage": "ingest", "db": str(base_db), "corpus": info.directory}, config.stage_timeout
    )
    detail = ingest["detail"]
    result["corpora"][str(size)] = asdict(info) | {
        "stored": detail["stored"],
        "duplicates_dropped": detail["duplicates"],
        "problems": detail["problems"],
    }
    log(f"[{size}] {detail['stored']} stored, {detail['duplicates']} dropped as duplicates")
    log(f"[{size}] naive baseline on {min(size, config.baseline_sample)} articles")
    baseline = run_in_child(
        {
            "stage": "baseline",
            "db": str(base_db),
            "sample": config.baseline_sample,
            "seed": config.seed,
        },
        config.stage_timeout,
    )
    result["baselines"][str(size)] = _baseline_summary(baseline, size)
    for workers in config.workers:
        db = where / f"workers-{workers}.db"
        _copy_ledger(base_db, db)
        stages = {"ingest": ingest}
        for stage in STAGES[1:]:
            log(f"[{size}] {stage} with {workers} worker(s)")
            stages[stage] = run_in_child(
                {"stage": stage, "db": str(db), "workers": workers}, config.stage_timeout
            )
        result["runs"].append(_run_summary(size, workers, info, stages))
        db.unlink()
    if config.profile_sample and size == max(config.sizes):
        log(f"[{size}] profiling ingest and extraction of {config.profile_sample} articles")
        db = where / "profile.db"
        _copy_ledger(base_db, db)
        result["profile"] = {"size": size} | run_in_child(
            {
                "stage": "profile",
                "db": str(db),
                "corpus": info.directory,
                "sample": config.profile_sample,
                "seed": config.seed,
            },
            config.stage_timeout,
        )["detail"]
    shutil.rmtree(where, ignore_errors=True)


def big_documents(
    config: BenchConfig,
    sources: list[corpus.SourceArticle],
    where: Path,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Extraction of one document of each size in ``config.big_documents``, each in its own
    process and ledger: time per MB should not grow with the size."""
    out: dict[str, Any] = {}
    for megabytes in config.big_documents:
        name = f"{megabytes:g}"
        path = where / f"dossier-{name}mb.txt"
        log(f"[big {name} MB] generating one document")
        nbytes = corpus.big_document(sources, megabytes, path, seed=config.seed)
        log(f"[big {name} MB] ingest and extract")
        measured = run_in_child(
            {
                "stage": "big_document",
                "db": str(where / f"dossier-{name}mb.db"),
                "file": str(path),
                "bytes": nbytes,
            },
            config.stage_timeout,
        )
        out[name] = measured["detail"] | {
            "peak_rss_mib": round(measured["rss_self_kib"] / 1024, 1),
            "load_before": measured["load_before"],
        }
        log(
            f"[big {name} MB] {out[name]['extract_cpu_seconds']:.1f} CPU s "
            f"({out[name]['cpu_seconds_per_mb']:.1f} per MB)"
        )
    shutil.rmtree(where, ignore_errors=True)
    return out


def _copy_ledger(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite ledger (the backup API also folds in its write-ahead log)."""
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    source.close()
    target.close()


def _stage(measured: dict[str, Any], articles: int, nbytes: int) -> dict[str, Any]:
    seconds = max(measured["seconds"], 1e-9)
    rss_self, rss_workers = measured["rss_self_kib"], measured["rss_workers_kib"]
    return {
        "seconds": measured["seconds"],
        "articles_per_s": round(articles / seconds, 2),
        "mb_per_s": round(nbytes / 1e6 / seconds, 3),
        "peak_rss_mib": round(max(rss_self, rss_workers) / 1024, 1),
        "rss_parent_mib": round(rss_self / 1024, 1),
        "rss_largest_worker_mib": round(rss_workers / 1024, 1),
        "cpu_per_wall": round(measured["cpu_seconds"] / seconds, 2),
        "load_before": measured["load_before"],
        "read_mib": round(measured["read_blocks"] * 512 / 2**20, 1),
        "voluntary_switches": measured["voluntary_switches"],
        "detail": measured["detail"],
    }


def _run_summary(
    size: int, workers: int, info: corpus.CorpusInfo, stages: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    # ingest reads every generated file; the later stages see the documents it stored
    stored = stages["ingest"]["detail"]["stored"]
    out = {
        name: _stage(m, info.articles if name == "ingest" else stored, info.bytes)
        for name, m in stages.items()
    }
    total = {
        "seconds": round(sum(m["seconds"] for m in stages.values()), 3),
        "rss_self_kib": max(m["rss_self_kib"] for m in stages.values()),
        "rss_workers_kib": max(m["rss_workers_kib"] for m in stages.values()),
        "cpu_seconds": sum(m["cpu_seconds"] for m in stages.values()),
        "read_blocks": sum(m["read_blocks"] for m in stages.values()),
        "voluntary_switches": sum(m["voluntary_switches"] for m in stages.values()),
        "load_before": stages["ingest"]["load_before"],
        "detail": {},
    }
    out["end_to_end"] = _stage(total, info.articles, info.bytes)
    return {"size": size, "workers": workers, "stages": out}


def _baseline_summary(measured: dict[str, Any], size: int) -> dict[str, Any]:
    d = measured["detail"]
    per_article = d["naive_seconds"] / max(d["sample"], 1)
    parse_per_article = d["parse_only_seconds"] / max(d["sample"], 1)
    return {
        "sample": d["sample"],
        "sentences_in_sample": d["sentences"],
        "model_load_seconds": d["load_seconds"],
        "seconds_per_article": round(per_article, 5),
        "parse_only_seconds_per_article": round(parse_per_article, 5),
        "extrapolated_seconds": round(d["load_seconds"] + per_article * size, 2),
        "parse_only_extrapolated_seconds": round(d["load_seconds"] + parse_per_article * size, 2),
        "articles_per_s": round(1 / max(per_article, 1e-9), 2),
        "mb_per_s": round(d["sample_bytes"] / 1e6 / max(d["naive_seconds"], 1e-9), 3),
        "peak_rss_mib": round(measured["rss_self_kib"] / 1024, 1),
        "classifier": {
            "screened_share": round(d["screened_sentences"] / max(d["sentences"], 1), 3),
            "encoded_share": round(d["encoded_sentences"] / max(d["sentences"], 1), 3),
            "ms_per_encoded_sentence": round(
                1000 * d["encoder_seconds"] / max(d["encoded_sentences"], 1), 3
            ),
            "us_per_prefiltered_sentence": round(
                1e6 * d["prefilter_seconds"] / max(d["screened_sentences"], 1), 1
            ),
            "ms_per_article": round(
                1000 * (d["encoder_seconds"] + d["prefilter_seconds"]) / max(d["sample"], 1), 2
            ),
        },
    }


NOTES = {
    "corpus": (
        "Each size is built by resampling the source articles into distinct variants: lede "
        "kept, about 25% of other paragraphs dropped, the rest shuffled, paragraphs of another "
        "article mixed in (about 30% of the words), politicians swapped for others of the same "
        "country, dates shifted by up to 180 days, a unique reference sentence appended. "
        "Generation time is not measured."
    ),
    "dedup": (
        "Deduplication stays ON (exact hash and MinHash near-duplicates at Jaccard 0.8); "
        "corpora.<size>.duplicates_dropped counts the variants it dropped (0 means all distinct)."
    ),
    "workers": (
        "The worker count applies to extraction only (ingest, link and score run in one "
        "process); ingest is measured once per size and shared by both worker counts."
    ),
    "throughput": (
        "articles/s divides by each stage's wall time (spaCy model loading included) the "
        "generated articles for ingest and end to end, the documents ingest stored for the "
        "later stages; MB/s divides the generated bytes on disk. End to end is the sum of the "
        "four stages."
    ),
    "memory": (
        "Every stage runs in a fresh process. Its peak is VmHWM from /proc/self/status "
        "(getrusage RUSAGE_SELF maxrss elsewhere: Linux carries maxrss over exec, so it would "
        "report the launching process's peak) and the largest worker's getrusage "
        "RUSAGE_CHILDREN maxrss; peak_rss_mib is the larger of the two."
    ),
    "cpu": (
        "cpu_per_wall is the CPU time of the stage's process and its workers over its wall "
        "time (at most the worker count); load_before is the 1-minute load average when the "
        "stage started. Both show whether other work on the machine slowed a stage. read_mib "
        "(getrusage ru_inblock) is what the stage's processes read from disk and "
        "voluntary_switches (ru_nvcsw) how often they waited on the disk, a lock or a pipe: "
        "a low cpu_per_wall with many of these is waiting, with few it is other work."
    ),
    "big_documents": (
        "One document of each size, built from the same resampled variants under one title, "
        "ingested, then extracted by one process with the models loaded beforehand. The ratio "
        "of CPU seconds per MB (largest against smallest) says whether extraction cost grows "
        "linearly with a document's size; CPU time, because other work on a shared machine "
        "stretches wall time. Storing the items is included."
    ),
    "baseline": (
        "Naive path: the model's full pipeline as shipped (tok2vec, tagger, parser, attribute "
        "ruler, lemmatizer, NER: load_full_pipeline()) over every sentence of every "
        "article (nlp.pipe per article, as Redline calls it), then every rule on every sentence, "
        "in one process; measured on a sample and extrapolated per article, plus one model "
        "load. parse_only is the full parse alone over the sample's sentences in one nlp.pipe."
    ),
}

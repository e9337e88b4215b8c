"""Where the time goes: pyinstrument over ingest and extraction, and a timed split of extraction.

The split times the lexical pass, the parse of candidate sentences and the rules directly,
because a sampling profiler attributes much of spaCy's compiled code to no Python frame.
"""

from __future__ import annotations

import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from redline.store import Ledger

TOP_LINES = 30


def profile(ledger: Ledger, corpus_dir: Path, ids: list[int], sample_files: int) -> dict[str, Any]:
    """Profile ingest of ``sample_files`` corpus files (into a scratch ledger) and extraction of ``ids``."""
    import datasketch  # noqa: F401  (a one-off import, not what bounds throughput)
    from pyinstrument import Profiler

    from redline.extract import extract_documents
    from redline.extract.nlp import load_pipeline
    from redline.extract.rules import RuleExtractor
    from redline.ingest import ingest_paths

    load_pipeline()
    RuleExtractor()  # loads and caches the gazetteers and lexicons
    files = sorted(corpus_dir.iterdir())[:sample_files]
    out: dict[str, Any] = {"sample": len(ids)}
    with tempfile.TemporaryDirectory(prefix="redline-bench-profile-") as tmp:
        scratch = Ledger.open(f"sqlite:///{Path(tmp) / 'profile.db'}")
        runs: dict[str, tuple[str, Callable[[], object]]] = {
            "ingest": ("ingest_paths", lambda: ingest_paths(scratch, files, progress=False)),
            "extract": (
                "extract_documents",
                lambda: extract_documents(ledger, workers=1, redo=True, document_ids=ids),
            ),
        }
        try:
            for name, (entry, run) in runs.items():
                profiler = Profiler(interval=0.005)
                started = time.perf_counter()
                profiler.start()
                run()
                profiler.stop()
                out[name] = {"seconds": round(time.perf_counter() - started, 3)}
                out[name] |= _render(profiler, entry)
        finally:
            scratch.dispose()
    out["extract_split"] = extraction_split(ledger, ids)
    return out


def _render(profiler: Any, entry: str) -> dict[str, Any]:
    """The call tree and the flat self-time list below the function ``entry``."""
    from pyinstrument.renderers import ConsoleRenderer

    session = profiler.last_session
    views: dict[str, Any] = {}
    for view, flat in (("tree", False), ("flat", True)):
        renderer = ConsoleRenderer(flat=flat, show_all=False)
        root: Any = renderer.preprocess(session.root_frame())
        frame: Any = _find(root, entry) or root
        views["attributed_seconds"] = round(frame.time, 3)
        renderer.root_frame = frame
        text = (
            renderer.render_frame_flat(frame, precision=3)
            if flat
            else renderer.render_frame(frame, precision=3, indent="", child_indent="")
        )
        views[view] = [ln for ln in text.splitlines() if ln.strip()][:TOP_LINES]
    return views


def _find(root: Any, function: str) -> Any | None:
    queue = deque([root])
    while queue:
        frame = queue.popleft()
        if frame is None:
            continue
        if frame.function == function:
            return frame
        queue.extend(frame.children)
    return None


def extraction_split(ledger: Ledger, ids: list[int]) -> dict[str, Any]:
    """Seconds spent in the lexical pass, the candidate parse and the rules, one process."""
    from redline.extract.base import DocumentInput
    from redline.extract.pipeline import PARSE_DOCS
    from redline.extract.rules import RuleExtractor
    from redline.extract.syntax import PARSE_BATCH
    from redline.store.schema import documents as d

    cols = (d.c.id, d.c.text, d.c.published, d.c.published_precision, d.c.genre, d.c.title)
    with ledger.connect() as conn:
        docs = [DocumentInput(*r) for r in conn.execute(sa.select(*cols).where(d.c.id.in_(ids)))]
    ext = RuleExtractor()
    nlp = ext.nlp
    started = time.perf_counter()
    candidates = [[s.text for s in ext.candidates(doc.text) if s.kinds] for doc in docs]
    lexical = time.perf_counter() - started
    step = PARSE_DOCS  # as the pipeline batches them
    started = time.perf_counter()
    for i in range(0, len(candidates), step):
        list(
            nlp.pipe(
                [t for texts in candidates[i : i + step] for t in texts], batch_size=PARSE_BATCH
            )
        )
    parse = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(docs), step):
        ext.extract_many(docs[i : i + step])
    total = time.perf_counter() - started
    sentences = sum(len(ext.candidates(doc.text)) for doc in docs)
    return {
        "articles": len(docs),
        "sentences": sentences,
        "candidate_sentences": sum(map(len, candidates)),
        "lexical_pass_seconds": round(lexical, 3),
        "candidate_parse_seconds": round(parse, 3),
        "rules_seconds": round(max(total - lexical - parse, 0.0), 3),
        "extract_seconds": round(total, 3),
    }

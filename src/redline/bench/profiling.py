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
    """Seconds the extractor the pipeline runs (``default_extractor``'s, the learned one) spends
    in its parts, one process, models loaded first: the lexical screen and the prefilter, the
    encoder over the sentences they pass, and the rest of extraction (the parse of the
    sentences the classifier keeps, the argument rules), read as the whole run's time less the
    first two. It timed the rule extractor the learned one replaced, whose split says nothing
    about where the shipped pipeline's time goes."""
    from redline.extract.base import DocumentInput
    from redline.extract.learned import LearnedExtractor, passes_screen
    from redline.extract.pipeline import PARSE_DOCS
    from redline.extract.sentences import split_sentences
    from redline.model.classifier import contexts_of
    from redline.store.schema import documents as d

    cols = (d.c.id, d.c.text, d.c.published, d.c.published_precision, d.c.genre, d.c.title)
    with ledger.connect() as conn:
        docs = [DocumentInput(*r) for r in conn.execute(sa.select(*cols).where(d.c.id.in_(ids)))]
    ext = LearnedExtractor()  # what ``default_extractor`` gives the pipeline
    # one sentence that reaches the classifier and the parser loads both models before timing
    ext.extract(DocumentInput(0, "Russia warned it would strike if NATO sent jets.", None, ""))
    classifier = ext.classifier
    by_doc = [[doc.text[a:b] for a, b in split_sentences(doc.text)] for doc in docs]
    sentences = [s for own in by_doc for s in own]
    before = [c for own in by_doc for c in contexts_of(own)]
    started = time.perf_counter()
    screened = [(c, s) for c, s in zip(before, sentences, strict=True) if passes_screen(s)]
    texts = [s for _, s in screened]
    kept = classifier.prefilter.keep(texts) if classifier.prefilter else [True] * len(texts)
    screen = time.perf_counter() - started
    encoded = [pair for pair, k in zip(screened, kept, strict=True) if k]
    started = time.perf_counter()
    classifier.probabilities([s for _, s in encoded], contexts=[c for c, _ in encoded])
    encoder = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(docs), PARSE_DOCS):  # as the pipeline batches them
        ext.extract_many(docs[i : i + PARSE_DOCS])
    total = time.perf_counter() - started
    return {
        "extractor": ext.version,
        "articles": len(docs),
        "sentences": len(sentences),
        "screened_sentences": len(screened),
        "encoded_sentences": len(encoded),
        "screen_seconds": round(screen, 3),
        "encoder_seconds": round(encoder, 3),
        "parse_and_arguments_seconds": round(max(total - screen - encoder, 0.0), 3),
        "extract_seconds": round(total, 3),
    }

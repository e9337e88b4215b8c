"""Run an extractor over the ledger's documents in worker processes and store what it finds.

Each document's items are written in one transaction together with the document's
``extracted_version``, so an interrupted run resumes where it stopped and a finished run is
a no-op. Re-extraction replaces machine items; items an analyst reviewed are kept, and
refreshed when the extractor finds them again (``redline.store.items`` says how).
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from redline import knowledge
from redline.extract.base import DocumentInput, Extraction, Extractor
from redline.store import Ledger
from redline.store.db import now
from redline.store.items import replace_items
from redline.store.schema import actor_aliases, actors, documents, runs

# Documents read, extracted and stored together (their candidate sentences parsed in one go);
# also what bounds the texts held in memory at once.
PARSE_DOCS = 16


@dataclass
class ExtractReport:
    documents: int = 0
    threats: int = 0
    crossings: int = 0
    responses: int = 0
    claims: int = 0
    errors: list[str] = field(default_factory=list)
    # pending when the run began, extracted meanwhile by another run of the same extractor
    by_another_run: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_extractor(extra_gazetteers: Sequence[str] = ()) -> Extractor:
    """The learned extractor (docs/extraction.md says why it replaced the rules)."""
    from redline.extract.learned import LearnedExtractor

    return LearnedExtractor(extra_gazetteers=extra_gazetteers)


# Worker processes build their extractor once (and so load spaCy once), open their own
# connection to the ledger, and store what they extract themselves: the parent only hands out
# document ids, so it does not become the bottleneck once extraction is fast.
_WORKER: Extractor | None = None
_WORKER_LEDGER: Ledger | None = None
_WORKER_ACTORS: dict[str, int] = {}
# Each worker writes how many documents of its current batch it has got through (a fraction
# while a big document is being extracted) into its own slot, which the parent reads for the
# progress bar.
_WORKER_SLOTS: Any = None
_WORKER_SLOT = 0
POLL_SECONDS = 0.25  # how often the parent looks at the workers' slots


def _init_worker(
    extra: tuple[str, ...], db_url: str, slots: Any = None, next_slot: Any = None
) -> None:
    global _WORKER, _WORKER_LEDGER, _WORKER_ACTORS, _WORKER_SLOTS, _WORKER_SLOT
    # Ctrl-C reaches every process of the terminal's group: the parent stops the pool and
    # records the run as interrupted; a worker printing its own traceback would only add noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = default_extractor(extra)
    _WORKER_LEDGER = Ledger.open(db_url, migrate=False)
    _WORKER_ACTORS = _actor_ids(_WORKER_LEDGER)
    if slots is not None and next_slot is not None:
        with next_slot.get_lock():
            _WORKER_SLOT, next_slot.value = next_slot.value, next_slot.value + 1
        _WORKER_SLOTS = slots


Counts = dict[str, int]


def _counts(result: Extraction) -> Counts:
    return {
        "threats": len(result.threats),
        "crossings": sum(e.kind == "crossing" for e in result.events),
        "responses": sum(e.kind == "response" for e in result.events),
        "claims": len(result.claims),
    }


def _extract_and_store(
    ext: Extractor,
    ledger: Ledger,
    actor_ids: dict[str, int],
    ids: list[int],
    under_way: Callable[[float], None] | None = None,
    recheck: bool = True,
) -> list[tuple[int, Counts | None, str | None]]:
    """Read, extract and store one batch, each document in its own transaction; what each
    document yielded, or why it failed. Used by the parent alone and by every worker.
    ``under_way`` hears how many of the batch's documents extraction has got through, in
    fractions when the extractor reports its progress (``Extractor.progress``). With
    ``recheck``, a document another run has extracted since this one began is left alone and
    reported as (id, None, None)."""
    pending = set(_pending(ledger, ext.version, False, ids)) if recheck else set(ids)
    done_elsewhere = [(i, None, None) for i in ids if i not in pending]
    ids = [i for i in ids if i in pending]
    docs = _read(ledger, ids) if ids else []
    reports = under_way is not None and hasattr(ext, "progress")
    if reports:
        ext.progress = lambda share: under_way(share * len(docs))  # type: ignore[attr-defined,misc]
    try:
        outcomes = _extract_batch(ext, docs)
    finally:
        if reports:
            ext.progress = None  # type: ignore[attr-defined]
    out: list[tuple[int, Counts | None, str | None]] = list(done_elsewhere)
    for doc_id, result, error in outcomes:
        if result is None:
            out.append((doc_id, None, error))
            continue
        _store(ledger, doc_id, result, ext.version, actor_ids)
        out.append((doc_id, _counts(result), None))
    return out


def _in_worker(job: tuple[list[int], bool]) -> list[tuple[int, Counts | None, str | None]]:
    assert _WORKER is not None and _WORKER_LEDGER is not None
    ids, recheck = job
    slots, slot = _WORKER_SLOTS, _WORKER_SLOT

    def under_way(done: float) -> None:
        slots[slot] = done

    try:
        return _extract_and_store(
            _WORKER,
            _WORKER_LEDGER,
            _WORKER_ACTORS,
            ids,
            under_way if slots is not None else None,
            recheck,
        )
    finally:
        if slots is not None:
            slots[slot] = 0.0


Outcome = tuple[int, Extraction | None, str | None]  # document id, result, error


def _extract_batch(ext: Extractor, docs: Sequence[DocumentInput]) -> list[Outcome]:
    """A batch through ``extract_many`` when the extractor has it (the rule extractor parses
    the batch's sentences together); if the batch fails, document by document, so one bad
    document costs only itself."""
    many = getattr(ext, "extract_many", None)
    if many is not None and len(docs) > 1:
        try:
            return [(d.id, r, None) for d, r in zip(docs, many(docs), strict=True)]
        except Exception:  # find the culprit below
            pass
    out: list[Outcome] = []
    for doc in docs:
        try:
            out.append((doc.id, ext.extract(doc), None))
        except Exception as exc:  # one bad document must not stop the run
            out.append((doc.id, None, f"document {doc.id}: {exc.__class__.__name__}: {exc}"))
    return out


def extract_documents(
    ledger: Ledger,
    *,
    workers: int = 1,
    redo: bool = False,
    extractor: Extractor | None = None,
    extra_gazetteers: Sequence[str] = (),
    document_ids: Sequence[int] | None = None,
    progress: Callable[[float, int], None] | None = None,
) -> ExtractReport:
    """Extract every document not yet processed by this extractor version (all with ``redo``).

    ``progress(done, total)`` hears how many documents are done; ``done`` moves in fractions
    while a document is being extracted, never backwards."""
    ext = extractor or default_extractor(extra_gazetteers)
    sync_actors(ledger, extra_gazetteers)
    actor_ids = _actor_ids(ledger)
    run_id = ledger.start_run("extract", {"extractor": ext.version, "workers": workers})
    todo = _pending(ledger, ext.version, redo, document_ids)
    report = ExtractReport()
    total = len(todo)

    shown = 0.0

    def show(under_way: float = 0.0) -> None:
        nonlocal shown
        finished = report.documents + len(report.errors) + report.by_another_run
        done = min(finished + under_way, total)
        if progress and done > shown:
            shown = done
            progress(done, total)

    def tally(doc_id: int, counts: Counts | None, error: str | None) -> None:
        if counts is None and error is None:
            report.by_another_run += 1
        elif counts is None:
            report.errors.append(error or f"document {doc_id}: no result")
        else:
            report.documents += 1
            report.threats += counts["threats"]
            report.crossings += counts["crossings"]
            report.responses += counts["responses"]
            report.claims += counts["claims"]
        show()

    try:
        starts = range(0, len(todo), PARSE_DOCS)
        # Several runs at once: each checks, batch by batch, what is still pending (not with
        # ``redo``), and a run that finds an earlier one under way takes the batches from the
        # end, so two runs meet in the middle instead of doing the same work twice
        recheck = not redo
        if recheck and _earlier_run_under_way(ledger, run_id, ext.version):
            starts = starts[::-1]
        id_batches = (todo[i : i + PARSE_DOCS] for i in starts)
        shared_file = ledger.engine.url.database not in (None, "", ":memory:")
        if workers <= 1 or extractor is not None or not shared_file:
            for ids in id_batches:
                stored = _extract_and_store(ext, ledger, actor_ids, ids, show, recheck)
                for doc_id, counts, error in stored:
                    tally(doc_id, counts, error)
        else:
            url = ledger.engine.url.render_as_string(hide_password=False)
            ledger.engine.dispose()  # no pooled connection may be inherited by a forked worker
            ctx = (
                mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
            )
            slots, next_slot = ctx.Array("d", workers), ctx.Value("i", 0)
            with ctx.Pool(
                workers,
                initializer=_init_worker,
                initargs=(tuple(extra_gazetteers), url, slots, next_slot),
            ) as pool:
                results = pool.imap_unordered(_in_worker, ((ids, recheck) for ids in id_batches))
                while True:
                    try:
                        outcomes = results.next(timeout=POLL_SECONDS)
                    except mp.TimeoutError:
                        show(sum(slots[:]))
                        continue
                    except StopIteration:
                        break
                    for doc_id, counts, error in outcomes:
                        tally(doc_id, counts, error)
    except KeyboardInterrupt:
        # what is stored stays stored (each document in its own transaction): a run again
        # extracts the rest
        ledger.finish_run(run_id, {**report.as_dict(), "interrupted": True})
        raise
    ledger.finish_run(run_id, report.as_dict())
    return report


def _earlier_run_under_way(ledger: Ledger, run_id: int, version: str) -> bool:
    """Is an earlier extraction with this extractor under way (begun in the last day, not
    finished)? Only the later of two runs turns round: two runs begun together would otherwise
    both see the other and both work from the end. A run that crashed without finishing only
    makes this one work from the end."""
    since = now() - timedelta(days=1)
    with ledger.connect() as conn:
        rows = conn.execute(
            sa.select(runs.c.params).where(
                runs.c.stage == "extract",
                runs.c.id < run_id,
                runs.c.finished_at.is_(None),
                runs.c.started_at >= since,
            )
        ).all()
    return any((r.params or {}).get("extractor") == version for r in rows)


def _pending(ledger: Ledger, version: str, redo: bool, ids: Sequence[int] | None) -> list[int]:
    query = sa.select(documents.c.id).order_by(documents.c.id)
    if not redo:
        query = query.where(
            sa.or_(
                documents.c.extracted_version.is_(None), documents.c.extracted_version != version
            )
        )
    if ids is not None:
        query = query.where(documents.c.id.in_(list(ids)))
    with ledger.connect() as conn:
        return [r[0] for r in conn.execute(query)]


def _read(ledger: Ledger, ids: list[int]) -> list[DocumentInput]:
    """The documents ``ids`` (one extraction batch, so one query), in id order."""
    cols = [
        documents.c.id,
        documents.c.text,
        documents.c.published,
        documents.c.published_precision,
        documents.c.genre,
        documents.c.title,
        documents.c.author,
    ]
    with ledger.connect() as conn:
        rows = conn.execute(
            sa.select(*cols).where(documents.c.id.in_(ids)).order_by(documents.c.id)
        )
        return [
            DocumentInput(
                r.id, r.text, r.published, r.published_precision, r.genre, r.title, r.author
            )
            for r in rows
        ]


# The two statements of ``_store`` about the document itself, built once (as in
# ``store.items``: building a statement cost more than running it).
_DOC: sa.BindParameter[int] = sa.bindparam("doc_id")
_LOCK = sa.select(documents.c.id).where(documents.c.id == _DOC).with_for_update()
_DONE = (
    sa.update(documents)
    .where(documents.c.id == _DOC)
    .values(extracted_version=sa.bindparam("version"))
)


def _store(
    ledger: Ledger, doc_id: int, result: Extraction, version: str, actor_ids: dict[str, int]
) -> None:
    with ledger.begin() as conn:
        # Lock the document's row first: a second process storing the same document waits,
        # then replaces what the first stored. The unique keys (``store.items``) would keep the
        # items single anyway; the lock keeps the second writer from deleting what the first
        # is writing. SQLite serialises writers anyway and ignores FOR UPDATE.
        conn.execute(_LOCK, {"doc_id": doc_id})
        replace_items(conn, doc_id, result, actor_ids)
        conn.execute(_DONE, {"doc_id": doc_id, "version": version})


def sync_actors(ledger: Ledger, extra_gazetteers: Sequence[str] = ()) -> None:
    """Mirror the actor gazetteer into the ``actors`` and ``actor_aliases`` tables (idempotent)."""
    gaz = knowledge.actors(tuple(extra_gazetteers))
    with ledger.exclusive() as conn:  # two processes on a new ledger insert the same actors
        existing = {r.key: r.id for r in conn.execute(sa.select(actors.c.key, actors.c.id))}
        for actor in gaz.actors.values():
            role = actor.roles[0].title if actor.roles else None
            values = {
                "name": actor.name,
                "kind": actor.kind,
                "country": actor.country,
                "role": role,
            }
            if actor.key in existing:
                conn.execute(
                    sa.update(actors).where(actors.c.id == existing[actor.key]).values(**values)
                )
                actor_id = existing[actor.key]
            else:
                res = conn.execute(sa.insert(actors).values(key=actor.key, **values))
                actor_id = int(res.inserted_primary_key[0])  # type: ignore[index]
            have = {
                r[0]
                for r in conn.execute(
                    sa.select(actor_aliases.c.alias).where(actor_aliases.c.actor_id == actor_id)
                )
            }
            new = [{"actor_id": actor_id, "alias": a} for a in actor.aliases if a not in have]
            if new:
                conn.execute(sa.insert(actor_aliases), new)


def _actor_ids(ledger: Ledger) -> dict[str, int]:
    with ledger.connect() as conn:
        return {r.key: r.id for r in conn.execute(sa.select(actors.c.key, actors.c.id))}

"""Run an extractor over the ledger's documents in worker processes and store what it finds.

Each document's items are written in one transaction together with the document's
``extracted_version``, so an interrupted run resumes where it stopped and a finished run is
a no-op. Re-extraction replaces machine items; items an analyst reviewed are kept, and
refreshed when the extractor finds them again (``redline.store.items`` says how).

Several runs at once on one ledger (processes on one machine, or machines sharing a
PostgreSQL ledger) share the work: a run claims each batch before reading it (``_Claims``), so
no two runs take one document, and takes over the claims of a run that died once their lease
has run out.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from redline import knowledge
from redline.errors import ConfigError, ModelError, RedlineError, Terminated
from redline.extract.base import DocumentInput, Extraction, Extractor
from redline.processes import alive, machine
from redline.signals import StopOnSigterm
from redline.store import Ledger
from redline.store.db import now
from redline.store.items import replace_items
from redline.store.schema import (
    actor_aliases,
    actors,
    documents,
    events,
    extract_claims,
    outcome_claims,
    runs,
    threats,
)
from redline.vocab import ANALYST

# Documents read, extracted and stored together (their candidate sentences parsed in one go);
# also what bounds the texts held in memory at once.
PARSE_DOCS = 16
# How long a run's claim on a document holds unless renewed; a run renews its claims every
# fifth of that while it works, so only a run that died (or hung that long) loses them.
LEASE = timedelta(minutes=10)


@dataclass
class ExtractReport:
    documents: int = 0
    threats: int = 0
    crossings: int = 0
    responses: int = 0
    claims: int = 0
    errors: list[str] = field(default_factory=list)
    # claimed by this run but found extracted by another run of the same extractor (a safety
    # net: the claims keep runs apart, so this stays 0 unless a run outlived its lease)
    by_another_run: int = 0
    # pending when the run began and extracted by other runs at once
    to_other_runs: int = 0
    # pending when the run began and still pending at its end, claimed by another run: one at
    # work on them, or one that died on another machine, whose claims hold until their lease
    # (``LEASE``) runs out; a run after that extracts them
    still_claimed: int = 0
    # pending when it ended and held by no run (another let them go after this one's last
    # claim): a run again extracts them
    left_pending: int = 0
    # per kind ("threats", ...), the items found where an analyst's added item stands for the
    # sentence: not stored (the analyst's stands), and not counted above
    held_off: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_extractor(extra_gazetteers: Sequence[str] = ()) -> Extractor:
    """The learned extractor (docs/extraction.md says why it replaced the rules)."""
    from redline.extract.learned import LearnedExtractor

    return LearnedExtractor(extra_gazetteers=extra_gazetteers)


# Worker processes build their extractor once (and so load spaCy once) and open their own
# connection to the ledger, from which they read their batch; they hand back what they found and
# the parent stores it, batch after batch in the order it claimed them (``_in_pool``), while the
# workers extract the next ones. Items then get the ids one process gives them: the same corpus
# gives the same ledger, ids included, whatever the number of workers. (Workers stored their own
# batches until the twenty-fifth pass, so ids followed whichever worker finished first.)
_WORKER: Extractor | None = None
_WORKER_LEDGER: Ledger | None = None
# Each worker writes how many documents of its current batch it has got through (a fraction
# while a big document is being extracted) into its own slot, which the parent reads for the
# progress bar.
_WORKER_SLOTS: Any = None
_WORKER_SLOT = 0
POLL_SECONDS = 0.25  # how often the parent looks at the workers' slots


def _init_worker(
    extra: tuple[str, ...],
    db_url: str,
    slots: Any = None,
    next_slot: Any = None,
    parent: int | None = None,
) -> None:
    global _WORKER, _WORKER_LEDGER, _WORKER_SLOTS, _WORKER_SLOT
    # Ctrl-C reaches every process of the terminal's group: the parent stops the pool and
    # records the run as interrupted; a worker printing its own traceback would only add noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the parent's SIGTERM handler (``StopOnSigterm``) came with the fork: a worker stopped
    # by the pool simply ends
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent is not None:
        _die_with(parent)
    _WORKER = default_extractor(extra)
    _WORKER_LEDGER = Ledger.open(db_url, migrate=False)
    if slots is not None and next_slot is not None:
        with next_slot.get_lock():
            _WORKER_SLOT, next_slot.value = next_slot.value, next_slot.value + 1
        _WORKER_SLOTS = slots


def _die_with(parent: int) -> None:
    """End this worker when the run that started it ends, however it ends: a worker outliving
    a killed parent (kill -9) went on extracting and storing the batch it held, while the next
    run, finding the parent gone, dropped its claims and extracted the same documents again.
    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); the parent
    may have died before that was set, so a worker already orphaned ends at once. (Workers
    store nothing since the twenty-fifth pass: the parent does, so a worker killed mid-way
    leaves nothing half stored.) Elsewhere (no ``prctl``) the worker does without."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return
    pr_set_pdeathsig = 1
    if prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) != 0:
        return
    if os.getppid() != parent:
        os._exit(1)


Counts = dict[str, int]


# the count each kind of item is tallied under
_COUNTED = {
    "threat": "threats",
    "crossing": "crossings",
    "response": "responses",
    "claim": "claims",
}
HELD_OFF = "held_off_"
"""A count's prefix for the items found where an analyst's added item stands (not stored)."""


def _counts(result: Extraction, held_off: Sequence[str] = ()) -> Counts:
    """The items ``result`` stored, by kind, and those it did not store because an analyst's
    added item stands for their sentence (``held_off``, their kinds): those were counted as
    extracted, and "1 threats" read as a second threat beside the analyst's."""
    counts = {
        "threats": len(result.threats),
        "crossings": sum(e.kind == "crossing" for e in result.events),
        "responses": sum(e.kind == "response" for e in result.events),
        "claims": len(result.claims),
    }
    for kind in held_off:
        counts[_COUNTED[kind]] -= 1
        counts[HELD_OFF + _COUNTED[kind]] = counts.get(HELD_OFF + _COUNTED[kind], 0) + 1
    return counts


Outcome = tuple[int, Extraction | None, str | None]  # document id, result, error
Stored = tuple[int, Counts | None, str | None]  # document id, what it yielded, error


def _extract_and_store(
    ext: Extractor,
    ledger: Ledger,
    actor_ids: dict[str, int],
    ids: list[int],
    under_way: Callable[[float], None] | None = None,
) -> list[Stored]:
    """Read, extract and store one batch, each document in its own transaction; what each
    document yielded, or why it failed (``_extract_pending``, ``_store_batch``)."""
    return _store_batch(
        ledger, ext.version, actor_ids, _extract_pending(ext, ledger, ids, under_way)
    )


def _extract_pending(
    ext: Extractor,
    ledger: Ledger,
    ids: list[int],
    under_way: Callable[[float], None] | None = None,
) -> list[Outcome]:
    """Read and extract the documents of one batch, in id order: what each yielded, or why it
    failed. Used by the parent alone and by every worker. ``under_way`` hears how many of the
    batch's documents extraction has got through, in fractions when the extractor reports its
    progress (``Extractor.progress``). A document another run has extracted since this one
    claimed it (its claim had run out) is left alone and reported as (id, None, None)."""
    pending = set(_pending(ledger, ext.version, ids))
    done_elsewhere: list[Outcome] = [(i, None, None) for i in ids if i not in pending]
    ids = [i for i in ids if i in pending]
    docs = _read(ledger, ids) if ids else []
    reports = under_way is not None and hasattr(ext, "progress")
    if reports:
        ext.progress = lambda share: under_way(share * len(docs))  # type: ignore[attr-defined,misc]
    try:
        return done_elsewhere + _extract_batch(ext, docs)
    finally:
        if reports:
            ext.progress = None  # type: ignore[attr-defined]


def _store_batch(
    ledger: Ledger, version: str, actor_ids: dict[str, int], outcomes: Sequence[Outcome]
) -> list[Stored]:
    """Store a batch's extractions in its order, each document in its own transaction; what
    each document yielded (a document with no result is passed on as it came)."""
    out: list[Stored] = []
    for doc_id, result, error in outcomes:
        if result is None:
            out.append((doc_id, None, error))
            continue
        held_off = _store(ledger, doc_id, result, version, actor_ids)
        out.append((doc_id, _counts(result, held_off), None))
    return out


def _in_worker(ids: list[int]) -> list[Outcome]:
    assert _WORKER is not None and _WORKER_LEDGER is not None
    slots, slot = _WORKER_SLOTS, _WORKER_SLOT

    def under_way(done: float) -> None:
        slots[slot] = done

    try:
        return _extract_pending(
            _WORKER, _WORKER_LEDGER, ids, under_way if slots is not None else None
        )
    finally:
        if slots is not None:
            slots[slot] = 0.0


def _extract_batch(ext: Extractor, docs: Sequence[DocumentInput]) -> list[Outcome]:
    """A batch through ``extract_many`` when the extractor has it (the rule extractor parses
    the batch's sentences together); if the batch fails, document by document, so one bad
    document costs only itself."""
    many = getattr(ext, "extract_many", None)
    if many is not None and len(docs) > 1:
        try:
            return [(d.id, r, None) for d, r in zip(docs, many(docs), strict=True)]
        except ModelError:
            raise
        except Exception:  # find the culprit below
            pass
    out: list[Outcome] = []
    for doc in docs:
        try:
            out.append((doc.id, ext.extract(doc), None))
        except ModelError:
            # a missing or corrupt model file is no document's fault: it failed every one of
            # them, each counted as an error, and the run ended with status 0
            raise
        except Exception as exc:  # one bad document must not stop the run
            # named by its file too: "document 1" told the user nothing of which input failed
            named = f"document {doc.id}" + (f" ({doc.source})" if doc.source else "")
            out.append((doc.id, None, f"{named}: {exc.__class__.__name__}: {exc}"))
    return out


def check_workers(workers: object) -> int:
    """A number of worker processes given to the API: a whole number, at least 1, else a
    ConfigError (0 ran unremarked in one process, and "2" ended in a TypeError once the run
    had begun)."""
    if isinstance(workers, int) and not isinstance(workers, bool) and workers >= 1:
        return workers
    raise ConfigError(f"workers must be a whole number of processes, at least 1, not {workers!r}")


def extract_documents(
    ledger: Ledger,
    *,
    workers: int = 1,
    redo: bool = False,
    extractor: Extractor | None = None,
    extra_gazetteers: Sequence[str] = (),
    document_ids: Sequence[int] | None = None,
    progress: Callable[[float, int], None] | None = None,
    report: ExtractReport | None = None,
) -> ExtractReport:
    """Extract every document not yet processed by this extractor version (all with ``redo``).

    ``progress(done, total)`` hears how many documents are done; ``done`` moves in fractions
    while a document is being extracted, never backwards. Other runs at once take their own
    share: what they did counts as done when this run finds nothing left to claim. The counts
    go into ``report`` (a new one by default): a caller that passes its own reads there what
    was stored when the run stops on Ctrl-C, SIGTERM or an error, which is also what the
    run's row records."""
    check_workers(workers)
    ext = extractor or default_extractor(extra_gazetteers)
    gazetteers = [os.path.abspath(p) for p in knowledge.user_gazetteers(extra_gazetteers)]
    if not redo:
        _refuse_dropping_gazetteers(ledger, ext.version, gazetteers)
    sync_actors(ledger, extra_gazetteers)
    actor_ids = _actor_ids(ledger)
    report = report if report is not None else ExtractReport()
    with StopOnSigterm():
        run_id = ledger.start_run(
            "extract", {"extractor": ext.version, "workers": workers, "gazetteers": gazetteers}
        )
        claims: _Claims | None = None
        try:
            if redo:
                # every document pending again: runs at once (with --redo or not) then share
                # the re-extraction through their claims, as they share a first extraction
                _mark_pending(ledger, document_ids)
            todo = _pending(ledger, ext.version, document_ids)
            total = len(todo)
            # the documents there were when the run began: ids only grow
            claims = _Claims(ledger, run_id, ext.version, max(todo, default=0), document_ids)
            shown = _extract_claimed(
                ledger,
                ext,
                actor_ids,
                claims,
                report,
                total,
                workers,
                extractor is None,
                extra_gazetteers,
                progress,
            )
            # before the release: this run's claims mark what it took, done or failed (all of
            # it inside the try: a SIGTERM here too releases the claims and ends the run)
            report.still_claimed, report.left_pending = claims.left_to_others()
            claims.release()
            finished = report.documents + len(report.errors) + report.by_another_run
            report.to_other_runs = max(
                0, total - finished - report.still_claimed - report.left_pending
            )
            if progress and total > shown:
                progress(total, total)  # the rest was done by other runs at once
            ledger.finish_run(run_id, report.as_dict())
        except BaseException as exc:
            # what is stored stays stored (each document in its own transaction): a run again
            # extracts the rest; the claims go now, so that no run waits for their lease
            if claims is not None:
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    claims.release()
            if isinstance(exc, KeyboardInterrupt | Terminated | RedlineError):
                # a worker that died ends the run as Ctrl-C does (its row stayed unfinished)
                stopped: dict[str, Any] = {"interrupted": True}
                if isinstance(exc, RedlineError):
                    stopped["error"] = str(exc)
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    ledger.finish_run(run_id, {**report.as_dict(), **stopped})
            raise
    return report


def _extract_claimed(
    ledger: Ledger,
    ext: Extractor,
    actor_ids: dict[str, int],
    claims: _Claims,
    report: ExtractReport,
    total: int,
    workers: int,
    own_extractor: bool,
    extra_gazetteers: Sequence[str],
    progress: Callable[[float, int], None] | None,
) -> float:
    """Claim batches and extract them (in worker processes when ``workers`` > 1 and the
    extractor is the default one) until none is left, tallying into ``report``; returns how
    far ``progress`` was moved."""
    shown = 0.0

    def show(under_way: float = 0.0) -> None:
        nonlocal shown
        claims.keep()
        finished = report.documents + len(report.errors) + report.by_another_run
        done = min(finished + under_way, total)
        if progress and done > shown:
            shown = done
            progress(done, total)

    # the documents of batches handed out whose outcome has not come back: each is stored in
    # its own transaction as its batch goes, so a run stopped mid-batch has stored some of them
    in_flight: set[int] = set()

    def take() -> list[int]:
        ids = claims.take(PARSE_DOCS)
        in_flight.update(ids)
        return ids

    def count(doc_id: int, counts: Counts | None, error: str | None) -> None:
        in_flight.discard(doc_id)
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
            for key, n in counts.items():
                if key.startswith(HELD_OFF):
                    kind = key.removeprefix(HELD_OFF)
                    report.held_off[kind] = report.held_off.get(kind, 0) + n

    def tally(doc_id: int, counts: Counts | None, error: str | None) -> None:
        count(doc_id, counts, error)
        show()

    shared_file = ledger.engine.url.database not in (None, "", ":memory:")
    try:
        if workers <= 1 or not own_extractor or not shared_file:
            while ids := take():
                for doc_id, counts, error in _extract_and_store(ext, ledger, actor_ids, ids, show):
                    tally(doc_id, counts, error)
        else:

            def store(outcomes: list[Outcome]) -> None:
                for doc_id, counts, error in _store_batch(ledger, ext.version, actor_ids, outcomes):
                    tally(doc_id, counts, error)

            _in_pool(ledger, workers, extra_gazetteers, take, show, store)
    except BaseException:
        # Ctrl-C, SIGTERM or a dead worker stopped batches part way: the documents they had
        # stored were counted nowhere (the run's row said 0 of 16 stored), so they are counted
        # from what the ledger holds (unless the ledger is what failed)
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            for doc_id, counts in _stored_counts(ledger, ext.version, sorted(in_flight)).items():
                count(doc_id, counts, None)
        raise
    return shown


def _stored_counts(ledger: Ledger, version: str, ids: Sequence[int]) -> dict[int, Counts]:
    """The items the ledger holds for each of ``ids`` that ``version`` has stored: what a
    batch stopped part way stored before the stop (reviewed items an analyst kept count too,
    not the items an analyst added, which no extraction stores)."""
    if not ids:
        return {}
    with ledger.connect() as conn:
        stored = conn.execute(
            sa.select(documents.c.id).where(
                documents.c.id.in_(list(ids)), documents.c.extracted_version == version
            )
        ).scalars()
        out: dict[int, Counts] = {
            i: {"threats": 0, "crossings": 0, "responses": 0, "claims": 0} for i in stored
        }
        if not out:
            return out
        mine = list(out)
        for table, key in ((threats, "threats"), (outcome_claims, "claims")):
            rows = conn.execute(
                sa.select(table.c.document_id, sa.func.count())
                .where(table.c.document_id.in_(mine), table.c.extractor != ANALYST)
                .group_by(table.c.document_id)
            )
            for doc_id, n in rows:
                out[doc_id][key] = n
        rows = conn.execute(
            sa.select(events.c.document_id, events.c.kind, sa.func.count())
            .where(events.c.document_id.in_(mine), events.c.extractor != ANALYST)
            .group_by(events.c.document_id, events.c.kind)
        )
        for doc_id, kind, n in rows:
            out[doc_id][{"crossing": "crossings", "response": "responses"}[kind]] = n
    return out


def _in_pool(
    ledger: Ledger,
    workers: int,
    extra_gazetteers: Sequence[str],
    take: Callable[[], list[int]],
    show: Callable[[float], None],
    store: Callable[[list[Outcome]], None],
) -> None:
    """Extract in ``workers`` processes: the parent claims a batch whenever a worker is free
    (claiming ahead would keep batches from other runs), renews the claims, and stores each
    batch the workers hand back once every batch claimed before it is stored: batches come back
    in whatever order their workers finish, and storing them so gave their items ids in that
    order, different from one run to the next and from a run in one process."""
    url = ledger.engine.url.render_as_string(hide_password=False)
    ledger.engine.dispose()  # no pooled connection may be inherited by a forked worker
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    slots, next_slot = ctx.Array("d", workers), ctx.Value("i", 0)
    finished = threading.Event()  # a batch is back (or failed)

    def wake(_: object) -> None:
        finished.set()

    # a process pool that notices a worker dying: multiprocessing.Pool lost the batch of a
    # worker killed mid-run (the out-of-memory killer, a crash in native code) and waited for
    # it for ever, renewing the run's claims; its shutdown then hung on the queue's lock the
    # dead worker held
    pool = ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(tuple(extra_gazetteers), url, slots, next_slot, os.getpid()),
    )
    try:
        # the batches handed out and not yet stored, in the order they were claimed: a batch
        # back before those ahead of it waits here (its worker takes the next one meanwhile)
        running: list[Future[list[Outcome]]] = []
        more = True
        while True:
            while more and sum(not r.done() for r in running) < workers:
                ids = take()
                if not ids:
                    more = False
                    break
                future = pool.submit(_in_worker, ids)
                future.add_done_callback(wake)
                running.append(future)
            if not running:
                break
            finished.wait(POLL_SECONDS)
            finished.clear()
            for failed in [r for r in running if r.done() and r.exception() is not None]:
                failed.result()  # a dead worker, an error: the run stops now, not in its turn
            while running and running[0].done():
                store(running.pop(0).result())
            show(sum(slots[:]) + sum(len(r.result()) for r in running if r.done()))
    except BaseException as exc:
        # Ctrl-C, SIGTERM, an error, a dead worker: the workers end now, not after their batches
        processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
        for process in list(processes.values()):
            with contextlib.suppress(OSError):
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)
        if isinstance(exc, BrokenProcessPool):
            raise RedlineError(
                "an extraction worker process ended abruptly (killed, out of memory, or "
                "crashed); what was stored stays stored: run the command again to extract the "
                "rest"
            ) from exc
        raise
    pool.shutdown(wait=True)


class _Claims:
    """The documents this run has claimed. ``take`` claims the next batch atomically: on
    PostgreSQL the candidates' rows are locked without waiting (``FOR UPDATE SKIP LOCKED``, so
    runs claiming at once take different batches), on SQLite under the ledger's exclusive lock;
    on both the insert overwrites only a claim whose lease has run out, so a document another
    run took meanwhile stays its. Leases are read on the database's clock (PostgreSQL's
    ``now()``), so machines whose clocks differ agree on them. A run killed on this machine
    (kill -9, out of memory) does not make the next run wait for its lease: each claim names
    its process (``holder``), and the claims of a process gone from this machine are dropped."""

    def __init__(
        self,
        ledger: Ledger,
        run_id: int,
        version: str,
        last_id: int,
        document_ids: Sequence[int] | None,
    ) -> None:
        self.ledger = ledger
        self.run_id = run_id
        self.version = version
        self.last_id = last_id
        self.document_ids = None if document_ids is None else list(document_ids)
        self.renew_every = LEASE.total_seconds() / 5
        self._renewed = time.monotonic()
        self._postgres = ledger.engine.dialect.name == "postgresql"
        self.holder = f"{os.getpid()}@{machine()}"

    def take(self, limit: int) -> list[int]:
        """Claim up to ``limit`` pending documents no live run has claimed, lowest ids first;
        [] when there are none left."""
        while True:
            with self._transaction() as conn:
                self._drop_the_dead(conn)
                clock = self._clock(conn)
                held = sa.exists().where(
                    extract_claims.c.document_id == documents.c.id,
                    extract_claims.c.expires_at >= clock,
                )
                query = (
                    _pending_query(self.version, self.document_ids)
                    .where(documents.c.id <= self.last_id, ~held)
                    .limit(limit)
                )
                if self._postgres:
                    query = query.with_for_update(of=documents, skip_locked=True)
                candidates = conn.execute(query).scalars().all()
                if not candidates:
                    return []
                insert = (postgresql.insert if self._postgres else sqlite.insert)(extract_claims)
                expires = clock + LEASE
                upsert = insert.values(
                    [
                        {
                            "document_id": i,
                            "run_id": self.run_id,
                            "expires_at": expires,
                            "holder": self.holder,
                        }
                        for i in candidates
                    ]
                ).on_conflict_do_update(
                    index_elements=[extract_claims.c.document_id],
                    set_={"run_id": self.run_id, "expires_at": expires, "holder": self.holder},
                    where=extract_claims.c.expires_at < clock,
                )
                taken = conn.execute(upsert.returning(extract_claims.c.document_id)).scalars()
                claimed = sorted(taken)
            if claimed:  # else every candidate went to another run between look and claim
                return claimed

    def _drop_the_dead(self, conn: sa.Connection) -> None:
        """Delete the claims of other runs whose process was on this machine and is gone, and
        record those runs as interrupted (killed, they could not: they stayed in ``runs``
        with no finish time), finished when found dead."""
        here = machine()
        holders = conn.execute(
            sa.select(extract_claims.c.holder, extract_claims.c.run_id)
            .where(extract_claims.c.run_id != self.run_id)
            .distinct()
        ).all()
        dead = {h: r for h, r in holders if h.partition("@")[2] == here and not _alive(h)}
        if dead:
            conn.execute(sa.delete(extract_claims).where(extract_claims.c.holder.in_(list(dead))))
            conn.execute(
                sa.update(runs)
                .where(runs.c.id.in_(set(dead.values())), runs.c.finished_at.is_(None))
                .values(
                    finished_at=now(),
                    stats={"interrupted": True, "found_dead_by_run": self.run_id},
                )
            )

    def keep(self) -> None:
        """Renew this run's claims when a fifth of the lease has passed since the last time."""
        if time.monotonic() - self._renewed < self.renew_every:
            return
        with self.ledger.begin() as conn:
            conn.execute(
                sa.update(extract_claims)
                .where(extract_claims.c.run_id == self.run_id)
                .values(expires_at=self._clock(conn) + LEASE)
            )
        self._renewed = time.monotonic()

    def left_to_others(self) -> tuple[int, int]:
        """(still claimed, left unclaimed): the documents of this run's share still pending
        that another run holds under a live claim (a summary called them "taken by other runs"
        when a run dead on another machine held them and nobody had extracted them), and those
        no run holds (another run let them go after this one's last claim, as a run stopped
        with Ctrl-C does): a run again extracts them."""
        with self.ledger.connect() as conn:
            clock = self._clock(conn)
            held = sa.exists().where(
                extract_claims.c.document_id == documents.c.id,
                extract_claims.c.run_id != self.run_id,
                extract_claims.c.expires_at >= clock,
            )
            mine = sa.exists().where(
                extract_claims.c.document_id == documents.c.id,
                extract_claims.c.run_id == self.run_id,
            )
            pending = _pending_query(self.version, self.document_ids).where(
                documents.c.id <= self.last_id, ~mine
            )

            # both counts in one statement, so both read one state of the ledger: counted apart,
            # documents other runs extracted between the two made the second smaller than the
            # first ("warning: -2 documents are NOT extracted")
            found = pending.add_columns(held.label("held")).order_by(None).subquery()
            total, claimed = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.coalesce(sa.func.sum(sa.case((found.c.held, 1), else_=0)), 0),
                )
            ).one()
            return int(claimed), int(total) - int(claimed)

    def release(self) -> None:
        with self.ledger.begin() as conn:
            conn.execute(sa.delete(extract_claims).where(extract_claims.c.run_id == self.run_id))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        if self._postgres:
            with self.ledger.begin() as conn:
                yield conn
        else:
            with self.ledger.exclusive() as conn:
                yield conn

    def _clock(self, conn: sa.Connection) -> datetime:
        return claims_clock(conn)


def claims_clock(conn: sa.Connection) -> datetime:
    """The clock a claim's lease runs on: PostgreSQL's ``now()`` (machines sharing a ledger
    need not agree on the time), else this machine's."""
    if conn.dialect.name == "postgresql":
        clock: datetime = conn.execute(sa.select(sa.func.now())).scalar_one()
        return clock
    return now()


def not_extracted(ledger: Ledger) -> tuple[int, int]:
    """(stored documents no extraction has read yet, those of them a run holds under a live
    claim: at work on them now, or dead on another machine until its lease runs out)."""
    with ledger.connect() as conn:
        held = sa.exists().where(
            extract_claims.c.document_id == documents.c.id,
            extract_claims.c.expires_at >= claims_clock(conn),
        )
        found = (
            sa.select(held.label("held")).where(documents.c.extracted_version.is_(None)).subquery()
        )
        total, claimed = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((found.c.held, 1), else_=0)), 0),
            )
        ).one()
    return int(total), int(claimed)


def _alive(holder: str) -> bool:
    """Is the process of ``holder`` ("pid@machine", on this machine) still running? One whose
    pid cannot be read counts as alive."""
    try:
        pid = int(holder.partition("@")[0])
    except ValueError:
        return True
    return alive(pid)


def _refuse_dropping_gazetteers(ledger: Ledger, version: str, gazetteers: list[str]) -> None:
    """Refuse to re-extract documents extracted with a user gazetteer this run does not read
    (``gazetteers``: absolute paths): `extract --gazetteer FILE`, then `extract`, `ingest` or
    `run` without it re-extracted every document without the user's lines and actors, without
    a word. The gazetteers a run read are in its params (runs before they were recorded are
    not checked); a run that adds one re-extracts, as any new version does."""
    with ledger.connect() as conn:
        stale = set(
            conn.execute(
                sa.select(documents.c.extracted_version)
                .where(documents.c.extracted_version != version)
                .distinct()
            ).scalars()
        )
        if not stale:
            return
        params = conn.execute(sa.select(runs.c.params).where(runs.c.stage == "extract")).scalars()
        dropped = sorted(
            {
                str(path)
                for p in params
                if p and p.get("extractor") in stale
                for path in p.get("gazetteers") or []
                if path not in gazetteers
            }
        )
    if dropped:
        raise RedlineError(
            f"the ledger's documents were extracted with the gazetteer {', '.join(dropped)}, "
            "which this extraction does not read: it would re-extract them all without it. Give "
            "it again (`redline extract --gazetteer FILE`, or REDLINE_GAZETTEER=FILE for every "
            "command), or `redline extract --redo` to re-extract every document without it; "
            "nothing was extracted"
        )


def _pending_query(version: str, ids: Sequence[int] | None) -> sa.Select[int]:
    """The documents this extractor version has not processed (among ``ids``), by id."""
    query = (
        sa.select(documents.c.id)
        .where(
            sa.or_(
                documents.c.extracted_version.is_(None), documents.c.extracted_version != version
            )
        )
        .order_by(documents.c.id)
    )
    if ids is not None:
        query = query.where(documents.c.id.in_(list(ids)))
    return query


def _pending(ledger: Ledger, version: str, ids: Sequence[int] | None) -> list[int]:
    with ledger.connect() as conn:
        return list(conn.execute(_pending_query(version, ids)).scalars())


def _mark_pending(ledger: Ledger, ids: Sequence[int] | None) -> None:
    """``--redo``: no document counts as extracted by any version."""
    query = sa.update(documents).values(extracted_version=None)
    if ids is not None:
        query = query.where(documents.c.id.in_(list(ids)))
    with ledger.begin() as conn:
        conn.execute(query)


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
        documents.c.source_path,
        documents.c.source_locator,
    ]
    with ledger.connect() as conn:
        rows = conn.execute(
            sa.select(*cols).where(documents.c.id.in_(ids)).order_by(documents.c.id)
        )
        return [
            DocumentInput(
                r.id,
                r.text,
                r.published,
                r.published_precision,
                r.genre,
                r.title,
                r.author,
                # as ingest names a record: file.jsonl:line 7
                r.source_path + (f":{r.source_locator}" if r.source_locator else ""),
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
) -> list[str]:
    """Store the document's items; the kinds of those an analyst's added items held off."""
    with ledger.begin() as conn:
        # Lock the document's row first: a second process storing the same document waits,
        # then replaces what the first stored. The unique keys (``store.items``) would keep the
        # items single anyway; the lock keeps the second writer from deleting what the first
        # is writing. SQLite serialises writers anyway and ignores FOR UPDATE.
        conn.execute(_LOCK, {"doc_id": doc_id})
        held_off = replace_items(conn, doc_id, result, actor_ids)
        conn.execute(_DONE, {"doc_id": doc_id, "version": version})
    return held_off


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

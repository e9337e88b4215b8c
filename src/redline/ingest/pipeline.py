"""``ingest_paths``: read files and folders into the ledger, committing documents in small batches."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from time import perf_counter
from typing import Any, Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from redline.errors import InputError
from redline.ingest import persist
from redline.ingest.decode import NotText
from redline.ingest.dedup import NearDuplicateIndex
from redline.ingest.discover import SourceFile, detect_format, discover, shown_path
from redline.ingest.draft import Draft
from redline.ingest.fields import FieldMap
from redline.ingest.gdelt import MAX_ROW_PROBLEMS, ingest_gdelt
from redline.ingest.prepare import Prepared, prepare
from redline.ingest.readers import READERS, Source
from redline.ingest.report import DuplicateFound, IngestReport, Skipped, megabytes
from redline.signals import StopOnSigterm
from redline.store import Ledger
from redline.store.db import LOCK_FILES, now
from redline.store.limits import misfit
from redline.store.schema import documents

DEFAULT_MAX_BYTES = 50_000_000
"""Files larger than this are refused unread (``--max-bytes``; 0 means no limit)."""
# New documents are stored together once this many are waiting, or this many characters of
# text: one commit per document cost more than the inserts themselves. A crash loses at most
# one batch, which the next run stores.
BATCH_DOCUMENTS = 100
BATCH_CHARS = 5_000_000

ProblemCallback = Callable[[InputError], None]


def ingest_paths(
    ledger: Ledger,
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool = False,
    on_problem: ProblemCallback | None = None,
    console: Console | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Ingest files and folders (recursively, hidden ones skipped) into ``ledger``.

    New documents are committed in batches (``BATCH_DOCUMENTS``), duplicate records and problems
    one by one, so an interrupted run keeps what it
    stored and a second run over the same paths completes it: sources already in the ledger
    are skipped, exact and near duplicates are recorded in ``duplicates`` and not stored.
    Bad input never stops the run: each problem is passed to ``on_problem``, stored in
    ``ingest_problems`` and listed in the report. ``progress`` shows a rich progress bar on
    ``console`` (default: standard error); ``on_progress(done, total)`` is called as each
    source is done, for a caller that draws its own.
    """
    if isinstance(paths, str | os.PathLike):
        # one path given alone: as a string it is an iterable of letters, and "corpus" was read
        # as the paths "c", "o", ... and "/work/corpus" as "/", the whole file system
        paths = [paths]
    path_list = [Path(p) for p in paths]
    fields = fields or FieldMap()
    run_id = ledger.start_run(
        "ingest",
        params={
            "paths": [shown_path(p) for p in path_list],
            "fields": fields.as_dict(),
            "max_bytes": max_bytes,
        },
    )
    report = IngestReport(run_id)
    run: _Run | None = None
    started = perf_counter()
    # SIGTERM (a plain `kill`) stops the run as Ctrl-C does: what was read is stored and the
    # run recorded as interrupted (it died on the spot, its run never finished). Loading the
    # ledger's known texts is part of the run: stopped there, its row stayed unfinished.
    with StopOnSigterm():
        try:
            run = _Run(ledger, report, fields, max_bytes, on_problem)
            own = _ledger_files(ledger)
            sources = [
                s for s in discover(path_list) if not (isinstance(s, SourceFile) and s.key in own)
            ]
            tick = on_progress or (lambda _done, _total: None)
            tick(0, len(sources))
            with _progress_bar(progress, console, len(sources)) as advance:
                for done, item in enumerate(sources, start=1):
                    if isinstance(item, InputError):
                        run.problem(item)
                    else:
                        run.report.files += 1
                        run.ingest_file(item)
                    advance(item.key if isinstance(item, SourceFile) else item.path)
                    tick(done, len(sources))
            run.flush()
        except BaseException as exc:
            # keep what was read unless the ledger is what failed
            if run is not None:
                with contextlib.suppress(Exception):
                    run.flush()
            report.seconds = perf_counter() - started
            _finish_quietly(ledger, run_id, {**report.stats(), "interrupted": repr(exc)})
            raise
    report.seconds = perf_counter() - started
    ledger.finish_run(run_id, report.stats())
    return report


def _ledger_files(ledger: Ledger) -> set[str]:
    """The files of a SQLite ledger (the database, its journals, its lock), as ``discover``
    names them: `redline ingest .` in the folder of ./redline.db read them as input and
    reported four problems ("binary file", "empty file") on every run."""
    database = ledger.engine.url.database
    if ledger.engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return set()
    file = os.path.realpath(database)
    ends = ("", "-wal", "-shm", "-journal", *LOCK_FILES.values())
    return {shown_path(file + end) for end in ends}


class _Run:
    """The state of one run: the report so far and the ledger's known texts."""

    def __init__(
        self,
        ledger: Ledger,
        report: IngestReport,
        fields: FieldMap,
        max_bytes: int,
        on_problem: ProblemCallback | None,
    ) -> None:
        self.ledger = ledger
        self.report = report
        self.fields = fields
        self.max_bytes = max_bytes
        self.on_problem = on_problem
        self.by_hash: dict[str, persist.StoredDocument] = {}
        self.paths: dict[int, str] = {}
        self.index = NearDuplicateIndex()
        # documents waiting to be stored: known to the indexes under a provisional negative key,
        # which ``stored_id`` turns into the ledger's id once they are stored
        self.pending: list[tuple[int, Prepared, dict[str, Any]]] = []
        self.pending_chars = 0
        self.ids: dict[int, int] = {}
        self._keys = itertools.count(-1, -1)
        # problems with records (those with a locator) of the file being read: past
        # ``MAX_ROW_PROBLEMS`` they are counted, then reported in one line (as GDELT rows are)
        self.record_problems: int | None = None
        stored = list(persist.stored_documents(ledger))
        for doc in stored:
            self.by_hash[doc.content_hash] = doc
            self.paths[doc.id] = doc.source_path
        self.index.add_all((d.id, d.signature) for d in stored if d.signature is not None)
        # the highest document id this run has looked at (``_catch_up`` reads those above it)
        self.seen = max((d.id for d in stored), default=0)

    def problem(self, problem: InputError) -> None:
        if self.record_problems is not None and problem.locator is not None:
            self.record_problems += 1
            if self.record_problems > MAX_ROW_PROBLEMS:
                return
        persist.record_problem(self.ledger, problem, self.report.run_id)
        self.report.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    def ingest_file(self, source_file: SourceFile) -> None:
        data = self._read(source_file)
        if data is None:
            return
        fmt = detect_format(source_file.path, data)
        source = Source(source_file.path, source_file.key, data, self.fields)
        if fmt == "gdelt":
            counts = ingest_gdelt(self.ledger, source, self.problem, self.max_bytes)
            self.report.gdelt_events_added += counts.added
            self.report.gdelt_events_already_stored += counts.already_stored
            return
        if fmt == "zip":
            self.problem(
                InputError(source.key, "zip archive that is not a GDELT export (*.export.CSV.zip)")
            )
            return
        self.record_problems = 0
        try:
            for item in _guarded(READERS[fmt](source), source.key, fmt):
                if isinstance(item, InputError):
                    self.problem(item)
                else:
                    self.ingest_draft(item)
        finally:
            more, self.record_problems = (self.record_problems or 0) - MAX_ROW_PROBLEMS, None
        if more > 0:
            self.problem(
                InputError(
                    source.key,
                    f"{more} more records with problems skipped (the first {MAX_ROW_PROBLEMS} "
                    "are listed)",
                )
            )

    def ingest_draft(self, draft: Draft) -> None:
        try:
            prepared = prepare(draft)
        except Exception as exc:  # a bug on one odd document must not stop a long run
            prepared = InputError(
                draft.source_path, f"cannot prepare: {exc.__class__.__name__}: {exc}", draft.locator
            )
        if isinstance(prepared, InputError):
            self.problem(prepared)
            return
        if prepared.date_problem is not None:
            # stored all the same, dated from its other sources (or not at all): said once
            self.problem(InputError(draft.source_path, prepared.date_problem, draft.locator))
        known = self.by_hash.get(prepared.fingerprint.content_hash)
        if known is not None:
            self._copy_of(prepared, known)
            return
        near = self.index.best_match(prepared.fingerprint.signature)
        if near is not None:
            self._duplicate(prepared, "near", near[1], near[0])
            return
        row = prepared.row(run_id=self.report.run_id, ingested_at=now())
        misfit_reason = misfit(documents, row)
        if misfit_reason is not None:
            self.problem(InputError(draft.source_path, misfit_reason, draft.locator))
            return
        key = next(self._keys)
        self._remember(prepared, key)
        self.pending.append((key, prepared, row))
        self.pending_chars += len(prepared.text)
        if len(self.pending) >= BATCH_DOCUMENTS or self.pending_chars >= BATCH_CHARS:
            self.flush()

    def flush(self) -> None:
        """Store the waiting documents: in one transaction, or one by one when another process
        stored one of their texts since this run loaded the ledger's hashes. Under the ledger's
        exclusive lock, after reading what other runs stored meanwhile (``_catch_up``)."""
        pending, self.pending, self.pending_chars = self.pending, [], 0
        if not pending:
            return
        with self.ledger.exclusive():
            self._store(self._catch_up(pending))

    def _catch_up(
        self, pending: list[tuple[int, Prepared, dict[str, Any]]]
    ) -> list[tuple[int, Prepared, dict[str, Any]]]:
        """The waiting documents that copy none of those other runs stored since this run last
        looked, which this run's indexes now hold; each one that does is recorded as their
        duplicate. The indexes are built as a run begins: two ingests at once, each with one of
        two near copies, each stored its own, where one after the other stores one."""
        new = [
            d for d in persist.stored_documents(self.ledger, self.seen) if d.id not in self.paths
        ]
        if not new:
            return pending
        self.seen = max(self.seen, new[-1].id)
        theirs = NearDuplicateIndex()
        theirs.add_all((d.id, d.signature) for d in new if d.signature is not None)
        by_hash = {d.content_hash: d for d in new}
        for d in new:
            self.by_hash[d.content_hash] = d
            self.paths[d.id] = d.source_path
            if d.signature is not None:
                self.index.add(d.id, d.signature)
        keep = []
        for key, prepared, row in pending:
            fp = prepared.fingerprint
            known = by_hash.get(fp.content_hash)
            near = theirs.best_match(fp.signature) if known is None else None
            if known is not None:
                self.ids[key] = known.id  # what counted on this text now points at theirs
                self._copy_of(prepared, known)
            elif near is not None:
                self.ids[key] = near[0]
                self._duplicate(prepared, "near", near[1], near[0])
            else:
                keep.append((key, prepared, row))
        return keep

    def _store(self, pending: list[tuple[int, Prepared, dict[str, Any]]]) -> None:
        if not pending:
            return
        rows = [row for _key, _prepared, row in pending]
        batch: Sequence[int | None] | None = persist.insert_documents(self.ledger, rows)
        stored: list[int | None] = list(batch) if batch is not None else []
        try:
            if batch is None:
                for row in rows:
                    stored.append(persist.insert_document(self.ledger, row))
        finally:  # what is committed is counted, even when a later insert fails
            for (key, prepared, _row), doc_id in zip(pending, stored, strict=False):
                if doc_id is not None:
                    fp = prepared.fingerprint
                    self.ids[key] = doc_id
                    self.by_hash[fp.content_hash] = replace(
                        self.by_hash[fp.content_hash], id=doc_id
                    )
                    self.paths[doc_id] = prepared.draft.source_path
                    self.report.ingested.append(doc_id)
                    self.seen = max(self.seen, doc_id)
        for (key, prepared, _row), doc_id in zip(pending, stored, strict=True):
            if doc_id is not None:
                continue
            fp = prepared.fingerprint
            known = persist.document_by_hash(self.ledger, fp.content_hash)
            if known is None:  # pragma: no cover - the unique constraint said it exists
                raise RuntimeError(f"content hash of {prepared.where} collides but is not found")
            self.ids[key] = known.id
            self.by_hash[fp.content_hash] = replace(known, signature=fp.signature)
            self.paths[known.id] = known.source_path
            self._copy_of(prepared, known)

    def stored_id(self, key: int) -> int:
        """The ledger's id of a document this run knows, storing the waiting ones if need be."""
        if key >= 0:
            return key
        if key not in self.ids:
            self.flush()
        return self.ids[key]

    def _copy_of(self, prepared: Prepared, known: persist.StoredDocument) -> None:
        """A text the ledger (or this run) holds already: the same source is skipped, another is
        an exact duplicate."""
        draft = prepared.draft
        if (known.source_path, known.source_locator) == (draft.source_path, draft.locator):
            self.report.skipped.append(
                Skipped(
                    draft.source_path,
                    draft.locator,
                    f"already in the ledger as document {self.stored_id(known.id)}",
                )
            )
        else:
            self._duplicate(prepared, "exact", 1.0, known.id)

    def _remember(self, prepared: Prepared, key: int) -> None:
        draft = prepared.draft
        fp = prepared.fingerprint
        self.by_hash[fp.content_hash] = persist.StoredDocument(
            key, fp.content_hash, draft.source_path, draft.locator, fp.signature
        )
        self.index.add(key, fp.signature)

    def _duplicate(
        self, prepared: Prepared, kind: Literal["exact", "near"], similarity: float, key: int
    ) -> None:
        doc_id = self.stored_id(key)
        found = DuplicateFound(
            source_path=prepared.draft.source_path,
            source_locator=prepared.draft.locator,
            kind=kind,
            similarity=round(similarity, 4),
            duplicate_of=doc_id,
            duplicate_of_path=self.paths.get(doc_id, "?"),
        )
        persist.record_duplicate(self.ledger, found, self.report.run_id)
        self.report.duplicates.append(found)

    def _read(self, source_file: SourceFile) -> bytes | None:
        """The file's bytes, or None after reporting why it cannot be read (size checked before reading)."""
        key, limit = source_file.key, self.max_bytes
        if limit and source_file.size > limit:
            self.problem(
                InputError(
                    key,
                    f"file is {megabytes(source_file.size)}, above the limit of {megabytes(limit)}; "
                    "not read (raise --max-bytes to ingest it)",
                )
            )
            return None
        if source_file.size == 0:
            self.problem(InputError(key, "empty file"))
            return None
        try:
            with open(source_file.path, "rb") as handle:
                data = handle.read(limit + 1 if limit else -1)
        except OSError as exc:
            self.problem(InputError(key, f"cannot read: {exc.strerror or exc}"))
            return None
        if limit and len(data) > limit:
            self.problem(
                InputError(key, f"file grew above the limit of {megabytes(limit)} while being read")
            )
            return None
        return data


def _guarded(
    items: Iterator[Draft | InputError], key: str, fmt: str
) -> Iterator[Draft | InputError]:
    """A reader's output, with its failures turned into one problem for the file."""
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except NotText as exc:
            yield InputError(key, str(exc))
            return
        except Exception as exc:  # a reader bug or a library's surprise on a malformed file
            yield InputError(key, f"cannot read as {fmt}: {exc.__class__.__name__}: {exc}")
            return
        yield item


@contextmanager
def _progress_bar(
    show: bool, console: Console | None, total: int
) -> Iterator[Callable[[str], None]]:
    if not show:
        yield lambda _path: None
        return
    columns = (
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}", style="dim"),
    )
    with Progress(*columns, console=console or Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=total)
        yield lambda path: bar.update(task, advance=1, description=os.path.basename(path))


def _finish_quietly(ledger: Ledger, run_id: int, stats: dict[str, object]) -> None:
    # the ledger itself may be what failed; the original error matters more
    with contextlib.suppress(Exception):
        ledger.finish_run(run_id, stats)

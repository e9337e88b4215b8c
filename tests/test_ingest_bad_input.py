"""Bad input: each bad file or line is one clear problem (reported and stored), the run goes on, a crash loses nothing."""

from __future__ import annotations

import builtins
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import shared_path
from redline.documents import get_document, list_documents
from redline.errors import InputError
from redline.ingest import ingest_paths, persist, pipeline
from redline.store import Ledger
from redline.store.schema import documents, duplicates, ingest_problems, runs

GOOD = (
    "Moscow warned on Friday that any deployment of NATO troops to Ukraine would lead to a direct "
    "clash between Russia and the alliance, the foreign ministry said in a statement."
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


def _reasons(problems: list[InputError]) -> dict[str, str]:
    return {Path(p.path).name: p.reason for p in problems}


def test_every_kind_of_bad_file_is_one_problem_and_the_good_file_is_stored(
    ledger: Ledger, corpus: Path
) -> None:
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    rng = random.Random(7)
    (corpus / "noise.txt").write_bytes(bytes(rng.randrange(1, 256) for _ in range(4000)))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.md").write_text(" \n\t\n")
    (corpus / "dangling.txt").symlink_to(corpus / "gone.txt")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "folder.txt").mkdir()  # a folder with a file's name is walked, not read
    (corpus / "folder.txt" / "inner.txt").write_text(
        "Lithuania banned the transit of sanctioned goods to Kaliningrad, and Moscow promised a response."
    )
    printed: list[str] = []

    report = ingest_paths(
        ledger, [corpus, corpus / "missing.txt"], on_problem=lambda p: printed.append(str(p))
    )

    assert _reasons(report.problems) == {
        "binary.txt": "binary file (contains NUL bytes), not text",
        "noise.txt": "invalid UTF-8 and no other text encoding fits (binary file?)",
        "empty.txt": "empty file",
        "blank.md": "empty file",
        "dangling.txt": "broken symbolic link",
        "pipe.txt": "not a regular file (a FIFO)",
        "missing.txt": "no such file or folder",
    }
    assert printed == [str(p) for p in report.problems]
    assert all(line.startswith(str(corpus)) and "\n" not in line for line in printed)
    assert ledger.count(ingest_problems) == 7
    stored = sorted(Path(r.source_path).name for r in list_documents(ledger))
    assert stored == ["good.txt", "inner.txt"]


def test_problems_are_stored_with_run_and_locator(sqlite_ledger: Ledger, corpus: Path) -> None:
    (corpus / "dump.jsonl").write_text('{"text": "fine text of a record here"}\n{oops\n')

    report = ingest_paths(sqlite_ledger, [corpus])

    with sqlite_ledger.connect() as conn:
        [row] = conn.execute(sa.select(ingest_problems)).all()
    assert (row.run_id, Path(row.source_path).name, row.source_locator) == (
        report.run_id,
        "dump.jsonl",
        "line 2",
    )
    assert row.reason.startswith("invalid JSON: Expecting property name")


def test_legacy_encoding_is_decoded(sqlite_ledger: Ledger, corpus: Path) -> None:
    french = (
        "Le président russe a menacé l'Europe d'une réponse militaire si des troupes étrangères "
        "étaient déployées en Ukraine. Le ministère des affaires étrangères a précisé sa position."
    )
    (corpus / "french.txt").write_bytes(french.encode("cp1252"))

    report = ingest_paths(sqlite_ledger, [corpus / "french.txt"])

    assert report.problems == []
    text = get_document(sqlite_ledger, report.ingested[0]).text
    assert "président" in text and "menacé" in text and "étrangères" in text


def test_a_damaged_line_leaves_the_utf8_of_the_others_as_it_is(
    sqlite_ledger: Ledger, corpus: Path
) -> None:
    """Two bad bytes in one record of a short UTF-8 file sent the whole file to charset
    detection, which read every good record's Cyrillic as mojibake ("Київ" as "–ö–Η―½–≤")."""
    places = ["Zürich after the holiday", "Genève in the spring", "Łódź before the winter"]
    lines = [
        f'{{"title": "Київ {n}", "text": "The envoy said in Kyiv (Київ) on {day} that talks in '
        f'{place} would go on, café owners told reporters."}}'.encode()
        for n, (day, place) in enumerate(zip(["Sunday", "Monday", "Friday"], places, strict=True))
    ]
    lines[1] = lines[1].replace(b"envoy", b"env\xff\xfeoy")
    (corpus / "wire.jsonl").write_bytes(b"\n".join(lines) + b"\n")

    report = ingest_paths(sqlite_ledger, [corpus / "wire.jsonl"])

    titles = [get_document(sqlite_ledger, i).title for i in report.ingested]
    assert titles == ["Київ 0", "Київ 1", "Київ 2"]
    damaged = get_document(sqlite_ledger, report.ingested[1]).text
    assert "env\ufffd\ufffdoy" in damaged and "Genève" in damaged and "café" in damaged


def test_huge_file_is_refused_without_being_read(
    sqlite_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = corpus / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(200_000_000)  # sparse: 200 MB on paper, nothing on disk
    real_open = builtins.open

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        assert Path(file) != huge, "the huge file was opened"
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)

    report = ingest_paths(sqlite_ledger, [corpus])

    assert _reasons(report.problems) == {
        "huge.txt": "file is 200.0 MB, above the limit of 50.0 MB; not read (raise --max-bytes to ingest it)"
    }
    assert len(report.ingested) == 1


def test_max_bytes_is_configurable(sqlite_ledger: Ledger, corpus: Path) -> None:
    report = ingest_paths(sqlite_ledger, [corpus], max_bytes=100)

    assert _reasons(report.problems) == {
        "good.txt": "file is 0.0 MB, above the limit of 0.0 MB; not read (raise --max-bytes to ingest it)"
    }
    assert ingest_paths(sqlite_ledger, [corpus], max_bytes=0).problems == []


def test_unreadable_file(
    sqlite_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = corpus / "locked.txt"
    locked.write_text(GOOD + " Locked.")
    real_open = builtins.open

    def deny(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)

    report = ingest_paths(sqlite_ledger, [corpus])

    assert _reasons(report.problems) == {"locked.txt": "cannot read: Permission denied"}
    assert len(report.ingested) == 1


def test_the_run_is_recorded(sqlite_ledger: Ledger, corpus: Path) -> None:
    report = ingest_paths(sqlite_ledger, [corpus])

    with sqlite_ledger.connect() as conn:
        run = conn.execute(sa.select(runs).where(runs.c.id == report.run_id)).one()
    assert run.stage == "ingest" and run.finished_at is not None
    assert run.params["paths"] == [str(corpus)]
    assert run.stats == report.stats() and run.stats["ingested"] == 1


def _ledger_contents(
    ledger: Ledger,
) -> tuple[set[tuple[str, str, str | None]], set[tuple[str, str, str]]]:
    with ledger.connect() as conn:
        docs = {
            (r.content_hash, Path(r.source_path).name, r.title)
            for r in conn.execute(
                sa.select(documents.c.content_hash, documents.c.source_path, documents.c.title)
            )
        }
        dups = {
            (Path(r.source_path).name, r.kind, Path(r.original).name)
            for r in conn.execute(
                sa.select(
                    duplicates.c.source_path,
                    duplicates.c.kind,
                    documents.c.source_path.label("original"),
                ).join(documents, documents.c.id == duplicates.c.duplicate_of)
            )
        }
    return docs, dups


@pytest.mark.parametrize("crash_in", ["prepare", "insert", "one_by_one"])
def test_an_interrupted_run_resumes_to_the_same_ledger(
    crash_in: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Crashed while reading the tenth document (the waiting ones are stored on the way out),
    while storing the second batch of four (that batch is lost, the first is kept), or while
    storing a batch one document at a time (the two stored before the crash are kept and
    counted): a second run completes the ledger."""
    source = shared_path("corpus", "ukraine-news-dev")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # 30 files, among them exact (150b309295) and near (07addd3422) duplicates
    names = sorted(p.name for p in source.glob("*.txt"))
    for name in names[:20] + [n for n in names if n.endswith(("150b309295.txt", "07addd3422.txt"))]:
        shutil.copy(source / name, corpus / name)
    whole = Ledger.open(f"sqlite:///{tmp_path / 'whole.db'}")
    ingest_paths(whole, [corpus])

    resumed = Ledger.open(f"sqlite:///{tmp_path / 'resumed.db'}")
    calls = 0

    def crash_on(nth: int, real: Callable[..., Any]) -> Callable[..., Any]:
        def crashing(*args: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == nth:
                raise KeyboardInterrupt("simulated crash")
            return real(*args)

        return crashing

    if crash_in == "prepare":
        monkeypatch.setattr(pipeline, "prepare", crash_on(10, pipeline.prepare))
    elif crash_in == "insert":
        monkeypatch.setattr(pipeline, "BATCH_DOCUMENTS", 4)
        monkeypatch.setattr(persist, "insert_documents", crash_on(2, persist.insert_documents))
    else:  # as when another process stored one of the batch's texts first
        monkeypatch.setattr(pipeline, "BATCH_DOCUMENTS", 4)
        monkeypatch.setattr(persist, "insert_documents", lambda *_args: None)
        monkeypatch.setattr(persist, "insert_document", crash_on(3, persist.insert_document))
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(resumed, [corpus])
    kept = resumed.count(documents)
    # no copy among the first nine files
    assert kept == {"prepare": 9, "insert": 4, "one_by_one": 2}[crash_in]
    with resumed.connect() as conn:
        stats = conn.execute(sa.select(runs.c.stats)).scalar_one()
    assert stats["ingested"] == kept and "simulated crash" in stats["interrupted"]
    monkeypatch.undo()

    second = ingest_paths(resumed, [corpus])

    assert len(second.skipped) == kept
    assert _ledger_contents(resumed) == _ledger_contents(whole)
    assert len(_ledger_contents(whole)[1]) == 5  # four copies of 55f464d242, one near duplicate
    whole.dispose()
    resumed.dispose()


def test_the_ledgers_own_files_are_not_read_as_input(tmp_path: Path) -> None:
    """`redline ingest .` in the folder that holds ./redline.db read the ledger, its WAL and
    shared-memory files and its lock as articles: four problems on every run."""
    (tmp_path / "note.txt").write_text(
        "The ministry said on Monday that the talks would go on for a third day.\n",
        encoding="utf-8",
    )
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'redline.db'}")
    try:
        first = ingest_paths(ledger, [tmp_path])
        with ledger.deciding():  # an analyst's decision leaves its own lock beside the ledger
            pass
        again = ingest_paths(ledger, [tmp_path])
    finally:
        ledger.dispose()
    assert [str(p) for p in first.problems + again.problems] == []
    assert (first.files, len(first.ingested), again.files) == (1, 1, 1)


def test_a_file_name_with_control_characters_is_named_with_escapes(tmp_path: Path) -> None:
    """Control characters in a file name reached the ledger as they were, and every terminal
    listing dropped them: `em<ESC>[2Jpty.txt` was reported as `empty.txt`, a file that did not
    exist, and `a<ESC>[0m.txt` and `a.txt` were listed as two documents of one `a.txt`. They
    are now written as escapes, as the bytes of a name that is not UTF-8 are."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "em\x1b[2Jpty.txt").write_text("", encoding="utf-8")
    (folder / "a\x1b[0m.txt").write_text(
        "The ministry said on Monday that the talks would go on for a third day.\n",
        encoding="utf-8",
    )
    (folder / "a.txt").write_text(
        "Farmers in the valley expect a late harvest after the cold and wet spring.\n",
        encoding="utf-8",
    )
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        report = ingest_paths(ledger, [folder])
        paths = sorted(Path(d.source_path).name for d in list_documents(ledger))
    finally:
        ledger.dispose()
    assert [str(p) for p in report.problems] == [f"{folder}/em\\x1b[2Jpty.txt: empty file"]
    assert paths == ["a.txt", "a\\x1b[0m.txt"]


def test_sigterm_stops_an_ingest_as_ctrl_c_does(tmp_path: Path) -> None:
    """SIGTERM (a plain `kill`, a service manager stopping `redline run`) ended an ingest on
    the spot: no word, the documents read but not yet committed lost and its run left
    unfinished. It now stops as Ctrl-C does: what was read is stored and the run recorded as
    interrupted (the CLI then says so and exits 143, as extraction does)."""
    import signal

    from redline.errors import Terminated

    folder = tmp_path / "corpus"
    folder.mkdir()
    topics = ["harvest", "railway", "election", "museum", "storm", "budget"]
    for i, topic in enumerate(topics):
        (folder / f"n{i}.txt").write_text(
            f"Officials said the {topic} report number {i} was published on Monday morning.\n",
            encoding="utf-8",
        )

    def kill_at_the_fourth(done: int, _total: int) -> None:
        if done == 4:
            os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        with pytest.raises(Terminated):
            ingest_paths(ledger, [folder], on_progress=kill_at_the_fourth)
        with ledger.connect() as conn:
            (run,) = conn.execute(sa.select(runs)).all()
        assert len(list_documents(ledger)) == 4
        again = ingest_paths(ledger, [folder])
    finally:
        ledger.dispose()
    assert run.finished_at is not None and "Terminated" in run.stats["interrupted"]
    assert (len(again.ingested), len(again.skipped)) == (2, 4)
    assert signal.getsignal(signal.SIGTERM) == previous


def test_a_run_stopped_while_it_loads_the_known_texts_is_recorded_as_interrupted(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run first loads the texts the ledger holds (seconds on a large ledger, and the first
    import of the near-duplicate index): Ctrl-C there left the run's row unfinished for ever,
    with no counts and no "interrupted", and SIGTERM there killed the process on the spot."""

    def stopped(_ledger: Ledger) -> Any:
        raise KeyboardInterrupt("Ctrl-C while loading")

    monkeypatch.setattr(persist, "stored_documents", stopped)
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        with pytest.raises(KeyboardInterrupt):
            ingest_paths(ledger, [corpus])
        with ledger.connect() as conn:
            (run,) = conn.execute(sa.select(runs)).all()
    finally:
        ledger.dispose()
    assert run.finished_at is not None and "Ctrl-C while loading" in run.stats["interrupted"]
    assert run.stats["ingested"] == 0


def test_a_link_whose_target_this_user_may_not_reach_is_one_problem(
    sqlite_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A symbolic link into a folder this user may not enter (realpath, exists and is_dir raise
    PermissionError) stopped the whole ingest with "error: ...: Permission denied", storing
    nothing, the good files beside it included; it is one problem and the run goes on, in a
    folder and named on the command line alike."""
    from typer.testing import CliRunner

    from redline.cli import app

    link = corpus / "link.txt"
    link.symlink_to(tmp_path / "private" / "secret.txt")
    real_realpath, real_stat = os.path.realpath, Path.stat

    def denied(path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(path) == link or Path(path) == Path("link.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_realpath(path, *args, **kwargs)

    def stat_denied(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "link.txt" and kwargs.get("follow_symlinks", True):
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(os.path, "realpath", denied)
    monkeypatch.setattr(Path, "stat", stat_denied)
    report = ingest_paths(sqlite_ledger, [corpus])
    assert _reasons(report.problems) == {"link.txt": "cannot read: Permission denied"}
    assert len(report.ingested) == 1
    monkeypatch.chdir(corpus)
    result = CliRunner().invoke(
        app, ["ingest", "link.txt", "--db", str(tmp_path / "cli.db"), "--no-extract"]
    )
    assert "link.txt: cannot read: Permission denied" in result.output, result.output
    assert "read no files" in result.output and result.exit_code == 2

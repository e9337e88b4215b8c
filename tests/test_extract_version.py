"""The extractor's version follows its code, gazetteers and model, so a ledger extracted by an
older one is re-extracted."""

from __future__ import annotations

from pathlib import Path

from redline.extract.version import extractor_version


def test_version_changes_with_an_extra_gazetteer(tmp_path: Path) -> None:
    base = extractor_version("learned", (), "model-a")
    assert base == extractor_version("learned", (), "model-a")  # stable
    assert base.startswith("learned-")
    assert extractor_version("learned", (), "model-b") != base
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "triggers:\n  my_line:\n    label: mine\n    patterns: [x]\n", encoding="utf-8"
    )
    with_extra = extractor_version("learned", (str(extra),), "model-a")
    assert with_extra != base
    extra.write_text(
        "triggers:\n  my_line:\n    label: changed\n    patterns: [x]\n", encoding="utf-8"
    )
    assert extractor_version("learned", (str(extra),), "model-a") != with_extra


def test_version_follows_the_code_that_decides_extraction_and_only_that(monkeypatch) -> None:
    """A change to the gazetteer matching in knowledge.py or to the classifier's run-time code
    decides what is extracted, yet left the version as it was, so a ledger kept items the new
    code would not give; a change to how items are listed back (query.py) decides nothing, yet
    made every ledger extract its whole corpus again."""
    from redline.extract import version

    names = {p.as_posix().split("/redline/", 1)[1] for p in version.versioned_files()}
    assert {"knowledge.py", "model/classifier.py", "extract/learned.py"} <= names
    assert "extract/query.py" not in names
    assert all(p.is_file() for p in version.versioned_files())
    base = extractor_version("learned", (), "model-a")
    real = Path.read_bytes

    def changed(name: str):
        def read(self: Path) -> bytes:
            data = real(self)
            return data + b"\n# changed\n" if self.name == name else data

        return read

    monkeypatch.setattr(Path, "read_bytes", changed("query.py"))
    assert extractor_version("learned", (), "model-a") == base
    monkeypatch.setattr(Path, "read_bytes", changed("knowledge.py"))
    assert extractor_version("learned", (), "model-a") != base

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

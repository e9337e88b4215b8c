"""docs/api.md's example runs as written: the API page cannot drift from the code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from tests.conftest import REPO

DOC = REPO / "docs" / "api.md"
# a few of the example articles: enough for threats, a crossing and an episode, quick to extract
ARTICLES = (
    "2022-02-08_meridian-wire-sanctions-warning.txt",
    "2023-05-21_continental-review-f16-storm-shadow.html",
    "2023-10-20_prairie-sentinel-atacms.txt",
)


def _example() -> str:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    return code


def test_the_api_pages_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "examples" / "corpus"
    corpus.mkdir(parents=True)
    for name in ARTICLES:
        shutil.copy(REPO / "examples" / "corpus" / name, corpus)
    monkeypatch.chdir(tmp_path)
    exec(compile(_example(), str(DOC), "exec"), {"__name__": "api_example"})
    out = capsys.readouterr().out
    assert "3 documents; 0 problems" in out
    assert "refused: threat field 'colour' cannot be corrected" in out
    assert "2 decisions" in out and "2024-06-30 0 episodes" not in out
    assert (tmp_path / "report.html").is_file()
    assert (tmp_path / "export" / "manifest.json").is_file()


def test_the_api_page_names_every_module_it_lists() -> None:
    """Each `redline.…` module the page's table names imports, and each function it names
    there is in it."""
    import importlib

    named = re.findall(r"`(redline(?:\.\w+)+)\(", DOC.read_text(encoding="utf-8"))
    assert len(named) > 10
    for dotted in named:
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):  # the longest prefix that is a module
            try:
                found: object = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            for attribute in parts[cut:]:
                assert hasattr(found, attribute), dotted
                found = getattr(found, attribute)
            break

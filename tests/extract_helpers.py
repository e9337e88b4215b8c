"""Helpers for extraction tests: run the rule extractor on raw text without a ledger."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from redline.extract.base import DocumentInput, Extraction
from redline.extract.rules import RuleExtractor
from redline.extract.sentences import split_sentences

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def sample_texts() -> list[str]:
    """The bundled sample's articles, in file-name order."""
    return [path.read_text(encoding="utf-8") for path in sorted(SAMPLE.iterdir())]


def sample_sentences() -> list[str]:
    """Every sentence of the bundled sample (``split_sentences``)."""
    return [text[s:e] for text in sample_texts() for s, e in split_sentences(text)]


@cache
def extractor() -> RuleExtractor:
    return RuleExtractor()


def run(
    text: str, published: date | None = date(2024, 9, 12), precision: str = "day"
) -> Extraction:
    return extractor().extract(DocumentInput(1, text, published, precision))


def as_predictions(
    result: Extraction, file: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Threats and crossings as the evaluator's prediction dicts."""

    def flat(item: Any) -> dict[str, Any]:
        d = {k: v for k, v in vars(item).items() if k != "provenance"}
        d.update(
            file=file,
            files={file},
            sentence=item.provenance.sentence,
            context=item.provenance.context,
        )
        return d

    return [flat(t) for t in result.threats], [
        flat(e) for e in result.events if e.kind == "crossing"
    ]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")

"""The real documents the gold annotations point into, read from ``shared/`` by stable ids.

Gold annotations never hold article text: they name a document (``news/<file stem>``,
``statements/<url slug>``, ``plover/<sentence id>``) and character offsets into the text this
module reads. The sentence split is the extractor's own (``split_sentences``), so a gold
sentence and a predicted sentence share their offsets.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from redline.extract.sentences import split_sentences
from redline.ingest.genre import classify_genre

NEWS_DIR = "corpus/ukraine-news-dev"
STATEMENTS_CSV = "corpus/us-presidential-statements/biden-ukraine.csv"
PLOVER_TSV = "corpus/plover-train/PLV_train.tsv"
_NEWS_NAME = re.compile(r"^(\d{8})T\d{6}Z_([A-Z]{2})_en_[0-9a-f]+$")


@dataclass(frozen=True)
class GoldDocument:
    id: str
    source: str  # news | statements | plover
    text: str
    published: date | None
    genre: str
    title: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def sentences(self) -> list[tuple[int, int]]:
        return split_sentences(self.text)

    @property
    def group(self) -> str:
        """Near-copies (the same wire story filed twice) share a group, and so a split: the
        opening 300 characters, lower-cased with punctuation and spacing folded."""
        opening = re.sub(r"\W+", " ", self.text.lower()).strip()[:300]
        return hashlib.sha1(opening.encode("utf-8")).hexdigest()


def default_shared() -> Path:
    """``../shared`` beside the checkout, or ``$REDLINE_SHARED``."""
    import os

    env = os.environ.get("REDLINE_SHARED")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared"
        if (candidate / "codebook.md").exists():
            return candidate
    return Path.cwd().parent / "shared"


def iter_documents(shared: Path) -> Iterator[GoldDocument]:
    yield from _news(shared)
    yield from _statements(shared)
    yield from _plover(shared)


def load_documents(shared: Path, ids: set[str] | None = None) -> dict[str, GoldDocument]:
    """The gold's documents from the corpora under ``shared``; a folder without them is a
    GoldError that names it and says how to give another (each gold line was refused in turn,
    naming only a document "not in the corpus")."""
    from redline.errors import GoldError

    if not (shared / NEWS_DIR).is_dir():
        raise GoldError(
            f"{shared}: the corpora the gold annotates are not there (no {NEWS_DIR}); give "
            "the folder that holds them with --shared or the REDLINE_SHARED variable"
        )
    return {d.id: d for d in iter_documents(shared) if ids is None or d.id in ids}


def _news(shared: Path) -> Iterator[GoldDocument]:
    folder = shared / NEWS_DIR
    for path in sorted(folder.glob("*.txt")):
        m = _NEWS_NAME.match(path.stem)
        published = datetime.strptime(m.group(1), "%Y%m%d").date() if m else None
        text = path.read_text(encoding="utf-8")
        yield GoldDocument(
            id=f"news/{path.stem}",
            source="news",
            text=text,
            published=published,
            genre=classify_genre(text, None, has_author_bio=False),  # as ingest tells opinion
            extra={"path": str(path)},
        )


def _statements(shared: Path) -> Iterator[GoldDocument]:
    path = shared / STATEMENTS_CSV
    if not path.exists():
        return
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            slug = row["url"].rstrip("/").rsplit("/", 1)[-1]
            try:
                published = datetime.strptime(row["date"].strip(), "%B %d, %Y").date()
            except ValueError:
                published = None
            yield GoldDocument(
                id=f"statements/{slug}",
                source="statements",
                text=row["text"],
                published=published,
                genre="statement",
                title=row["title"],
                extra={"url": row["url"], "speaker": row["speaker"]},
            )


def _plover(shared: Path) -> Iterator[GoldDocument]:
    path = shared / PLOVER_TSV
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            yield GoldDocument(
                id=f"plover/{row['sentence_id']}",
                source="plover",
                text=row["sentence"],
                published=None,
                genre="news",
                extra={
                    "gold_root": row["gold_root"],
                    "source": row["source"],
                    "target": row["target"],
                },
            )

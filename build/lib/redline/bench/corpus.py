"""Benchmark corpora: real articles resampled into distinct variants that deduplication keeps.

Each variant keeps its source's lede, drops about a quarter of the other paragraphs, shuffles
the rest, mixes in paragraphs of another article (about 30% of its words), swaps
politicians for others of the same country (from the actor gazetteer), shifts the date and
ends with a unique reference sentence. Two variants of one source then share well under the
0.8 Jaccard similarity at which ingest calls them near duplicates, while their sentences stay
the kind of news text the extractor meets.
"""

from __future__ import annotations

import random
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from redline import knowledge

# With 0.2 and 0.2, 11 of 10,000 variants were near duplicates (Jaccard just above 0.8) of a
# sibling from a short source; with these, none of 10,000.
DROP_PARAGRAPH = 0.25  # chance that a non-lead paragraph of the source is left out
DONOR_SHARE = 0.3  # words borrowed from another article, as a share of the source's words
SWAP_PERSON = 0.5  # chance that a politician named in the source is swapped
DATE_SHIFT_DAYS = 180  # publication dates move by up to this many days either way
FALLBACK_DATE = date(2023, 1, 1)  # for sources without a publication date
# Surnames that are also ordinary capitalised words; swapping them could rewrite other text.
_AMBIGUOUS_SURNAMES = frozenset({"Austin", "Harris", "Miller", "Price", "Rau", "Xi", "Tsai"})
_PARAGRAPHS = re.compile(r"\n\s*\n")
_TITLE_WORDS = 14


@dataclass(frozen=True)
class SourceArticle:
    title: str | None
    text: str
    published: date | None


@dataclass
class CorpusInfo:
    """What was generated: counts and sizes, for the results file."""

    directory: str
    articles: int
    bytes: int
    sources: int
    source_mean_chars: float
    mean_chars: float
    seconds: float


def load_sources(paths: Sequence[Path]) -> list[SourceArticle]:
    """Articles read by Redline's own ingest (any format it reads), duplicates already dropped."""
    from redline.ingest import ingest_paths
    from redline.store import Ledger
    from redline.store.schema import documents

    with tempfile.TemporaryDirectory(prefix="redline-bench-src-") as tmp:
        ledger = Ledger.open(f"sqlite:///{Path(tmp) / 'sources.db'}")
        try:
            ingest_paths(ledger, paths, progress=False)
            with ledger.connect() as conn:
                rows = conn.execute(
                    sa.select(documents.c.title, documents.c.text, documents.c.published)
                    .where(documents.c.language == "en")
                    .order_by(documents.c.id)
                ).all()
        finally:
            ledger.dispose()
    return [SourceArticle(r.title, r.text, r.published) for r in rows if r.text.strip()]


class _NameSwapper:
    """Replaces gazetteer politicians (full name and surname) by others of the same country."""

    def __init__(self) -> None:
        people = [a for a in knowledge.actors().actors.values() if a.kind == "person"]
        by_country: dict[str, list[str]] = {}
        for person in people:
            if person.country and len(person.name.split()) >= 2:
                by_country.setdefault(person.country, []).append(person.name)
        self.peers = {n: names for names in by_country.values() if len(names) > 1 for n in names}
        surnames = {n.split()[-1] for n in self.peers} - _AMBIGUOUS_SURNAMES
        terms = sorted({*self.peers, *surnames}, key=len, reverse=True)
        self.pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\b")
        self.by_surname = {n.split()[-1]: n for n in self.peers if n.split()[-1] in surnames}

    def swap(self, text: str, rng: random.Random) -> str:
        chosen: dict[str, str] = {}

        def replace(m: re.Match[str]) -> str:
            found = m.group(0)
            full = found if found in self.peers else self.by_surname[found]
            if full not in chosen:
                others = [n for n in self.peers[full] if n != full]
                chosen[full] = rng.choice(others) if rng.random() < SWAP_PERSON else full
            new = chosen[full]
            return new if found == full else new.split()[-1]

        return self.pattern.sub(replace, text)


def _paragraphs(text: str) -> list[str]:
    parts = [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]
    return parts if len(parts) > 1 else [p.strip() for p in text.splitlines() if p.strip()]


def _title(source: SourceArticle, lede: str, number: int) -> str:
    words = re.sub(r"[\"“”]", "", source.title or lede).split()[:_TITLE_WORDS]
    head = re.sub(r"[^\w]+$", "", " ".join(words)) or "News report"
    head = head[0].upper() + head[1:]
    return f"{head} - bench report {number:06d}"


def variant(
    sources: Sequence[SourceArticle],
    number: int,
    rng: random.Random,
    swapper: _NameSwapper,
) -> tuple[str, date]:
    """The text of article ``number`` (title line, blank line, paragraphs) and its date."""
    source = sources[number % len(sources)]
    paragraphs = _paragraphs(source.text)
    lede, rest = paragraphs[0], [p for p in paragraphs[1:] if rng.random() >= DROP_PARAGRAPH]
    rng.shuffle(rest)
    if len(sources) > 1:
        # a different donor in each round over the sources, so that two variants of one
        # source rarely share their borrowed text
        shift = 1 + (number // len(sources)) % (len(sources) - 1)
        donor = sources[(number + shift) % len(sources)]
        borrowed = _paragraphs(donor.text)[1:] or _paragraphs(donor.text)
        rng.shuffle(borrowed)
        budget = DONOR_SHARE * len(source.text.split())
        for p in borrowed:
            if budget <= 0:
                break
            rest.insert(rng.randrange(len(rest) + 1), p)
            budget -= len(p.split())
    reference = f"Reference {number:06d} of the Redline benchmark corpus."
    body = swapper.swap("\n\n".join([lede, *rest]), rng)
    published = (source.published or FALLBACK_DATE) + timedelta(
        days=rng.randint(-DATE_SHIFT_DAYS, DATE_SHIFT_DAYS)
    )
    return f"{_title(source, lede, number)}\n\n{body}\n\n{reference}\n", published


def generate(
    sources: Sequence[SourceArticle], count: int, directory: Path, *, seed: int = 13
) -> CorpusInfo:
    """Write ``count`` variants as ``YYYYMMDDTHHMMSSZ_BN_en_<number>.txt`` (the dev corpus's naming)."""
    import time

    if not sources:
        raise ValueError("no source articles to resample")
    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    swapper = _NameSwapper()
    total_bytes = total_chars = 0
    for number in range(count):
        text, published = variant(sources, number, rng, swapper)
        hour = rng.randrange(6, 22)
        name = f"{published:%Y%m%d}T{hour:02d}0000Z_BN_en_{number:06d}.txt"
        data = text.encode("utf-8")
        (directory / name).write_bytes(data)
        total_bytes += len(data)
        total_chars += len(text)
    return CorpusInfo(
        directory=str(directory),
        articles=count,
        bytes=total_bytes,
        sources=len(sources),
        source_mean_chars=round(sum(len(s.text) for s in sources) / len(sources), 1),
        mean_chars=round(total_chars / max(count, 1), 1),
        seconds=round(time.perf_counter() - started, 3),
    )


def big_document(
    sources: Sequence[SourceArticle], megabytes: float, path: Path, *, seed: int = 13
) -> int:
    """Write one document of about ``megabytes`` MB: variants of the source articles (as
    ``generate`` makes them) one after another under one title, so that it reads like a long
    dossier of news rather than one article repeated. Returns its size in bytes."""
    if not sources:
        raise ValueError("no source articles to resample")
    rng = random.Random(seed)
    swapper = _NameSwapper()
    goal = int(megabytes * 1e6)
    parts = [f"Redline benchmark dossier of {megabytes:g} MB\n"]
    size, number = len(parts[0].encode("utf-8")), 0
    while size < goal:
        text, _ = variant(sources, number, rng, swapper)
        parts.append(text)
        size += len(text.encode("utf-8")) + 1
        number += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "\n".join(parts).encode("utf-8")
    path.write_bytes(data)
    return len(data)

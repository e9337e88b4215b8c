"""The contract every extractor meets: a document in, threats, events and claims with spans out.

A statistical or LLM-based extractor (e.g. one calling an OpenAI-compatible endpoint) slots in
by implementing ``Extractor``; storage (``pipeline``) and linking never see its internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

from redline.vocab import LineSource


@dataclass(frozen=True)
class DocumentInput:
    id: int
    text: str
    published: date | None
    published_precision: str
    genre: str = "news"
    title: str | None = None
    author: str | None = None  # an official statement's issuer speaks its first-person lines
    source: str | None = None  # the file (and record) it was read from, named in its errors


@dataclass(frozen=True)
class Provenance:
    """Where an item came from: the sentence and the span inside it (document offsets)."""

    sentence_start: int
    sentence_end: int
    span_start: int
    span_end: int
    sentence: str
    context: str | None = None  # earlier text that supplied the trigger or a referent


@dataclass
class ThreatItem:
    provenance: Provenance
    speaker: str | None
    speaker_key: str | None  # actor gazetteer key
    speaker_country: str | None
    addressee: str | None
    addressee_country: str | None
    trigger_key: str | None
    trigger_text: str | None
    consequence_text: str | None
    consequence_class: str
    explicitness: str
    stated_date: date | None
    stated_precision: str
    confidence: float
    extractor: str


@dataclass
class EventItem:
    provenance: Provenance
    kind: str  # crossing | response
    actor: str | None
    actor_country: str | None
    target_country: str | None
    trigger_key: str | None
    action: str | None
    consequence_class: str | None
    event_date: date | None
    date_precision: str
    confidence: float
    extractor: str
    line_from: str = LineSource.SENTENCE  # where trigger_key was read (vocab.LineSource)


@dataclass
class ClaimItem:
    provenance: Provenance
    trigger_key: str | None
    subject_country: str | None
    claim: str  # no_response | response | partial
    claim_date: date | None
    date_precision: str
    confidence: float
    extractor: str


@dataclass
class Extraction:
    threats: list[ThreatItem] = field(default_factory=list)
    events: list[EventItem] = field(default_factory=list)
    claims: list[ClaimItem] = field(default_factory=list)


@runtime_checkable
class Extractor(Protocol):
    """An extractor may also have ``extract_many(docs)`` (a batch at once) and a ``progress``
    attribute: the pipeline sets it to a callable taking the share (0 to 1) of the current
    batch done, so that one big document moves the progress bar as it is extracted."""

    name: str
    version: str

    def extract(self, doc: DocumentInput) -> Extraction: ...


class BatchProgress:
    """The share of one batch done, phase by phase: each phase (screening, classifying,
    parsing, rules) owns a fixed part of the bar and reports where it is every ``EVERY`` steps;
    with no ``report`` it only counts."""

    EVERY = 64

    def __init__(self, report: Callable[[float], None] | None) -> None:
        self.report = report
        self.base = 0.0  # the share of the phases already finished
        self.width = 0.0  # the current phase's share
        self.done = 0
        self.total = 1

    def phase(self, width: float, total: int) -> None:
        """Finish the current phase and start one of ``total`` steps worth ``width``."""
        self.base, self.width, self.done, self.total = self.base + self.width, width, 0, total
        self._send()

    def at(self, done: int, total: int | None = None) -> None:
        """``done`` steps of the current phase (of ``total``, when it changed) are behind us."""
        self.total = total if total is not None else self.total
        crossed = done // self.EVERY != self.done // self.EVERY
        self.done = done
        if crossed or done >= self.total:
            self._send()

    def step(self) -> None:
        self.at(self.done + 1)

    def _send(self) -> None:
        if self.report is not None:
            share = self.width * min(self.done, self.total) / max(self.total, 1)
            self.report(min(1.0, self.base + share))

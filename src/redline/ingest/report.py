"""What one ingest run did: documents added, duplicates found, sources skipped, problems met."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from redline.errors import InputError


def megabytes(n: int) -> str:
    """A size as problems state it: ``"50.0 MB"``."""
    return f"{n / 1_000_000:.1f} MB"


@dataclass(frozen=True, slots=True)
class DuplicateFound:
    """A source that was not stored because the ledger already holds its text (or nearly)."""

    source_path: str
    source_locator: str | None
    kind: Literal["exact", "near"]
    similarity: float
    duplicate_of: int  # the stored document's id
    duplicate_of_path: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A source left alone on purpose (already in the ledger), with the reason."""

    source_path: str
    source_locator: str | None
    reason: str


@dataclass(slots=True)
class IngestReport:
    """Returned by :func:`redline.ingest.ingest_paths`; ``stats()`` is also stored on the run."""

    run_id: int
    files: int = 0
    ingested: list[int] = field(default_factory=list)
    duplicates: list[DuplicateFound] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)
    gdelt_events_added: int = 0
    gdelt_events_already_stored: int = 0
    seconds: float = 0.0

    @property
    def exact_duplicates(self) -> list[DuplicateFound]:
        return [d for d in self.duplicates if d.kind == "exact"]

    @property
    def near_duplicates(self) -> list[DuplicateFound]:
        return [d for d in self.duplicates if d.kind == "near"]

    def stats(self) -> dict[str, Any]:
        """Counts only: what ``runs.stats`` keeps and the summary table shows."""
        return {
            "files": self.files,
            "ingested": len(self.ingested),
            "exact_duplicates": len(self.exact_duplicates),
            "near_duplicates": len(self.near_duplicates),
            "skipped": len(self.skipped),
            "problems": len(self.problems),
            "gdelt_events_added": self.gdelt_events_added,
            "gdelt_events_already_stored": self.gdelt_events_already_stored,
            "seconds": round(self.seconds, 3),
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready (``redline ingest --format json``)."""
        return {
            "run_id": self.run_id,
            "stats": self.stats(),
            "ingested": list(self.ingested),
            "duplicates": [asdict(d) for d in self.duplicates],
            "skipped": [asdict(s) for s in self.skipped],
            "problems": [
                {
                    "source_path": p.path,
                    "source_locator": p.locator,
                    "reason": p.reason,
                    "message": str(p),
                }
                for p in self.problems
            ],
        }

"""What a reader is given: one file's bytes, decoded on demand, and the record field names."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from redline.ingest.decode import decode_text
from redline.ingest.fields import FieldMap


@dataclass
class Source:
    """A file being read. ``key`` (its absolute path) is the ``source_path`` stored for its documents."""

    path: Path
    key: str
    data: bytes
    fields: FieldMap = field(default_factory=FieldMap)

    @cached_property
    def text(self) -> str:
        """The decoded text; raises :class:`~redline.ingest.decode.NotText` when it is not text."""
        return decode_text(self.data)

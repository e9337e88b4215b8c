"""An extractor's version: a digest of everything that decides its output.

The extraction code, the packaged gazetteers and cue lexicons, any extra gazetteer files, and
the shipped model's manifest (which names the SHA-256 of each model file). ``redline extract``
re-extracts every document whose stored version differs, so an improved rule, gazetteer or
model reaches a ledger extracted before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from redline.knowledge import user_gazetteers


def extractor_version(name: str, extra: Sequence[str] = (), model: str | None = None) -> str:
    h = hashlib.sha256()
    package = resources.files("redline")
    code = Path(str(package / "extract"))
    for path in sorted(code.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    data = Path(str(package / "data"))
    for path in sorted(data.glob("*.yaml")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for item in user_gazetteers(extra):
        try:
            h.update(Path(item).read_bytes())
        except OSError:
            h.update(str(item).encode())  # knowledge.py reports the unreadable file
    if model is not None:
        h.update(model.encode())
    return f"{name}-{h.hexdigest()[:12]}"

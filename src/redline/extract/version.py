"""An extractor's version: a digest of everything that decides its output.

The extraction code (``versioned_files``: the extraction modules, the gazetteer and trigger
matching in ``knowledge.py``, the shared vocabulary, and the classifier's run-time code), the
packaged gazetteers and cue lexicons, any extra gazetteer files, and the shipped model's
manifest (which names the SHA-256 of each model file). ``redline extract`` re-extracts every
document whose stored version differs, so an improved rule, gazetteer or model reaches a
ledger extracted before it — and only then: a change to how items are listed back
(``query.py``) or to the package's re-exports decides nothing extracted, and made every
ledger extract its whole corpus again for identical items.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from redline.knowledge import user_gazetteers

# extraction modules that decide nothing extracted: reading items back, re-exports, this file
_NOT_DECIDING = frozenset({"query.py", "__init__.py", "version.py"})
# code outside ``extract/`` that decides what is extracted: actors and lines found in text,
# keys coined, the vocabulary stored, and the classifier's input and scores at run time
_ALSO_DECIDING = (
    "knowledge.py",
    "vocab.py",
    "model/classifier.py",
    "model/prefilter.py",
    "model/lexical.py",
)


def versioned_files() -> list[Path]:
    """The code files whose bytes enter the extractor's version, in a fixed order."""
    package = Path(str(resources.files("redline")))
    code = [p for p in sorted((package / "extract").glob("*.py")) if p.name not in _NOT_DECIDING]
    return code + [package / name for name in _ALSO_DECIDING]


def extractor_version(name: str, extra: Sequence[str] = (), model: str | None = None) -> str:
    h = hashlib.sha256()
    package = resources.files("redline")
    root = Path(str(package))
    for path in versioned_files():
        h.update(path.relative_to(root).as_posix().encode())
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

"""Author names as people write them: bylines, e-mail forms and ranks reduced to the bare name."""

from __future__ import annotations

import re

from redline.ingest.boilerplate import RULES

_BY = re.compile(r"^(?:written |posted )?by\s+", re.IGNORECASE)
_EMAIL_WITH_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$")
_EMAIL = re.compile(r"^\S+@\S+$")
_SPLIT = re.compile(r"\s*(?:;|,|\band\b|&)\s*")
_SPACES = re.compile(r"\s+")
_RANKS = re.compile(
    r"^(?:(?:"
    + "|".join(re.escape(r) for r in sorted(RULES.ranks, key=len, reverse=True))
    + r")\s+)+"
)
_MAX_CHARS = 200


def clean_author(raw: str | None) -> str | None:
    """``"Colonel Hamish de Bretton-Gordon"`` → ``"Hamish de Bretton-Gordon"``; several names stay joined by ", "."""
    if not raw:
        return None
    names = []
    for part in _SPLIT.split(_SPACES.sub(" ", raw).strip()):
        name = _BY.sub("", part).strip(" .")
        m = _EMAIL_WITH_NAME.match(name)
        if m:
            name = m["name"].strip()
        if not name or _EMAIL.match(name):
            continue
        name = _RANKS.sub("", name).strip()
        if name and name not in names:
            names.append(name)
    joined = ", ".join(names)
    return joined[:_MAX_CHARS] or None

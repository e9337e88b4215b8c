"""Beta priors for follow-through, with their sources, read from ``data/priors.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from redline.errors import ConfigError
from redline.knowledge import packaged_yaml

# a number: "2", "0.5", ".5", "2." (a lone "." had matched, and float(".") raised a traceback)
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_CUSTOM = re.compile(rf"^beta:\s*{_NUMBER}\s*,\s*{_NUMBER}$")


@dataclass(frozen=True)
class Prior:
    name: str
    alpha: float
    beta: float
    label: str
    meaning: str
    source: str

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


@cache
def priors() -> dict[str, Prior]:
    raw = packaged_yaml("priors.yaml")
    return {
        name: Prior(
            name, float(s["alpha"]), float(s["beta"]), s["label"], s["meaning"], s["source"]
        )
        for name, s in raw["priors"].items()
    }


def get_prior(name: str | Prior) -> Prior:
    """A named prior from priors.yaml, or ``beta:A,B`` for Beta(A, B)."""
    if isinstance(name, Prior):
        return name
    name = name.strip()  # " sechser", as a copy and paste leaves it, is sechser
    if name in priors():
        return priors()[name]
    m = _CUSTOM.match(name)
    if m and float(m[1]) > 0 and float(m[2]) > 0:
        a, b = float(m[1]), float(m[2])
        return Prior(
            name, a, b, f"Custom, Beta({a:g}, {b:g})", "Given on the command line.", "user"
        )
    known = ", ".join(priors())
    raise ConfigError(f"unknown prior {name!r}: use one of {known}, or beta:A,B with A, B > 0")

"""The machine a benchmark ran on: cores, memory, CPU model, Python and spaCy versions."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def describe() -> dict[str, Any]:
    import spacy

    from redline.extract.nlp import MODEL_PACKAGE, MODEL_VERSION

    return {
        "nproc": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "model": f"{MODEL_PACKAGE} {MODEL_VERSION}",
        "platform": platform.platform(),
    }


def code_version() -> dict[str, str]:
    """Redline's version and the default extractor's version (a digest of its code, gazetteers
    and model), which changes between releases."""
    from importlib import metadata

    from redline.extract.pipeline import default_extractor

    return {"redline": metadata.version("redline"), "extractor": default_extractor().version}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None

"""Which process left something behind, and whether it still runs: the holder of an
extraction's claims on documents, the writer of an export's partial folder."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
from pathlib import Path


def machine() -> str:
    """Where a process id names one process: the host, this boot of it and, on Linux, the pid
    namespace (containers sharing a host name each have their own). The host name alone is
    no machine's: two hosts, or containers given one name, share it, and the root pid
    namespace has the same number on every Linux host, so a live run elsewhere was taken for
    a dead one here. The boot id is drawn anew at each boot of each machine."""
    parts = [socket.gethostname()]
    for path, read in (
        ("/proc/sys/kernel/random/boot_id", lambda p: Path(p).read_text().strip()),
        ("/proc/self/ns/pid", os.readlink),
    ):
        with contextlib.suppress(OSError):
            parts.append(read(path))
    return " ".join(parts)


def alive(pid: int) -> bool:
    """Is process ``pid`` (on this machine) still running? A process another user runs counts
    as alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def machine_tag() -> str:
    """A short, file-name-safe tag of ``machine()``: the names of the partial files and folders
    an interrupted write leaves carry it, so only a writer on this machine is judged dead or
    alive by its process id."""
    return hashlib.sha256(machine().encode()).hexdigest()[:12]

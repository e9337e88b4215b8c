"""Duplicate detection: a SHA-256 of normalised text for exact copies, MinHash LSH over word 5-shingles for near ones."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHashLSH

# 128 permutations estimate a Jaccard similarity of 0.8 within about ±0.035 (one standard
# deviation) and cost 512 bytes per stored document. 0.8 separates re-published copies with
# edited words or an added line (0.9 and above in the dev corpus) from different reports
# on the same event (below 0.3).
NUM_PERM = 128
NEAR_THRESHOLD = 0.8
SHINGLE_WORDS = 5
# Pinned so that signatures stored by one run compare with those computed by the next.
_SEED = 1
_SCHEME = "affine32"
_DTYPE = np.dtype("<u4")

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_QUOTES = (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    content_hash: str
    signature: np.ndarray  # NUM_PERM uint32 MinHash values

    def signature_bytes(self) -> bytes:
        return self.signature.astype(_DTYPE).tobytes()


def normalise(text: str) -> str:
    """Text as compared for exact duplicates: NFKC, case-folded, straight quotes, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    for curly, straight in _QUOTES:  # str.replace is far faster than str.translate with a dict
        text = text.replace(curly, straight)
    return _SPACES.sub(" ", text).strip()


def fingerprint(text: str) -> Fingerprint:
    norm = normalise(text)
    words = _WORD.findall(norm)
    n = SHINGLE_WORDS
    shingles = {" ".join(words[i : i + n]).encode() for i in range(max(1, len(words) - n + 1))}
    minhash = _template().copy()
    minhash.update_batch(list(shingles))
    return Fingerprint(hashlib.sha256(norm.encode()).hexdigest(), minhash.hashvalues.astype(_DTYPE))


def signature_from_bytes(data: bytes) -> np.ndarray | None:
    values = np.frombuffer(bytes(data), dtype=_DTYPE)
    return values if values.size == NUM_PERM else None


class NearDuplicateIndex:
    """An in-memory MinHash LSH over stored documents, rebuilt from ``documents.minhash`` each run."""

    def __init__(self, threshold: float = NEAR_THRESHOLD) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._lsh: MinHashLSH = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, doc_id: int, signature: np.ndarray) -> None:
        if doc_id not in self._signatures:
            self._signatures[doc_id] = signature
            self._lsh.insert(doc_id, _lean(signature))

    def add_all(self, rows: Iterable[tuple[int, np.ndarray]]) -> None:
        with self._lsh.insertion_session() as session:
            for doc_id, signature in rows:
                if doc_id not in self._signatures:
                    self._signatures[doc_id] = signature
                    session.insert(doc_id, _lean(signature))

    def best_match(self, signature: np.ndarray) -> tuple[int, float] | None:
        """The most similar indexed document at or above the threshold, with its estimated Jaccard similarity."""
        best: tuple[int, float] | None = None
        for doc_id in self._lsh.query(_lean(signature)):
            similarity = float(np.mean(self._signatures[doc_id] == signature))
            if similarity >= self.threshold and (best is None or similarity > best[1]):
                best = (doc_id, similarity)
        return best


@lru_cache(maxsize=1)
def _template() -> Any:
    # datasketch imports scipy (about a second); only a run that ingests pays for it
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME)


def _lean(signature: np.ndarray) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=_SEED, hashvalues=signature, scheme=_SCHEME)

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
_CHUNK = 8192  # shingles permuted at once: 8192 x 128 x 4 bytes = 4 MB
# The MurmurHash3 32-bit finaliser that datasketch's affine32 scheme mixes each hash with first.
_FMIX32 = tuple(map(np.uint32, (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)))

_WORD = re.compile(r"\w+")
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
    return " ".join(text.split())  # str.split's whitespace is re's \s, and twice as fast


def fingerprint(text: str) -> Fingerprint:
    norm = normalise(text)
    return Fingerprint(hashlib.sha256(norm.encode()).hexdigest(), minhash_signature(norm))


def minhash_signature(norm: str) -> np.ndarray:
    """The MinHash of the word 5-shingles of normalised text, equal to datasketch's
    ``MinHash.update_batch`` over the set of their UTF-8 bytes (seed, scheme and SHA-1 hash as
    pinned above), computed without its per-shingle Python calls.

    A text of at most ``SHINGLE_WORDS`` words is one shingle (an empty one without words). A
    shingle that occurs twice is hashed twice: the minimum is the same as over the set.
    """
    joined = " ".join(_WORD.findall(norm)).encode()
    n = SHINGLE_WORDS
    # a shingle is the bytes from the start of its first word to the end of its last (with
    # fewer than n words, the one shingle is all of them)
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == ord(" "))
    starts = [0, *(spaces[: 1 - n] + 1).tolist()]
    ends = [*spaces[n - 1 :].tolist(), len(joined)]
    sha1 = hashlib.sha1
    digests = b"".join([sha1(joined[s:e]).digest()[:4] for s, e in zip(starts, ends, strict=True)])
    a, b = _permutations()
    signature = np.full(NUM_PERM, np.iinfo(_DTYPE).max, dtype=_DTYPE)
    # datasketch's sha1_hash32: the first 4 bytes of the SHA-1, little-endian
    hashes = np.frombuffer(digests, dtype=_DTYPE)
    for chunk in range(0, hashes.size, _CHUNK):  # bounded memory for a book-length document
        mixed = _fmix32(hashes[chunk : chunk + _CHUNK].reshape(-1, 1))
        np.minimum(signature, (mixed * a + b).min(axis=0), out=signature)
    return signature


SIGNATURE_BYTES = NUM_PERM * _DTYPE.itemsize


def signature_from_bytes(data: bytes) -> np.ndarray | None:
    """A stored signature; None when it is not ``SIGNATURE_BYTES`` long (a corrupt row)."""
    data = bytes(data)
    return np.frombuffer(data, dtype=_DTYPE) if len(data) == SIGNATURE_BYTES else None


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


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``h -> a * h + b mod 2**32`` of the pinned MinHash, as uint32."""
    a, b = _template().permutations
    return a.astype(_DTYPE), b.astype(_DTYPE)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, element-wise (uint32 products wrap around, as intended)."""
    shift1, mult1, shift2, mult2, shift3 = _FMIX32
    values = values ^ (values >> shift1)
    values = values * mult1
    values = values ^ (values >> shift2)
    values = values * mult2
    return values ^ (values >> shift3)


def _lean(signature: np.ndarray) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=_SEED, hashvalues=signature, scheme=_SCHEME)

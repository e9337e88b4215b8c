"""A cheap first stage before the encoder: a linear model over hashed words and word pairs.

It scores a sentence in microseconds and lets through only those that might hold any item; its
threshold is set on the dev split for a recall of at least ``PREFILTER_RECALL`` of the sentences
that do, so the encoder (milliseconds per sentence) sees a fraction of the text. Weights live in
``prefilter.npz`` beside the encoder and are listed, with their digest, in the same manifest.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

BUCKETS = 1 << 18
PREFILTER_RECALL = 0.98
_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d+")


def features(text: str) -> list[int]:
    """Hashed indices of the lower-cased words and adjacent word pairs (deduplicated)."""
    words = _TOKEN.findall(text.lower())
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return sorted({zlib.crc32(g.encode()) % BUCKETS for g in grams})


class Prefilter:
    def __init__(self, weights: np.ndarray, bias: float, threshold: float) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold

    @classmethod
    def load(cls, path: Path, threshold: float) -> Prefilter:
        data = np.load(path)
        return cls(data["weights"].astype(np.float32), float(data["bias"]), threshold)

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            np.savez_compressed(
                fh, weights=self.weights.astype(np.float16), bias=np.float32(self.bias)
            )

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return self.scores_of([features(t) for t in texts])

    def scores_of(self, feats: Sequence[list[int]]) -> np.ndarray:
        """Scores of sentences given by their ``features`` (computed once by the caller)."""
        w = self.weights
        return np.array([self.bias + float(w[f].sum()) for f in feats], dtype=np.float32)

    def keep(self, texts: Sequence[str]) -> list[bool]:
        return self.keep_of([features(t) for t in texts])

    def keep_of(self, feats: Sequence[list[int]]) -> list[bool]:
        return [bool(s >= self.threshold) for s in self.scores_of(feats)]


def feature_matrix(texts: Sequence[str]) -> Any:
    """The sentences' hashed features as a sparse 0/1 matrix (scipy, the ``train`` extra):
    what the prefilter and the lexical heads are fitted on."""
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    for i, t in enumerate(texts):
        f = features(t)
        rows.extend([i] * len(f))
        cols.extend(f)
    return csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), BUCKETS)
    )


def fit(texts: Sequence[str], positive: Sequence[bool], seed: int) -> Prefilter:
    """Logistic regression (scikit-learn, the ``train`` extra) on hashed features."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed)
    model.fit(feature_matrix(texts), np.array(positive, dtype=np.int8))
    return Prefilter(model.coef_[0].astype(np.float32), float(model.intercept_[0]), 0.0)


def recall_threshold(
    scores: np.ndarray, positive: np.ndarray, recall: float = PREFILTER_RECALL
) -> float:
    """The highest threshold that keeps at least ``recall`` of the positive sentences."""
    pos = np.sort(scores[positive > 0])
    if not len(pos):
        return float("-inf")
    k = int(np.floor((1 - recall) * len(pos)))
    return float(pos[k]) - 1e-6

"""The shipped statement classifier: it loads from the package, refuses missing or corrupt
files with a clear error, and separates a threat from its look-alikes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from redline.errors import ModelError
from redline.model.classifier import MODEL_DIR, StatementClassifier, load_classifier, read_manifest


def test_shipped_model_is_small_and_complete() -> None:
    manifest = read_manifest()
    total = sum((MODEL_DIR / name).stat().st_size for name in manifest["files"])
    assert total <= 100 * 1024 * 1024
    assert manifest["classes"] == ["threat", "crossing", "response", "outcome_claim"]
    assert all(0 < t < 1 for t in manifest["thresholds"].values())
    assert manifest["training"]["data_digest"]


def test_threat_scores_above_its_look_alikes() -> None:
    clf = load_classifier()
    sentences = [
        # written for this test, not taken from any article
        "The defence minister warned that if the alliance sends troops, Moscow will strike them.",
        "Analysts say the army could launch a new offensive at any time this spring.",
        "The government said it will not impose new tariffs on steel this year.",
        "Heavy rain is expected across the north of the country on Sunday.",
    ]
    p = clf.probabilities(sentences)
    threat = clf.classes.index("threat")
    assert p[0, threat] > max(p[1, threat], p[2, threat], p[3, threat])
    assert p[3].max() < 0.5
    assert clf.predict([]) == []


def test_missing_or_corrupt_model_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "model"
    shutil.copytree(MODEL_DIR, broken)
    with (broken / "classifier.onnx").open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelError, match=r"classifier.onnx: model file is corrupt"):
        StatementClassifier(broken)
    shutil.copy(MODEL_DIR / "classifier.onnx", broken / "classifier.onnx")
    (broken / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match=r"tokenizer.json: model file missing"):
        StatementClassifier(broken)
    (broken / "manifest.json").unlink()
    with pytest.raises(ModelError, match=r"manifest.json: the statement classifier is missing"):
        StatementClassifier(broken)

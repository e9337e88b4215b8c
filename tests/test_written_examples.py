"""Sentences written from the codebook as extra training data: read strictly, train only, and
never copied from the corpora the gold is drawn from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import shared_path

from redline.errors import ModelError
from redline.gold.annotations import CLASSES, Split
from redline.gold.evaluation import load
from redline.model.crossval import train_digest
from redline.model.dataset import WRITTEN_DIR, written_agreement, written_examples


def _packaged() -> list[Path]:
    return sorted(WRITTEN_DIR.glob("*.jsonl"))


def test_packaged_written_sentences_are_labelled_and_train_only() -> None:
    files = _packaged()
    assert files, f"no written training sentences in {WRITTEN_DIR}"
    rows = [ex for f in files for ex in written_examples(f)]
    assert len(rows) >= 500
    assert all(ex.split is Split.TRAIN and ex.source == "written" for ex in rows)
    counts = {c: sum(c in ex.labels for ex in rows) for c in CLASSES}
    negatives = sum(not ex.labels for ex in rows)
    # every kind the classifier learns is written, and the look-alikes that are none of them
    assert counts["threat"] >= 100 and counts["crossing"] >= 50 and counts["response"] >= 50
    assert negatives >= 200


def test_a_malformed_line_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(
        '{"text": "If they send the jets, we will cut the gas.", "labels": ["threat"]}\n'
        '{"text": "The talks resume on Monday.", "labels": ["rumour"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(ModelError, match=r"mine\.jsonl:2: 'labels'"):
        written_examples(path)
    path.write_text('{"text": "Markets fell.", "labels": []}\n', encoding="utf-8")
    with pytest.raises(ModelError, match=r"mine\.jsonl:1: a sentence with no label needs"):
        written_examples(path)
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"mine\.jsonl:1: not JSON"):
        written_examples(path)
    with pytest.raises(ModelError, match=r"absent\.jsonl: cannot read"):
        written_examples(tmp_path / "absent.jsonl")


def test_a_sentence_written_twice_is_kept_once_and_changes_the_digest(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    line = '{"text": "Any  strike on the port will be answered.", "labels": ["threat"]}\n'
    path.write_text(line + line, encoding="utf-8")
    rows = written_examples(path)
    assert [ex.text for ex in rows] == ["Any strike on the port will be answered."]
    other = tmp_path / "other.jsonl"
    other.write_text(line.replace("port", "bridge"), encoding="utf-8")
    # the out-of-fold table of one set of written sentences is not reused for another
    assert train_digest(rows) != train_digest(written_examples(other))


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_written_sentence_repeats_eight_words_of_a_gold_document() -> None:
    """The written sentences are made up: none shares a run of eight words with any article or
    statement the gold annotates (the corpora stay in ../shared, never in the project)."""
    _gold, documents = load(shared_path())
    corpus: set[tuple[str, ...]] = set()
    for doc in documents.values():
        corpus |= _shingles(doc.text)
    copied = [
        ex.doc for f in _packaged() for ex in written_examples(f) if _shingles(ex.text) & corpus
    ]
    assert not copied, f"written sentences sharing eight words with the corpus: {copied[:10]}"


def test_train_refuses_a_bad_written_file_before_training(tmp_path: Path) -> None:
    """``redline train --written`` reads every file first: a bad line stops it with the file and
    the line named, before any model is trained or written."""
    import subprocess
    import sys

    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"text": "Any blockade will be answered.", "labels": ["threat"]}\n{"text": ""}\n',
        encoding="utf-8",
    )
    out = tmp_path / "model"
    done = subprocess.run(
        [sys.executable, "-m", "redline", "train", "--written", str(bad), "--out", str(out)]
        + ["--shared", str(shared_path())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "bad.jsonl:2: 'text' must be a non-empty string" in " ".join(done.stderr.split())
    assert not out.exists()


def test_a_second_annotator_agrees_with_the_written_labels() -> None:
    """A second annotator labelled 200 sampled written sentences from the codebook alone."""
    agreement = written_agreement()
    assert agreement["sentences"] == 200
    assert agreement["label_set"] >= 0.8
    assert min(agreement[c] for c in ("threat", "crossing", "response")) >= 0.7

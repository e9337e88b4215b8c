"""The shipped statement classifier: it loads from the package, refuses missing or corrupt
files with a clear error, and separates a threat from its look-alikes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redline.errors import ModelError
from redline.model.classifier import MODEL_DIR, StatementClassifier, load_classifier, read_manifest
from redline.model.crossval import OutOfFold, Table
from redline.model.lexical import LexicalHeads
from redline.model.prefilter import BUCKETS


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
    for name, at in (("classifier.onnx", 1000), ("lexical.npz", 100)):
        with (broken / name).open("r+b") as fh:
            fh.seek(at)
            fh.write(b"\x00\x01\x02\x03")
        with pytest.raises(ModelError, match=rf"{name}: model file is corrupt"):
            StatementClassifier(broken)
        shutil.copy(MODEL_DIR / name, broken / name)
    (broken / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match=r"tokenizer.json: model file missing"):
        StatementClassifier(broken)
    (broken / "manifest.json").unlink()
    with pytest.raises(ModelError, match=r"manifest.json: the statement classifier is missing"):
        StatementClassifier(broken)


def test_a_file_missing_from_a_directory_of_ones_own_is_not_mended_by_reinstalling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model trained with `redline train -o DIR` and missing a file was told to reinstall
    Redline, which restores none of DIR; the error names DIR and says to train or copy it
    again. The shipped model's own directory is still mended by reinstalling."""
    import redline.model.classifier as classifier

    mine = tmp_path / "my model"
    shutil.copytree(MODEL_DIR, mine)
    (mine / "tokenizer.json").unlink()
    with pytest.raises(ModelError) as caught:
        StatementClassifier(mine)
    assert "reinstall" not in str(caught.value)
    assert f"train it again (`redline train -o {mine}`) or copy" in str(caught.value)
    (mine / "manifest.json").unlink()
    with pytest.raises(ModelError, match="is missing") as caught:
        StatementClassifier(mine)
    assert "reinstall" not in str(caught.value) and f"{mine} is not a whole" in str(caught.value)
    monkeypatch.setattr(classifier, "MODEL_DIR", mine)  # as if it were the package's own
    with pytest.raises(ModelError, match=r"is missing \(reinstall redline"):
        StatementClassifier(mine)


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda m: m["files"].pop("tokenizer.json"), "does not name tokenizer.json"),
        (lambda m: m["files"].clear(), "does not name classifier.onnx"),
        (lambda m: m.update(files=["classifier.onnx"]), "plain name to its SHA-256"),
        (lambda m: m["thresholds"].pop("threat"), "a number for every class"),
        (lambda m: m["gates"].update(threat={"lo": 0.2}), "'low' and 'high'"),
        (lambda m: m.update(max_length="64"), "'max_length' must be a whole number"),
        (lambda m: m.pop("prefilter_threshold"), "'prefilter_threshold' must be a number"),
    ],
)
def test_a_manifest_that_does_not_hold_together_is_a_clear_error(
    tmp_path: Path, edit: Callable[[dict[str, Any]], object], why: str
) -> None:
    """A model directory whose manifest was edited or half written failed in a KeyError,
    TypeError or ValueError traceback, or, naming no tokenizer (or no file), loaded the files
    it did not name unchecked: a corrupt tokenizer then gave wrong predictions."""
    broken = tmp_path / "model"
    shutil.copytree(MODEL_DIR, broken)
    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    (broken / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(
        ModelError, match=rf"manifest.json: the model manifest is not usable: .*{why}"
    ):
        StatementClassifier(broken)
    (broken / "manifest.json").write_bytes(b"\xff\xfe[")
    with pytest.raises(ModelError, match=r"manifest.json: cannot read the model manifest"):
        StatementClassifier(broken)


def test_the_encoder_reads_the_end_of_the_sentence_before_as_a_first_segment() -> None:
    """With context, the input is [CLS] <last N tokens of the sentence before> [SEP] <the
    sentence> [SEP], segment ids 0 then 1 (the model pools segment 1 only); without, the
    sentence alone, as the tokenizer gives it; a first sentence has an empty context."""
    from redline.model.classifier import SentenceEncoder

    path = MODEL_DIR / "tokenizer.json"
    paired = SentenceEncoder(path, 16, context_tokens=3)
    alone = SentenceEncoder(path, 16)
    before = "The minister spoke for a long time about the weapons and then he said"
    sentence = "We will answer any strike on our territory with all the means we have at hand."
    feeds = paired.feeds([sentence, sentence], [before, ""])
    ids, mask, types = feeds["input_ids"], feeds["attention_mask"], feeds["token_type_ids"]
    cls, sep = paired._cls, paired._sep
    words = alone.tokenizer.encode(sentence, add_special_tokens=False).ids[:14]
    tail = alone.tokenizer.encode(before, add_special_tokens=False).ids[-3:]
    assert ids[0].tolist() == [cls, *tail, sep, *words, sep]
    assert types[0].tolist() == [0] * 5 + [1] * 15 and mask[0].all()
    # the first sentence of a document: no context tokens, padded to the batch's longest
    assert ids[1, :17].tolist() == [cls, sep, *words, sep] and not ids[1, 17:].any()
    assert types[1].tolist() == [0, 0] + [1] * 15 + [0] * 3
    assert mask[1].tolist() == [1] * 17 + [0] * 3
    # sentence only: what the tokenizer alone gives, segment ids all 0, context ignored
    one = alone.feeds([sentence], [before])
    assert one["input_ids"][0].tolist() == alone.tokenizer.encode(sentence).ids
    assert not one["token_type_ids"].any()
    with pytest.raises(ValueError):
        paired.feeds([sentence], [])
    # the classifier checks the contexts line up with the sentences, whichever model it runs
    for wrong in (["only one"], ["one", "two", "three"]):
        with pytest.raises(ValueError):
            load_classifier().gated_probabilities(["Russia warned.", "It rained."], contexts=wrong)


def test_the_classifier_blends_the_encoder_with_the_lexical_heads() -> None:
    """What the extractor reads is, per class, the encoder's probability blended with the
    hashed-word heads' by the manifest's ``lexical_weights`` (threats half, responses 0.7;
    crossings and outcome claims the encoder alone); without heads, the encoder's alone."""
    clf = load_classifier()
    assert clf.lexical is not None
    weights = dict(zip(clf.classes, clf.lexical_weights.tolist(), strict=True))
    assert weights == pytest.approx(read_manifest()["lexical_weights"])
    assert weights["threat"] == 0.5 and weights["crossing"] == 0.0
    sentences = [
        # written for this test
        "If the rebels cross the river, our army will answer with force.",
        "The council met on Tuesday to discuss the budget.",
    ]
    blended = clf.probabilities(sentences)
    encoder_only = StatementClassifier(MODEL_DIR)
    encoder_only.lexical = None
    alone = encoder_only.probabilities(sentences)
    lexical = clf.lexical.probabilities(sentences)
    w = clf.lexical_weights
    assert np.allclose(blended, (1 - w) * alone + w * lexical, atol=1e-6)
    # the extractor's path reads each sentence's words once for the prefilter and the heads:
    # the same probabilities for every sentence the prefilter keeps
    assert clf.prefilter is not None
    kept = clf.prefilter.keep(sentences)
    gated = clf.gated_probabilities(sentences)
    assert kept[0] and all(
        np.allclose(gated[i], blended[i] if k else 0.0) for i, k in enumerate(kept)
    )
    threat, crossing = clf.classes.index("threat"), clf.classes.index("crossing")
    assert not np.allclose(blended[:, threat], alone[:, threat])  # the heads count for threats
    assert np.allclose(blended[:, crossing], alone[:, crossing])  # and not for crossings


def test_lexical_heads_round_trip_and_refuse_a_bad_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    heads = LexicalHeads(
        rng.normal(0, 0.1, (2, BUCKETS)).astype(np.float32), np.array([0.5, -1.0], np.float32)
    )
    heads.save(tmp_path / "h.npz")
    again = LexicalHeads.load(tmp_path / "h.npz")
    texts = ["a sentence written for this test", ""]
    assert np.allclose(heads.probabilities(texts), again.probabilities(texts), atol=1e-2)
    # no words: the bias alone
    assert np.allclose(again.probabilities([""])[0], 1 / (1 + np.exp(-np.array([0.5, -1.0]))))
    with pytest.raises(ModelError, match="expected"):
        LexicalHeads(np.zeros((2, 10), np.float32), np.zeros(2, np.float32))
    (tmp_path / "bad.npz").write_bytes(b"not an npz file")
    with pytest.raises(ModelError, match=r"bad.npz: cannot read the lexical heads"):
        LexicalHeads.load(tmp_path / "bad.npz")
    whole = (tmp_path / "h.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ModelError, match=r"cut.npz: cannot read the lexical heads"):
        LexicalHeads.load(tmp_path / "cut.npz")
    flipped = bytearray(whole)
    for i in range(200, 260):
        flipped[i] ^= 0xFF
    (tmp_path / "flipped.npz").write_bytes(bytes(flipped))
    with pytest.raises(ModelError, match=r"flipped.npz: "):
        LexicalHeads.load(tmp_path / "flipped.npz")
    np.savez(tmp_path / "shape.npz", weights=np.zeros((2, 10)), bias=np.zeros(2))
    with pytest.raises(ModelError, match=r"shape.npz: lexical heads of shape"):
        LexicalHeads.load(tmp_path / "shape.npz")


def test_out_of_fold_scoring_refuses_a_table_without_lexical_rows() -> None:
    """A model with heads calibrated on encoder-only out-of-fold rows would set its gates on
    probabilities it never gives: refused, with the command that adds the rows, whether the
    table has no lexical rows at all or lacks a sentence's."""
    clf = load_classifier()
    # written for this test; long enough and worded so that the prefilter passes it
    text = "If the rebels cross the river, our army will answer with force."
    assert clf.prefilter is None or clf.prefilter.keep([text]) == [True]
    fold = np.array([0.2, 0.1, 0.3, 0.0])
    with pytest.raises(ModelError, match=r"python -m redline.model.lexical"):
        OutOfFold(clf, Table({text: fold}, frozenset({"doc"}), None))
    with pytest.raises(ModelError, match=r"python -m redline.model.lexical"):
        OutOfFold(clf, Table({text: fold}, frozenset({"doc"}), {})).gated_probabilities([text])
    lexical = np.array([0.6, 0.9, 0.5, 0.0])
    got = OutOfFold(clf, Table({text: fold}, frozenset(), {text: lexical})).gated_probabilities(
        [text]
    )[0]
    w = clf.lexical_weights
    assert np.allclose(got, (1 - w) * fold + w * lexical)


def test_a_model_that_learns_from_dev_sets_its_gates_out_of_fold_only(tmp_path: Path) -> None:
    """`redline train --learn-dev` adds the dev split to what the encoder and heads learn from;
    dev can then no longer place the gates, so training refuses to start without an
    out-of-fold table that held the dev documents out by fold too."""
    import random

    from tests.conftest import shared_path

    from redline.gold.annotations import Split, learned_splits
    from redline.gold.evaluation import load
    from redline.model.crossval import OOF_FILE, table_matches, train_digest
    from redline.model.dataset import examples
    from redline.model.train import TrainConfig, train, training_sets

    gold, documents = load(shared_path())
    data = examples(gold, documents)
    plain, final = TrainConfig(), TrainConfig(learn_dev=True)
    assert learned_splits(plain.learn_dev) == {Split.TRAIN}
    assert learned_splits(final.learn_dev) == {Split.TRAIN, Split.DEV}
    learned, dev = training_sets(data, plain, random.Random(1))
    learned_too, dev_too = training_sets(data, final, random.Random(1))
    assert {ex.split for ex in learned} == {Split.TRAIN} and dev == dev_too
    assert {ex.split for ex in learned_too} == {Split.TRAIN, Split.DEV}
    assert {(ex.doc, ex.start) for ex in dev} <= {(ex.doc, ex.start) for ex in learned_too}
    assert not any(ex.split == Split.TEST for ex in learned_too)  # test is never read
    # a table is valid for the splits its folds held out
    assert train_digest(data) != train_digest(data, learn_dev=True)
    shipped_learns_dev = "dev" in StatementClassifier().learned_from
    assert table_matches(data, OOF_FILE, learn_dev=shipped_learns_dev)
    assert not table_matches(data, OOF_FILE, learn_dev=not shipped_learns_dev)
    other = tmp_path / "out_of_fold.json"
    shutil.copy(OOF_FILE, other)
    if shipped_learns_dev:  # refusing must not depend on which model ships
        other.write_text('{"config": {}}')
    with pytest.raises(ModelError, match="learns from dev"):
        train(data, tmp_path / "model", final, calibration=(gold, documents), out_of_fold=other)
    with pytest.raises(ModelError, match="learns from dev"):
        train(data, tmp_path / "model", final, calibration=(gold, documents), out_of_fold=None)
    assert not (tmp_path / "model").exists()  # refused before training, nothing written


@pytest.mark.parametrize("value", ["two", "-1", "999999"])
def test_a_bad_thread_count_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """``REDLINE_MODEL_THREADS=two`` failed every document with "ValueError: invalid literal
    for int()"; 999999 made onnxruntime start that many threads in each worker."""
    monkeypatch.setenv("REDLINE_MODEL_THREADS", value)
    with pytest.raises(ModelError, match=rf"REDLINE_MODEL_THREADS='{value}': .* 1 to 256"):
        StatementClassifier(MODEL_DIR)


def test_a_smoke_run_trains_on_the_review_decisions_it_reads() -> None:
    """`redline train --reviews-from LEDGER --limit 40` said it read the ledger's decisions,
    then trained on the first 40 gold sentences: the decisions, added last, never trained."""
    from redline.gold.annotations import Split
    from redline.model.dataset import Example
    from redline.model.train import limited

    def ex(source: str, n: int) -> Example:
        text = f"{source} sentence {n}."
        return Example(f"{source}{n}", 0, len(text), text, frozenset(), Split.TRAIN, source)

    data = [ex("news", n) for n in range(50)] + [ex("review", 0), ex("review", 1)]
    kept = limited(data, 40)
    assert len(kept) == 40 and [e.source for e in kept[:2]] == ["review", "review"]
    assert kept[2:] == data[:38]
    assert limited(data[:50], 40) == data[:40]  # without reviews: the first sentences, as before

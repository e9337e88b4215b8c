"""The short attention mask (redline.model.attention_mask): fewer operators, the same numbers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from onnx import TensorProto, helper  # noqa: E402

from redline.model.attention_mask import simplify_mask  # noqa: E402

# written for this test: one "token" per word, valued by its length
TEXTS = ("a bb ccc", "dddd e", "ff ggg hhhh i jj", "k")


def _encode(texts: Sequence[str]) -> dict[str, np.ndarray]:
    rows = [[float(len(w)) for w in t.split()] for t in texts]
    width = max(len(r) for r in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return {"input_ids": ids, "attention_mask": mask}


def _long_way_attention() -> object:
    """One attention step with the mask exported the long way: the 2-D mask expanded to
    (batch, 1, query, key), 0 or -inf added to the scores, and a NaN guard after the softmax."""
    c = helper.make_tensor
    nodes = [
        helper.make_node("Cast", ["input_ids"], ["x"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["x", "axes_q"], ["xq"]),
        helper.make_node("Unsqueeze", ["x", "axes_k"], ["xk"]),
        helper.make_node("Mul", ["xq", "xk"], ["scores"]),  # (batch, 1, query, key)
        helper.make_node("Cast", ["attention_mask"], ["m"], to=TensorProto.BOOL),
        helper.make_node("Unsqueeze", ["m", "axes_k"], ["m4"]),
        helper.make_node("Shape", ["scores"], ["shape"]),
        helper.make_node("Expand", ["m4", "shape"], ["mask4d"]),
        helper.make_node("Where", ["mask4d", "zero", "minus_inf"], ["bias"]),
        helper.make_node("Add", ["scores", "bias"], ["masked"]),
        helper.make_node("Softmax", ["masked"], ["p"], axis=-1),
        helper.make_node("IsNaN", ["p"], ["nan"]),
        helper.make_node("Where", ["nan", "zero", "p"], ["guarded"]),
        helper.make_node("Unsqueeze", ["x", "axes_q"], ["values"]),
        helper.make_node("MatMul", ["guarded", "values"], ["mixed"]),
        helper.make_node("ReduceSum", ["mixed", "axes_sum"], ["logits"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "attention",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, None)],
        [
            c("axes_q", TensorProto.INT64, [2], [1, 3]),
            c("axes_k", TensorProto.INT64, [2], [1, 2]),
            c("axes_sum", TensorProto.INT64, [1], [-1]),
            c("zero", TensorProto.FLOAT, [], [0.0]),
            c("minus_inf", TensorProto.FLOAT, [], [-np.inf]),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_the_mask_is_read_once_and_the_nan_guard_goes_with_the_same_outputs() -> None:
    from redline.model.static_shapes import _session

    model = _long_way_attention()
    short, removed = simplify_mask(model, _encode, TEXTS)
    ops = [n.op_type for n in short.graph.node]
    # the long way (Cast, Unsqueeze, Shape, Expand) and the guard (IsNaN, Where) out, the short
    # way (Unsqueeze, Cast) in
    assert removed == 4
    assert "IsNaN" not in ops and "Expand" not in ops
    before, after = _session(model), _session(short)
    padded = _encode(TEXTS)  # four lengths: three of the four rows padded
    (want,) = before.run(None, padded)
    (got,) = after.run(None, padded)
    assert np.array_equal(want, got)
    # the pads are still masked: the short sentence padded reads as it does alone
    assert np.array_equal(got[3:, :, :1], after.run(None, _encode(TEXTS[3:]))[0])
    assert simplify_mask(short, _encode, TEXTS)[1] == 0


def test_a_rewrite_that_would_change_an_output_is_not_kept() -> None:
    """A mask that is not the keys' padding (here it masks the padded queries' rows whole, so
    the guard is needed too) is not replaced: the model is left as it was."""
    model = _long_way_attention()
    for node in model.graph.node:
        if node.output[0] == "m4":
            node.input[1] = "axes_q"  # (batch, 1, query, 1): masks queries, not keys
    assert simplify_mask(model, _encode, TEXTS) == (model, 0)


def test_the_shipped_encoder_has_the_short_mask() -> None:
    from redline.model.classifier import MODEL_DIR

    model = onnx.load(str(MODEL_DIR / "classifier.onnx"))
    ops = [n.op_type for n in model.graph.node]
    assert "IsNaN" not in ops
    assert any(n.name == "attention_mask/keys/cast" for n in model.graph.node)

"""The exported encoder's attention mask, computed the short way: the same numbers, fewer operators.

The tracer exports the mask the way the library builds it for any attention variant: the 2-D
mask (batch, tokens) is turned into a 4-D one (batch, 1, query, key) by ranges, gathers and
``And`` (about 40 operators), each layer turns that into 0 or -inf and adds it to its scores,
and after the softmax a ``Where(IsNaN(p), 0, p)`` guards against a row with every key masked.
For BERT's padding mask the query dimension only repeats the key mask, so this module gives
the layers the 2-D mask reshaped to (batch, 1, 1, key), which ``Add`` broadcasts to the same
sums, and drops the NaN guard: a row is never all masked, since [CLS] is always there, so the
softmax has nothing to guard. At one sentence per call (``classifier.BATCH``) those operators
are a real share of each call. As ``static_shapes`` does, the result is kept only when its
outputs equal the original's bit for bit on sample sentences alone and on a padded batch of
two; otherwise the model is left as it was. It needs ``onnx`` (the ``train`` extra).

Run it on a model directory (``python -m redline.model.attention_mask DIR``) to rewrite
``classifier.onnx`` there and record its new digest in the manifest.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from redline.model.static_shapes import (
    SAMPLES,
    _drop_unused,
    rewrite_directory,
    rewrite_file,
    same_outputs,
)

MASK = "attention_mask"
KEYS = "attention_mask/keys"  # the mask as (batch, 1, 1, key) booleans


def simplify_mask(model: Any, encode: Any, samples: Sequence[str] = SAMPLES) -> tuple[Any, int]:
    """(a copy of ``model`` with the short mask and no NaN guards, how many operators fewer),
    or (``model``, 0) when there is nothing to simplify or the copy would not compute exactly
    the same outputs on each of ``samples`` alone and on a padded batch of two. ``encode(texts)``
    gives the model's input feeds for a batch."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if MASK not in {i.name for i in model.graph.input}:
        return model, 0
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(model)
    graph = rewritten.graph
    before = len(graph.node)
    scalars = _scalar_constants(graph)
    producer = {o: n for n in graph.node for o in n.output}

    def renamed(old: str, new: str) -> None:
        for node in graph.node:
            for k, name in enumerate(node.input):
                if name == old:
                    node.input[k] = new

    # each layer's Where(mask, 0, -inf): its condition becomes the 2-D mask as (batch, 1, 1, key)
    conditions = {
        n.input[0]
        for n in graph.node
        if n.op_type == "Where"
        and scalars.get(n.input[1]) == 0.0
        and scalars.get(n.input[2]) == -np.inf
    }
    if conditions:
        graph.initializer.append(
            numpy_helper.from_array(np.array([1, 2], dtype=np.int64), f"{KEYS}/axes")
        )
        short = [
            helper.make_node(
                "Unsqueeze", [MASK, f"{KEYS}/axes"], [f"{KEYS}/int"], name=f"{KEYS}/unsqueeze"
            ),
            helper.make_node(
                "Cast", [f"{KEYS}/int"], [KEYS], to=TensorProto.BOOL, name=f"{KEYS}/cast"
            ),
        ]
        for name in conditions:
            renamed(name, KEYS)
        for k, node in enumerate(short):
            graph.node.insert(k, node)
    # Where(IsNaN(p), 0, p) after each softmax: p itself
    for node in list(graph.node):
        guard = producer.get(node.input[0]) if node.op_type == "Where" else None
        if (
            guard is not None
            and guard.op_type == "IsNaN"
            and node.input[2] == guard.input[0]
            and scalars.get(node.input[1]) == 0.0
        ):
            renamed(node.output[0], guard.input[0])
    _drop_unused(graph)
    removed = before - len(graph.node)
    if removed <= 0 or not _same_outputs(model, rewritten, encode, samples):
        return model, 0
    return rewritten, removed


def _scalar_constants(graph: Any) -> dict[str, float]:
    """The one-element float constants of ``graph`` (``Constant`` nodes and initializers)."""
    from onnx import numpy_helper

    tensors = [(i.name, i) for i in graph.initializer] + [
        (n.output[0], a.t)
        for n in graph.node
        if n.op_type == "Constant"
        for a in n.attribute
        if a.name == "value"
    ]
    out: dict[str, float] = {}
    for name, tensor in tensors:
        value = numpy_helper.to_array(tensor)
        if value.size == 1 and value.dtype.kind == "f":
            out[name] = float(value.reshape(()))
    return out


def _same_outputs(model: Any, rewritten: Any, encode: Any, samples: Sequence[str]) -> bool:
    try:
        return same_outputs(model, rewritten, encode, samples)
    except Exception:  # onnxruntime raises its own types: a graph it refuses is not the same
        return False


def simplify_file(
    model_path: Path, tokenizer_path: Path, max_length: int, context_tokens: int = 0
) -> int:
    """Rewrite ``model_path`` in place with the short mask; how many operators fewer."""
    return rewrite_file(simplify_mask, model_path, tokenizer_path, max_length, context_tokens)


def main(argv: Sequence[str]) -> int:
    return rewrite_directory(simplify_mask, argv, "operators fewer")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

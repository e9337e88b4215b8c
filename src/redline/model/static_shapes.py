"""Fixed reshape targets for the exported encoder: the same numbers, fewer operators per call.

The tracer exports every ``Reshape`` of the attention layers with a target computed at run time
(``Shape`` -> ``Gather`` -> ``Unsqueeze`` -> ``Concat``: about 300 small operators for six
layers). Redline runs the encoder on one sentence per call (``classifier.BATCH``), so that
bookkeeping is a real share of each call. Every such target is either a constant or copies a
dimension of the tensor being reshaped, which ``Reshape`` can say with ``0`` (copy) and ``-1``
(infer) without computing anything. This module reads each target at two sentence lengths,
writes the constant form, removes what no longer feeds anything, and keeps the result only when
its outputs equal the original's bit for bit on sample sentences; otherwise the model is left
as it was. It needs ``onnx`` (the ``train`` extra); the shipped runtime needs only onnxruntime.

Run it on a model directory (``python -m redline.model.static_shapes DIR``) to rewrite
``classifier.onnx`` there and record its new digest in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# sentences of different lengths: the targets are read at the first two, the result is
# checked on all of them
SAMPLES = (
    "Russia warned of consequences.",
    "Russia warned that any delivery of long-range missiles to Ukraine would be met with a "
    "harsh response.",
    "The Kremlin said on Friday that Western weapons striking inside Russia would make NATO a "
    "party to the conflict, and that Moscow would respond with all the means at its disposal, "
    "including nuclear ones.",
    "No.",
    "Sanctions were imposed.",
)


def freeze_reshapes(model: Any, encode: Any, samples: Sequence[str] = SAMPLES) -> tuple[Any, int]:
    """(a copy of ``model`` with fixed reshape targets, how many were fixed), or (``model``, 0)
    when none can be fixed or the copy would not compute exactly the same outputs on each of
    ``samples`` alone and on a batch of two. ``encode(texts)`` gives the model's input feeds
    for a batch. Targets are read on one sentence and on a batch of two of another length, so
    a dimension that follows the batch is never taken for a constant."""
    import onnx
    from onnx import helper, numpy_helper

    constants = {i.name for i in model.graph.initializer}
    computed = [
        n for n in model.graph.node if n.op_type == "Reshape" and n.input[1] not in constants
    ]
    if not computed:
        return model, 0
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {
        v.name: v.type.tensor_type.elem_type
        for v in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]
    }
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    names: list[str] = []
    for node in computed:
        for name in node.input[:2]:
            if name not in names:
                names.append(name)
                kind = types.get(name, onnx.TensorProto.FLOAT)
                probe.graph.output.append(helper.make_tensor_value_info(name, kind, None))
    session = _session(probe)
    seen = [
        dict(zip(names, session.run(names, encode(batch)), strict=True))
        for batch in ([samples[0]], [samples[1], samples[2]])
    ]
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(model)
    graph = rewritten.graph
    fixed = 0
    for node in graph.node:
        if node.op_type != "Reshape" or node.input[1] not in names:
            continue
        target = _static_target([(run[node.input[0]].shape, run[node.input[1]]) for run in seen])
        if target is None:
            continue
        name = f"{node.input[1]}/static"
        graph.initializer.append(numpy_helper.from_array(np.array(target, dtype=np.int64), name))
        node.input[1] = name
        fixed += 1
    if not fixed:
        return model, 0
    _drop_unused(graph)
    if not same_outputs(model, rewritten, encode, samples):
        return model, 0
    return rewritten, fixed


def same_outputs(model: Any, rewritten: Any, encode: Any, samples: Sequence[str]) -> bool:
    """Does ``rewritten`` give exactly ``model``'s outputs, bit for bit, on each of
    ``samples`` alone and on a batch of two of different lengths (the first and third)?"""
    before, after = _session(model), _session(rewritten)
    for batch in [*([t] for t in samples), [samples[0], samples[2]]]:
        feeds = encode(batch)
        if not all(
            np.array_equal(a, b)
            for a, b in zip(before.run(None, feeds), after.run(None, feeds), strict=True)
        ):
            return False
    return True


def _static_target(runs: list[tuple[tuple[int, ...], np.ndarray]]) -> list[int] | None:
    """The constant target that gives, at both lengths seen, the shape the computed one gave:
    ``0`` where a dimension copies the reshaped tensor's at the same place, ``-1`` for the one
    left to infer, else the number itself; None when there is no such form."""
    (shape_a, target_a), (shape_b, target_b) = runs
    a_dims, b_dims = target_a.tolist(), target_b.tolist()
    if len(a_dims) != len(b_dims) or 0 in a_dims or 0 in b_dims:
        return None  # a literal 0 would read as "copy"
    out: list[int] = []
    for i, (a, b) in enumerate(zip(a_dims, b_dims, strict=True)):
        if i < len(shape_a) and i < len(shape_b) and (a, b) == (shape_a[i], shape_b[i]):
            out.append(0)
        elif a == b:
            out.append(a)
        else:
            out.append(-1)  # varies with the length: the one dimension inferred
    return out if out.count(-1) <= 1 else None


def _drop_unused(graph: Any) -> None:
    outputs = {o.name for o in graph.output}
    while True:
        used = {i for n in graph.node for i in n.input} | outputs
        dead = [n for n in graph.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    used = {i for n in graph.node for i in n.input}
    for init in [i for i in graph.initializer if i.name not in used]:
        graph.initializer.remove(init)


def _session(model: Any) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def encoder_feeds(encoder: Any, inputs: set[str]) -> Any:
    """``encode(texts)`` for a model's ``SentenceEncoder``, as the classifier feeds a batch
    (a model read with context gets the text before each sample as its context)."""

    def encode(texts: Sequence[str]) -> dict[str, np.ndarray]:
        from redline.model.classifier import contexts_of

        texts = list(texts)
        feeds: dict[str, np.ndarray] = encoder.feeds(texts, contexts_of(texts))
        if "token_type_ids" not in inputs:
            del feeds["token_type_ids"]
        return feeds

    return encode


# a rewrite of the encoder graph: (model, encode) -> (the rewritten model, how much it changed)
Rewrite = Callable[[Any, Any], tuple[Any, int]]


def rewrite_file(
    rewrite: Rewrite,
    model_path: Path,
    tokenizer_path: Path,
    max_length: int,
    context_tokens: int = 0,
) -> int:
    """Rewrite ``model_path`` in place by ``rewrite``, fed as the classifier feeds the model;
    how much it changed (0: the file is left as it was)."""
    import onnx

    from redline.model.classifier import SentenceEncoder

    encoder = SentenceEncoder(tokenizer_path, max_length, context_tokens)
    model = onnx.load(str(model_path))
    inputs = {i.name for i in model.graph.input}
    rewritten, changed = rewrite(model, encoder_feeds(encoder, inputs))
    if changed:
        onnx.save(rewritten, str(model_path))
    return changed


def freeze_file(
    model_path: Path, tokenizer_path: Path, max_length: int, context_tokens: int = 0
) -> int:
    """Rewrite ``model_path`` in place with fixed reshape targets; how many were fixed."""
    return rewrite_file(freeze_reshapes, model_path, tokenizer_path, max_length, context_tokens)


def rewrite_directory(rewrite: Rewrite, argv: Sequence[str], what: str) -> int:
    """The command line of a rewrite: rewrite ``classifier.onnx`` in the model directory
    ``argv[0]`` (default: the shipped one), record its new digest in the manifest, and say
    how much changed (``what``: "reshape targets fixed", ...)."""
    from redline.model.classifier import MANIFEST, MODEL_DIR, read_manifest

    directory = Path(argv[0]) if argv else MODEL_DIR
    manifest = read_manifest(directory)
    changed = rewrite_file(
        rewrite,
        directory / "classifier.onnx",
        directory / "tokenizer.json",
        int(manifest["max_length"]),
        int(manifest.get("context_tokens", 0)),
    )
    if changed:
        digest = hashlib.sha256((directory / "classifier.onnx").read_bytes()).hexdigest()
        manifest["files"]["classifier.onnx"] = digest
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    print(f"{directory / 'classifier.onnx'}: {changed} {what}")
    return 0


def main(argv: Sequence[str]) -> int:
    return rewrite_directory(freeze_reshapes, argv, "reshape targets fixed")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Would onnxruntime's fused attention make the shipped encoder cheaper? (nineteenth stop)

The shipped ``classifier.onnx`` is the exporter's graph, quantised (int8 weights, dynamic
activations), with its reshape targets and attention mask simplified (``static_shapes``,
``attention_mask``): about 466 operators a call. onnxruntime's transformer optimiser can fuse each
layer's attention into one ``Attention`` operator (``QAttention`` once quantised), the
embeddings into ``EmbedLayerNormalization``, the bias and GELU into ``BiasGelu``: about 150.

This script rebuilds a float model from the shipped weights (the int8 weights dequantised into
the training module; the float weights are not shipped), exports it with the eager attention
the optimiser recognises (transformers 5 exports its scaled-dot-product form otherwise, which
the optimiser leaves alone), and builds three variants from that one float graph:

- ``recipe``: quantised and simplified as ``redline train`` does (the shipped recipe);
- ``fused-int8``: fused, then quantised (``QAttention``);
- ``fused-float-attention``: fused, with only the plain matrix products quantised.

It times each, one sentence a call and one thread, interleaved over the same dev sentences
(CPU time, best and median of five passes), and prints how far each variant's probabilities
move from the recipe's. Needs the ``train`` extra (torch, transformers, onnx)::

    python scripts/compare_fused_attention.py --sentences 800 --work /tmp/fused
"""

from __future__ import annotations

import argparse
import collections
import shutil
import time
import warnings
from pathlib import Path

import numpy as np


def dequantised_module(model_file: Path):  # type: ignore[no-untyped-def]
    """The training module (``train._build``) holding the shipped graph's weights, dequantised:
    the 37 integer matrix products in graph order are the six layers' query, key, value,
    attention output, intermediate and output projections, then the head; the three quantised
    gathers are the embedding tables."""
    import onnx
    import torch
    from onnx import numpy_helper

    from redline.model import train

    graph = onnx.load(str(model_file)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    made_by = {out: node for node in graph.node for out in node.output}

    def dequantise(name: str, scale: str, zero: str | None) -> np.ndarray:
        q = init[name].astype(np.float32)
        z = init[zero].astype(np.float32) if zero else 0.0
        return ((q - z) * init[scale]).astype(np.float32)

    products = [n for n in graph.node if n.op_type == "MatMulInteger"]
    weights = []
    for node in products:
        stem = node.input[1].removesuffix("_quantized")
        weights.append(dequantise(node.input[1], stem + "_scale", stem + "_zero_point"))
    tables = []
    for node in graph.node:
        if node.op_type == "DequantizeLinear":
            gather = made_by[node.input[0]]
            zero = node.input[2] if len(node.input) > 2 else None
            tables.append(dequantise(gather.input[0], node.input[1], zero))
    model = train._build(train.base_model_dir())
    state = model.state_dict()
    new = {k: torch.from_numpy(np.array(init[k], dtype=np.float32)) for k in state if k in init}
    names = []
    for layer in range(6):
        p = f"encoder.encoder.layer.{layer}."
        names += [
            p + "attention.self.query",
            p + "attention.self.key",
            p + "attention.self.value",
            p + "attention.output.dense",
            p + "intermediate.dense",
            p + "output.dense",
        ]
    names.append("head")
    for name, w in zip(names, weights, strict=True):
        if tuple(state[name + ".weight"].shape) != w.T.shape:
            raise SystemExit(f"{model_file}: {name} does not fit a weight of shape {w.shape}")
        new[name + ".weight"] = torch.from_numpy(np.ascontiguousarray(w.T))
    for w in tables:
        for k in ("word", "position", "token_type"):
            key = f"encoder.embeddings.{k}_embeddings.weight"
            if key not in new and tuple(state[key].shape) == w.shape:
                new[key] = torch.from_numpy(w)
                break
    model.load_state_dict({**state, **new})
    model.eval()
    model.encoder.config._attn_implementation = "eager"
    return model


def export_float(model_file: Path, fp32: Path) -> None:
    """Write to ``fp32`` the float graph of ``model_file``'s weights (``dequantised_module``),
    exported with the eager attention onnxruntime's optimiser recognises."""
    import torch

    model = dequantised_module(model_file)
    ids = torch.tensor([[101, 2019, 2742, 6251, 102]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids)),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "logits": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )


def build(work: Path, model_file: Path, tokenizer: Path) -> dict[str, Path]:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    from redline.model.attention_mask import simplify_file
    from redline.model.static_shapes import freeze_file

    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(tokenizer, work / "tokenizer.json")
    fp32 = work / "fp32.onnx"
    export_float(model_file, fp32)
    out = {"recipe": work / "recipe.onnx"}
    quantize_dynamic(str(fp32), str(out["recipe"]), weight_type=QuantType.QInt8)
    freeze_file(out["recipe"], work / "tokenizer.json", 64, 0)
    simplify_file(out["recipe"], work / "tokenizer.json", 64, 0)
    fused = optimizer.optimize_model(str(fp32), model_type="bert", num_heads=12, hidden_size=384)
    print("fused:", {k: v for k, v in fused.get_fused_operator_statistics().items() if v})
    fused.save_model_to_file(str(work / "fused32.onnx"))
    float_type = {"DefaultTensorType": onnx.TensorProto.FLOAT}
    out["fused-int8"] = work / "fused-int8.onnx"
    quantize_dynamic(
        str(work / "fused32.onnx"),
        str(out["fused-int8"]),
        weight_type=QuantType.QInt8,
        extra_options=float_type,
    )
    out["fused-float-attention"] = work / "fused-float-attention.onnx"
    quantize_dynamic(
        str(work / "fused32.onnx"),
        str(out["fused-float-attention"]),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul"],
        extra_options=float_type,
    )
    for name, path in out.items():
        ops = collections.Counter(n.op_type for n in onnx.load(str(path)).graph.node)
        print(f"{name}: {sum(ops.values())} operators; {dict(ops.most_common(5))}")
    return out


def compare(models: dict[str, Path], tokenizer: Path, n: int) -> None:
    import onnxruntime as ort

    from redline.gold import evaluation
    from redline.model.classifier import SentenceEncoder

    _, documents = evaluation.load(None)
    sentences: list[str] = []
    for doc in documents.values():
        if doc.source == "news":
            sentences += [doc.text[s:e] for s, e in doc.sentences]
        if len(sentences) >= n:
            break
    encoder = SentenceEncoder(tokenizer, 64)
    feeds = [encoder.feeds([t]) for t in sentences[:n]]
    runs = []
    for name, path in models.items():
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        wanted = {i.name for i in session.get_inputs()}
        runs.append((name, session, [{k: v for k, v in f.items() if k in wanted} for f in feeds]))
    times: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    probs: dict[str, np.ndarray] = {}
    for _ in range(5):
        for name, session, fs in runs:
            started = time.process_time()
            logits = np.concatenate([session.run(None, f)[0] for f in fs])
            times[name].append(time.process_time() - started)
            probs[name] = 1 / (1 + np.exp(-logits))
    base = probs["recipe"]
    print(f"{len(feeds)} sentences, one a call, one thread, CPU time of five passes:")
    for name, spent in times.items():
        ms = sorted(1000 * t / len(feeds) for t in spent)
        moved = np.abs(probs[name] - base).max()
        print(
            f"  {name}: best {ms[0]:.2f} ms, median {ms[2]:.2f} ms a sentence; max |Δp| {moved:.3f}"
        )


def main() -> None:
    from redline.model.classifier import MODEL_DIR

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", type=int, default=800)
    ap.add_argument("--work", type=Path, default=Path("/tmp/redline-fused"))
    args = ap.parse_args()
    models = build(args.work, MODEL_DIR / "classifier.onnx", MODEL_DIR / "tokenizer.json")
    models = {"shipped": MODEL_DIR / "classifier.onnx", **models}
    compare(models, MODEL_DIR / "tokenizer.json", args.sentences)


if __name__ == "__main__":
    main()

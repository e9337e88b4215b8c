"""Would static int8 quantisation make the shipped encoder cheaper? (twentieth stop)

The shipped ``classifier.onnx`` quantises its activations dynamically: every call measures each
matrix product's input and picks one scale for it, so a sentence's probability depended on its
neighbours in a batch and the classifier scores one sentence a call (``docs/model-card.md``).
Static quantisation (onnxruntime's ``quantize_static``) fixes every activation's scale once, from
calibration sentences; a call then does no range measuring, and a batch of sentences of one
length is exact up to the order of summation.

This script rebuilds the float graph from the shipped int8 weights (``compare_fused_attention``:
the float weights are not shipped), fixes its reshape targets as ``redline train`` does
(``static_shapes``), and builds from it:

- ``recipe``: dynamic int8, as ``redline train`` quantises (how far re-quantising alone moves);
- ``float``: the float graph itself (what the int8 variants approximate);
- static variants: QDQ or QOperator format, weights int8 per channel, activations uint8 with
  ranges calibrated (MinMax, Percentile or Entropy) on ``--calibration`` sentences drawn
  (``--seed``) from the **train** split's sentences that reach the encoder (the lexical screen
  and the shipped prefilter let them through); ``weights`` quantises only the products with a
  weight (and the embedding lookups), their outputs left in float, as the shipped file does;
  ``all`` every matrix product (the attention's too) with int8 outputs passed through the
  reshapes and transposes between them, and ``-head-float`` keeps the last layer and the head in float.

It times the shipped file and each variant over the dev sentences that reach the encoder, one
thread, variants interleaved within each of three passes (CPU time, best of three), (a) one
sentence a call and (b) up to ``--batch`` sentences of one token length a call; counts the
batched logits equal to the same variant's one-sentence logits; and compares each variant's
probabilities, blended with the lexical heads as the extractor reads them, with the shipped
file's: the largest and median absolute change per class, and the dev sentences whose
probability falls on the other side of any class's low or high gate (``manifest.json``).
The test split is never read. Needs the ``train`` extra (torch, transformers, onnx)::

    python scripts/compare_static_quant.py --work /tmp/static-quant
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_fused_attention import export_float

FEEDS = ("input_ids", "attention_mask")  # what the rebuilt graphs read (no segment ids)


@dataclass(frozen=True)
class Static:
    """One static variant: ``quant_format`` QDQ or QOperator, ``method`` MinMax, Percentile or
    Entropy, ``scope`` weights or all, ``head_float``: the last layer and head left in float."""

    quant_format: str
    method: str
    scope: str
    head_float: bool = False

    @property
    def name(self) -> str:
        tail = "-head-float" if self.head_float else ""
        return f"{self.quant_format.lower()}-{self.method.lower()}-{self.scope}{tail}"


# the operator types each scope quantises: ``all`` leaves the mask (a ``Where`` with the
# largest float, which no histogram can bin), layer norm, softmax and pooling in float
SCOPE = {
    "weights": ["MatMul", "Gemm", "Gather"],
    "all": ["MatMul", "Gemm", "Gather", "Reshape", "Transpose"],
}
STATIC = (
    Static("QDQ", "MinMax", "weights"),
    Static("QDQ", "Percentile", "weights"),
    Static("QDQ", "Entropy", "weights"),
    Static("QOperator", "MinMax", "weights"),
    Static("QOperator", "Percentile", "weights"),
    Static("QDQ", "MinMax", "all"),
    Static("QDQ", "Percentile", "all"),
    Static("QDQ", "Percentile", "weights", head_float=True),
)


def encoder_sentences(split: Any) -> dict[str, list[str]]:
    """Each document's sentences in a gold split that reach the encoder in use: those the
    lexical screen and the shipped prefilter let through, in document order."""
    from redline.extract.learned import passes_screen
    from redline.gold import evaluation
    from redline.model.classifier import load_classifier
    from redline.model.dataset import examples

    prefilter = load_classifier().prefilter
    gold, documents = evaluation.load(None)
    out: dict[str, list[str]] = {}
    for ex in examples(gold, documents):
        if ex.split == split and passes_screen(ex.text):
            out.setdefault(ex.doc, []).append(ex.text)
    if prefilter is not None:
        out = {
            d: [t for t, k in zip(ts, prefilter.keep(ts), strict=True) if k]
            for d, ts in out.items()
        }
    return out


def distinct(by_document: dict[str, list[str]]) -> list[str]:
    return list(dict.fromkeys(t for texts in by_document.values() for t in texts))


class Calibration:
    """``quantize_static``'s data reader: one train sentence a call, as the classifier feeds;
    ``set_range`` limits it to some of them (``CalibStridedMinMax``)."""

    def __init__(self, feeds: list[dict[str, np.ndarray]]) -> None:
        self._feeds = feeds
        self._next: Iterator[dict[str, np.ndarray]] = iter(feeds)

    def __len__(self) -> int:
        return len(self._feeds)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._next, None)

    def set_range(self, start_index: int, end_index: int) -> None:
        self._next = iter(self._feeds[start_index:end_index])


def weight_nodes(model_file: Path) -> list[str]:
    """The operators that read a weight: the matrix products and the head with a constant
    second input, and the embedding lookups (what the shipped file quantises)."""
    import onnx

    graph = onnx.load(str(model_file)).graph
    weights = {i.name for i in graph.initializer}
    reads = {"MatMul": 1, "Gemm": 1, "Gather": 0}
    return [
        n.name
        for n in graph.node
        if n.op_type in reads and len(n.input) > 1 and n.input[reads[n.op_type]] in weights
    ]


def last_layer_nodes(model_file: Path) -> list[str]:
    """The operators of the last encoder layer and of the pooling and head after it."""
    import onnx

    nodes = onnx.load(str(model_file)).graph.node
    first = next(i for i, n in enumerate(nodes) if "/layer.5/" in n.name)
    return [n.name for n in nodes[first:]]


def build(
    work: Path, calibration: list[dict[str, np.ndarray]], variants: tuple[Static, ...]
) -> dict[str, Path]:
    """The rebuilt float graph, its dynamic re-quantisation and the static variants."""
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )

    from redline.model.classifier import MODEL_DIR
    from redline.model.static_shapes import freeze_file

    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(MODEL_DIR / "tokenizer.json", work / "tokenizer.json")
    fp32 = work / "float.onnx"
    export_float(MODEL_DIR / "classifier.onnx", fp32)
    freeze_file(fp32, work / "tokenizer.json", 64, 0)
    out = {"float": fp32, "recipe": work / "recipe.onnx"}
    quantize_dynamic(str(fp32), str(out["recipe"]), weight_type=QuantType.QInt8)
    reader = Calibration(calibration)
    for v in variants:
        path = work / f"{v.name}.onnx"
        started = time.time()
        quantize_static(
            str(fp32),
            str(path),
            reader,
            quant_format=getattr(QuantFormat, v.quant_format),
            # the calibration reads the tensors of these operator types only
            op_types_to_quantize=SCOPE[v.scope],
            nodes_to_quantize=weight_nodes(fp32) if v.scope == "weights" else None,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=getattr(CalibrationMethod, v.method),
            nodes_to_exclude=last_layer_nodes(fp32) if v.head_float else None,
            extra_options={
                # a weight's product gives float (onnxruntime's MatMulIntegerToFloat), as in
                # the shipped file, rather than a uint8 output quantised again
                **(
                    {"OpTypesToExcludeOutputQuantization": ["MatMul", "Gemm"]}
                    if v.scope == "weights"
                    else {}
                ),
                # calibrate one sentence at a time, the ranges merged: the histograms
                # (Percentile, Entropy) take one tensor shape per update (sentences differ in
                # length), and MinMax then holds one sentence's tensors, not all of them
                "CalibStridedMinMax": 1,
            },
        )
        print(f"built {v.name} in {time.time() - started:.0f} s", flush=True)
        out[v.name] = path
    return out


def session(path: Path) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def batches(feeds: list[dict[str, np.ndarray]], size: int) -> list[tuple[list[int], Any]]:
    """Up to ``size`` sentences of one token length a call: (their indices, the call's feeds)."""
    by_length: dict[int, list[int]] = {}
    for i, f in enumerate(feeds):
        by_length.setdefault(f["input_ids"].shape[1], []).append(i)
    out = []
    for _, idx in sorted(by_length.items()):
        for lo in range(0, len(idx), size):
            part = idx[lo : lo + size]
            out.append((part, {k: np.concatenate([feeds[i][k] for i in part]) for k in FEEDS}))
    return out


def run_alone(s: Any, feeds: list[dict[str, np.ndarray]]) -> np.ndarray:
    return np.concatenate([s.run(None, f)[0] for f in feeds])


def run_batched(s: Any, calls: list[tuple[list[int], Any]], shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape, dtype=np.float32)
    for idx, f in calls:
        out[idx] = s.run(None, f)[0]
    return out


def main() -> None:
    from redline.gold.annotations import Split
    from redline.model.classifier import MODEL_DIR, SentenceEncoder, load_classifier

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/redline-static-quant"))
    ap.add_argument("--calibration", type=int, default=400, help="train sentences to calibrate")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="build only these static variants (default: all)")
    args = ap.parse_args()
    variants = tuple(v for v in STATIC if not args.only or v.name in args.only)

    classifier = load_classifier()
    encoder = SentenceEncoder(MODEL_DIR / "tokenizer.json", classifier.max_length)

    def fed(texts: list[str]) -> list[dict[str, np.ndarray]]:
        return [{k: v for k, v in encoder.feeds([t]).items() if k in FEEDS} for t in texts]

    train = distinct(encoder_sentences(Split.TRAIN))
    picked = random.Random(args.seed).sample(train, min(args.calibration, len(train)))
    dev_documents = encoder_sentences(Split.DEV)
    dev = distinct(dev_documents)
    print(f"calibration: {len(picked)} of {len(train)} train sentences; dev: {len(dev)}")
    # the extractor scores a document at a time: how far batching by length goes within one
    lengths = [
        {int(encoder.feeds([t])["input_ids"].shape[1]) for t in texts}
        for texts in dev_documents.values()
    ]
    within = sum(map(len, dev_documents.values()))
    print(f"within one document: {within} dev sentences make {sum(map(len, lengths))} calls")
    models = {"shipped": MODEL_DIR / "classifier.onnx", **build(args.work, fed(picked), variants)}

    print(f"load average before timing: {os.getloadavg()}", flush=True)
    feeds = fed(dev)
    calls = batches(feeds, args.batch)
    sessions = {name: session(path) for name, path in models.items()}
    classes = classifier.classes
    alone_t: dict[str, list[float]] = {name: [] for name in sessions}
    batch_t: dict[str, list[float]] = {name: [] for name in sessions}
    alone: dict[str, np.ndarray] = {}
    batched: dict[str, np.ndarray] = {}
    for _ in range(args.passes):
        for name, s in sessions.items():
            started = time.process_time()
            alone[name] = run_alone(s, feeds)
            alone_t[name].append(time.process_time() - started)
            started = time.process_time()
            batched[name] = run_batched(s, calls, (len(feeds), len(classes)))
            batch_t[name].append(time.process_time() - started)

    print(f"load average after timing: {os.getloadavg()}")
    gates = classifier.gates()

    def blended(logits: np.ndarray) -> np.ndarray:
        return np.asarray(classifier.combined(1 / (1 + np.exp(-logits)), dev))

    base = blended(alone["shipped"])
    exact = blended(alone["float"])
    ms = 1000 / len(feeds)
    best = {name: min(t) * ms for name, t in alone_t.items()}
    print(
        f"\n{len(feeds)} dev sentences, {len(calls)} batched calls (up to {args.batch} of one "
        f"length), one thread, CPU time, best of {args.passes} interleaved passes"
    )
    print(
        "variant | ms alone | / shipped | ms batched | / shipped alone | max |dp| and median |dp| "
        + " / ".join(classes)
        + " | crossing a gate | max |dp| against float | batched logits equal"
        + " | max batched |dlogit|"
    )
    for name in sessions:
        p = blended(alone[name])
        moved = np.abs(p - base)
        crossing = np.zeros(len(dev), dtype=bool)
        for j, c in enumerate(classes):
            for g in {gates[c].low, gates[c].high}:
                crossing |= (p[:, j] >= g) != (base[:, j] >= g)
        equal = int((batched[name] == alone[name]).sum())
        drift = float(np.abs(batched[name] - alone[name]).max())
        print(
            f"{name} | {best[name]:.2f} | {best[name] / best['shipped']:.2f} | "
            f"{min(batch_t[name]) * ms:.2f} | {min(batch_t[name]) * ms / best['shipped']:.2f} | "
            + " / ".join(f"{moved[:, j].max():.3f}" for j in range(len(classes)))
            + " and "
            + " / ".join(f"{np.median(moved[:, j]):.4f}" for j in range(len(classes)))
            + f" | {int(crossing.sum())} | {np.abs(p - exact).max():.3f} | "
            f"{equal}/{alone[name].size} | {drift:.2g}"
        )
    middle = {n: round(sorted(t)[len(t) // 2] * ms, 2) for n, t in alone_t.items()}
    print("median pass, ms a sentence alone:", middle)


if __name__ == "__main__":
    main()

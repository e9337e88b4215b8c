"""Benchmarks: throughput, memory and scaling of every stage against a naive full-parse baseline."""

from redline.bench.recall import GoldSet, recall_check
from redline.bench.report import load_results, merge, render, update_doc, write_results
from redline.bench.runner import BenchConfig, run_benchmark

__all__ = [
    "BenchConfig",
    "GoldSet",
    "load_results",
    "merge",
    "recall_check",
    "render",
    "run_benchmark",
    "update_doc",
    "write_results",
]

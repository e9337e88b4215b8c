"""Turn annotators' output (sentence numbers) into the project's gold (document ids and offsets).

    python scripts/annotation/import_annotations.py /tmp/redline-annot/out --shared ../shared

Writes ``src/redline/data/gold/real.jsonl`` and prints every problem (unknown document,
sentence number out of range, unknown class) with the file and line it comes from.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from redline.gold.annotations import GOLD_FILE, import_raw, iter_raw
from redline.gold.corpus import load_documents


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", type=Path, help="folder of <batch>.<annotator>.jsonl files")
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=GOLD_FILE)
    args = ap.parse_args()
    documents = load_documents(args.shared)
    records, problems = import_raw(iter_raw(sorted(args.raw.glob("*.jsonl"))), documents)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    records.sort(key=lambda r: (r["annotator"], r["doc"], r.get("sentence", [1 << 30])[0]))
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    for p in problems:
        print(p)
    print(f"{len(records)} records, {len(problems)} problems -> {args.out}")


if __name__ == "__main__":
    main()

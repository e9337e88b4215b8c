"""Fit the episode-confidence calibration on the dev part of the real-news episode gold.

    python scripts/calibrate_episodes.py [--db sqlite:////tmp/episodes.db] [--build]

Builds (with ``--build``) a ledger of the news articles and US statements, links it as of the
gold's date, judges every predicted episode against the gold, fits an isotonic map from raw
confidence to "the status is right" on **dev** episodes only, writes
``src/redline/data/episode_calibration.json`` and prints the reliability table for dev (fitted)
and test (reported, never fitted). docs/linking.md quotes the table.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from redline.gold import episodes as gold_episodes
from redline.gold.annotations import Split
from redline.gold.corpus import default_shared
from redline.link import evaluate, link
from redline.link.calibration import DEFAULT_THRESHOLD, FILE, isotonic
from redline.store import Ledger

OUT = Path(__file__).resolve().parent.parent / "src" / "redline" / "data" / FILE
BINS = ((0.0, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 1.01))


def reliability(judged: list[gold_episodes.Judged], key: str) -> list[str]:
    rows = []
    for lo, hi in BINS:
        inside = [j for j in judged if lo <= getattr(j, key) < hi]
        right = sum(j.right for j in inside)
        rows.append(
            f"| {lo:.1f}–{min(hi, 1.0):.1f} | {len(inside)} | {right} | "
            + (f"{right / len(inside):.2f} |" if inside else "— |")
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="sqlite:////tmp/redline-episodes.db")
    ap.add_argument("--build", action="store_true", help="ingest, extract and link first")
    ap.add_argument("--shared", type=Path, default=None)
    ap.add_argument("--write", action="store_true", help="write the calibration file")
    args = ap.parse_args()
    if args.build:
        gold_episodes.build_ledger(args.db, args.shared or default_shared(), workers=2).dispose()
    ledger = Ledger.open(args.db, create=False)
    link(ledger, as_of=gold_episodes.AS_OF)
    gold = gold_episodes.load()
    judged = gold_episodes.judge(evaluate(ledger, as_of=gold_episodes.AS_OF), gold)
    dev = [j for j in judged if j.split == Split.DEV]
    bounds, values = isotonic([(j.raw_confidence, j.right) for j in dev])
    print(f"isotonic map on {len(dev)} dev episodes: bounds {bounds} -> {values}")
    for split in (Split.DEV, Split.TEST):
        part = [j for j in judged if j.split == split]
        print(f"\n{split.value}: raw confidence | episodes | right | fraction right")
        print("\n".join(reliability(part, "raw_confidence")))
        print(f"{split.value}: calibrated confidence")
        print("\n".join(reliability(part, "confidence")))
    if args.write:
        data = {
            "threshold": DEFAULT_THRESHOLD,
            "maps": {
                "*": {
                    "bounds": bounds,
                    "values": values,
                    "lowest": min(j.raw_confidence for j in dev),
                }
            },
            "fitted_on": {
                "split": "dev",
                "episodes": len(dev),
                "right": sum(j.right for j in dev),
                "gold": "data/gold/episodes.json",
                "date": date.today().isoformat(),
            },
        }
        OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

"""Import the episode analysts' JSON files into ``src/redline/data/gold/episodes.json``.

    python scripts/annotation/import_episodes.py /tmp/redline-episodes/out/*.json

Each file is ``<group>-<annotator>.json`` (see prepare_episodes.py and docs/annotation.md).
Sentences are checked against the corpus and stored as document id + offsets + sha1 (no
article text); annotator A's episodes are the gold, a second annotator's are kept for agreement.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from redline.gold.annotations import sentence_sha
from redline.gold.corpus import default_shared, load_documents
from redline.gold.episodes import EPISODE_FILE, episode_split
from redline.vocab import Status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--shared", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=EPISODE_FILE)
    args = ap.parse_args()
    documents = load_documents(args.shared or default_shared())
    problems: list[str] = []

    def ref(where: str, r: dict | None) -> dict | None:
        if not r:
            return None
        doc = documents.get(r.get("doc", ""))
        start, end = r.get("sentence", [None, None])
        if doc is None or not isinstance(start, int) or not isinstance(end, int):
            problems.append(f"{where}: unknown document or bad offsets {r!r}")
            return None
        if not 0 <= start < end <= len(doc.text):
            problems.append(f"{where}: offsets {start}-{end} outside {r['doc']}")
            return None
        out = {"doc": r["doc"], "sentence": [start, end], "sha1": sentence_sha(doc.text[start:end])}
        if r.get("date"):
            out["date"] = str(r["date"])
        return out

    episodes, non_episodes = [], []
    for path in sorted(args.files):
        data = json.loads(path.read_text(encoding="utf-8"))
        annotator, group = data["annotator"], data["group"]
        for n, e in enumerate(data["episodes"], 1):
            where = f"{path.name} episode {n}"
            statuses = [
                s for s in e.get("allowed_statuses", []) if s in Status.__members__.values()
            ]
            if len(statuses) != len(e.get("allowed_statuses", [])) or not statuses:
                problems.append(f"{where}: bad statuses {e.get('allowed_statuses')}")
            episodes.append(
                {
                    "annotator": annotator,
                    "group": group,
                    "owner": e["owner"],
                    "trigger_key": e["trigger_key"],
                    "also_keys": sorted(set(e.get("also_keys") or [])),
                    "addressee": e.get("addressee"),
                    "allowed_statuses": statuses,
                    "borderline": bool(e.get("borderline")),
                    "split": episode_split(e["owner"], e["trigger_key"]).value,
                    "threats": [x for x in (ref(where, t) for t in e.get("threats", [])) if x],
                    "crossing": ref(where, e.get("crossing")),
                    "responses": [x for x in (ref(where, r) for r in e.get("responses", [])) if x],
                    "description": e.get("description", ""),
                    "notes": e.get("notes", ""),
                }
            )
        for x in data.get("non_episodes", []):
            non_episodes.append(
                {
                    "annotator": annotator,
                    "group": group,
                    "owner": x["owner"],
                    "trigger_key": x["trigger_key"],
                    "why": x.get("why", ""),
                }
            )
    out = {
        "about": (
            "Red-line episodes in the ukraine-news-dev articles and the US presidential "
            "statements, listed by independent analysts from the codebook, the documents and "
            "the item gold (never the tool's output). Sentences are document id + offsets + "
            "sha1 of the sentence; text stays in ../shared. Statuses are as of 2025-01-07."
        ),
        "as_of": "2025-01-07",
        "episodes": episodes,
        "non_episodes": non_episodes,
    }
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(episodes)} episodes, {len(non_episodes)} non-episodes to {args.out}")
    for p in problems:
        print("problem:", p, file=sys.stderr)


if __name__ == "__main__":
    main()

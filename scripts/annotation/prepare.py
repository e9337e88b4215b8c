"""Write annotation batches: documents split into numbered sentences, for annotators to label.

The batches hold article text, so they are written OUTSIDE the project (default /tmp/redline-annot);
the project keeps only document ids and character offsets (``src/redline/data/gold/``).

    python scripts/annotation/prepare.py --shared ../shared --out /tmp/redline-annot

Documents and batches are chosen deterministically (sha1 of the document id), so rerunning the
script writes the same batches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from redline.gold.corpus import iter_documents


def _rank(doc_id: str) -> str:
    return hashlib.sha1(doc_id.encode()).hexdigest()


def _write_batch(path: Path, docs: list) -> int:
    sentences = 0
    with path.open("w", encoding="utf-8") as out:
        for doc in docs:
            date = doc.published.isoformat() if doc.published else "unknown"
            out.write(f"=== DOC {doc.id} | published {date} | genre {doc.genre}\n")
            if doc.title:
                out.write(f"(title: {doc.title})\n")
            for i, (start, end) in enumerate(doc.sentences, 1):
                out.write(f"[{i}] {doc.text[start:end]}\n")
                sentences += 1
            out.write("\n")
    return sentences


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/redline-annot"))
    ap.add_argument("--news-batches", type=int, default=5)
    ap.add_argument("--statements", type=int, default=100)
    ap.add_argument("--budget", type=int, default=200_000, help="characters per long batch")
    ap.add_argument("--double", type=int, default=30, help="documents per double-annotation batch")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    docs = sorted(iter_documents(args.shared), key=lambda d: _rank(d.id))
    news = [d for d in docs if d.source == "news"]
    statements = [d for d in docs if d.source == "statements" and len(d.text) <= 12000]
    statements = statements[: args.statements]
    plover = sorted((d for d in docs if d.source == "plover"), key=lambda d: d.id)

    batches: dict[str, list] = {}
    for i in range(args.news_batches):
        batches[f"news-{i + 1}"] = sorted(news[i :: args.news_batches], key=lambda d: d.id)
    batches["statements-1"] = sorted(statements[0::2], key=lambda d: d.id)
    batches["statements-2"] = sorted(statements[1::2], key=lambda d: d.id)
    batches["plover-1"] = plover
    # Double annotation: documents re-drawn by a second rank so they span every first batch.
    second = sorted(news, key=lambda d: _rank("double:" + d.id))
    second_st = sorted(statements, key=lambda d: _rank("double:" + d.id))
    n = args.double
    batches["double-1"] = sorted(second[: n * 2 // 3] + second_st[: n // 3], key=lambda d: d.id)
    batches["double-2"] = sorted(
        second[n * 2 // 3 : n * 4 // 3] + second_st[n // 3 : n * 2 // 3], key=lambda d: d.id
    )

    # The longer statements (speeches, communiques), in batches of about --budget characters.
    rest = sorted(
        (d for d in docs if d.source == "statements" and d not in statements), key=lambda d: d.id
    )
    current: list = []
    size, number = 0, 3
    for doc in rest:
        if current and size + len(doc.text) > args.budget:
            batches[f"statements-{number}"] = current
            current, size, number = [], 0, number + 1
        current.append(doc)
        size += len(doc.text)
    if current:
        batches[f"statements-{number}"] = current

    manifest = {}
    for name, members in batches.items():
        count = _write_batch(args.out / f"{name}.txt", members)
        manifest[name] = {"documents": [d.id for d in members], "sentences": count}
        print(f"{name}: {len(members)} documents, {count} sentences")
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()

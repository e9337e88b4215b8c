"""Write the episode-annotation package: every news article and US statement as numbered
sentences with offsets, plus an index of the exhaustive item gold (threats, crossings, responses,
outcome claims) for the analyst to start from.

The package holds article text, so it is written OUTSIDE the project (default
/tmp/redline-episodes); the project keeps only the analysts' episodes as document ids, offsets
and labels (``src/redline/data/gold/episodes.json``, see ``import_episodes.py``).

    python scripts/annotation/prepare_episodes.py --shared ../shared --out /tmp/redline-episodes

The item gold was made by annotators who never saw the tool's output; the episode analysts see
the codebook, the documents and that gold, never a ledger.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from redline import knowledge
from redline.gold.annotations import load as load_gold
from redline.gold.corpus import iter_documents


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/redline-episodes"))
    args = ap.parse_args()
    out = args.out
    (out / "docs").mkdir(parents=True, exist_ok=True)
    docs = {d.id: d for d in iter_documents(args.shared) if d.source in ("news", "statements")}
    index = []
    for doc in sorted(docs.values(), key=lambda d: (d.published or d.id, d.id)):
        name = doc.id.replace("/", "__") + ".txt"
        with (out / "docs" / name).open("w", encoding="utf-8") as fh:
            fh.write(f"DOC {doc.id} | published {doc.published} | genre {doc.genre}\n")
            if doc.title:
                fh.write(f"title: {doc.title}\n")
            for start, end in doc.sentences:
                fh.write(f"[{start}-{end}] {doc.text[start:end]}\n")
        index.append(f"{doc.published}\t{doc.id}\tdocs/{name}\t{(doc.title or '')[:120]}")
    (out / "documents.tsv").write_text("\n".join(index) + "\n", encoding="utf-8")

    gold = load_gold()
    primary = gold.primary()  # on double-annotated documents, the gold annotator's items only
    by_trigger: dict[str, list[str]] = defaultdict(list)
    for item in gold.items:
        if item.doc not in docs or item.kind.value == "not_threat":
            continue
        if primary.get(item.doc) != item.annotator:
            continue
        doc = docs[item.doc]
        start, end = item.start, item.end
        fields = {k: v for k, v in item.fields.items() if v not in (None, "", [])}
        key = str(fields.get("trigger_key") or "(no trigger key)")
        flag = " BORDERLINE" if item.borderline else ""
        by_trigger[key].append(
            f"- {item.kind.value}{flag} | {item.doc} [{start}-{end}] | published {doc.published}"
            f" | {json.dumps(fields, ensure_ascii=False, sort_keys=True)}\n"
            f"  > {doc.text[start:end]}"
        )
    with (out / "items.md").open("w", encoding="utf-8") as fh:
        fh.write("# Item gold (independent annotators), grouped by trigger key\n\n")
        for key in sorted(by_trigger, key=lambda k: (-len(by_trigger[k]), k)):
            fh.write(f"## {key} ({len(by_trigger[key])} items)\n\n")
            fh.write("\n".join(by_trigger[key]) + "\n\n")
    vocab = knowledge.triggers()
    lines = [f"- `{k}`: {vocab.label(k)}" for k in sorted(vocab.triggers)]
    (out / "trigger_keys.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(docs)} documents, {sum(map(len, by_trigger.values()))} items to {out}")


if __name__ == "__main__":
    main()

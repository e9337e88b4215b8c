"""What the ledger missed: estimate the recall of extraction on your own corpus, for threats,
crossings or responses.

``redline audit`` measures precision: it draws what the ledger holds. What it does not hold
cannot be drawn from it, and on real news the extractor finds about half the threats (README,
test figures), so a user also needs to know how much is missing in *their* corpus. This module
draws sentences **the ledger holds no item of one kind in** (``KINDS``: threat by default,
crossing or response), stratified by how like that kind their words are, asks a person whether
each holds one (codebook §1–3), and estimates from the answers how many sentences of the kind
the ledger missed and its recall, with a 95% interval. Every kind goes through the same code;
only the head that scores, the planning values and the question differ.

- **Population**: every sentence (as extraction splits the text) of every document whose
  sentence holds no item of the kind an analyst has not rejected.
- **Strata** (``STRATA``): the lexical head of the kind's class shipped with the model
  (``redline.model.lexical``, a regression over hashed words; microseconds a sentence) scores
  each sentence. On the dev split of the real-document gold, threat sentences are 42% of those
  scoring at least 0.5, 20% of 0.2–0.5, 5% of 0.05–0.2 and 0.4% below 0.05 (2,484 sentences, 40
  threats); crossings and responses (14 sentences each) are in ``PLANNING``. The draw (seeded)
  gives each stratum a part of ``n`` by Neyman's allocation with those shares as planning values
  (they set how many sentences each stratum gets, never the estimate), at least one each; a
  stratum smaller than its part is taken whole.
- **Estimate**: the missed sentences are M = Σ N_h·q_h (N_h sentences in stratum h, q_h the
  share of them holding an item of the kind, of which n_h were judged and y_h found to). Recall
  is F/(F + M), F the sentences the ledger held an item of the kind in when the sample was drawn
  (the unit of M: a sentence with two threats is one), those no analyst confirmed, corrected or
  added counted times the kind's precision in the latest ``redline audit`` that judged items of
  the kind (else F counts every item as right, and the figure says so: recall is then an upper
  bound; an audit's judgments confirm the items it found right and reject the others, so the
  precision is not applied to the confirmed ones again). Each q_h and the precision are drawn
  20,000 times (seeded) from Jeffreys' Beta(y + ½, n − y + ½); the figures are the medians of M
  and of recall over those draws, with the 2.5th and 97.5th percentiles as the 95% interval
  (a stratum judged whole is known exactly). A stratum where none of a few judged sentences
  holds one still adds its uncertainty: wide when few of a large stratum are judged, and
  judging more narrows it.

A sample is recorded as a run (stage ``audit_misses``) whose ``params`` hold its kind, the strata
and the drawn sentences (document and offsets, never their text); a sample stored before samples
recorded their kind is of threats. It is read only as the kind it was drawn for, so a threat
sample's judgments never feed crossing recall. Judgments go into its ``stats``, the last one per
sentence winning. A sentence judged to hold an item is one to add to the ledger: ``redline add
threat DOC --span START:END --set ...`` (or ``crossing``, ``response``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from redline.errors import RedlineError
from redline.extract.sentences import split_sentences
from redline.review import checked_reviewer
from redline.store import Ledger
from redline.store.db import MAX_ID, now
from redline.store.schema import documents, events, evidence, runs
from redline.vocab import ItemKind, ReviewState

STAGE = "audit_misses"
# the kinds a sample can be of; a sample stored before samples recorded their kind is of threats
KINDS: tuple[ItemKind, ...] = (ItemKind.THREAT, ItemKind.CROSSING, ItemKind.RESPONSE)
# (name, lowest lexical probability of the sample's kind) from the most like it down
STRATA: tuple[tuple[str, float], ...] = (
    ("likely", 0.5),
    ("possible", 0.2),
    ("unlikely", 0.05),
    ("rare", 0.0),
)
# Planning values for the draw, per kind: the share of the sentences in each stratum that hold
# an item of the kind on the dev split (`scripts/validate_misses.py --planning`). They decide only
# how many sentences each stratum gets, never the estimate. Threats: the shares as measured (40
# threat sentences); crossings and responses (14 sentences each, a stratum with none) are
# smoothed to (y + 1/2) / (n + 1), so a stratum with none on dev still gets its share.
PLANNING: dict[ItemKind, dict[str, float]] = {
    ItemKind.THREAT: {"likely": 0.42, "possible": 0.20, "unlikely": 0.05, "rare": 0.004},
    ItemKind.CROSSING: {"likely": 0.81, "possible": 0.08, "unlikely": 0.056, "rare": 0.0027},
    ItemKind.RESPONSE: {"likely": 0.50, "possible": 0.28, "unlikely": 0.14, "rare": 0.0023},
}
NONE = "none"  # the judgment of a sentence holding no item of the sample's kind
QUESTIONS: dict[ItemKind, str] = {
    ItemKind.THREAT: (
        "Does this sentence hold a threat (codebook §1: a conditional warning of harm by a side "
        "with standing, meant to deter an act of another party)? Not a prediction, refusal, "
        "pledge, appeal, report of being threatened, or history."
    ),
    ItemKind.CROSSING: (
        "Does this sentence report a crossing (codebook §2: an act by the party a threat "
        "addressed that does what the threat warned against, as news or with its own date: a "
        "delivery of weapons, a strike on a territory, an accession to an alliance)? Not "
        "background, a plan or proposal, or an act by the threatening side."
    ),
    ItemKind.RESPONSE: (
        "Does this sentence report a response (codebook §3: a harmful act by a threatening side, "
        "after a crossing, that carries out fully or partly the threatened consequence: "
        "sanctions imposed, strikes, expulsions)? A statement is not a response."
    ),
}
DRAWS = 20_000
_BATCH = 2_000  # sentences scored at once


def plural(kind: ItemKind) -> str:
    """``threats``: the sample's kind in words, and the key of its count in a stratum's row."""
    return f"{kind}s"


def kind_of(params: Mapping[str, Any] | None) -> ItemKind:
    """The kind a sample was drawn for (a sample stored before samples recorded one: threat)."""
    return ItemKind((params or {}).get("kind", ItemKind.THREAT))


def judgments_of(kind: ItemKind) -> tuple[str, str]:
    """What a sentence of a sample of ``kind`` can be judged: it holds one, or none."""
    return (kind.value, NONE)


def checked_kind(kind: object) -> ItemKind:
    """``kind`` as a kind a sample can be drawn for, or a RedlineError naming those."""
    if isinstance(kind, str) and kind in KINDS:
        return ItemKind(kind)
    shown = repr(str(kind)) if isinstance(kind, str) else repr(kind)  # 'claim', not the enum
    raise RedlineError(f"a sample of what the ledger missed is of {', '.join(KINDS)}, not {shown}")


@dataclass(frozen=True)
class DrawnSentence:
    number: int
    document_id: int
    start: int
    end: int
    stratum: str
    sentence: str
    before: str  # the sentence before, for context
    question: str
    judgment: str | None = None


@dataclass(frozen=True)
class MissSample:
    audit_id: int
    kind: ItemKind
    strata: list[dict[str, Any]]  # name, lowest, sentences, drawn
    found: int  # sentences the ledger held an item of the kind in (not rejected) when drawn
    sentences: list[DrawnSentence]

    def as_dict(self) -> dict[str, Any]:
        return {
            "audit_misses": self.audit_id,
            "kind": self.kind.value,
            "judgments": list(judgments_of(self.kind)),
            "strata": self.strata,
            "found": self.found,
            "sentences": [asdict(s) for s in self.sentences],
        }


@dataclass(frozen=True)
class MissFigures:
    audit_id: int
    kind: ItemKind
    strata: list[dict[str, Any]]  # name, sentences, drawn, judged, and (``plural``) threats
    found: int
    precision: tuple[int, int] | None  # (right, judged): latest audit judging the kind
    missed: float | None  # estimated sentences of the kind the ledger lacks
    missed_interval: tuple[float, float] | None
    recall: float | None
    recall_interval: tuple[float, float] | None
    # of ``found``, the sentences holding one an analyst confirmed, corrected or added: right,
    # so the precision is applied to the others only
    confirmed: int = 0

    @property
    def judged(self) -> int:
        return sum(int(s["judged"]) for s in self.strata)

    @property
    def complete(self) -> bool:
        """Is every stratum with sentences judged at least once (else no estimate)?"""
        return all(s["judged"] or not s["sentences"] for s in self.strata)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "judged": self.judged, "precision_assumed": self.precision is None}


def _scorer(kind: ItemKind) -> Any:
    """The shipped lexical head of ``kind``: texts -> probabilities."""
    from redline.model.classifier import MODEL_DIR, read_manifest
    from redline.model.lexical import FILE, LexicalHeads

    classes = list(read_manifest()["classes"])
    heads = LexicalHeads.load(MODEL_DIR / FILE)
    column = classes.index(kind.value)
    return lambda texts: heads.probabilities(texts)[:, column]


def held_sentences(
    conn: sa.Connection, kind: ItemKind, *, confirmed: bool = False
) -> dict[int, list[tuple[int, int]]]:
    """Per document, the sentence spans that hold an item of ``kind`` no analyst rejected
    (``confirmed``: one an analyst confirmed, corrected or added)."""
    from redline.audit import item_type
    from redline.review import ITEMS

    table = ITEMS[item_type(kind)]
    query = (
        sa.select(evidence.c.document_id, evidence.c.sentence_start, evidence.c.sentence_end)
        .join(table, table.c.evidence_id == evidence.c.id)
        .where(table.c.review_state != ReviewState.REJECTED)
    )
    if confirmed:
        query = query.where(table.c.review_state != ReviewState.MACHINE)
    if table is events:
        query = query.where(events.c.kind == kind)
    held: dict[int, list[tuple[int, int]]] = {}
    for doc, start, end in conn.execute(query):
        held.setdefault(int(doc), []).append((int(start), int(end)))
    return held


def _population(
    conn: sa.Connection,
    held: Mapping[int, list[tuple[int, int]]],
    reads: Callable[[str], bool] | None = None,
) -> Iterator[tuple[int, int, int, str]]:
    """(document, start, end, sentence) of every sentence holding none of the items ``held``
    (``held_sentences``, read on ``conn``), document by document; only of the documents whose
    text ``reads`` accepts, when given."""
    rows = conn.execution_options(yield_per=200).execute(
        sa.select(documents.c.id, documents.c.text).order_by(documents.c.id)
    )
    for doc_id, text in rows:
        if reads is not None and not reads(text):
            continue
        spans = held.get(int(doc_id), [])
        for start, end in split_sentences(text):
            if not _overlaps(spans, start, end):
                yield int(doc_id), start, end, text[start:end]


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does one of ``spans`` (a document's held sentences) share a character with start:end?"""
    return any(s < end and start < e for s, e in spans)


def _stratum(p: float) -> str:
    return next(name for name, lowest in STRATA if p >= lowest)


def draw_misses(
    ledger: Ledger,
    *,
    n: int = 200,
    seed: int = 0,
    kind: ItemKind = ItemKind.THREAT,
    to_file: Path | None = None,
) -> MissSample:
    """Draw ``n`` sentences holding no item of ``kind``, spread over the strata; record the
    sample (with its kind; one drawn ``to_file`` as being written there, ``audit.writing_to``)."""
    kind = checked_kind(kind)
    if not isinstance(n, int) or isinstance(n, bool) or n < len(STRATA):
        raise RedlineError(f"draw at least {len(STRATA)} sentences (one per stratum), not {n!r}")
    score = _scorer(kind)
    by_stratum: dict[str, list[tuple[int, int, int]]] = {name: [] for name, _ in STRATA}
    batch: list[tuple[int, int, int, str]] = []

    def flush() -> None:
        for (doc, start, end, _), p in zip(batch, score([b[3] for b in batch]), strict=True):
            by_stratum[_stratum(float(p))].append((doc, start, end))
        batch.clear()

    # the sentences holding an item are read once, in the snapshot the population is read
    # from: the count of them below once came from a later read, which an extraction between
    # the two could make disagree with the population
    with ledger.snapshot() as conn:
        held = held_sentences(conn, kind)
        confirmed = _sentences(held_sentences(conn, kind, confirmed=True))
        for row in _population(conn, held):
            batch.append(row)
            if len(batch) >= _BATCH:
                flush()
    flush()
    # sentences, as the missed ones are counted (a sentence with two items is one)
    found = _sentences(held)
    sizes = {name: len(rows) for name, rows in by_stratum.items()}
    if not sum(sizes.values()):
        raise RedlineError(
            f"{ledger.url} holds no sentence without a {kind}: nothing can have been missed"
        )
    take = _allocate(sizes, n, PLANNING[kind])
    from redline.audit import writing_to

    rng = random.Random(seed)
    chosen: list[tuple[str, tuple[int, int, int]]] = []
    for name, _ in STRATA:
        rows = sorted(by_stratum[name])
        chosen += [(name, r) for r in sorted(rng.sample(rows, take[name]))]
    with ledger.begin() as conn:
        strata = [
            {"name": name, "lowest": lowest, "sentences": sizes[name], "drawn": take[name]}
            for name, lowest in STRATA
        ]
        params: dict[str, Any] = {
            "kind": kind.value,
            "seed": seed,
            "strata": strata,
            "found": found,
            "confirmed": confirmed,
            "sample": [[name, doc, start, end] for name, (doc, start, end) in chosen],
            **writing_to(to_file),
        }
        audit_id = ledger.start_run(STAGE, params, conn)
    return MissSample(audit_id, kind, strata, found, _drawn(ledger, kind, params["sample"], {}))


def _sentences(held: Mapping[int, list[tuple[int, int]]]) -> int:
    """The sentences ``held`` (``held_sentences``) counts, as the missed ones are counted."""
    return sum(len(set(spans)) for spans in held.values())


def discard_misses(ledger: Ledger, audit_id: int) -> None:
    """Forget sample ``audit_id``, drawn but never handed to anyone (its file could not be
    written), as ``redline.audit.discard`` forgets an audit: it stood as the latest sample, so
    `audit recall` and the report answered for it, not for the one judged."""
    with ledger.begin() as conn:
        conn.execute(sa.delete(runs).where(runs.c.id == audit_id, runs.c.stage == STAGE))


def _allocate(sizes: Mapping[str, int], n: int, planning: Mapping[str, float]) -> dict[str, int]:
    """``n`` spread over the strata by Neyman's allocation (in proportion to a stratum's size
    times the spread of its share, ``planning``: the kind's ``PLANNING``), at least one per
    stratum; a stratum smaller than its part is taken whole and the rest goes to the others."""
    spread = {name: (rate * (1 - rate)) ** 0.5 for name, rate in planning.items()}
    weight = {name: size * spread.get(name, 0.5) for name, size in sizes.items()}
    take = {name: 0 for name in sizes}
    left = min(n, sum(sizes.values()))
    for name in sorted((h for h in sizes if sizes[h]), key=lambda h: -weight[h]):
        if left:  # one each first
            take[name], left = 1, left - 1
    while left > 0:
        open_ = [name for name in sizes if take[name] < sizes[name]]
        total = sum(weight[name] for name in open_)
        want = {name: left * weight[name] / total for name in open_}
        added = 0
        for name in open_:
            part = min(int(want[name]), sizes[name] - take[name])
            take[name] += part
            added += part
        if not added:  # only fractions left: one more to the stratum that wants most
            best = max(open_, key=lambda h: want[h])
            take[best] += 1
            added = 1
        left -= added
    return take


def _drawn(
    ledger: Ledger,
    kind: ItemKind,
    sample: list[list[Any]],
    judged: Mapping[str, Mapping[str, Any]],
) -> list[DrawnSentence]:
    """The drawn sentences with their text and the sentence before, read from the ledger."""
    out: list[DrawnSentence] = []
    ids = sorted({int(doc) for _, doc, _, _ in sample})
    with ledger.connect() as conn:
        texts = dict(
            conn.execute(sa.select(documents.c.id, documents.c.text).where(documents.c.id.in_(ids)))
            .tuples()
            .all()
        )
    split = {doc: split_sentences(text) for doc, text in texts.items()}  # once a document
    for number, (name, doc, start, end) in enumerate(sample, 1):
        text = texts.get(int(doc))
        if text is None:  # the document was deleted since the draw
            continue
        spans = split[int(doc)]
        earlier = [s for s in spans if s[1] <= start]
        before = text[earlier[-1][0] : earlier[-1][1]] if earlier else ""
        mark = judged.get(str(number), {})
        out.append(
            DrawnSentence(
                number,
                int(doc),
                int(start),
                int(end),
                str(name),
                text[start:end],
                before,
                QUESTIONS[kind],
                mark.get("judgment"),
            )
        )
    return out


# a sample's kind as the database reads it: a sample stored before samples recorded their kind
# is of threats
_stored_kind = sa.func.coalesce(runs.c.params["kind"].as_string(), ItemKind.THREAT.value)


def _run(conn: sa.Connection, audit_id: int | None, kind: ItemKind | None = None) -> Any:
    """Sample ``audit_id`` (refused when it is of another kind than ``kind``, when given), or
    the latest sample of ``kind`` (of threats when none is given) with judgments, else the
    latest drawn."""
    if kind is not None:  # a kind no sample is drawn for was told to draw one with it
        kind = checked_kind(kind)
    query = sa.select(runs).where(runs.c.stage == STAGE)
    what = plural(kind) if kind is not None else "threats, crossings or responses"
    if audit_id is not None:
        from redline.audit import _json_name, _whole

        if not _whole(audit_id):
            raise RedlineError(f"a sample number is a whole number, not {_json_name(audit_id)}")
        if not 1 <= audit_id <= MAX_ID:
            raise RedlineError(f"no sample of missed {what} numbered {audit_id}")
        query = query.where(runs.c.id == audit_id)
    else:
        kind = kind or ItemKind.THREAT
        what = plural(kind)
        query = query.where(_stored_kind == kind.value)
    rows = conn.execute(query.order_by(runs.c.id.desc())).all()
    # the latest sample a person has judged sentences of (the latest drawn when none is judged
    # yet), as an audit's figures are read: a sample drawn to judge later hid the recall of the
    # one judged from `audit recall`, `audit report` and the HTML report
    row = next((r for r in rows if (r.stats or {}).get("judgments")), rows[0] if rows else None)
    if row is None:
        option = "" if kind in (None, ItemKind.THREAT) else f" --kind {kind}"
        raise RedlineError(
            f"no sample of missed {what} numbered {audit_id}"
            if audit_id is not None
            else f"no sample of missed {what} yet: `redline audit misses{option} -o FILE` draws one"
        )
    if kind is not None and kind_of(row.params) != kind:
        raise RedlineError(
            f"sample {audit_id} is of missed {plural(kind_of(row.params))}, not {plural(kind)}"
        )
    return row


def to_add(ledger: Ledger, drawn: MissSample) -> tuple[list[DrawnSentence], int]:
    """The sentences of ``drawn`` judged to hold an item of its kind that the ledger still
    holds none in (the ones to add), and how many judged so the ledger holds one in now (added
    since, or found by a later extraction)."""
    hits = [s for s in drawn.sentences if s.judgment == drawn.kind]
    with ledger.connect() as conn:
        held = held_sentences(conn, drawn.kind)
    lacking = [s for s in hits if not _overlaps(held.get(s.document_id, []), s.start, s.end)]
    return lacking, len(hits) - len(lacking)


def sampled_kinds(ledger: Ledger) -> list[ItemKind]:
    """The kinds a sample of what the ledger missed was drawn for, in ``KINDS``' order."""
    with ledger.connect() as conn:
        found = set(
            conn.execute(sa.select(_stored_kind).where(runs.c.stage == STAGE).distinct()).scalars()
        )
    return [kind for kind in KINDS if kind.value in found]


def judge_misses(
    ledger: Ledger,
    audit_id: int,
    judgments: Mapping[int, str],
    *,
    reviewer: str | None = None,
    kind: ItemKind | None = None,
    unjudged_only: bool = False,
    replaced: list[tuple[int, str, str]] | None = None,
) -> int:
    """Store judgments (sentence number -> the sample's kind, ``threat`` say, or ``none``) of
    sample ``audit_id`` (refused when it is of another kind than ``kind``, when given); returns
    how many were stored. A later judgment of a sentence replaces an earlier one, except with
    ``unjudged_only`` (a session in the terminal, which shows the sentences nobody has judged):
    a sentence judged meanwhile, in another session, keeps that judgment (the later answer
    replaced it unseen, and a sentence keeps one judgment). A judgment that replaces another
    person's, or another judgment, keeps the ones it replaced in its ``before`` (as the review
    trail keeps every decision; the latest counts); one that changes the judgment is listed in
    ``replaced`` (sentence number, who, what) when given: a second analyst's copy of a sample
    replaced the first's judgments without a trace."""
    who = checked_reviewer(reviewer)
    with ledger.exclusive() as conn:
        run = _run(conn, audit_id, kind)
        allowed = judgments_of(kind_of(run.params))
        drawn = len((run.params or {}).get("sample", []))
        for number, judgment in judgments.items():
            if isinstance(number, bool) or not isinstance(number, int):
                raise RedlineError(f"a sentence number is a whole number, not {number!r}")
            if not 1 <= number <= drawn:
                raise RedlineError(f"sample {audit_id} has sentences 1 to {drawn}, not {number}")
            if judgment not in allowed:
                raise RedlineError(
                    f"sentence {number}: judge {' or '.join(allowed)}, not {judgment!r}"
                )
        stats = dict(run.stats or {})
        marks = dict(stats.get("judgments", {}))
        stamp = now().isoformat()
        stored = 0
        for number, judgment in judgments.items():
            old = marks.get(str(number))
            if unjudged_only and old is not None:
                continue
            mark: dict[str, Any] = {"judgment": judgment, "reviewer": who, "at": stamp}
            if old is not None and (old["judgment"], old.get("reviewer")) != (judgment, who):
                earlier = {k: v for k, v in old.items() if k != "before"}
                mark["before"] = [*old.get("before", []), earlier]
                if replaced is not None and old["judgment"] != judgment:
                    replaced.append((number, str(old.get("reviewer")), str(old["judgment"])))
            elif old is not None and "before" in old:
                mark["before"] = old["before"]
            marks[str(number)] = mark
            stored += 1
        stats["judgments"] = marks
        conn.execute(sa.update(runs).where(runs.c.id == run.id).values(stats=stats))
    return stored


def judge_file(
    ledger: Ledger, path: Path, *, reviewer: str | None = None
) -> tuple[int, int, list[tuple[int, str, str]]]:
    """Judgments from a sample file (``redline audit misses -o``) whose sentences carry a
    ``judgment``; (audit id, judgments stored, the earlier judgments they replaced: sentence
    number, who, what). A bad file is refused whole, naming it."""
    try:
        # an editor's byte-order mark is no error (Notepad writes one)
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RedlineError(f"{path}: cannot read: {exc}") from exc
    except ValueError as exc:
        raise RedlineError(
            f"{path}: not a sample of what the ledger missed (not JSON: {exc})"
        ) from exc
    audit_id, kind, marks, placed = _judgments_in(data, str(path))
    try:
        _same_sentences(ledger, audit_id, placed)
        # a file that names its kind (every file written since samples recorded it) is judged
        # only as a sample of that kind: "threat" judgments never land on a crossing sample
        replaced: list[tuple[int, str, str]] = []
        stored = judge_misses(
            ledger, audit_id, marks, reviewer=reviewer, kind=kind, replaced=replaced
        )
        return audit_id, stored, replaced
    except RedlineError as exc:
        raise RedlineError(f"{path}: {exc}") from exc


def _same_sentences(
    ledger: Ledger, audit_id: int, placed: Mapping[int, tuple[Any, Any, Any]]
) -> None:
    """Refuse a file whose sentences are not the sample's: a sample of another ledger (whose
    number this ledger's sample also has) or one edited out of order judged sentences nobody
    read."""
    with ledger.connect() as conn:
        drawn = (_run(conn, audit_id).params or {}).get("sample", [])
    for number, where in sorted(placed.items()):
        if 1 <= number <= len(drawn) and tuple(drawn[number - 1][1:]) != where:
            _, doc, start, end = drawn[number - 1]
            raise RedlineError(
                f"its sentence {number} is document {where[0]} at {where[1]}:{where[2]}, but "
                f"sample {audit_id}'s sentence {number} is document {doc} at {start}:{end}: the "
                "file is of another sample or ledger, or was reordered; nothing was stored"
            )


def _judgments_in(
    data: Any, where: str
) -> tuple[int, ItemKind | None, dict[int, str], dict[int, tuple[Any, Any, Any]]]:
    """The sample number, its kind (None in a file written before samples recorded it), the
    judgments (sentence number -> judgment) of a sample file and
    where the file says each judged sentence is (document, start, end), when it says so,
    every sentence checked first, as an audit file is (``redline.audit.from_dict``): a value of
    the wrong type is refused, never converted (a number 2.7 was stored as sentence 2, ``true``
    as sentence 1), and a number given twice is refused (the second silently replaced the
    first's judgment, and the sentence it was meant for stayed unjudged)."""
    from redline.audit import _json_name, _whole

    def bad(problem: str) -> RedlineError:
        return RedlineError(f"{where}: {problem}; nothing was stored")

    if not isinstance(data, dict) or "audit_misses" not in data or "sentences" not in data:
        raise bad(
            "not a sample of what the ledger missed (a JSON object with 'audit_misses' and "
            "'sentences', each with a 'number' and a 'judgment')"
        )
    audit_id, sentences = data["audit_misses"], data["sentences"]
    if not _whole(audit_id):
        raise bad(f"audit_misses must be a whole number, not {_json_name(audit_id)}")
    kind = data.get("kind")
    if kind is not None and (not isinstance(kind, str) or kind not in KINDS):
        raise bad(f"kind must be {', '.join(KINDS)}, not {_json_name(kind)}")
    if not isinstance(sentences, list):
        raise bad(f"sentences must be a list, not {_json_name(sentences)}")
    marks: dict[int, str] = {}
    placed: dict[int, tuple[Any, Any, Any]] = {}
    numbers: set[int] = set()
    for n, s in enumerate(sentences, 1):
        if not isinstance(s, dict) or "number" not in s:
            raise bad(f"sentence {n} must be an object with a number, not {_json_name(s)}")
        number, judgment = s["number"], s.get("judgment")
        if not _whole(number):
            raise bad(f"sentence {n}: number must be a whole number, not {_json_name(number)}")
        if number in numbers:
            raise bad(f"sentence number {number} is given twice")
        numbers.add(number)
        if judgment is not None and not isinstance(judgment, str):
            raise bad(
                f"sentence {number}: judgment must be text or null, not {_json_name(judgment)}"
            )
        for key in ("document_id", "start", "end"):
            # a quoted or fractional offset read as "at 398:494, but the sample's is at 398:494"
            if s.get(key) is not None and not _whole(s[key]):
                raise bad(
                    f"sentence {number}: {key} must be a whole number, not {_json_name(s[key])}"
                )
        if judgment and judgment.strip():
            marks[number] = judgment.strip()
            if all(k in s for k in ("document_id", "start", "end")):
                placed[number] = (s["document_id"], s["start"], s["end"])
    return audit_id, None if kind is None else ItemKind(kind), marks, placed


def sample(ledger: Ledger, audit_id: int | None = None, kind: ItemKind | None = None) -> MissSample:
    """A recorded sample again (the latest judged of ``kind`` by default, of threats when no kind is
    given; sample ``audit_id`` refused when of another kind), with its judgments so far."""
    with ledger.connect() as conn:
        run = _run(conn, audit_id, kind)
    params = run.params or {}
    judged = (run.stats or {}).get("judgments", {})
    drawn_for = kind_of(params)
    return MissSample(
        int(run.id),
        drawn_for,
        list(params.get("strata", [])),
        int(params.get("found", 0)),
        _drawn(ledger, drawn_for, list(params.get("sample", [])), judged),
    )


def miss_figures(
    ledger: Ledger, audit_id: int | None = None, *, kind: ItemKind | None = None, seed: int = 0
) -> MissFigures:
    """The estimate from a sample's judgments (the latest judged sample of ``kind`` by default, of
    threats when no kind is given; sample ``audit_id`` refused when of another kind): only the
    judgments of that sample count, so a threat sample never feeds crossing recall."""
    with ledger.connect() as conn:
        run = _run(conn, audit_id, kind)
    params = run.params or {}
    drawn_for = kind_of(params)
    marks = (run.stats or {}).get("judgments", {})
    counts = {s["name"]: [0, 0] for s in params.get("strata", [])}
    for number, (name, *_rest) in enumerate(params.get("sample", []), 1):
        mark = marks.get(str(number))
        if mark is not None:
            counts[name][0] += mark["judgment"] == drawn_for
            counts[name][1] += 1
    strata = [
        {
            "name": s["name"],
            "sentences": int(s["sentences"]),
            "drawn": int(s["drawn"]),
            "judged": counts[s["name"]][1],
            plural(drawn_for): counts[s["name"]][0],
        }
        for s in params.get("strata", [])
    ]
    found = int(params.get("found", 0))
    confirmed = int(params.get("confirmed", 0))  # a sample drawn before it was recorded: none
    precision = _precision(ledger, drawn_for)
    result = MissFigures(
        int(run.id), drawn_for, strata, found, precision, None, None, None, None, confirmed
    )
    if not result.complete:
        return result
    rows = [(s["sentences"], s["judged"], s[plural(drawn_for)]) for s in strata]
    missed, missed_ci, recall, recall_ci = _estimate(rows, found, precision, seed, confirmed)
    return MissFigures(
        int(run.id),
        drawn_for,
        strata,
        found,
        precision,
        missed,
        missed_ci,
        recall,
        recall_ci,
        confirmed,
    )


def _precision(ledger: Ledger, kind: ItemKind) -> tuple[int, int] | None:
    """(right, judged) of ``kind`` in the latest audit that judged items of it, or None when
    none did. The latest judged audit alone was read: after `audit draw --kind threat` was
    judged, the crossings an earlier audit judged counted as all right, under the words 'no
    judged precision audit'."""
    from redline.audit import audit_ids, figures

    for audit_id in reversed(audit_ids(ledger)):  # the latest first
        audit = figures(ledger, audit_id)
        judged = audit.precision.get(kind) if audit is not None else None
        if judged is not None and judged.total:
            return judged.hits, judged.total
    return None


def latest_figures(ledger: Ledger) -> dict[ItemKind, MissFigures]:
    """Per kind a sample was drawn for, the latest judged sample's estimate (the report shows them);
    empty when no sample was drawn."""
    return {kind: miss_figures(ledger, kind=kind) for kind in sampled_kinds(ledger)}


def _estimate(
    strata: list[tuple[int, int, int]],
    found: int,
    precision: tuple[int, int] | None,
    seed: int,
    confirmed: int = 0,
) -> tuple[float, tuple[float, float], float | None, tuple[float, float] | None]:
    """Posterior medians and 95% intervals of the missed sentences and of recall, from each
    stratum's (sentences, judged, judged to hold an item of the kind); the precision is applied
    to the ``found`` sentences but the ``confirmed`` ones. An audit rejects the items it judges
    wrong, so a ledger audited before the draw holds only its right ones among those it judged:
    the precision applied to them too counted each wrong one twice (an audit judging 10 of 14
    crossings, 6 right, leaves 10 held, 6 known right: 6 + 4 × 0.6 = 8.4 right, not 10 × 0.6)."""
    rng = np.random.default_rng(seed)
    draws = np.zeros(DRAWS)
    for size, n, y in strata:
        if not size:
            continue
        if n < size:  # a stratum judged whole is known exactly
            draws += size * rng.beta(y + 0.5, n - y + 0.5, DRAWS)
        else:
            draws += size * y / n
    missed = float(np.median(draws))
    missed_ci = (float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975)))
    if not found and not any(y for _, _, y in strata):
        # nothing held and none found missed: the draws of a sampled stratum are never exactly
        # zero, so recall read 0 with the interval 0-0, certain the ledger lacked all of a kind
        # nobody saw (recall is 0 when some were missed, and there is none when none were)
        return missed, missed_ci, None, None
    if precision is None:
        right_draws = np.full(DRAWS, float(found))
    else:
        hits, total = precision
        machine = found - min(confirmed, found)
        right_draws = found - machine + machine * rng.beta(hits + 0.5, total - hits + 0.5, DRAWS)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(right_draws + draws > 0, right_draws / (right_draws + draws), np.nan)
    ratio = ratio[~np.isnan(ratio)]
    if not ratio.size:  # nothing held and nothing missed
        return missed, missed_ci, None, None
    recall_ci = (float(np.quantile(ratio, 0.025)), float(np.quantile(ratio, 0.975)))
    return missed, missed_ci, float(np.median(ratio)), recall_ci

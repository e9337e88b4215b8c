"""What the ledger missed: estimate the threat recall of extraction on your own corpus.

``redline audit`` measures precision: it draws what the ledger holds. What it does not hold
cannot be drawn from it, and on real news the extractor finds about half the threats (README,
test figures), so a user also needs to know how much is missing in *their* corpus. This module
draws sentences **the ledger holds no threat in**, stratified by how threat-like their words
are, asks a person whether each holds a threat (codebook §1), and estimates from the answers how
many threat sentences the ledger missed and its recall, with a 95% interval.

- **Population**: every sentence (as extraction splits the text) of every document whose
  sentence holds no threat an analyst has not rejected.
- **Strata** (``STRATA``): the lexical threat head shipped with the model (``redline.model.
  lexical``, a regression over hashed words; microseconds a sentence) scores each sentence. On
  the dev split of the real-document gold, threat sentences are 42% of those scoring at least
  0.5, 20% of 0.2–0.5, 5% of 0.05–0.2 and 0.4% below 0.05 (2,484 sentences, 40 threats). The
  draw (seeded) gives each stratum a part of ``n`` by Neyman's allocation with those shares as
  planning values (``PLANNING``: they set how many sentences each stratum gets, never the
  estimate), at least one each; a stratum smaller than its part is taken whole.
- **Estimate**: the missed threat sentences are M = Σ N_h·q_h (N_h sentences in stratum h, q_h
  the share of them holding a threat, of which n_h were judged and y_h found to). Recall is
  F/(F + M), F the sentences the ledger held a threat in when the sample was drawn (the unit
  of M: a sentence with two threats is one), times the threat precision
  of the latest ``redline audit`` when one was judged (else F counts every threat as right, and
  the figure says so: recall is then an upper bound). Each q_h and the precision are drawn
  20,000 times (seeded) from Jeffreys' Beta(y + ½, n − y + ½); the figures are the medians of M
  and of recall over those draws, with the 2.5th and 97.5th percentiles as the 95% interval
  (a stratum judged whole is known exactly). A stratum where none of a few judged sentences
  holds a threat still adds its uncertainty: wide when few of a large stratum are judged, and
  judging more narrows it.

A sample is recorded as a run (stage ``audit_misses``) whose ``params`` hold the strata and the
drawn sentences (document and offsets, never their text); judgments go into its ``stats``, the
last one per sentence winning. A sentence judged to hold a threat is one to add to the ledger:
``redline add threat DOC --span START:END --set ...``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
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
from redline.store.schema import documents, evidence, runs, threats
from redline.vocab import ReviewState

STAGE = "audit_misses"
# (name, lowest lexical threat probability) from the most threat-like down
STRATA: tuple[tuple[str, float], ...] = (
    ("likely", 0.5),
    ("possible", 0.2),
    ("unlikely", 0.05),
    ("rare", 0.0),
)
# Planning values for the draw (the share of threat sentences in each stratum on the dev split):
# they decide only how many sentences each stratum gets, never the estimate.
PLANNING = {"likely": 0.42, "possible": 0.20, "unlikely": 0.05, "rare": 0.004}
JUDGMENTS = ("threat", "none")
QUESTION = (
    "Does this sentence hold a threat (codebook §1: a conditional warning of harm by a side "
    "with standing, meant to deter an act of another party)? Not a prediction, refusal, pledge, "
    "appeal, report of being threatened, or history."
)
DRAWS = 20_000
_BATCH = 2_000  # sentences scored at once


@dataclass(frozen=True)
class DrawnSentence:
    number: int
    document_id: int
    start: int
    end: int
    stratum: str
    sentence: str
    before: str  # the sentence before, for context
    question: str = QUESTION
    judgment: str | None = None


@dataclass(frozen=True)
class MissSample:
    audit_id: int
    strata: list[dict[str, Any]]  # name, lowest, sentences, drawn
    found: int  # sentences the ledger held a threat in (not rejected) when drawn
    sentences: list[DrawnSentence]

    def as_dict(self) -> dict[str, Any]:
        return {
            "audit_misses": self.audit_id,
            "judgments": list(JUDGMENTS),
            "strata": self.strata,
            "found": self.found,
            "sentences": [asdict(s) for s in self.sentences],
        }


@dataclass(frozen=True)
class MissFigures:
    audit_id: int
    strata: list[dict[str, Any]]  # name, sentences, drawn, judged, threats
    found: int
    precision: tuple[int, int] | None  # (right, judged) of the latest precision audit's threats
    missed: float | None  # estimated threat sentences the ledger lacks
    missed_interval: tuple[float, float] | None
    recall: float | None
    recall_interval: tuple[float, float] | None

    @property
    def judged(self) -> int:
        return sum(int(s["judged"]) for s in self.strata)

    @property
    def complete(self) -> bool:
        """Is every stratum with sentences judged at least once (else no estimate)?"""
        return all(s["judged"] or not s["sentences"] for s in self.strata)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "judged": self.judged, "precision_assumed": self.precision is None}


def _scorer() -> Any:
    """The shipped lexical threat head: texts -> probabilities."""
    from redline.model.classifier import MODEL_DIR, read_manifest
    from redline.model.lexical import FILE, LexicalHeads

    classes = list(read_manifest()["classes"])
    heads = LexicalHeads.load(MODEL_DIR / FILE)
    column = classes.index("threat")
    return lambda texts: heads.probabilities(texts)[:, column]


def _held_sentences(conn: sa.Connection) -> dict[int, list[tuple[int, int]]]:
    """Per document, the sentence spans that hold a threat no analyst rejected."""
    query = (
        sa.select(evidence.c.document_id, evidence.c.sentence_start, evidence.c.sentence_end)
        .join(threats, threats.c.evidence_id == evidence.c.id)
        .where(threats.c.review_state != ReviewState.REJECTED)
    )
    held: dict[int, list[tuple[int, int]]] = {}
    for doc, start, end in conn.execute(query):
        held.setdefault(int(doc), []).append((int(start), int(end)))
    return held


def _population(
    conn: sa.Connection, held: Mapping[int, list[tuple[int, int]]]
) -> Iterator[tuple[int, int, int, str]]:
    """(document, start, end, sentence) of every sentence holding none of the threats ``held``
    (``_held_sentences``, read on ``conn``), document by document."""
    rows = conn.execution_options(yield_per=200).execute(
        sa.select(documents.c.id, documents.c.text).order_by(documents.c.id)
    )
    for doc_id, text in rows:
        spans = held.get(int(doc_id), [])
        for start, end in split_sentences(text):
            if not any(s < end and start < e for s, e in spans):
                yield int(doc_id), start, end, text[start:end]


def _stratum(p: float) -> str:
    return next(name for name, lowest in STRATA if p >= lowest)


def draw_misses(ledger: Ledger, *, n: int = 200, seed: int = 0) -> MissSample:
    """Draw ``n`` sentences holding no threat, spread over the strata; record the sample."""
    if not isinstance(n, int) or isinstance(n, bool) or n < len(STRATA):
        raise RedlineError(f"draw at least {len(STRATA)} sentences (one per stratum), not {n!r}")
    score = _scorer()
    by_stratum: dict[str, list[tuple[int, int, int]]] = {name: [] for name, _ in STRATA}
    batch: list[tuple[int, int, int, str]] = []

    def flush() -> None:
        for (doc, start, end, _), p in zip(batch, score([b[3] for b in batch]), strict=True):
            by_stratum[_stratum(float(p))].append((doc, start, end))
        batch.clear()

    # the sentences holding a threat are read once, in the snapshot the population is read
    # from: the count of them below once came from a later read, which an extraction between
    # the two could make disagree with the population
    with ledger.snapshot() as conn:
        held = _held_sentences(conn)
        for row in _population(conn, held):
            batch.append(row)
            if len(batch) >= _BATCH:
                flush()
    flush()
    # sentences, as the missed ones are counted (a sentence with two threats is one)
    found = sum(len(set(spans)) for spans in held.values())
    sizes = {name: len(rows) for name, rows in by_stratum.items()}
    if not sum(sizes.values()):
        raise RedlineError(
            f"{ledger.url} holds no sentence without a threat: nothing can have been missed"
        )
    take = _allocate(sizes, n)
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
            "seed": seed,
            "strata": strata,
            "found": found,
            "sample": [[name, doc, start, end] for name, (doc, start, end) in chosen],
        }
        audit_id = ledger.start_run(STAGE, params, conn)
    return MissSample(audit_id, strata, found, _drawn(ledger, params["sample"], {}))


def discard_misses(ledger: Ledger, audit_id: int) -> None:
    """Forget sample ``audit_id``, drawn but never handed to anyone (its file could not be
    written), as ``redline.audit.discard`` forgets an audit: it stood as the latest sample, so
    `audit recall` and the report answered for it, not for the one judged."""
    with ledger.begin() as conn:
        conn.execute(sa.delete(runs).where(runs.c.id == audit_id, runs.c.stage == STAGE))


def _allocate(sizes: Mapping[str, int], n: int) -> dict[str, int]:
    """``n`` spread over the strata by Neyman's allocation (in proportion to a stratum's size
    times the spread of its share, ``PLANNING``), at least one per stratum; a stratum smaller
    than its part is taken whole and the rest goes to the others."""
    spread = {name: (rate * (1 - rate)) ** 0.5 for name, rate in PLANNING.items()}
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
    ledger: Ledger, sample: list[list[Any]], judged: Mapping[str, Mapping[str, Any]]
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
                judgment=mark.get("judgment"),
            )
        )
    return out


def _run(conn: sa.Connection, audit_id: int | None) -> Any:
    query = sa.select(runs).where(runs.c.stage == STAGE)
    if audit_id is not None:
        from redline.audit import _json_name, _whole

        if not _whole(audit_id):
            raise RedlineError(f"a sample number is a whole number, not {_json_name(audit_id)}")
        if not 1 <= audit_id <= MAX_ID:
            raise RedlineError(f"no sample of missed threats numbered {audit_id}")
        query = query.where(runs.c.id == audit_id)
    row = conn.execute(query.order_by(runs.c.id.desc()).limit(1)).first()
    if row is None:
        raise RedlineError(
            f"no sample of missed threats numbered {audit_id}"
            if audit_id is not None
            else "no sample of missed threats yet: `redline audit misses -o FILE` draws one"
        )
    return row


def judge_misses(
    ledger: Ledger,
    audit_id: int,
    judgments: Mapping[int, str],
    *,
    reviewer: str | None = None,
) -> int:
    """Store judgments (sentence number -> ``threat`` or ``none``) of sample ``audit_id``;
    returns how many were stored. A later judgment of a sentence replaces an earlier one."""
    who = checked_reviewer(reviewer)
    with ledger.exclusive() as conn:
        run = _run(conn, audit_id)
        drawn = len((run.params or {}).get("sample", []))
        for number, judgment in judgments.items():
            if isinstance(number, bool) or not isinstance(number, int):
                raise RedlineError(f"a sentence number is a whole number, not {number!r}")
            if not 1 <= number <= drawn:
                raise RedlineError(f"sample {audit_id} has sentences 1 to {drawn}, not {number}")
            if judgment not in JUDGMENTS:
                raise RedlineError(
                    f"sentence {number}: judge {' or '.join(JUDGMENTS)}, not {judgment!r}"
                )
        stats = dict(run.stats or {})
        marks = dict(stats.get("judgments", {}))
        stamp = now().isoformat()
        for number, judgment in judgments.items():
            marks[str(number)] = {"judgment": judgment, "reviewer": who, "at": stamp}
        stats["judgments"] = marks
        conn.execute(sa.update(runs).where(runs.c.id == run.id).values(stats=stats))
    return len(judgments)


def judge_file(ledger: Ledger, path: Path, *, reviewer: str | None = None) -> tuple[int, int]:
    """Judgments from a sample file (``redline audit misses -o``) whose sentences carry a
    ``judgment``; (audit id, judgments stored). A bad file is refused whole, naming it."""
    try:
        # an editor's byte-order mark is no error (Notepad writes one)
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RedlineError(f"{path}: cannot read: {exc}") from exc
    except ValueError as exc:
        raise RedlineError(f"{path}: not a sample of missed threats (not JSON: {exc})") from exc
    audit_id, marks, placed = _judgments_in(data, str(path))
    try:
        _same_sentences(ledger, audit_id, placed)
        return audit_id, judge_misses(ledger, audit_id, marks, reviewer=reviewer)
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
) -> tuple[int, dict[int, str], dict[int, tuple[Any, Any, Any]]]:
    """The sample number, the judgments (sentence number -> judgment) of a sample file and
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
            "not a sample of missed threats (a JSON object with 'audit_misses' and "
            "'sentences', each with a 'number' and a 'judgment')"
        )
    audit_id, sentences = data["audit_misses"], data["sentences"]
    if not _whole(audit_id):
        raise bad(f"audit_misses must be a whole number, not {_json_name(audit_id)}")
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
        if judgment and judgment.strip():
            marks[number] = judgment.strip()
            if all(k in s for k in ("document_id", "start", "end")):
                placed[number] = (s["document_id"], s["start"], s["end"])
    return audit_id, marks, placed


def sample(ledger: Ledger, audit_id: int | None = None) -> MissSample:
    """A recorded sample again (the latest by default), with its judgments so far."""
    with ledger.connect() as conn:
        run = _run(conn, audit_id)
    params = run.params or {}
    judged = (run.stats or {}).get("judgments", {})
    return MissSample(
        int(run.id),
        list(params.get("strata", [])),
        int(params.get("found", 0)),
        _drawn(ledger, list(params.get("sample", [])), judged),
    )


def miss_figures(ledger: Ledger, audit_id: int | None = None, *, seed: int = 0) -> MissFigures:
    """The estimate from a sample's judgments (the latest sample by default)."""
    from redline.audit import figures

    with ledger.connect() as conn:
        run = _run(conn, audit_id)
    params = run.params or {}
    marks = (run.stats or {}).get("judgments", {})
    counts = {s["name"]: [0, 0] for s in params.get("strata", [])}
    for number, (name, *_rest) in enumerate(params.get("sample", []), 1):
        mark = marks.get(str(number))
        if mark is not None:
            counts[name][0] += mark["judgment"] == "threat"
            counts[name][1] += 1
    strata = [
        {
            "name": s["name"],
            "sentences": int(s["sentences"]),
            "drawn": int(s["drawn"]),
            "judged": counts[s["name"]][1],
            "threats": counts[s["name"]][0],
        }
        for s in params.get("strata", [])
    ]
    found = int(params.get("found", 0))
    audit = figures(ledger)
    threat = audit.precision.get("threat") if audit is not None else None
    precision = (threat.hits, threat.total) if threat is not None and threat.total else None
    result = MissFigures(int(run.id), strata, found, precision, None, None, None, None)
    if not result.complete:
        return result
    missed, missed_ci, recall, recall_ci = _estimate(strata, found, precision, seed)
    return MissFigures(int(run.id), strata, found, precision, missed, missed_ci, recall, recall_ci)


def latest_figures(ledger: Ledger) -> MissFigures | None:
    """The latest sample's estimate, None when no sample was drawn (the report shows it)."""
    with ledger.connect() as conn:
        drawn = conn.execute(
            sa.select(sa.func.count()).select_from(runs).where(runs.c.stage == STAGE)
        ).scalar_one()
    return miss_figures(ledger) if drawn else None


def _estimate(
    strata: list[dict[str, Any]],
    found: int,
    precision: tuple[int, int] | None,
    seed: int,
) -> tuple[float, tuple[float, float], float | None, tuple[float, float] | None]:
    """Posterior medians and 95% intervals of the missed threat sentences and of recall."""
    rng = np.random.default_rng(seed)
    draws = np.zeros(DRAWS)
    for s in strata:
        if not s["sentences"]:
            continue
        y, n, size = s["threats"], s["judged"], s["sentences"]
        if n < size:  # a stratum judged whole is known exactly
            draws += size * rng.beta(y + 0.5, n - y + 0.5, DRAWS)
        else:
            draws += size * y / n
    missed = float(np.median(draws))
    missed_ci = (float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975)))
    if precision is None:
        right_draws = np.full(DRAWS, float(found))
    else:
        hits, total = precision
        right_draws = found * rng.beta(hits + 0.5, total - hits + 0.5, DRAWS)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(right_draws + draws > 0, right_draws / (right_draws + draws), np.nan)
    ratio = ratio[~np.isnan(ratio)]
    if not ratio.size:  # nothing held and nothing missed
        return missed, missed_ci, None, None
    recall_ci = (float(np.quantile(ratio, 0.025)), float(np.quantile(ratio, 0.975)))
    return missed, missed_ci, float(np.median(ratio)), recall_ci

"""Score an extractor against the exhaustive real-document gold, so that it cannot flatter.

- Every prediction in a gold document counts: precision = predictions that match a gold item of
  the same kind in the same sentence (borderline items included) / all predictions. Two
  predictions of one gold item: one matches, the other is a false alarm.
- Recall = non-borderline gold items matched / non-borderline gold items.
- Field accuracy over matched non-borderline threats; "all fields right" needs speaker country, trigger key,
  consequence class and statement date (to the precision the gold gives) all right.
- Each figure carries a 95% Wilson interval (``redline.score.intervals``); precision, recall
  and "all fields right" widen it by the design effect of their document groups (one
  statement's threats by three issuers, or copies of one wire story, are right or wrong
  together, so they are not independent trials). Field accuracies and the by-side figures keep
  the plain interval.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from redline.extract.base import DocumentInput, Extraction, Extractor
from redline.gold.annotations import GoldItem, GoldSet, Kind, Split, split_of
from redline.gold.corpus import GoldDocument
from redline.link import when as link_when
from redline.score.intervals import Proportion

THREAT_FIELDS = ("speaker_country", "trigger_key", "consequence_class", "statement_date")
SCORED_KINDS = (Kind.THREAT, Kind.CROSSING, Kind.RESPONSE, Kind.OUTCOME_CLAIM)


@dataclass
class Prediction:
    doc: str
    kind: Kind
    start: int  # the gold sentence it falls in
    end: int
    fields: dict[str, Any]
    sentence: str


@dataclass
class KindScore:
    kind: Kind
    predictions: int = 0
    correct: int = 0
    gold: int = 0  # non-borderline
    found: int = 0
    false_alarms: list[Prediction] = field(default_factory=list)
    misses: list[GoldItem] = field(default_factory=list)
    fields: dict[str, list[int]] = field(default_factory=dict)  # name -> [right, checked]
    all_fields: list[int] = field(default_factory=lambda: [0, 0])
    # threats whose gold states an addressee (the codebook's ``target``): [right, checked]; not
    # among the fields every one of which must be right (issue #8 names those four)
    addressee: list[int] = field(default_factory=lambda: [0, 0])
    # threats by the speaker's side (``speaker_side``): side -> [predicted, right, gold, found]
    # (a prediction by its own speaker country, a gold item by the gold's), so a reader sees
    # whether the extractor finds or invents one side's threats more than another's
    sides: dict[str, list[int]] = field(default_factory=dict)
    # by document group: group -> [predictions, correct, gold, found, all fields right, checked]
    groups: dict[str, list[int]] = field(default_factory=dict)

    def _clusters(self, hit: int, of: int) -> tuple[tuple[int, int], ...]:
        return tuple((c[hit], c[of]) for c in self.groups.values())

    @property
    def precision(self) -> Proportion:
        return Proportion(self.correct, self.predictions, self._clusters(1, 0))

    @property
    def recall(self) -> Proportion:
        return Proportion(self.found, self.gold, self._clusters(3, 2))

    @property
    def all_fields_right(self) -> Proportion:
        right, checked = self.all_fields
        return Proportion(right, checked, self._clusters(4, 5))

    @property
    def f1(self) -> float:
        p, r = self.precision.value, self.recall.value
        if p is None or r is None or p + r == 0:
            return 0.0
        return 2 * p * r / (p + r)

    def field_accuracy(self, name: str) -> Proportion:
        right, total = self.fields.get(name, [0, 0])
        return Proportion(right, total)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "predictions": self.predictions,
            "gold": self.gold,
            "precision": self.precision.as_dict(),
            "recall": self.recall.as_dict(),
            "f1": round(self.f1, 3),
        }
        if self.fields:
            out["fields"] = {k: self.field_accuracy(k).as_dict() for k in sorted(self.fields)}
            out["all_fields_right"] = self.all_fields_right.as_dict()
        if self.addressee[1]:
            out["addressee"] = Proportion(self.addressee[0], self.addressee[1]).as_dict()
        if self.sides:
            out["by_side"] = {
                name: {
                    "predictions": c[0],
                    "gold": c[2],
                    "precision": Proportion(c[1], c[0]).as_dict(),
                    "recall": Proportion(c[3], c[2]).as_dict(),
                }
                for name, c in sorted(self.sides.items())
            }
        return out


def speaker_side(country: str | None) -> str:
    """The side of the confrontation a speaker country is on (``actors.yaml``, ``sides:``):
    ``west``, ``russia``, ``other`` for a country on neither (China, Iran, the UN), or
    ``unknown`` when no country was given."""
    from redline import knowledge

    if not country:
        return "unknown"
    side = knowledge.side(country)
    return side if side in ("west", "russia") else "other"


@dataclass
class Report:
    split: str
    documents: int
    kinds: dict[Kind, KindScore]

    def summary(self) -> dict[str, Any]:
        return {
            "split": self.split,
            "documents": self.documents,
            **{k.value: s.summary() for k, s in self.kinds.items()},
        }


def to_input(doc: GoldDocument, number: int) -> DocumentInput:
    return DocumentInput(
        id=number,
        text=doc.text,
        published=doc.published,
        published_precision="day" if doc.published else "unknown",
        genre=doc.genre,
        title=doc.title,
        author=doc.extra.get("speaker"),
    )


def predictions(doc: GoldDocument, result: Extraction) -> list[Prediction]:
    """Each extracted item, placed in the gold sentence that holds its span."""
    spans = doc.sentences
    starts = [s for s, _ in spans]

    def place(offset: int) -> tuple[int, int]:
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        return spans[i] if spans else (0, len(doc.text))

    out = []
    for t in result.threats:
        s, e = place(t.provenance.span_start)
        when = t.stated_date or doc.published
        precision = t.stated_precision if t.stated_date else "day"
        out.append(
            Prediction(
                doc.id,
                Kind.THREAT,
                s,
                e,
                {
                    "speaker": t.speaker,
                    "speaker_country": t.speaker_country,
                    "addressee_country": t.addressee_country,
                    "trigger_key": t.trigger_key,
                    "trigger": t.trigger_text,
                    "consequence_class": t.consequence_class,
                    "statement_date": _date_label(when, precision),
                },
                doc.text[s:e],
            )
        )
    joint: set[tuple[str, int]] = set()
    for ev in result.events:
        s, e = place(ev.provenance.span_start)
        if (ev.kind, s) in joint:
            continue  # one joint act credited to several sides is one item (codebook §3)
        joint.add((ev.kind, s))
        out.append(
            Prediction(
                doc.id,
                Kind(ev.kind),
                s,
                e,
                {
                    "actor_country": ev.actor_country,
                    "trigger_key": ev.trigger_key,
                    "consequence_class": ev.consequence_class,
                },
                doc.text[s:e],
            )
        )
    for c in result.claims:
        s, e = place(c.provenance.span_start)
        out.append(
            Prediction(
                doc.id,
                Kind.OUTCOME_CLAIM,
                s,
                e,
                {"subject_country": c.subject_country, "trigger_key": c.trigger_key},
                doc.text[s:e],
            )
        )
    return out


def _date_label(day: date | None, precision: str) -> str | None:
    """``2022-05-17``, ``2022-05`` or ``2022``, as the ledger writes dates of that precision."""
    return link_when.interval_label(*link_when.span(day, precision)) if day is not None else None


def date_agrees(gold: str | None, predicted: str | None) -> bool | None:
    """Right when the predicted date agrees with the gold at the gold's precision (None: unchecked)."""
    if not gold:
        return None
    if not predicted:
        return False
    n = min(len(gold), len(predicted))
    return len(predicted) >= len(gold) and predicted[:n] == gold[:n]


def _field_checks(
    gold: GoldItem, pred: Prediction, same_trigger: Callable[[str | None, str | None], bool]
) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    g = gold.fields
    if g.get("speaker_country"):
        checks["speaker_country"] = pred.fields.get("speaker_country") == g["speaker_country"]
    if g.get("trigger_key") and g["trigger_key"] != "unspecified":
        checks["trigger_key"] = same_trigger(g["trigger_key"], pred.fields.get("trigger_key"))
    if g.get("consequence_class"):
        checks["consequence_class"] = pred.fields.get("consequence_class") == g["consequence_class"]
    agree = date_agrees(g.get("statement_date"), pred.fields.get("statement_date"))
    if agree is not None:
        checks["statement_date"] = agree
    return checks


def gold_documents(
    gold: GoldSet,
    documents: dict[str, GoldDocument],
    splits: Iterable[Split],
    sources: Iterable[str] | None = None,
) -> list[GoldDocument]:
    """The annotated documents of ``splits`` (and ``sources``), in a stable order."""
    wanted = set(splits)
    kinds = None if sources is None else set(sources)
    return [
        documents[d]
        for d in sorted(gold.primary())
        if d in documents
        and split_of(documents[d].group) in wanted
        and (kinds is None or documents[d].source in kinds)
    ]


def score(
    extractor: Extractor,
    gold: GoldSet,
    documents: dict[str, GoldDocument],
    splits: Iterable[Split],
    *,
    same_trigger: Callable[[str | None, str | None], bool] | None = None,
    sources: Sequence[str] | None = None,
) -> Report:
    wanted = set(splits)
    primary = gold.primary()
    docs = gold_documents(gold, documents, wanted, sources)
    kinds = {k: KindScore(k) for k in SCORED_KINDS}
    same = same_trigger or (lambda a, b: a == b)
    inputs = [to_input(d, i) for i, d in enumerate(docs)]
    many = getattr(extractor, "extract_many", None)
    results = many(inputs) if many else [extractor.extract(x) for x in inputs]
    for doc, result in zip(docs, results, strict=True):
        items = [i for i in gold.items_of(doc.id, primary[doc.id]) if i.kind in kinds]
        preds = predictions(doc, result)
        for kind, ks in kinds.items():
            _score_kind(
                ks,
                [i for i in items if i.kind == kind],
                [p for p in preds if p.kind == kind],
                same,
                group=doc.group,
            )
    return Report("+".join(sorted(s.value for s in wanted)), len(docs), kinds)


def _score_kind(
    ks: KindScore,
    gold_items: list[GoldItem],
    preds: list[Prediction],
    same_trigger: Callable[[str | None, str | None], bool],
    *,
    group: str | None = None,
) -> None:
    """Add one document's items of one kind to ``ks`` (and to its document ``group``'s counts,
    when given: ``KindScore.groups``)."""
    before = _counts(ks)
    _tally_kind(ks, gold_items, preds, same_trigger)
    if group is not None:
        slot = ks.groups.setdefault(group, [0] * 6)
        for i, (now, was) in enumerate(zip(_counts(ks), before, strict=True)):
            slot[i] += now - was


def _counts(ks: KindScore) -> tuple[int, ...]:
    return (ks.predictions, ks.correct, ks.gold, ks.found, *ks.all_fields)


def _tally_kind(
    ks: KindScore,
    gold_items: list[GoldItem],
    preds: list[Prediction],
    same_trigger: Callable[[str | None, str | None], bool],
) -> None:
    ks.predictions += len(preds)
    ks.gold += sum(not g.borderline for g in gold_items)
    unmatched = list(gold_items)

    def agrees(pred: Prediction) -> bool:
        return any(
            g.start == pred.start and g.get("speaker_country") == pred.fields.get("speaker_country")
            for g in gold_items
        )

    # Most specific first: on a sentence with several predictions (a joint statement's issuers),
    # the ones whose speaker country some gold item there shares are matched before the others,
    # and each such prediction takes that gold item rather than another.
    by_side = ks.kind == Kind.THREAT

    def tally(country: str | None, slot: int) -> None:
        if by_side:
            ks.sides.setdefault(speaker_side(country), [0, 0, 0, 0])[slot] += 1

    for g in gold_items:
        if not g.borderline:
            tally(g.get("speaker_country"), 2)
    for pred in sorted(preds, key=lambda p: (p.start, not agrees(p))):
        tally(pred.fields.get("speaker_country"), 0)
        here = [g for g in unmatched if g.start == pred.start]
        if not here:
            ks.false_alarms.append(pred)
            continue
        here.sort(
            key=lambda g: (
                g.get("speaker_country") != pred.fields.get("speaker_country"),
                g.borderline,
            )
        )
        g = here[0]
        unmatched.remove(g)
        ks.correct += 1
        # by side, a match counts only when both speakers are on one side: a Russian threat
        # given to the US is a Western false alarm and a Russian miss, not right for both
        agree = speaker_side(pred.fields.get("speaker_country")) == speaker_side(
            g.get("speaker_country")
        )
        if agree:
            tally(pred.fields.get("speaker_country"), 1)
        if not g.borderline:
            ks.found += 1
            if agree:
                tally(g.get("speaker_country"), 3)
        if ks.kind == Kind.THREAT and not g.borderline:
            checks = _field_checks(g, pred, same_trigger)
            for name, ok in checks.items():
                slot = ks.fields.setdefault(name, [0, 0])
                slot[0] += ok
                slot[1] += 1
            ks.all_fields[1] += 1
            ks.all_fields[0] += all(checks.values())
            if g.get("target"):
                ks.addressee[0] += pred.fields.get("addressee_country") == g.get("target")
                ks.addressee[1] += 1
    ks.misses.extend(g for g in unmatched if not g.borderline)


# ---------------------------------------------------------------------------- agreement


def agreement(gold: GoldSet, documents: dict[str, GoldDocument]) -> dict[str, Any]:
    """Inter-annotator agreement on documents annotated twice: Cohen's kappa on each sentence's
    label (threat > response > crossing > outcome_claim > none), and per-field agreement on
    threats both annotators put on the same sentence."""
    order = ("threat", "response", "crossing", "outcome_claim")
    pairs: list[tuple[str, str]] = []
    field_counts: dict[str, list[int]] = {}
    double = [d for d in sorted(gold.documents()) if len(gold.annotators(d)) >= 2]
    per_kind: dict[str, list[int]] = {k: [0, 0, 0] for k in order}  # both, only a, only b
    for doc_id in double:
        doc = documents.get(doc_id)
        if doc is None:
            continue
        a, b = gold.annotators(doc_id)[:2]
        labels: list[dict[tuple[int, int], str]] = []
        threats: list[dict[tuple[int, int], GoldItem]] = []
        for who in (a, b):
            lab: dict[tuple[int, int], str] = {}
            th: dict[tuple[int, int], GoldItem] = {}
            for item in gold.items_of(doc_id, who):
                key = (item.start, item.end)
                if item.kind.value in order:
                    current = lab.get(key)
                    if current is None or order.index(item.kind.value) < order.index(current):
                        lab[key] = item.kind.value
                if item.kind == Kind.THREAT:
                    th.setdefault(key, item)
            labels.append(lab)
            threats.append(th)
        for span in doc.sentences:
            la, lb = labels[0].get(span, "none"), labels[1].get(span, "none")
            pairs.append((la, lb))
            for k in order:
                ia, ib = la == k, lb == k
                if ia and ib:
                    per_kind[k][0] += 1
                elif ia:
                    per_kind[k][1] += 1
                elif ib:
                    per_kind[k][2] += 1
        for span, ta in threats[0].items():
            tb = threats[1].get(span)
            if tb is None:
                continue
            for name in (*THREAT_FIELDS, "target"):  # target: the addressee, scored apart
                va, vb = ta.get(name), tb.get(name)
                if va is None and vb is None:
                    continue
                slot = field_counts.setdefault(name, [0, 0])
                if name == "statement_date":
                    ok = bool(va and vb and (va.startswith(vb) or vb.startswith(va)))
                else:
                    ok = va == vb
                slot[0] += ok
                slot[1] += 1
    return {
        "documents": len(double),
        "sentences": len(pairs),
        "kappa": round(cohen_kappa(pairs), 3) if pairs else None,
        "per_kind_f1": {
            k: round(2 * v[0] / (2 * v[0] + v[1] + v[2]), 3) if sum(v) else None
            for k, v in per_kind.items()
        },
        "per_kind_counts": {
            k: {"both": v[0], "only_first": v[1], "only_second": v[2]} for k, v in per_kind.items()
        },
        "threat_fields": {
            k: Proportion(v[0], v[1]).as_dict() for k, v in sorted(field_counts.items())
        },
    }


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float:
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    ca = Counter(a for a, _ in pairs)
    cb = Counter(b for _, b in pairs)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def trigger_matcher(*, both_gold: bool = False) -> Callable[[str | None, str | None], bool]:
    """Gold key (annotators' synonyms mapped, ``data/gold/trigger_aliases.yaml``) against the
    predicted key: right when equal, or when the prediction is a narrower line of the gold one
    (gold ``weapons_to_ukraine``, predicted ``tanks_to_ukraine``); never the other way round.
    ``both_gold``: the second key is an annotator's too (agreement), so it is mapped as well."""
    from importlib import resources

    import yaml

    from redline import knowledge

    path = resources.files("redline") / "data" / "gold" / "trigger_aliases.yaml"
    aliases: dict[str, str] = yaml.safe_load(path.read_text(encoding="utf-8"))["aliases"]
    tree = knowledge.triggers()

    def same(gold: str | None, predicted: str | None) -> bool:
        if gold is None or predicted is None:
            return False
        gold = aliases.get(gold, gold)
        if both_gold:
            predicted = aliases.get(predicted, predicted)
        if predicted == gold:
            return True
        return predicted in tree and gold in tree.ancestors(predicted)

    return same

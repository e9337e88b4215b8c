"""The exhaustive real-document gold: it points into shared/ by offsets, is big enough, is split
by document, and its scoring counts every prediction."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from tests.conftest import shared_path

from redline.errors import GoldError
from redline.extract.base import DocumentInput, Extraction, Provenance, ThreatItem
from redline.gold import annotations, score
from redline.gold.annotations import GoldItem, GoldSet, Kind, Split, split_of
from redline.gold.corpus import GoldDocument, load_documents
from redline.score.intervals import Proportion, wilson


@pytest.fixture(scope="module")
def real() -> tuple[GoldSet, dict[str, GoldDocument]]:
    documents = load_documents(shared_path())
    return annotations.load(annotations.GOLD_FILE, documents), documents


def test_gold_is_exhaustive_real_and_large(real: tuple[GoldSet, dict[str, GoldDocument]]) -> None:
    gold, documents = real
    primary = gold.primary()
    sources = Counter(documents[d].source for d in primary)
    assert sum(sources.values()) >= 400
    assert sources["news"] >= 200 and sources["statements"] >= 100 and sources["plover"] >= 500
    # every item sits on a sentence of its document (load() checked each sha1 already)
    for item in gold.items:
        assert (item.start, item.end) in documents[item.doc].sentences
    double = [d for d in gold.documents() if len(gold.annotators(d)) >= 2]
    assert len(double) >= 60


def test_gold_stores_no_article_text() -> None:
    for line in annotations.GOLD_FILE.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert "text" not in rec and "sentence_text" not in rec
        for value in rec.values():
            assert not (isinstance(value, str) and len(value) > 200), rec


def test_split_is_by_document_group_and_stable(
    real: tuple[GoldSet, dict[str, GoldDocument]],
) -> None:
    _, documents = real
    splits = Counter(split_of(d.group) for d in documents.values())
    total = sum(splits.values())
    assert 0.12 < splits[Split.TEST] / total < 0.28
    assert 0.12 < splits[Split.DEV] / total < 0.28
    # near-copies of one wire story share a group, so they never straddle train and test
    by_group: dict[str, set[Split]] = {}
    for doc in documents.values():
        by_group.setdefault(doc.group, set()).add(split_of(doc.group))
    assert all(len(s) == 1 for s in by_group.values())
    assert split_of("news/x") == split_of("news/x")


def test_a_changed_corpus_is_refused(tmp_path) -> None:
    doc = GoldDocument("news/a", "news", "Russia warned. Nothing else.", None, "news")
    line = {
        "doc": "news/a",
        "annotator": "A",
        "sentence": [0, 14],
        "sha1": "000000000000",
        "kind": "threat",
    }
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match=r"gold.jsonl:1: .*has news/a changed"):
        annotations.load(path, {"news/a": doc})
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(GoldError, match=r"gold.jsonl:1: not JSON"):
        annotations.load(path)


def test_import_turns_sentence_numbers_into_offsets() -> None:
    text = "Moscow warned it would respond. Kyiv said nothing. Later more."
    doc = GoldDocument("news/b", "news", text, None, "news")
    raw = [
        ("f:1", "A", {"doc": "news/b", "s": 1, "kind": "threat", "speaker_country": "RUS"}),
        ("f:2", "A", {"doc": "news/b", "s": 9, "kind": "threat"}),
        ("f:3", "A", {"doc": "news/zzz", "s": 1, "kind": "threat"}),
        ("f:4", "A", {"doc": "news/b", "done": True}),
    ]
    records, problems = annotations.import_raw(raw, {"news/b": doc})
    assert records[0]["sentence"] == [0, 31]
    assert records[0]["sha1"] == annotations.sentence_sha("Moscow warned it would respond.")
    assert records[1] == {"doc": "news/b", "annotator": "A", "done": True}
    assert problems == ["f:2: news/b has no sentence 9", "f:3: unknown document 'news/zzz'"]


class _Fixed:
    """An extractor that returns the same threats for every document (for scoring tests)."""

    name = version = "fixed"

    def __init__(
        self, spans: list[tuple[int, int, str | None]], addressee: str | None = None
    ) -> None:
        self.spans = spans
        self.addressee = addressee

    def extract(self, doc: DocumentInput) -> Extraction:
        out = Extraction()
        for start, end, country in self.spans:
            out.threats.append(
                ThreatItem(
                    provenance=Provenance(start, end, start, end, doc.text[start:end]),
                    speaker=None,
                    speaker_key=None,
                    speaker_country=country,
                    addressee=self.addressee,
                    addressee_country=self.addressee,
                    trigger_key="nato_enlargement",
                    trigger_text=None,
                    consequence_text=None,
                    consequence_class="vague",
                    explicitness="implicit",
                    stated_date=None,
                    stated_precision="unknown",
                    confidence=0.5,
                    extractor="fixed",
                )
            )
        return out


def test_precision_counts_every_prediction_and_duplicates() -> None:
    text = "Russia warned Finland. Finland joined. A borderline line here."
    doc = GoldDocument("news/c", "news", text, None, "news")
    group = doc.group
    items = [
        GoldItem(
            "news/c",
            "A",
            0,
            22,
            Kind.THREAT,
            False,
            {
                "speaker_country": "RUS",
                "trigger_key": "nato_enlargement",
                "consequence_class": "vague",
            },
        ),
        GoldItem("news/c", "A", 39, 62, Kind.THREAT, True, {}),
    ]
    gold = GoldSet(items, {"A": {"news/c"}})
    # the same statement twice, a false alarm on sentence 2, and the borderline one
    fixed = _Fixed([(0, 22, "RUS"), (0, 22, "RUS"), (23, 38, "FIN"), (39, 62, None)])
    report = score.score(fixed, gold, {"news/c": doc}, [split_of(group)])
    threat = report.kinds[Kind.THREAT]
    assert (threat.correct, threat.predictions) == (2, 4)  # duplicate and false alarm count
    assert (threat.found, threat.gold) == (1, 1)  # the borderline item is not required
    assert threat.all_fields == [1, 1]
    # by the speaker's side: one of the two Russian predictions right (the other a duplicate),
    # Finland's (west) a false alarm, the one with no speaker (the borderline item's) right and
    # on nobody's side; only non-borderline gold counts for recall
    by_side = threat.summary()["by_side"]
    assert {k: (v["precision"]["hits"], v["predictions"]) for k, v in by_side.items()} == {
        "russia": (1, 2),
        "west": (0, 1),
        "unknown": (1, 1),
    }
    assert (by_side["russia"]["recall"]["hits"], by_side["russia"]["gold"]) == (1, 1)
    # a Russian threat given to the US matches its sentence (overall precision and recall), but
    # by side it is a Western false alarm and a Russian miss, not right for both
    swapped = _Fixed([(0, 22, "USA"), (39, 62, None)])
    sides = score.score(swapped, gold, {"news/c": doc}, [split_of(group)]).kinds[Kind.THREAT]
    assert (sides.correct, sides.found) == (2, 1)
    assert sides.sides["west"] == [1, 0, 0, 0] and sides.sides["russia"] == [0, 0, 1, 0]
    assert score.speaker_side("CHN") == "other" and score.speaker_side("NATO") == "west"


def test_the_addressee_is_scored_apart_from_every_field() -> None:
    """The addressee (the codebook's ``target``) is scored where the gold states one, and a
    wrong one does not make a threat's four fields (issue #8's) wrong."""
    text = "Russia warned Finland against joining NATO."
    doc = GoldDocument("news/t", "news", text, None, "news")
    fields = {
        "speaker_country": "RUS",
        "target": "FIN",
        "trigger_key": "nato_enlargement",
        "consequence_class": "vague",
    }
    gold = GoldSet([GoldItem("news/t", "A", 0, 43, Kind.THREAT, False, fields)], {"A": {"news/t"}})
    for addressee, right in (("FIN", 1), (None, 0), ("SWE", 0)):
        fixed = _Fixed([(0, 43, "RUS")], addressee=addressee)
        threat = score.score(fixed, gold, {"news/t": doc}, [split_of(doc.group)]).kinds[Kind.THREAT]
        assert threat.addressee == [right, 1]
        assert threat.all_fields == [1, 1]
        assert threat.summary()["addressee"]["hits"] == right
    # a gold threat that states no addressee is not checked
    del fields["target"]
    threat = score.score(_Fixed([(0, 43, "RUS")]), gold, {"news/t": doc}, [split_of(doc.group)])
    assert "addressee" not in threat.kinds[Kind.THREAT].summary()


def test_a_joint_statement_is_matched_by_the_issuer_the_gold_names() -> None:
    """Three issuers of one joint statement, the annotator's one item on the US: the US
    prediction takes it (fields right), the other two are false alarms, whatever their order."""
    text = "They reaffirm that a nuclear test would be met with a firm response."
    doc = GoldDocument("statements/j", "statements", text, None, "statements")
    fields = {"speaker_country": "USA", "consequence_class": "vague"}
    gold = GoldSet(
        [GoldItem("statements/j", "A", 0, 68, Kind.THREAT, False, fields)], {"A": {"statements/j"}}
    )
    for order in (["JPN", "KOR", "USA"], ["USA", "JPN", "KOR"]):
        fixed = _Fixed([(0, 68, country) for country in order])
        threat = score.score(fixed, gold, {"statements/j": doc}, [split_of(doc.group)]).kinds[
            Kind.THREAT
        ]
        assert (threat.correct, threat.predictions, threat.found) == (1, 3, 1)
        assert threat.fields["speaker_country"] == [1, 1]
        assert sorted(p.fields["speaker_country"] for p in threat.false_alarms) == ["JPN", "KOR"]


def test_wilson_interval_and_kappa() -> None:
    lo, hi = wilson(8, 10)  # type: ignore[misc]
    assert round(lo, 3) == 0.490 and round(hi, 3) == 0.943
    assert wilson(0, 0) is None
    lo0, hi0 = wilson(0, 5)  # type: ignore[misc]
    assert lo0 == 0.0 and 0.4 < hi0 < 0.45
    assert Proportion(3, 4).label().startswith("0.75 [")
    pairs = [("threat", "threat")] * 8 + [("none", "none")] * 10 + [("threat", "none")] * 2
    assert round(score.cohen_kappa(pairs), 3) == 0.8
    assert score.date_agrees("2022-05", "2022-05-17") is True
    assert score.date_agrees("2022-05-17", "2022-05") is False
    assert score.date_agrees(None, "2022") is None


def test_agreement_counts_the_addressee_both_annotators_give() -> None:
    """The addressee (``target``) is one of the fields whose agreement is reported, so the
    eval's addressee figure can be read against how far two annotators agree on it."""
    text = "Russia warned Finland against joining NATO."
    doc = GoldDocument("news/a", "news", text, None, "news")
    mine = {"speaker_country": "RUS", "target": "FIN"}
    items = [
        GoldItem("news/a", "A", 0, len(text), Kind.THREAT, False, mine),
        GoldItem("news/a", "B", 0, len(text), Kind.THREAT, False, {**mine, "target": "SWE"}),
    ]
    gold = GoldSet(items, {"A": {"news/a"}, "B": {"news/a"}})
    fields = score.agreement(gold, {"news/a": doc})["threat_fields"]
    assert (fields["target"]["hits"], fields["target"]["total"]) == (0, 1)
    assert (fields["speaker_country"]["hits"], fields["speaker_country"]["total"]) == (1, 1)


class _Warns(_Fixed):
    """Finds a threat in any document whose text says 'warned'."""

    def extract(self, doc: DocumentInput) -> Extraction:
        self.spans = [(0, len(doc.text), None)] if "warned" in doc.text else []
        return super().extract(doc)


def test_plover_scores_threaten_and_the_codebook_on_the_same_sentences() -> None:
    from redline.gold.evaluation import plover

    def held_out(n: int, text: str, root: str) -> GoldDocument:
        # number the (made-up) sentence until its group hashes into the dev split
        for pad in range(200):
            doc = GoldDocument(
                f"plover/{n}",
                "plover",
                f"{text}, day {pad}.",
                None,
                "news",
                None,
                {"gold_root": root},
            )
            if split_of(doc.group) == Split.DEV:
                return doc
        raise AssertionError("no padding put the sentence in dev")

    docs = [
        # THREATEN and a codebook threat, found
        held_out(1, "The minister warned that any strike would be answered", "THREATEN"),
        # THREATEN but no codebook threat (a militia), found
        held_out(2, "A militia warned it would shell the town", "THREATEN"),
        # THREATEN and a codebook threat, missed
        held_out(3, "The cabinet vowed sanctions if the border closed", "THREATEN"),
        # a codebook threat PLOVER coded otherwise, missed
        held_out(4, "The ministry said an attack would bring retaliation", "ACCUSE"),
        # neither, found (a false alarm for both)
        held_out(5, "Analysts warned of a long winter", "CONSULT"),
    ]
    documents = {d.id: d for d in docs}
    threat = {1, 3, 4}
    items = [
        GoldItem(f"plover/{n}", "A", 0, len(documents[f"plover/{n}"].text), Kind.THREAT, False)
        for n in threat
    ]
    gold = GoldSet(items, {"A": set(documents)})
    out = plover(_Warns([]), documents, [Split.DEV], gold)
    assert out["sentences"] == 5 and out["threaten"] == 3
    assert (out["precision"]["hits"], out["precision"]["total"]) == (2, 3)
    assert (out["recall"]["hits"], out["recall"]["total"]) == (2, 3)
    assert out["codebook"]["gold"] == 3
    assert (out["codebook"]["precision"]["hits"], out["codebook"]["precision"]["total"]) == (1, 3)
    assert (out["codebook"]["recall"]["hits"], out["codebook"]["recall"]["total"]) == (1, 3)
    assert out["both"]["gold"] == 2
    assert (out["both"]["recall"]["hits"], out["both"]["recall"]["total"]) == (1, 2)
    # without the gold, only PLOVER's own label is scored
    assert "codebook" not in plover(_Warns([]), documents, [Split.DEV])


def test_intervals_widen_by_the_design_effect_of_documents() -> None:
    """Items of one document are right or wrong together: a proportion given its counts per
    document widens its Wilson interval by Kish's design effect and never narrows it; where
    the effect cannot be estimated (one document, or all right or all wrong) it is Wilson's,
    so one more error never raises the lower bound."""
    plain = Proportion(24, 27)
    # one item per document: exactly Wilson's interval
    alone = Proportion(24, 27, tuple([(1, 1)] * 24 + [(0, 1)] * 3))
    assert alone.design_effect == 1.0 and alone.interval == plain.interval
    # the three wrong ones in one document, the right ones three to a document
    bunched = Proportion(24, 27, tuple([(3, 3)] * 8 + [(0, 3)]))
    assert bunched.design_effect == pytest.approx(3 * 9 / 8 * 26 / 27)
    lo, hi = bunched.interval  # type: ignore[misc]
    plo, phi = plain.interval  # type: ignore[misc]
    assert lo < plo and hi >= phi
    assert bunched.as_dict()["design_effect"] == 3.25 and bunched.as_dict()["clusters"] == 9
    # spread evenly over the documents: the clusters say less than independent items would
    even = Proportion(24, 27, tuple([(3, 3)] * 6 + [(2, 3)] * 3))
    assert even.design_effect == 1.0 and even.interval == plain.interval
    # all right, or one story only: Wilson's interval
    assert Proportion(6, 6, ((6, 6),)).interval == wilson(6, 6)
    assert Proportion(5, 6, ((5, 6),)).interval == wilson(5, 6)
    # one more error never raises the lower bound (100/100 against 99/100 in ten documents)
    perfect = Proportion(100, 100, ((10, 10),) * 10).interval
    one_off = Proportion(99, 100, ((10, 10),) * 9 + ((9, 10),)).interval
    assert perfect is not None and one_off is not None and perfect[0] > one_off[0]
    assert Proportion(0, 0, ((0, 0),)).interval is None
    with pytest.raises(ValueError, match="not 5/6"):
        Proportion(5, 6, ((6, 6),))


def test_scoring_counts_each_document_group_as_a_cluster() -> None:
    """The scorer keeps each document group's counts, so two copies of one story (one group)
    whose prediction is wrong in both widen the precision interval where two different
    stories would not."""
    fields = {"speaker_country": "RUS", "consequence_class": "vague"}
    # a threat in the "fine"/"warm" stories; the others say nothing of one
    layouts = {
        "copies": ["cold.", "cold.", "fine.", "warm."],
        "apart": ["cold.", "grey.", "fine.", "warm."],
    }
    results = {}
    for name, ends in layouts.items():
        ids = [f"news/{i}" for i in range(len(ends))]
        documents = {
            d: GoldDocument(
                d, "news", f"Moscow warned of a response. The weather was {e}", None, "news"
            )
            for d, e in zip(ids, ends, strict=True)
        }
        items = [
            GoldItem(d, "A", 0, 28, Kind.THREAT, False, fields)
            for d, e in zip(ids, ends, strict=True)
            if e in ("fine.", "warm.")
        ]
        gold = GoldSet(items, {"A": set(ids)})
        fixed = _Fixed([(0, 28, "RUS")])
        results[name] = score.score(fixed, gold, documents, list(Split)).kinds[Kind.THREAT]
    copies, apart = results["copies"], results["apart"]
    assert (copies.correct, copies.predictions) == (apart.correct, apart.predictions) == (2, 4)
    assert len(copies.groups) == 3 and len(apart.groups) == 4
    assert sorted(c[:2] for c in copies.groups.values()) == [[1, 1], [1, 1], [2, 0]]
    assert apart.precision.design_effect == 1.0
    assert copies.precision.design_effect == pytest.approx(1.6875)
    assert copies.precision.interval[0] < apart.precision.interval[0]  # type: ignore[index]
    assert copies.summary()["precision"]["clusters"] == 3

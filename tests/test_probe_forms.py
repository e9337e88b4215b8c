"""A regression probe of the wordings a threat takes, and of the look-alikes that are not
threats (codebook §1), written for the project by an annotator who saw only the codebook.

It is synthetic text, so it measures nothing about real news (the real-document gold does,
``redline eval``); it pins that the forms the rules read keep being read. Each line of
``fixtures/probe/threat_forms.jsonl``: the passage, whether it holds a threat, the threat's
sentence, speaker country, consequence class and a tag for its wording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.errors import GoldError
from redline.gold import probe

PROBE = Path(__file__).parent / "fixtures" / "probe" / "threat_forms.jsonl"


def test_the_threat_forms_are_read_and_the_look_alikes_are_not() -> None:
    got = probe.score(probe.read(PROBE))
    assert got.threats == 100 and got.look_alikes == 60
    # measured 2026-11-30: 92 found (67 before the named-line, unlisted-line and speaker fixes),
    # 91 of them with the right speaker, 80 with the right class; 3 false alarms
    assert got.found >= 90, got
    assert got.speaker_right >= got.found - 2, got
    assert got.class_right >= 77, got
    assert got.false_alarms <= 3, got


def test_the_probe_script_scores_a_probe_file(tmp_path: Path) -> None:
    """``scripts/probe_forms.py`` prints what it found, with intervals, and lists misses."""
    import subprocess
    import sys

    probe = tmp_path / "probe.jsonl"
    rows = [
        {
            "id": "t1",
            "text": "The minister spoke on Monday. Russia will cut gas supplies to any country "
            "that seizes its assets, Dmitry Peskov said.",
            "threat": True,
            "sentence": "Russia will cut gas supplies to any country that seizes its assets, "
            "Dmitry Peskov said.",
            "speaker_country": "RUS",
            "consequence_class": "sanctions_or_economic",
        },
        {
            "id": "t2",
            "text": "Weather was mild. The sky stayed blue.",
            "threat": True,
            "sentence": "The sky stayed blue.",
            "speaker_country": "RUS",
            "consequence_class": "vague",
        },
        {"id": "n1", "text": "Analysts expect a cold winter in Europe.", "threat": False},
    ]
    probe.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    script = Path(__file__).resolve().parents[1] / "scripts" / "probe_forms.py"
    out = subprocess.run(
        [sys.executable, str(script), str(probe), "--misses"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "missed t2" in out and "missed t1" not in out
    assert "threats found: 0.50" in out and "(1/2)" in out
    assert "look-alikes taken as threats: 0.00" in out and "(0/1)" in out


def test_a_malformed_probe_line_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    """A probe line that is not a JSON object stops the script with the file and the line,
    not a traceback; blank lines are skipped."""
    import subprocess
    import sys

    bad = tmp_path / "bad.jsonl"
    good = {"id": "n1", "text": "Analysts expect a cold winter.", "threat": False}
    bad.write_text(json.dumps(good) + "\n\n" + '{"id": "n2", "text": ' + "\n", encoding="utf-8")
    script = Path(__file__).resolve().parents[1] / "scripts" / "probe_forms.py"
    run = subprocess.run([sys.executable, str(script), str(bad)], capture_output=True, text=True)
    assert run.returncode == 1
    assert f"{bad}:3: not JSON" in run.stderr and "Traceback" not in run.stderr
    ok = tmp_path / "ok.jsonl"
    ok.write_text(json.dumps(good) + "\n\n", encoding="utf-8")
    assert probe.read(ok) == [good]
    with pytest.raises(GoldError, match="none.jsonl: cannot read the probe"):
        probe.read(tmp_path / "none.jsonl")


def _event_rows() -> list[dict[str, object]]:
    """Three made-up passages in the event probes' format (written for this test)."""
    joint = (
        "On Friday, Britain, Japan and the United States imposed sanctions on Russian banks in "
        "response to the invasion."
    )
    delivery = (
        "Germany delivered the first Leopard tanks to Ukraine on Monday, the defence ministry "
        "in Berlin said."
    )
    return [
        {
            "id": "m1",
            "published": "2023-05-03",
            "text": delivery + " Officials did not say how many more would follow.",
            "items": [
                {
                    "kind": "crossing",
                    "sentence": delivery,
                    "actor_country": "DEU",
                    "trigger_key": "weapons_to_ukraine",  # the tank line is a narrower one
                }
            ],
            "lookalikes": [],
        },
        {
            "id": "m2",
            "published": "2023-05-03",
            "text": "Since Russia invaded Ukraine, Western countries have sent billions in aid. "
            "Washington is considering sending more long-range missiles.",
            "items": [],
            "lookalikes": [
                {
                    "sentence": "Since Russia invaded Ukraine, Western countries have sent "
                    "billions in aid.",
                    "why": "background",
                },
                {
                    "sentence": "Washington is considering sending more long-range missiles.",
                    "why": "plan",
                },
            ],
        },
        {
            "id": "m3",
            "published": "2022-02-26",
            "text": "Russia invaded Ukraine on Thursday. " + joint,
            "items": [
                {
                    "kind": "crossing",
                    "sentence": "Russia invaded Ukraine on Thursday.",
                    "actor_country": "RUS",
                    "trigger_key": "invasion_of_ukraine",
                },
                *(
                    {
                        "kind": "response",
                        "sentence": joint,
                        "actor_country": c,
                        "trigger_key": "invasion_of_ukraine",
                    }
                    for c in ("GBR", "JPN", "USA")
                ),
            ],
            "lookalikes": [],
        },
    ]


def test_an_event_probe_scores_crossings_responses_and_look_alikes() -> None:
    """A delivery dated as news and an invasion are crossings (codebook §2), a joint act is a
    response of each side it names (§3), background and a plan are neither."""
    got = probe.score_events(_event_rows())  # type: ignore[arg-type]
    assert (got.items, got.found) == (
        {"crossing": 2, "response": 3},
        {"crossing": 2, "response": 3},
    )
    assert got.actor_right == {"crossing": 2, "response": 3}
    assert got.line_right == {"crossing": 2, "response": 3}
    assert got.predicted == got.right == {"crossing": 2, "response": 3}
    assert (got.taken, got.look_alikes) == (0, 2)


def test_the_event_scorer_counts_false_alarms_and_wrong_actors() -> None:
    """Scored against a stand-in extractor, so only the scoring is tested: an event on a
    look-alike is taken and a false alarm; one with another actor is found, not right in its
    actor; a missed item is listed."""
    from datetime import date

    from redline.extract.base import DocumentInput, EventItem, Extraction, Provenance

    rows = _event_rows()

    class Stub:
        def extract(self, doc: DocumentInput) -> Extraction:
            text = doc.text
            first = text.split(". ")[0] + "."
            event = EventItem(
                provenance=Provenance(0, len(first), 0, len(first), first),
                kind="crossing",
                actor="Poland",
                actor_country="POL",
                target_country=None,
                trigger_key="tanks_to_ukraine",
                action=None,
                consequence_class=None,
                event_date=date(2023, 5, 1),
                date_precision="day",
                confidence=0.5,
                extractor="stub",
            )
            return Extraction(events=[event])

    got = probe.score_events(rows, Stub())  # type: ignore[arg-type]
    assert got.found == {"crossing": 2, "response": 0}
    assert got.actor_right["crossing"] == 0
    assert got.line_right["crossing"] == 1  # the tanks line is under the weapons line
    assert got.predicted["crossing"] == 3 and got.right["crossing"] == 2
    assert got.taken == 1 and [w[0] for w in got.wrong] == ["m2"]
    assert [(pid, item["kind"]) for pid, item in got.missed] == [("m3", "response")] * 3

"""A regression probe of the wordings a threat takes, and of the look-alikes that are not
threats (codebook §1), written for the project by an annotator who saw only the codebook.

It is synthetic text, so it measures nothing about real news (the real-document gold does,
``redline eval``); it pins that the forms the rules read keep being read. Each line of
``fixtures/probe/threat_forms.jsonl``: the passage, whether it holds a threat, the threat's
sentence, speaker country, consequence class and a tag for its wording."""

from __future__ import annotations

import json
from pathlib import Path

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

"""The knowledge loaders: trigger hierarchy, actor roles over time, and anchored cue matching."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline import knowledge


def test_trigger_hierarchy_crosses_ancestors_not_siblings() -> None:
    tree = knowledge.triggers()
    assert tree.crosses("strikes_near_kharkiv", "western_weapons_on_russian_territory")
    assert not tree.crosses("strikes_near_kharkiv", "long_range_strikes_inside_russia")
    assert not tree.crosses("western_weapons_on_russian_territory", "strikes_near_kharkiv")


def test_most_specific_trigger_wins() -> None:
    hits = knowledge.triggers().match(
        "if Ukraine received F-16 fighter jets and other weapons to Ukraine"
    )
    assert hits[0][0] == "f16_delivery"


def test_roles_change_over_time() -> None:
    rutte = knowledge.actors().lookup("Mark Rutte")
    assert rutte is not None
    assert rutte.country_on(date(2023, 5, 1)) == "NLD"
    assert rutte.country_on(date(2025, 1, 1)) == "NATO"


def test_user_gazetteer_extends_the_packaged_one(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "actors:\n  jane_doe:\n    name: Jane Doe\n    roles: [{country: EST}]\n", encoding="utf-8"
    )
    gaz = knowledge.actors((str(extra),))
    person = gaz.lookup("Jane Doe")
    assert person is not None and person.country == "EST"
    assert gaz.lookup("Vladimir Putin") is not None


TERMS = [
    "warn\\w*",
    "(counter-)?measures",
    "pay (a|the) (\\w+ ){0,2}price",
    "(will|would) burn",
    "red[- ]lines?",
]


@given(st.text(alphabet="abcdeilmnprstuwy -", max_size=60))
def test_anchored_cue_agrees_with_the_plain_regex(text: str) -> None:
    cue = knowledge.compile_terms(TERMS)
    for probe in (text, text + " warned", "they " + text + " would burn", "red-line " + text):
        assert bool(cue.search(probe)) == bool(cue.pattern.search(probe))

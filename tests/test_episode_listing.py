"""`redline eval --split dev` lists the dev episodes it judged, never the test split's."""

from __future__ import annotations

from redline.gold.annotations import Split
from redline.gold.episodes import Judged, listing
from redline.vocab import Status


def _judged(key: str, split: Split) -> Judged:
    owner, trigger = key.split(":")
    return Judged(
        key=key,
        owner=owner,
        trigger_key=trigger,
        status=Status.OPEN,
        confidence=0.7,
        raw_confidence=0.7,
        basis="",
        verdict=True,
        split=split,
    )


def test_listing_keeps_only_the_splits_asked_for() -> None:
    judged = [_judged("AAA:one", Split.DEV), _judged("BBB:two", Split.TEST)]
    rows = listing(judged, [Split.DEV])
    assert [r["key"] for r in rows] == ["AAA:one"]
    assert {r["split"] for r in rows} == {"dev"}
    both = listing(judged, [Split.TEST, Split.DEV])
    assert [r["key"] for r in both] == ["AAA:one", "BBB:two"]

"""Linking threats, crossings, responses and claims into episodes, and their statuses."""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from redline.link import episode_status, get_episode, link, list_episodes
from redline.link.episodes import ClaimFields, CrossingFields, ThreatFields
from redline.store import Ledger
from redline.store.schema import episode_members, episodes
from redline.vocab import ClaimOutcome, ConsequenceClass
from test_link_factories import Builder, seeds_ledger

D = date.fromisoformat


def statuses(ledger: Ledger, as_of: str | None = None) -> dict[str, str]:
    rows = list_episodes(ledger, as_of=D(as_of) if as_of else None)
    return {r.key: r.status for r in rows}


def _why(ledger: Ledger, key: str, as_of: str) -> str:
    """The explanation of episode ``key`` as of ``as_of``, one step a line."""
    a = episode_status(ledger, key, D(as_of))
    assert a is not None, key
    return "\n".join(a.explanation)


def stored(ledger: Ledger) -> dict[str, dict]:
    with ledger.connect() as conn:
        return {r.key: dict(r._mapping) for r in conn.execute(sa.select(episodes))}


def test_kharkiv_crossing_crosses_its_parent_but_not_long_range(ledger: Ledger) -> None:
    b = Builder(ledger)
    d1 = b.doc("2024-01-10")
    d2 = b.doc("2024-06-01", outlet="Other Paper")
    b.threat(d1, "RUS", "western_weapons_on_russian_territory", stated="2024-01-10")
    b.threat(d1, "RUS", "long_range_strikes_inside_russia", stated="2024-01-10")
    b.threat(d1, "RUS", "strikes_near_kharkiv", stated="2024-01-10")
    b.crossing(d2, "USA", "strikes_near_kharkiv", "2024-05-30")
    report = link(ledger, as_of=D("2024-12-31"))
    assert report.episodes == 3
    got = stored(ledger)
    # crossed, and nothing says what followed: undetermined, never unenforced by default
    assert got["RUS:strikes_near_kharkiv"]["status"] == "undetermined"
    assert got["RUS:western_weapons_on_russian_territory"]["status"] == "undetermined"
    assert got["RUS:long_range_strikes_inside_russia"]["status"] == "open"
    assert got["RUS:strikes_near_kharkiv"]["crossing_date"] == D("2024-05-30")
    assert got["RUS:long_range_strikes_inside_russia"]["crossing_event_id"] is None


def test_parent_crossing_does_not_cross_a_child_line(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-10")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01")
    b.threat(d, "RUS", "weapons_to_ukraine", stated="2023-01-01")
    b.crossing(d, "USA", "weapons_to_ukraine", "2023-06-01")
    link(sqlite_ledger, as_of=D("2024-12-31"))
    got = stored(sqlite_ledger)
    assert got["RUS:f16_delivery"]["status"] == "open"
    assert got["RUS:weapons_to_ukraine"]["status"] == "undetermined"


def test_status_moves_with_as_of(ledger: Ledger) -> None:
    b = Builder(ledger)
    d1 = b.doc("2023-05-01")
    d2 = b.doc("2024-08-02")
    b.threat(d1, "RUS", "f16_delivery", stated="2023-05-01", consequence="military_force")
    b.crossing(d2, "USA", "f16_delivery", "2024-08-01")
    link(ledger)
    assert episode_status(ledger, "RUS:f16_delivery", D("2023-01-01")) is None  # no threat yet
    assert episode_status(ledger, "RUS:f16_delivery", D("2024-07-31")).status == "open"
    running = episode_status(ledger, "RUS:f16_delivery", D("2024-09-01"))
    assert running.status == "undetermined"
    assert running.window_end == D("2024-10-30")
    # the window has passed but nothing covers the line afterwards: still undetermined
    later = episode_status(ledger, "RUS:f16_delivery", D("2025-06-01"))
    assert later.status == "undetermined"
    assert "unenforced needs at least 3 documents" in "\n".join(later.explanation)


def test_unenforced_needs_coverage_that_outlasts_the_window(ledger: Ledger) -> None:
    """The codebook's "long span of coverage with no response": documents about the line from
    two outlets after the crossing, the last one after the response window."""
    b = Builder(ledger)
    d1 = b.doc("2023-05-01")
    b.threat(d1, "RUS", "f16_delivery", stated="2023-05-01", consequence="military_force")
    b.crossing(b.doc("2024-08-02"), "USA", "f16_delivery", "2024-08-01")
    b.threat(b.doc("2024-09-01", outlet="Paper A"), "RUS", "f16_delivery", stated="2024-09-01")
    b.threat(b.doc("2024-10-01", outlet="Paper B"), "RUS", "f16_delivery", stated="2024-10-01")
    late = b.doc("2024-12-01", outlet="Paper B")
    link(ledger)
    assert episode_status(ledger, "RUS:f16_delivery", D("2024-11-15")).status == "undetermined"
    b.threat(late, "RUS", "f16_delivery", stated="2024-12-01")
    link(ledger)
    done = episode_status(ledger, "RUS:f16_delivery", D("2024-12-31"))
    assert done.status == "crossed_unenforced"
    assert done.basis == "silence"
    assert "coverage went on past the 90-day window" in "\n".join(done.explanation)
    # a longer window has not been outlasted yet
    longer = episode_status(ledger, "RUS:f16_delivery", D("2024-12-31"), window_days=180)
    assert longer.status == "undetermined"


def test_enforced_partial_and_vague(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-03-01")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01", consequence="military_force")
    b.crossing(d, "USA", "f16_delivery", "2023-08-01")
    b.response(d, "RUS", "f16_delivery", "diplomatic", "2023-08-20")
    b.threat(d, "RUS", "atacms_delivery", stated="2023-01-01", consequence="sanctions_or_economic")
    b.crossing(d, "USA", "atacms_delivery", "2023-10")
    b.response(d, "RUS", "atacms_delivery", "military_force", "2023-11-15")
    b.threat(d, "CHN", "taiwan_official_visit", stated="2022-07-01", consequence="vague")
    b.crossing(d, "USA", "taiwan_official_visit", "2022-08-02")
    b.response(d, "CHN", "taiwan_official_visit", "military_deployment", "2022-08-04")
    b.threat(d, "BLR", "sanctions", stated="2022-07-01", consequence="vague")
    b.crossing(d, "EUR", "sanctions", "2022-08-02")
    b.response(d, "BLR", "sanctions", "vague", "2022-08-04")
    # a line drawn with two kinds of consequence: either one following enforces it
    b.threat(
        d, "USA", "invasion_of_ukraine", stated="2022-01-10", consequence="sanctions_or_economic"
    )
    b.threat(
        d, "USA", "invasion_of_ukraine", stated="2022-01-20", consequence="military_deployment"
    )
    b.crossing(d, "RUS", "invasion_of_ukraine", "2022-02-24")
    b.response(d, "USA", "invasion_of_ukraine", "military_deployment", "2022-02-26")
    link(sqlite_ledger, as_of=D("2024-03-01"))
    got = stored(sqlite_ledger)
    assert got["RUS:f16_delivery"]["status"] == "crossed_partially_enforced"  # weaker
    # codebook §4: enforced means the threatened kind followed; a stronger harm of another
    # kind is a different harm, partial enforcement (it read as enforced: "at least as strong")
    assert got["RUS:atacms_delivery"]["status"] == "crossed_partially_enforced"
    assert got["CHN:taiwan_official_visit"]["status"] == "crossed_enforced"  # any concrete harm
    assert got["BLR:sanctions"]["status"] == "crossed_partially_enforced"  # no concrete harm
    assert got["USA:invasion_of_ukraine"]["status"] == "crossed_enforced"
    assert "only of other kinds" in got["RUS:f16_delivery"]["explanation"]
    assert "threatened: sanctions_or_economic" in got["RUS:atacms_delivery"]["explanation"]
    assert "of a threatened kind" in got["USA:invasion_of_ukraine"]["explanation"]


def test_responses_outside_the_window_or_by_others_do_not_count(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-03-01")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01", consequence="military_force")
    b.crossing(d, "USA", "f16_delivery", "2023-08-01")
    b.response(d, "RUS", "f16_delivery", "military_force", "2024-01-15")  # 167 days later
    b.response(d, "BLR", "f16_delivery", "military_force", "2023-08-02")  # not the threatener
    b.response(d, "RUS", "atacms_delivery", "military_force", "2023-08-02")  # another line
    assert statuses(sqlite_ledger, "2024-03-01") == {}  # not linked yet
    link(sqlite_ledger, as_of=D("2024-03-01"))
    assert statuses(sqlite_ledger, "2024-03-01") == {"RUS:f16_delivery": "undetermined"}
    assert statuses(sqlite_ledger, "2023-08-10") == {"RUS:f16_delivery": "undetermined"}


def test_a_response_dated_too_loosely_is_not_placed_in_the_window(sqlite_ledger: Ledger) -> None:
    # a sanction dated only "2022" may have come before a crossing of 24 February or after the
    # window closed: it decides nothing, where its year once overlapped the window and enforced
    b = Builder(sqlite_ledger)
    d = b.doc("2024-03-01")
    b.threat(
        d, "USA", "invasion_of_ukraine", stated="2022-01-19", consequence="sanctions_or_economic"
    )
    b.crossing(d, "RUS", "invasion_of_ukraine", "2022-02-24")
    b.response(d, "USA", "invasion_of_ukraine", "sanctions_or_economic", "2022")
    b.threat(
        d, "GBR", "invasion_of_ukraine", stated="2022-01-19", consequence="sanctions_or_economic"
    )
    b.response(d, "GBR", "invasion_of_ukraine", "sanctions_or_economic", "2022-03")  # inside
    link(sqlite_ledger, as_of=D("2024-03-01"))
    got = statuses(sqlite_ledger, "2024-03-01")
    assert got["USA:invasion_of_ukraine"] == "undetermined"
    assert got["GBR:invasion_of_ukraine"] == "crossed_enforced"
    why = _why(sqlite_ledger, "USA:invasion_of_ukraine", "2024-03-01")
    assert "dated too loosely to tell" in why and "2022-02-24 to 2022-05-25" in why


def test_a_line_is_not_crossed_by_its_own_threatener(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-03-01")
    b.threat(d, "USA", "nuclear_use", stated="2022-10-01", consequence="war_or_nuclear")
    b.crossing(d, "USA", "nuclear_use", "2023-01-01")
    link(sqlite_ledger)
    assert stored(sqlite_ledger)["USA:nuclear_use"]["status"] == "open"


def test_coarse_and_unknown_crossing_dates(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d_old = b.doc("2024-02-01")
    d_new = b.doc("2024-10-01")
    b.threat(d_old, "RUS", "atacms_delivery", stated="2024-03-05")
    b.crossing(d_old, "USA", "atacms_delivery", "2024")  # year: not "before" 2024-03-05
    b.threat(d_old, "RUS", "f16_delivery", stated="2024-01-01")
    b.crossing(d_new, "USA", "f16_delivery", None)  # undated: known from its publication
    b.threat(d_old, "RUS", "tanks_to_ukraine", stated="2024-03-05")
    b.crossing(d_old, "DEU", "tanks_to_ukraine", "2024-02-20")  # before the threat
    link(sqlite_ledger)
    assert episode_status(sqlite_ledger, "RUS:atacms_delivery", D("2024-03-06")).crossing
    assert episode_status(sqlite_ledger, "RUS:f16_delivery", D("2024-09-30")).status == "open"
    after = episode_status(sqlite_ledger, "RUS:f16_delivery", D("2024-10-02"))
    assert after.status == "undetermined" and after.crossed_by == D("2024-10-01")
    assert stored(sqlite_ledger)["RUS:tanks_to_ukraine"]["status"] == "open"


def test_outcome_claims_decide_and_conflict(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d1 = b.doc("2024-08-05", outlet="Paper A")
    d2 = b.doc("2024-08-06", outlet="Paper B")
    b.threat(d1, "RUS", "f16_delivery", stated="2023-05-01", consequence="war_or_nuclear")
    b.crossing(d1, "USA", "f16_delivery", "2024-08-01")
    b.claim(d1, "RUS", "f16_delivery", "no_response", "2024-08-05")
    b.threat(d1, "RUS", "atacms_delivery", stated="2023-05-01")
    b.crossing(d1, "USA", "atacms_delivery", "2024-04")
    b.claim(d1, "RUS", "atacms_delivery", "no_response", "2024-08-05")
    b.claim(d2, "RUS", "atacms_delivery", "response", "2024-08-06")
    b.threat(d1, "RUS", "tanks_to_ukraine", stated="2022-05-01")
    b.crossing(d1, "DEU", "tanks_to_ukraine", "2023-01")
    b.claim(d2, "RUS", "tanks_to_ukraine", "partial", "2024-08-06")
    link(sqlite_ledger, as_of=D("2024-08-10"))
    got = stored(sqlite_ledger)
    # inside the window, but the author says nothing happened
    assert got["RUS:f16_delivery"]["status"] == "crossed_unenforced"
    assert got["RUS:atacms_delivery"]["status"] == "undetermined"
    assert "conflict" in got["RUS:atacms_delivery"]["explanation"]
    assert got["RUS:tanks_to_ukraine"]["status"] == "crossed_partially_enforced"
    # before the second claim there was no conflict
    assert episode_status(sqlite_ledger, "RUS:atacms_delivery", D("2024-08-05")).status == (
        "crossed_unenforced"
    )


def test_claims_alone_imply_an_episode(ledger: Ledger) -> None:
    b = Builder(ledger)
    d = b.doc("2024-09-11", genre="opinion", outlet="The New York Sun")
    b.claim(d, "RUS", "atacms_delivery", "no_response", "2024-09-11")
    report = link(ledger, as_of=D("2024-12-01"))
    assert report.implicit == 1 and report.episodes == 1
    row = stored(ledger)["RUS:atacms_delivery"]
    assert row["status"] == "crossed_unenforced"
    assert row["opinion_only"] is True
    assert "threat implied by outcome claims only" in row["explanation"]
    assert row["label"] == "RUS: ATACMS missiles for Ukraine"
    assert row["crossing_date"] == D("2024-09-11") and row["crossing_event_id"] is None


def test_child_claim_counts_for_the_parent_line(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-09-11")
    b.threat(d, "RUS", "western_weapons_on_russian_territory", stated="2022-09-01")
    b.claim(d, "RUS", "strikes_near_kharkiv", "no_response", "2024-09-11")
    link(sqlite_ledger)
    assert statuses(sqlite_ledger) == {
        "RUS:strikes_near_kharkiv": "crossed_unenforced",
        "RUS:western_weapons_on_russian_territory": "crossed_unenforced",
    }


def test_opinion_only_and_source_counts(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    op1 = b.doc("2024-01-01", genre="opinion", outlet="Telegraph")
    op2 = b.doc("2024-01-02", genre="opinion", outlet="Telegraph")
    news = b.doc("2024-01-03", genre="news", outlet="Reuters")
    b.threat(op1, "RUS", "f16_delivery")
    b.threat(op2, "RUS", "f16_delivery")
    b.threat(op1, "RUS", "atacms_delivery")
    b.threat(news, "RUS", "atacms_delivery")
    link(sqlite_ledger)
    rows = {r.key: r for r in list_episodes(sqlite_ledger)}
    f16, atacms = rows["RUS:f16_delivery"], rows["RUS:atacms_delivery"]
    assert f16.opinion_only and f16.n_sources == 2 and f16.n_outlets == 1
    assert f16.evidence == "evidence: 2 documents, both opinion pieces"
    assert not atacms.opinion_only and atacms.n_outlets == 2
    assert f16.confidence < atacms.confidence  # one outlet, opinion only


def test_relink_is_idempotent_and_keeps_ids(ledger: Ledger) -> None:
    b = Builder(ledger)
    d = b.doc("2024-01-01")
    b.threat(d, "RUS", "f16_delivery")
    b.threat(d, "RUS", "atacms_delivery")
    b.crossing(d, "USA", "f16_delivery", "2024-01-01")
    link(ledger)
    first = stored(ledger)
    members = ledger.count(episode_members)
    second_report = link(ledger)
    assert second_report.created == 0 and second_report.updated == 2
    assert {k: v["id"] for k, v in stored(ledger).items()} == {k: v["id"] for k, v in first.items()}
    assert ledger.count(episode_members) == members
    b.threat(d, "RUS", "tanks_to_ukraine")
    report = link(ledger)
    assert (
        report.created == 1
        and stored(ledger)["RUS:f16_delivery"]["id"] == first["RUS:f16_delivery"]["id"]
    )


def test_rejected_items_are_ignored(ledger: Ledger) -> None:
    b = Builder(ledger)
    d = b.doc("2024-01-01")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01")
    b.crossing(d, "USA", "f16_delivery", "2023-05-01", review_state="rejected")
    b.threat(d, "RUS", "atacms_delivery", review_state="rejected")
    b.claim(d, "RUS", "tanks_to_ukraine", review_state="rejected")
    link(ledger)
    assert statuses(ledger) == {"RUS:f16_delivery": "open"}
    # rejecting a threat after linking drops the episode at the next link
    with ledger.begin() as conn:
        conn.execute(sa.text("UPDATE threats SET review_state = 'rejected'"))
    assert statuses(ledger) == {}  # recomputed listings ignore it at once
    assert link(ledger).removed == 1
    assert stored(ledger) == {}


def test_reviews_withdraw_correct_and_reject(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-01")
    b.threat(d, "RUS", "f16_delivery")
    b.threat(d, "RUS", "atacms_delivery")
    b.threat(d, "RUS", "tanks_to_ukraine")
    link(sqlite_ledger)
    ids = {k: v["id"] for k, v in stored(sqlite_ledger).items()}
    b.review(ids["RUS:f16_delivery"], "withdraw")
    b.review(ids["RUS:atacms_delivery"], "correct", field="status", new="crossed_enforced")
    b.review(ids["RUS:tanks_to_ukraine"], "reject")
    assert statuses(sqlite_ledger) == {
        "RUS:f16_delivery": "withdrawn",
        "RUS:atacms_delivery": "crossed_enforced",
    }
    link(sqlite_ledger)
    got = stored(sqlite_ledger)
    assert got["RUS:f16_delivery"]["status"] == "withdrawn"
    assert got["RUS:f16_delivery"]["confidence"] == 1.0
    assert "analyst review" in got["RUS:f16_delivery"]["explanation"]


def test_unlinked_threats_are_counted(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-01")
    b.threat(d, "RUS", None)
    b.threat(d, None, "f16_delivery")
    b.threat(d, "RUS", "f16_delivery")
    report = link(sqlite_ledger)
    assert (report.threats_unlinked, report.threats_linked, report.episodes) == (2, 1, 1)


def test_a_line_outside_the_vocabulary_waits_for_an_analyst(sqlite_ledger: Ledger) -> None:
    """A threat over a coined line (``new_...``) is counted, not made an episode: no crossing or
    response can be matched to a line only its own wording names. Once an analyst names the
    line, the next link makes it one."""
    from redline.review import review

    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-01")
    coined = b.threat(d, "RUS", "new_moldova_closes_airspace")
    b.threat(d, "RUS", "f16_delivery")
    report = link(sqlite_ledger)
    assert (report.threats_outside_vocabulary, report.threats_linked, report.episodes) == (
        1,
        1,
        1,
    )
    # `redline threats --trigger new_` lists every such line; the prefix is matched as written
    # ("_" is no wildcard: "newer_line" is not one)
    from redline.extract.query import list_threats

    b.threat(d, "RUS", "newer_line")
    assert [t.id for t in list_threats(sqlite_ledger, trigger="new_")] == [coined]
    review(sqlite_ledger, "threat", coined, "correct", field="trigger_key", value="atacms_delivery")
    report = link(sqlite_ledger)
    assert report.threats_outside_vocabulary == 0
    assert set(stored(sqlite_ledger)) == {
        "RUS:f16_delivery",
        "RUS:atacms_delivery",
        "RUS:newer_line",
    }


def test_seed_articles_match_the_gold_statuses(ledger: Ledger) -> None:
    seeds_ledger(ledger)
    link(ledger, as_of=D("2024-09-30"))
    got = statuses(ledger, "2024-09-30")
    assert got["RUS:long_range_strikes_inside_russia"] == "open"
    for key in ("f16_delivery", "atacms_delivery", "strikes_near_kharkiv"):
        assert got[f"RUS:{key}"] == "crossed_unenforced"
    assert got["RUS:western_weapons_on_russian_territory"] == "crossed_unenforced"
    assert got["RUS:attack_on_annexed_territory"] == "crossed_unenforced"
    story = get_episode(ledger, "RUS:f16_delivery", as_of=D("2024-09-30"))
    assert story.summary.opinion_only and story.threats[0].document.outlet == "The New York Sun"
    assert story.crossing is not None and story.crossing.field("actor_country") == "USA"
    assert story.claims[0].field("claim") == "no_response"
    # each kind's fields typed, with the vocabulary's enums (a tuple of name-value pairs before)
    crossing, claim = story.crossing.fields, story.claims[0].fields
    assert isinstance(crossing, CrossingFields) and crossing.actor_country == "USA"
    assert isinstance(claim, ClaimFields) and claim.claim is ClaimOutcome.NO_RESPONSE
    threat = story.threats[0].fields
    assert isinstance(threat, ThreatFields) and isinstance(
        threat.consequence_class, ConsequenceClass
    )


_COUNTRIES = ["RUS", "CHN", "USA", "BLR", "EUR"]
_TRIGGERS = [
    "weapons_to_ukraine",
    "f16_delivery",
    "western_weapons_on_russian_territory",
    "strikes_near_kharkiv",
    "long_range_strikes_inside_russia",
    "sanctions",
]


def _random_ledger(path, n: int) -> Ledger:
    """A ledger of ``n`` threats, ``n`` events and ``n`` claims over a fixed vocabulary."""
    ledger = Ledger.open(f"sqlite:///{path}")
    rng = random.Random(n)
    b = Builder(ledger)
    docs = [b.doc(f"2024-{m:02d}-01") for m in range(1, 13)]
    b.threat(docs[0], "RUS", "sanctions")
    with ledger.connect() as conn:
        first = conn.execute(sa.text("SELECT max(id) FROM evidence")).scalar() + 1
    common = {"extractor": "test", "confidence": 0.8}
    # each item its own evidence span (the ledger keeps one item per span and kind)
    rows: dict[str, list[dict]] = {
        "evidence": [],
        "threats": [],
        "events": [],
        "outcome_claims": [],
    }
    for i in range(n):
        doc, country, trigger = rng.choice(docs), rng.choice(_COUNTRIES), rng.choice(_TRIGGERS)
        rows["evidence"].append(
            {
                "id": first + i,
                "document_id": doc,
                "sentence_start": 100 + i,
                "sentence_end": 101 + i,
                "span_start": 100 + i,
                "span_end": 101 + i,
                "sentence": "x",
            }
        )
        item = {**common, "evidence_id": first + i, "document_id": doc, "trigger_key": trigger}
        rows["threats"].append(
            {**item, "speaker_country": country, "consequence_class": "vague", "explicitness": "x"}
        )
        rows["events"].append(
            {
                **item,
                "kind": rng.choice(["crossing", "response"]),
                "actor_country": rng.choice(_COUNTRIES),
            }
        )
        rows["outcome_claims"].append({**item, "subject_country": country, "claim": "no_response"})
    with ledger.begin() as conn:
        for name, values in rows.items():
            conn.execute(sa.table(name, *(sa.column(k) for k in values[0])).insert(), values)
    return ledger


def test_linking_cost_is_near_linear(tmp_path) -> None:
    """Count (item, episode) candidates examined, not seconds: 10x the items, ~10x the work."""
    small = link(_random_ledger(tmp_path / "small.db", 200)).comparisons
    large = link(_random_ledger(tmp_path / "large.db", 2000)).comparisons
    assert small > 400
    assert large / small < 11  # matching all pairs would be ~100x


def test_an_owner_taking_the_line_back_is_withdrawn(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2022-06-01")
    b.threat(d, "TUR", "nato_enlargement", stated="2022-05-13", consequence="diplomatic")
    b.claim(b.doc("2022-06-30"), "TUR", "nato_enlargement", "withdrawn", "2022-06-28")
    link(sqlite_ledger, as_of=D("2022-12-31"))
    a = episode_status(sqlite_ledger, "TUR:nato_enlargement", D("2022-12-31"))
    assert a is not None and a.status == "withdrawn" and a.basis == "withdrawal"
    assert "took the line back" in "\n".join(a.explanation)
    # before the owner took it back, the line was open
    assert episode_status(sqlite_ledger, "TUR:nato_enlargement", D("2022-06-15")).status == "open"


def test_a_line_is_never_the_crossing_side_s_episode(sqlite_ledger: Ledger) -> None:
    """Codebook §4: France 'warning' about NATO troops in Ukraine is Russia's line, reported."""
    b = Builder(sqlite_ledger)
    d = b.doc("2024-03-01")
    b.threat(d, "FRA", "nato_troops_in_ukraine", stated="2024-02-27")
    b.threat(d, "RUS", "nato_troops_in_ukraine", stated="2024-02-27", consequence="war_or_nuclear")
    b.crossing(d, "FRA", "nato_troops_in_ukraine", "2024-02-28")  # not a real act, but by the West
    report = link(sqlite_ledger, as_of=D("2024-12-31"))
    assert statuses(sqlite_ledger, "2024-12-31").keys() == {"RUS:nato_troops_in_ukraine"}
    assert report.wrong_side == 1


def test_background_and_own_side_acts_are_not_crossings(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-06-01")
    b.threat(
        d, "USA", "invasion_of_ukraine", stated="2022-01-25", consequence="sanctions_or_economic"
    )
    b.crossing(d, "RUS", "invasion_of_ukraine", "2014-02-27")  # history: before the threat
    b.crossing(d, "GBR", "invasion_of_ukraine", "2022-03-01")  # the owner's own side
    link(sqlite_ledger, as_of=D("2024-06-01"))
    a = episode_status(sqlite_ledger, "USA:invasion_of_ukraine", D("2024-06-01"))
    assert a is not None and a.status == "open"
    why = "\n".join(a.explanation)
    assert "dated before the first threat" in why and "owner's own side" in why


def _open_story(ledger: Ledger, crossed_on: str) -> str:
    """The story of G7's invasion line, drawn on 2022-03-11, with Russia's act on
    ``crossed_on`` (before the line): it is `open`."""
    b = Builder(ledger)
    d = b.doc("2022-03-20")
    b.threat(d, "G7", "invasion_of_ukraine", stated="2022-03-11")
    b.crossing(d, "RUS", "invasion_of_ukraine", crossed_on)
    link(ledger, as_of=D("2022-12-31"))
    a = episode_status(ledger, "G7:invasion_of_ukraine", D("2022-12-31"))
    assert a is not None and a.status == "open"
    return "\n".join(a.explanation)


def test_an_open_line_drawn_over_conduct_under_way_says_so(sqlite_ledger: Ledger) -> None:
    """Codebook §2: an act before the threat is no crossing, so a line drawn over conduct
    already under way (costs threatened for a war going on) reads `open` until a later act is
    found. The story says so, with the act, so that `open` is not read as "the conduct
    stopped"."""
    why = _open_story(sqlite_ledger, "2022-02-24")  # begun before the line
    assert "Drawn after 1 act(s) of the kind it forbids" in why and "not that" in why


def test_history_long_before_a_line_is_not_conduct_under_way(sqlite_ledger: Ledger) -> None:
    """History older than the response window is not conduct the line was drawn over."""
    assert "Drawn after" not in _open_story(sqlite_ledger, "2014-02-27")


def test_a_story_tells_a_response_that_serves_as_the_crossing(sqlite_ledger: Ledger) -> None:
    """An act by the crossing side filed as its "response" crosses the other side's line
    (docs/linking.md); the episode's story must tell it as that crossing, with its quote."""
    b = Builder(sqlite_ledger)
    d1 = b.doc("2023-01-10")
    d2 = b.doc("2023-03-01")
    b.threat(d1, "RUS", "weapons_to_ukraine", stated="2023-01-10")
    act = b.response(d2, "USA", "weapons_to_ukraine", "military_force", "2023-03-01")
    as_of = date(2023, 6, 1)
    linked = link(sqlite_ledger, as_of=as_of).view
    told = get_episode(sqlite_ledger, "RUS:weapons_to_ukraine", as_of=as_of)
    crossings = [told.crossing, *told.other_crossings]
    assert [c.id for c in crossings if c] == [act]
    assert all(c.quote for c in crossings if c)
    # the stored members give the same status as the link that stored them (one view)
    (state,) = linked.states
    assert told.summary.status == state.assessment.status != "open"


def test_a_response_implies_the_crossing_only_when_its_sentence_names_the_line(
    sqlite_ledger: Ledger,
) -> None:
    """A dated response to a line implies the line was crossed by then, but only when the line
    was read from the response's own sentence (or an analyst set it): one the extractor took
    from the sentences before or the document's topic may answer another matter."""
    b = Builder(sqlite_ledger)
    d1 = b.doc("2022-01-10")
    d2 = b.doc("2022-03-01")
    b.threat(d1, "USA", "attack_on_nato_territory", stated="2022-01-10")
    b.threat(d1, "GBR", "attack_on_nato_territory", stated="2022-01-10")
    b.response(
        d2,
        "USA",
        "attack_on_nato_territory",
        "military_deployment",
        "2022-03-01",
        line_from="earlier",
    )
    b.response(
        d2,
        "GBR",
        "attack_on_nato_territory",
        "military_deployment",
        "2022-03-01",
        line_from="sentence",
    )
    link(sqlite_ledger, as_of=D("2022-06-01"))
    assert statuses(sqlite_ledger, "2022-06-01") == {
        "USA:attack_on_nato_territory": "open",
        "GBR:attack_on_nato_territory": "crossed_enforced",
    }
    assert "Not taken as a sign the line was crossed" in _why(
        sqlite_ledger, "USA:attack_on_nato_territory", "2022-06-01"
    )


def test_an_analyst_who_sets_a_responses_line_lets_it_imply_the_crossing(
    sqlite_ledger: Ledger,
) -> None:
    from redline.review import review
    from redline.store.schema import events

    b = Builder(sqlite_ledger)
    d1 = b.doc("2022-01-10")
    d2 = b.doc("2022-03-01")
    b.threat(d1, "USA", "attack_on_nato_territory", stated="2022-01-10")
    act = b.response(
        d2, "USA", "invasion_of_ukraine", "military_deployment", "2022-03-01", line_from="document"
    )
    review(
        sqlite_ledger,
        "event",
        act,
        "correct",
        field="trigger_key",
        value="attack_on_nato_territory",
        reviewer="tester",
    )
    with sqlite_ledger.begin() as conn:
        assert conn.execute(sa.select(events.c.line_from).where(events.c.id == act)).scalar() == (
            "review"
        )
    link(sqlite_ledger, as_of=D("2022-06-01"))
    assert statuses(sqlite_ledger, "2022-06-01") == {
        "USA:attack_on_nato_territory": "crossed_enforced"
    }


def test_an_act_that_names_no_line_answers_one_only_in_the_threatened_kind(
    sqlite_ledger: Ledger,
) -> None:
    """An owner's act in the window that names no line counts as the response when it is the
    harm the line threatened (sanctions after a sanctions threat); a vague or other act leaves
    the outcome undetermined (it may or may not answer the line), never unenforced."""
    b = Builder(sqlite_ledger)
    d1 = b.doc("2022-01-20")
    d2 = b.doc("2022-02-24")
    d3 = b.doc("2022-03-01")
    for owner in ("USA", "GBR"):
        b.threat(
            d1, owner, "invasion_of_ukraine", stated="2022-01-20",
            consequence="sanctions_or_economic",
        )  # fmt: skip
    b.crossing(d2, "RUS", "invasion_of_ukraine", "2022-02-24")
    b.response(d3, "USA", None, "sanctions_or_economic", "2022-03-01")
    b.response(d3, "GBR", None, "vague", "2022-03-01")
    link(sqlite_ledger, as_of=D("2022-06-01"))
    assert statuses(sqlite_ledger, "2022-06-01") == {
        "USA:invasion_of_ukraine": "crossed_enforced",
        "GBR:invasion_of_ukraine": "undetermined",
    }
    assert "not the kind of harm threatened" in _why(
        sqlite_ledger, "GBR:invasion_of_ukraine", "2022-06-01"
    )


def test_a_crossing_a_response_implies_is_labelled_by_that_date(sqlite_ledger: Ledger) -> None:
    """No crossing event, but a response to the line dated 2023-03-23 in an article of
    2023-03-31: the episode was crossed by the 23rd. Its label said "undated, reported
    2023-03-23", as if that were the date of a report."""
    b = Builder(sqlite_ledger)
    d = b.doc("2023-03-31")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-10", consequence="military_force")
    b.response(d, "RUS", "f16_delivery", "military_force", "2023-03-23")
    link(sqlite_ledger, as_of=D("2023-06-30"))
    (row,) = list_episodes(sqlite_ledger, as_of=D("2023-06-30"))
    assert row.crossed == "by 2023-03-23 (implied by a later item)"


def test_an_episode_whose_threat_was_rejected_says_why_it_shows_nothing(
    sqlite_ledger: Ledger,
) -> None:
    """Its story said "nothing about episode 9 was known on ...", which was false."""
    import pytest

    from redline.errors import RedlineError
    from redline.review import review

    b = Builder(sqlite_ledger)
    d = b.doc("2024-03-01")
    threat = b.threat(d, "RUS", "f16_delivery", stated="2024-01-01")
    link(sqlite_ledger, as_of=D("2024-03-01"))
    review(sqlite_ledger, "threat", threat, "reject", reviewer="ana")
    with pytest.raises(RedlineError, match="or an analyst rejected them"):
        get_episode(sqlite_ledger, "RUS:f16_delivery", as_of=D("2024-03-01"))


def test_the_story_says_how_many_threats_named_no_kind(sqlite_ledger: Ledger) -> None:
    """Enforcement is judged against the kind the threats name, vague ones aside: a story
    whose five vague threats and one nuclear hint read "the consequence they name most often:
    war_or_nuclear" looked like a miscount to a fact-checker."""
    b = Builder(sqlite_ledger)
    d = b.doc("2024-03-01")
    for day in ("2023-01-01", "2023-01-02", "2023-01-03", "2023-01-04", "2023-01-05"):
        b.threat(d, "G7", "nuclear_use", stated=day, consequence="vague")
    b.threat(d, "G7", "nuclear_use", stated="2023-01-06", consequence="war_or_nuclear")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01", consequence="military_force")
    link(sqlite_ledger, as_of=D("2024-03-01"))
    got = stored(sqlite_ledger)
    assert (
        "most often, 5 of 6 naming no kind (what enforcement is judged against): war_or_nuclear"
        in (got["G7:nuclear_use"]["explanation"])
    )
    assert (
        "consequence they name most often (what enforcement"
        in (got["RUS:f16_delivery"]["explanation"])
    )


def test_link_counts_the_episodes_the_listing_shows(sqlite_ledger: Ledger) -> None:
    """A line an analyst rejected is stored for its reviews but in no listing: `link` counted
    it among its episodes and statuses (28 linked, 27 listed), and now counts it apart."""
    from redline.review import review

    b = Builder(sqlite_ledger)
    d = b.doc("2024-03-01")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01", consequence="military_force")
    b.threat(d, "RUS", "atacms_delivery", stated="2023-01-01", consequence="military_force")
    link(sqlite_ledger, as_of=D("2024-03-01"))
    review(sqlite_ledger, "episode", "RUS:atacms_delivery", "reject", reviewer="ana")
    report = link(sqlite_ledger, as_of=D("2024-03-01"))
    listed = list_episodes(sqlite_ledger)
    assert (report.episodes, report.rejected) == (1, 1)
    assert sum(report.by_status.values()) == report.episodes == len(listed)


def test_a_line_naming_no_addressee_is_crossed_by_each_party_its_trigger_lists(
    sqlite_ledger: Ledger,
) -> None:
    """ "Military aid to Russia" is crossed by China, Iran and North Korea alike (the trigger's
    `crossed_by`): a line whose threats name no addressee took only the hint, China, so North
    Korea's troops sent to Russia were "an act by a side the line did not address" and the line
    read open. A party the trigger does not list still does not cross it."""
    b = Builder(sqlite_ledger)
    d = b.doc("2024-11-01")
    b.threat(d, "EUR", "aid_to_russia", stated="2023-10-20", consequence="sanctions_or_economic")
    b.crossing(d, "BRA", "aid_to_russia", "2024-01")
    link(sqlite_ledger, as_of=date(2024, 6, 1))
    assert episode_status(sqlite_ledger, "EUR:aid_to_russia", date(2024, 6, 1)).status == "open"
    b.crossing(d, "PRK", "aid_to_russia", "2024-10")
    link(sqlite_ledger, as_of=date(2024, 12, 1))
    a = episode_status(sqlite_ledger, "EUR:aid_to_russia", date(2024, 12, 1))
    assert (a.status, a.crossing.country) == ("undetermined", "PRK")


def test_a_named_addressee_is_the_line_s_crosser_even_beside_a_threat_naming_none(
    sqlite_ledger: Ledger,
) -> None:
    """Where any threat of a line names its addressee, only that party's acts cross it, even
    when another threat of the line names no one: extraction misses many stated addressees
    (nearly half on train), so a threat naming none is read as addressing the party the
    others name. Letting each such threat add every party its trigger lists was tried at the
    twenty-third stop and reverted (docs/linking.md)."""
    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-10")
    b.threat(d, "USA", "aid_to_russia", stated="2024-01-05", addressee="CHN")
    b.threat(d, "USA", "aid_to_russia", stated="2024-01-06")
    b.crossing(b.doc("2024-03-01"), "IRN", "aid_to_russia", "2024-02-20")
    day = date(2024, 6, 30)
    link(sqlite_ledger, as_of=day)
    assert episode_status(sqlite_ledger, "USA:aid_to_russia", day).status == "open"
    b.crossing(b.doc("2024-04-01"), "CHN", "aid_to_russia", "2024-03-20")
    link(sqlite_ledger, as_of=day)
    a = episode_status(sqlite_ledger, "USA:aid_to_russia", day)
    assert (a.status, a.crossing.country) == ("undetermined", "CHN")


def test_every_party_a_line_lists_as_crossing_it_is_read_as_the_crossing_side(
    sqlite_ledger: Ledger,
) -> None:
    """A line's `crossed_by` (aid to Russia: China, and Iran and North Korea) was read by the
    assessment only. Blocking read the hint alone: Iran's act on the line, extracted as a
    response, was never filed as the crossing it is (the line stayed open), and North Korea's
    threat over the line opened an episode of its own; `redline review` flagged a threat
    corrected onto the crossing side for China only. All three read the one helper now."""
    from redline.review import review

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "USA", "aid_to_russia", stated="2024-01-05")
    b.response(b.doc("2024-03-01"), "IRN", "aid_to_russia", "military_force", "2024-02-20")
    korean = b.threat(b.doc("2024-01-12"), "PRK", "aid_to_russia", stated="2024-01-11")
    day = date(2024, 6, 30)
    report = link(sqlite_ledger, as_of=day)
    assert report.wrong_side == 1
    assert [e.key for e in list_episodes(sqlite_ledger, as_of=day)] == ["USA:aid_to_russia"]
    assert episode_status(sqlite_ledger, "USA:aid_to_russia", day).status != "open"
    row = review(sqlite_ledger, "threat", korean, "correct", field="speaker_country", value="IRN")
    assert row.wrong_side == "IRN would cross aid_to_russia"


def test_coverage_of_no_named_outlet_is_said_to_count_as_one(ledger: Ledger) -> None:
    """Later documents whose outlets no one named count as one outlet together: the story said
    "2 document(s) from 1 outlet(s)" under a header reading "outlet unknown", as if it
    contradicted itself. It says they are of no named outlet, counted as one."""
    b = Builder(ledger)
    b.threat(b.doc("2023-05-01"), "RUS", "f16_delivery", stated="2023-05-01")
    b.crossing(b.doc("2024-08-02", outlet=None), "USA", "f16_delivery", "2024-08-01")
    b.threat(b.doc("2024-08-20", outlet=None), "RUS", "f16_delivery", stated="2024-08-19")
    b.threat(b.doc("2024-09-20", outlet=None), "RUS", "f16_delivery", stated="2024-09-19")
    link(ledger, as_of=D("2025-06-01"))
    why = " ".join(_why(ledger, "RUS:f16_delivery", "2025-06-01").split())
    assert "2 document(s) of no named outlet (counted as one) report on this line" in why, why
    assert "from 1 outlet(s)" not in why


def test_an_explanation_names_its_items_in_date_order(sqlite_ledger: Ledger) -> None:
    """An explanation listed its items in the order extraction happened to store them (two
    workers store in either order), so two runs of one corpus explained one status in two
    ways, and "first 2021-12" could be followed by a later, undated threat named first."""
    b = Builder(sqlite_ledger)
    later = b.threat(b.doc("2024-02-10"), "RUS", "f16_delivery", stated="2024-02-01")
    earlier = b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-01")
    link(sqlite_ledger, as_of=D("2024-09-30"))
    assessment = episode_status(sqlite_ledger, "RUS:f16_delivery", D("2024-09-30"))
    assert assessment is not None
    (step,) = [s for s in assessment.explanation if s.startswith("Threat:")]
    assert step.index(f"threat #{earlier} ") < step.index(f"threat #{later} "), step

"""Follow-through estimates: Beta-Binomial numbers, priors, grouping, timeline, evidence notes."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from scipy.stats import beta as beta_dist

from redline.errors import ConfigError
from redline.link import episode_status, evaluate, link
from redline.score import credibility, credibility_timeline, get_prior, posterior, priors
from redline.store import Ledger
from test_link_factories import Builder, seeds_ledger

D = date.fromisoformat


def _unenforced(b: Builder, n: int, country: str = "RUS", genre: str = "news") -> None:
    triggers = [
        "f16_delivery",
        "atacms_delivery",
        "tanks_to_ukraine",
        "sensitive_weapons_shipments",
    ]
    for i, trigger in enumerate(triggers[:n]):
        d = b.doc(f"2023-0{i + 1}-01", genre=genre, outlet=f"Outlet {i}")
        b.threat(d, country, trigger, stated="2022-06-01", consequence="military_force")
        b.crossing(d, "USA", trigger, f"2022-{9 + i:02d}-01")
        b.claim(d, country, trigger, "no_response", "2023-01-01")  # the evidence for "unenforced"


def test_zero_of_four_with_a_uniform_prior(ledger: Ledger) -> None:
    _unenforced(Builder(ledger), 4)
    link(ledger, as_of=D("2024-01-01"))
    (est,) = credibility(ledger, as_of=D("2024-01-01"))
    assert (est.actor, est.crossed, est.unenforced, est.enforced) == ("RUS", 4, 4, 0)
    assert (est.alpha, est.beta) == (1, 5)
    assert est.mean == pytest.approx(1 / 6)
    assert est.lower == pytest.approx(beta_dist.ppf(0.05, 1, 5))
    assert est.upper == pytest.approx(beta_dist.ppf(0.95, 1, 5))
    assert est.level == 0.9 and est.prior == "uniform"
    assert est.evidence == "evidence: 4 documents, no opinion pieces"


def test_partial_counts_half_a_success_and_half_a_failure_and_open_is_not_counted(
    sqlite_ledger: Ledger,
) -> None:
    """A partial episode is one trial, half each way: counted as half a success and no
    failure, an actor that only ever answered weakly tended to 1."""
    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-01")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01", consequence="war_or_nuclear")
    b.crossing(d, "USA", "f16_delivery", "2023-03-01")
    b.response(d, "RUS", "f16_delivery", "diplomatic", "2023-03-05")
    b.threat(d, "RUS", "atacms_delivery", stated="2023-01-01", consequence="diplomatic")
    b.crossing(d, "USA", "atacms_delivery", "2023-03-01")
    b.response(d, "RUS", "atacms_delivery", "diplomatic", "2023-03-05")
    b.threat(d, "RUS", "long_range_strikes_inside_russia", stated="2023-01-01")
    b.threat(d, "RUS", "tanks_to_ukraine", stated="2023-01-01")
    b.crossing(d, "DEU", "tanks_to_ukraine", "2023-12-20")  # window still running
    link(sqlite_ledger, as_of=D("2024-01-01"))
    (est,) = credibility(sqlite_ledger, as_of=D("2024-01-01"))
    assert (est.enforced, est.partially_enforced, est.open, est.undetermined) == (1, 1, 1, 1)
    assert (est.successes, est.failures) == (1.5, 0.5)
    assert est.mean == pytest.approx(2.5 / 4)  # (s + 1) / (n + 2), n = 2 decided episodes
    assert est.crossed == 3 and est.n_episodes == 4
    # the undetermined line (window still running) is left out, and the bounds say how far it
    # could move the estimate: Beta(2.5, 2.5) had it failed, Beta(3.5, 1.5) had it held
    assert est.mean_if_left_out_unenforced == pytest.approx(0.5)
    assert est.mean_if_left_out_enforced == pytest.approx(0.7)
    assert est.window_days == 90 and est.as_of == D("2024-01-01")


def test_a_line_crossed_only_by_its_owners_response_is_left_out(sqlite_ledger: Ledger) -> None:
    """A response naming the line is what says it was crossed: such an episode can only come
    out enforced, so follow-through leaves it out (and says so) rather than lean on it."""
    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-01", outlet=None)  # a file of no named outlet
    b.threat(d, "USA", "aid_to_russia", stated="2023-01-01", consequence="sanctions_or_economic")
    b.response(d, "USA", "aid_to_russia", "sanctions_or_economic", "2023-06-01")
    b.threat(d, "USA", "nuclear_use", stated="2023-01-01", consequence="war_or_nuclear")
    link(sqlite_ledger, as_of=D("2024-01-01"))
    (est,) = credibility(sqlite_ledger, as_of=D("2024-01-01"))
    assert (est.crossed, est.enforced, est.self_implied, est.decided) == (1, 0, 1, 0)
    assert est.mean is None and est.no_evidence
    why = " ".join(episode_status(sqlite_ledger, "USA:aid_to_russia", D("2024-01-01")).explanation)
    assert "could only come out enforced" in why
    # listings, exports and the story flag it too, and say no outlet is named (not "1 outlet")
    from redline.link import get_episode

    story = get_episode(sqlite_ledger, "USA:aid_to_russia", as_of=D("2024-01-01"))
    assert story.summary.self_implied is True and story.summary.outlets_known == 0


def test_episodes_that_rest_on_one_act_are_one_trial(sqlite_ledger: Ledger) -> None:
    """One delivery crosses a line and the narrower one under it, and one response answers
    both: two episodes, one observation of the actor's conduct. They had counted as two
    independent trials; now one between them, in the estimate and the timeline alike."""

    b = Builder(sqlite_ledger)
    d = b.doc("2024-06-01")
    b.threat(d, "RUS", "weapons_to_ukraine", stated="2024-01-05", consequence="military_force")
    b.threat(d, "RUS", "f16_delivery", stated="2024-01-05", consequence="military_force")
    b.crossing(d, "USA", "f16_delivery", "2024-03-01")  # crosses the parent line too
    b.response(d, "RUS", "f16_delivery", "military_force", "2024-03-05")
    b.threat(d, "RUS", "atacms_delivery", stated="2024-01-05", consequence="military_force")
    b.crossing(d, "USA", "atacms_delivery", "2024-04-01")
    b.claim(d, "RUS", "atacms_delivery", "no_response", "2024-05-30")
    link(sqlite_ledger, as_of=D("2024-06-01"))
    (est,) = credibility(sqlite_ledger, as_of=D("2024-06-01"))
    states = {
        s.row["key"]: s.assessment.status for s in evaluate(sqlite_ledger, as_of=D("2024-06-01"))
    }
    enforced = [k for k, v in states.items() if v == "crossed_enforced"]
    assert len(enforced) == 2 and states["RUS:atacms_delivery"] == "crossed_unenforced"
    assert (est.decided, est.trials) == (3, 2)
    assert (est.successes, est.failures) == (1.0, 1.0) and est.mean == pytest.approx(0.5)
    points = credibility_timeline(sqlite_ledger, actor="RUS", as_of=D("2024-06-01"))
    assert points[-1].mean == pytest.approx(est.mean)


def test_a_self_implied_line_keeps_the_analysts_status_and_its_own_month(
    sqlite_ledger: Ledger,
) -> None:
    """An analyst's status on a line crossed only by its owner's response is the analyst's
    judgement and counts; and the response that implies the crossing is placed in the window
    even when it is dated to a month that began before the first threat (it made the line
    undetermined through the very act that says it was crossed)."""
    from redline.review import review

    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-01")
    b.threat(d, "USA", "aid_to_russia", stated="2023-06-10", consequence="sanctions_or_economic")
    b.response(d, "USA", "aid_to_russia", "sanctions_or_economic", "2023-06")
    link(sqlite_ledger, as_of=D("2024-01-01"))
    a = episode_status(sqlite_ledger, "USA:aid_to_russia", D("2024-01-01"))
    assert a.status == "crossed_enforced" and a.crossed_by_own_response
    review(
        sqlite_ledger,
        "episode",
        "USA:aid_to_russia",
        "correct",
        field="status",
        value="crossed_unenforced",
        reviewer="ana",
        effective="2023-12-01",
    )
    a = episode_status(sqlite_ledger, "USA:aid_to_russia", D("2024-01-01"))
    assert a.status == "crossed_unenforced" and not a.crossed_by_own_response
    assert "could only come out enforced" not in " ".join(a.explanation)
    (est,) = credibility(sqlite_ledger, as_of=D("2024-01-01"))
    assert (est.decided, est.unenforced, est.self_implied) == (1, 1, 0)


def test_a_response_before_the_first_act_found_dates_the_crossing(sqlite_ledger: Ledger) -> None:
    """The owner's response to a crossing of its line says the line was crossed by then: an act
    found only later is a later crossing, not the first. Once a later act of the side addressed
    was found, the earlier enforcement was dropped for want of a response after that act (an
    enforced line read undetermined)."""
    b = Builder(sqlite_ledger)
    d = b.doc("2024-12-01")
    b.threat(d, "USA", "aid_to_russia", stated="2022-02-19", consequence="sanctions_or_economic")
    b.response(d, "USA", "aid_to_russia", "sanctions_or_economic", "2024-02-23")
    b.crossing(d, "IRN", "aid_to_russia", "2024-05-11")
    link(sqlite_ledger, as_of=D("2024-12-01"))
    a = episode_status(sqlite_ledger, "USA:aid_to_russia", D("2024-12-01"))
    assert a.status == "crossed_enforced" and a.crossed_by_own_response
    assert any("so it is not the first" in line for line in a.explanation)
    # an act found before the response is the crossing, as before
    b.crossing(d, "IRN", "aid_to_russia", "2024-01-10")
    link(sqlite_ledger, as_of=D("2024-12-01"))
    a = episode_status(sqlite_ledger, "USA:aid_to_russia", D("2024-12-01"))
    assert a.status == "crossed_enforced" and not a.crossed_by_own_response


def test_the_bounds_hold_the_estimate_between_them(sqlite_ledger: Ledger) -> None:
    """A left-out line (crossed only by the owner's response) whose window takes in the acts
    that enforced two counted lines is a trial of its own in the bounds: it had merged the
    counted two into one trial, so the bounds stopped holding the mean (0.33/0.80 around 0.75
    on the news ledger)."""
    b = Builder(sqlite_ledger)
    d = b.doc("2024-06-01")
    b.threat(
        d, "USA", "invasion_of_ukraine", stated="2022-12-01", consequence="sanctions_or_economic"
    )
    b.crossing(d, "RUS", "invasion_of_ukraine", "2023-01-01")
    b.response(d, "USA", None, "sanctions_or_economic", "2023-01-10")  # names no line
    b.threat(
        d,
        "USA",
        "annexation_of_ukrainian_territory",
        stated="2022-12-01",
        consequence="sanctions_or_economic",
    )
    b.crossing(d, "RUS", "annexation_of_ukrainian_territory", "2023-06-01")
    b.response(d, "USA", None, "sanctions_or_economic", "2023-06-10")
    b.threat(d, "USA", "aid_to_russia", stated="2022-12-01", consequence="sanctions_or_economic")
    b.response(d, "USA", "aid_to_russia", "sanctions_or_economic", "2023-08-01")
    link(sqlite_ledger, as_of=D("2024-06-01"))
    states = {s.row["key"]: s.assessment for s in evaluate(sqlite_ledger, as_of=D("2024-06-01"))}
    assert states["USA:aid_to_russia"].crossed_by_own_response
    assert len(states["USA:aid_to_russia"].responses) == 3  # both untargeted acts in its window
    (est,) = credibility(sqlite_ledger, as_of=D("2024-06-01"))
    assert (est.decided, est.trials, est.self_implied) == (2, 2, 1)
    assert est.mean == pytest.approx(3 / 4)
    assert est.mean_if_left_out_unenforced == pytest.approx(3 / 5)
    assert est.mean_if_left_out_enforced == pytest.approx(4 / 5)


def test_the_left_out_count_is_not_counted_twice(sqlite_ledger: Ledger) -> None:
    """The terminal's outcome counts are those the estimate rests on: with a verdict threshold
    that leaves an enforced episode out, it shows under "left out", not also as enforced."""
    from redline.cli.ledger_cmd import follow_through_row
    from redline.link import calibration

    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-01")
    for key in ("f16_delivery", "atacms_delivery"):
        b.threat(d, "RUS", key, stated="2023-01-01", consequence="diplomatic")
        b.crossing(d, "USA", key, "2023-03-01")
        b.response(d, "RUS", key, "diplomatic", "2023-03-05")
    link(sqlite_ledger, as_of=D("2024-01-01"))
    strict = dataclasses.replace(calibration.load(), threshold=0.99)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(calibration, "load", lambda: strict)
        (est,) = credibility(sqlite_ledger, as_of=D("2024-01-01"))
    assert (est.crossed, est.decided, est.no_verdict, est.enforced) == (2, 0, 2, 0)
    row = follow_through_row(est)
    assert (row["enforced / partly / not"], row["left out"], row["mean"]) == (
        "0/0/0",
        2,
        "no evidence",
    )


def test_priors_are_documented_and_move_the_estimate(sqlite_ledger: Ledger) -> None:
    assert set(priors()) >= {"uniform", "sechser", "ties"}
    for p in priors().values():
        assert p.source and p.meaning and p.label
    assert (get_prior("sechser").alpha, get_prior("sechser").beta) == (3, 7)
    assert (get_prior("ties").alpha, get_prior("ties").beta) == (5, 5)
    assert get_prior("beta:2,8").mean == pytest.approx(0.2)
    assert get_prior("beta:.5,2.").alpha == 0.5
    for bad in ("beta:.,1", "beta:1,.", "beta:1..2,1"):  # a lone "." ended in a traceback
        with pytest.raises(ConfigError, match="unknown prior"):
            get_prior(bad)
    with pytest.raises(ConfigError, match="unknown prior"):
        get_prior("jeffreys")
    _unenforced(Builder(sqlite_ledger), 2)
    link(sqlite_ledger, as_of=D("2024-01-01"))
    (est,) = credibility(sqlite_ledger, as_of=D("2024-01-01"), prior="sechser")
    assert (est.alpha, est.beta, est.mean) == (3, 9, 0.25)
    assert posterior(get_prior("ties"), 0, 0).mean == 0.5


def test_grouping_by_class_and_year(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-06-01")
    b.threat(d, "RUS", "f16_delivery", stated="2022-01-01", consequence="war_or_nuclear")
    b.crossing(d, "USA", "f16_delivery", "2023-05-01")
    b.claim(d, "RUS", "f16_delivery", "no_response", "2024-06")
    b.threat(d, "RUS", "atacms_delivery", stated="2022-01-01", consequence="sanctions_or_economic")
    b.crossing(d, "USA", "atacms_delivery", "2024-01-01")
    b.claim(d, "RUS", "atacms_delivery", "no_response", "2024-06")
    b.threat(d, "CHN", "taiwan_official_visit", stated="2022-01-01")
    link(sqlite_ledger, as_of=D("2024-06-01"))
    by_class = credibility(sqlite_ledger, by=("actor", "class"), as_of=D("2024-06-01"))
    assert [(e.actor, e.group, e.unenforced) for e in by_class] == [
        ("CHN", "vague", 0),
        ("RUS", "sanctions_or_economic", 1),
        ("RUS", "war_or_nuclear", 1),
    ]
    by_year = credibility(sqlite_ledger, by=("actor", "year"), as_of=D("2024-06-01"))
    assert [(e.actor, e.group) for e in by_year] == [
        ("CHN", "not crossed"),
        ("RUS", "2023"),
        ("RUS", "2024"),
    ]
    with pytest.raises(ConfigError):
        credibility(sqlite_ledger, by=("class",))


def test_timeline_follows_crossing_order(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    d = b.doc("2024-06-01")
    b.threat(d, "RUS", "f16_delivery", stated="2022-01-01", consequence="diplomatic")
    b.crossing(d, "USA", "f16_delivery", "2023-05-01")
    b.response(d, "RUS", "f16_delivery", "diplomatic", "2023-05-02")
    b.threat(d, "RUS", "atacms_delivery", stated="2022-01-01")
    b.crossing(d, "USA", "atacms_delivery", "2022-10-01")
    b.claim(d, "RUS", "atacms_delivery", "no_response", "2022-12")
    b.threat(d, "RUS", "tanks_to_ukraine", stated="2022-01-01")  # open: not on the timeline
    link(sqlite_ledger, as_of=D("2024-06-01"))
    points = credibility_timeline(sqlite_ledger, actor="rus", as_of=D("2024-06-01"))
    assert [(p.step, p.episode_key, p.status) for p in points] == [
        (1, "RUS:atacms_delivery", "crossed_unenforced"),
        (2, "RUS:f16_delivery", "crossed_enforced"),
    ]
    assert points[0].date == D("2022-10-01")
    assert points[0].mean == pytest.approx(1 / 3) and points[1].mean == pytest.approx(0.5)
    assert points[1].lower == pytest.approx(beta_dist.ppf(0.05, 2, 2))
    # as of a date before the second crossing, the series stops earlier
    early = credibility_timeline(sqlite_ledger, as_of=D("2023-01-01"))
    assert [p.episode_key for p in early] == ["RUS:atacms_delivery"]


def test_seed_articles_give_a_low_estimate_from_two_opinion_pieces(ledger: Ledger) -> None:
    seeds_ledger(ledger)
    link(ledger, as_of=D("2024-09-30"))
    (est,) = credibility(ledger, as_of=D("2024-09-30"))
    assert est.actor == "RUS" and est.enforced == 0 and est.unenforced >= 4
    assert est.mean < 0.35 and 0 < est.lower < est.mean < est.upper < 1
    assert est.opinion_only
    assert est.evidence == "evidence: 2 documents, both opinion pieces"


def test_an_actor_with_no_decided_episode_exports_no_numbers(
    sqlite_ledger: Ledger, tmp_path
) -> None:
    """JSON, CSV and the export carry null for the mean and interval of an actor no decided
    episode speaks for (they carried the prior's 0.5 [0.05-0.95], which a data team would
    average as if it were a measurement); the prior stays in prior_alpha and prior_beta."""
    import csv
    import json

    from typer.testing import CliRunner

    from redline.cli import app
    from redline.export import export
    from redline.schemas import validate

    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-01")
    b.threat(d, "BLR", "attack_on_belarus", stated="2023-01-01")  # open: nothing decided
    link(sqlite_ledger, as_of=D("2024-01-01"))
    (est,) = credibility(sqlite_ledger, as_of=D("2024-01-01"))
    # the API object says what every output says: no mean, no interval (the prior is kept)
    assert est.no_evidence and (est.mean, est.lower, est.upper) == (None, None, None)
    row = est.as_dict()
    assert (row["mean"], row["lower"], row["upper"]) == (None, None, None)
    assert (row["prior_alpha"], row["prior_beta"]) == (1.0, 1.0)
    res = CliRunner().invoke(
        app, ["credibility", "--db", sqlite_ledger.url, "--as-of", "2024-01-01", "-f", "json"]
    )
    doc = json.loads(res.output)
    validate(doc)
    assert doc["items"][0]["mean"] is None
    export(sqlite_ledger, tmp_path / "out", fmt="csv", as_of=D("2024-01-01"))
    with (tmp_path / "out" / "credibility.csv").open(encoding="utf-8") as fh:
        (exported,) = list(csv.DictReader(fh))
    assert exported["actor"] == "BLR" and exported["mean"] == "" and exported["upper"] == ""


def test_the_api_takes_a_grouping_by_name_and_an_iso_date(sqlite_ledger: Ledger) -> None:
    """``credibility(ledger, by="actor")`` iterated the string ('a', 'c', 't', ...); an as-of
    date given as text raised a bare TypeError deep in the linker."""
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of="2024-09-30")  # type: ignore[arg-type]
    by_name = credibility(sqlite_ledger, by="actor", as_of="2024-09-30")  # type: ignore[arg-type]
    assert [e.as_dict() for e in by_name] == [
        e.as_dict() for e in credibility(sqlite_ledger, by=("actor",), as_of=D("2024-09-30"))
    ]
    assert {e.group for e in credibility(sqlite_ledger, by="class", as_of=D("2024-09-30"))} - {None}
    with pytest.raises(ConfigError, match="as_of must be a date or a YYYY-MM-DD string"):
        credibility(sqlite_ledger, as_of="30/09/2024")  # type: ignore[arg-type]
    # the right form naming no real day is told so, not that the form is wrong
    with pytest.raises(ConfigError, match="'2024-02-30' is no day of the calendar"):
        credibility(sqlite_ledger, as_of="2024-02-30")  # type: ignore[arg-type]
    # digits of another script are no such form: told the form, not that the day is none
    with pytest.raises(ConfigError, match="as_of must be a date or a YYYY-MM-DD string"):
        credibility(sqlite_ledger, as_of="\uff12\uff10\uff12\uff14-01-02")  # type: ignore[arg-type]


def test_the_evidence_note_reads_as_english() -> None:
    """ "1 of them opinion piece" read as a slip; each count gets its own wording."""
    from redline.link.assess import evidence_note

    assert evidence_note(3, 1) == "evidence: 3 documents, one of them an opinion piece"
    assert evidence_note(3, 2) == "evidence: 3 documents, 2 of them opinion pieces"
    assert evidence_note(2, 2) == "evidence: 2 documents, both opinion pieces"
    assert evidence_note(4, 0) == "evidence: 4 documents, no opinion pieces"


def test_an_analysts_crossed_status_dates_the_crossing_where_the_evidence_has_none(
    sqlite_ledger: Ledger,
) -> None:
    """An analyst who sets a crossed status on a line the evidence shows no crossing of says
    it was crossed by the day the status holds from: `credibility --by year` counted it under
    "not crossed" and the timeline put it at no date, after every dated point."""
    from redline.link import list_episodes
    from redline.review import review

    b = Builder(sqlite_ledger)
    d = b.doc("2023-01-01")
    b.threat(d, "RUS", "f16_delivery", stated="2022-06-01", consequence="military_force")
    b.threat(d, "RUS", "atacms_delivery", stated="2022-06-01", consequence="military_force")
    b.crossing(d, "USA", "atacms_delivery", "2023-09-01")
    b.claim(d, "RUS", "atacms_delivery", "no_response", "2023-12-20")
    link(sqlite_ledger, as_of=D("2024-01-01"))
    review(
        sqlite_ledger,
        "episode",
        "RUS:f16_delivery",
        "correct",
        field="status",
        value="crossed_enforced",
        reviewer="ana",
        effective="2023-05-01",
    )
    by_year = credibility(sqlite_ledger, by=("actor", "year"), as_of=D("2024-01-01"))
    assert [(e.group, e.decided, e.enforced, e.unenforced) for e in by_year] == [("2023", 2, 1, 1)]
    points = credibility_timeline(sqlite_ledger, as_of=D("2024-01-01"))
    assert [(p.episode_key, p.date, p.date_precision) for p in points] == [
        ("RUS:f16_delivery", D("2023-05-01"), "unknown"),
        ("RUS:atacms_delivery", D("2023-09-01"), "day"),
    ]
    (row,) = list_episodes(
        sqlite_ledger, actor="RUS", status=["crossed_enforced"], as_of=D("2024-01-01")
    )
    assert row.crossing_date == D("2023-05-01")
    assert row.crossed == "by 2023-05-01 (an analyst's decision)"
    # before the day it holds from, the line was open and not crossed
    early = credibility(sqlite_ledger, by="year", as_of=D("2023-04-01"))
    assert [(e.group, e.open) for e in early] == [("not crossed", 2)]
    # without a day named, the review's own day dates it
    review(
        sqlite_ledger,
        "episode",
        "RUS:f16_delivery",
        "correct",
        field="status",
        value="crossed_unenforced",
        reviewer="ana",
    )
    today = date.today()
    groups = [e.group for e in credibility(sqlite_ledger, by="year", as_of=today)]
    assert str(today.year) in groups and "not crossed" not in groups


def test_the_interval_widens_with_the_level_asked_for(sqlite_ledger: Ledger) -> None:
    """The level was fixed at 90%, beside 95% intervals everywhere else in the product: the API
    takes it, and every estimate and timeline point carries the level it was computed at."""
    from redline.score import check_level, estimates, level_text, timeline

    # a fixed posterior, Beta(1 + 1, 1 + 3): the one place an interval is computed
    uniform = get_prior("uniform")
    widths = []
    for level in (0.6, 0.8, 0.9, 0.95, 0.99):
        post = posterior(uniform, 1, 3, level)
        tail = (1 - level) / 2
        assert post.lower == pytest.approx(beta_dist.ppf(tail, 2, 4))
        assert post.upper == pytest.approx(beta_dist.ppf(1 - tail, 2, 4))
        assert post.mean == pytest.approx(1 / 3)  # the level moves the interval, not the mean
        widths.append(post.upper - post.lower)
    assert widths == sorted(widths) and len(set(widths)) == len(widths)

    _unenforced(Builder(sqlite_ledger), 4)
    link(sqlite_ledger, as_of=D("2024-01-01"))
    (at90,) = credibility(sqlite_ledger, as_of=D("2024-01-01"))
    (at95,) = credibility(sqlite_ledger, as_of=D("2024-01-01"), level=0.95)
    assert (at90.level, at95.level) == (0.9, 0.95) and at95.mean == at90.mean
    assert at95.lower == pytest.approx(beta_dist.ppf(0.025, 1, 5))
    assert at95.upper == pytest.approx(beta_dist.ppf(0.975, 1, 5))
    assert at95.lower < at90.lower and at95.upper > at90.upper
    view = evaluate(sqlite_ledger, as_of=D("2024-01-01"))
    assert [e.level for e in estimates(view, level=0.8)] == [0.8]
    points = credibility_timeline(sqlite_ledger, as_of=D("2024-01-01"), level=0.95)
    assert {p.level for p in points} == {0.95} and points[-1].upper == at95.upper
    assert {p.level for p in timeline(view, level=0.8)} == {0.8}
    assert (level_text(0.9), level_text(0.95), level_text(0.975)) == ("90%", "95%", "97.5%")
    # a level near an end is never rounded to it: "100%" would claim an interval of everything
    assert (level_text(0.9999999), level_text(0.5000001)) == ("99.99999%", "50.00001%")
    for bad in (0.5, 1, 1.0, 95, -0.9, float("nan"), True, "0.9"):
        with pytest.raises(ConfigError, match="strictly between 0.5 and 1"):
            check_level(bad)  # type: ignore[arg-type]
        with pytest.raises(ConfigError, match="strictly between 0.5 and 1"):
            credibility(sqlite_ledger, as_of=D("2024-01-01"), level=bad)  # type: ignore[arg-type]


def test_an_actor_of_the_ledger_before_its_first_episode_is_an_empty_answer(
    sqlite_ledger: Ledger,
) -> None:
    """As of a day before its first threat, an actor only the ledger knows (a code of a
    gazetteer given to `extract --gazetteer`) was "unknown actor 'XKZ'; did you mean KAZ?",
    where one the gazetteers know gave no estimate: it has none yet."""
    from redline.link import list_episodes

    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-03")
    b.threat(d, "XKZ", "f16_delivery", stated="2023-01-01", consequence="diplomatic")
    b.crossing(d, "USA", "f16_delivery", "2023-03-01")
    b.response(d, "XKZ", "f16_delivery", "diplomatic", "2023-03-05")
    link(sqlite_ledger, as_of=D("2024-01-10"))
    (est,) = credibility(sqlite_ledger, as_of=D("2024-01-10"), actor="XKZ")
    assert est.actor == "XKZ" and est.enforced == 1
    early = D("2022-01-01")
    assert credibility(sqlite_ledger, as_of=early, actor="XKZ") == []
    assert credibility_timeline(sqlite_ledger, as_of=early, actor="XKZ") == []
    assert list_episodes(sqlite_ledger, as_of=early, actor="XKZ") == []
    with pytest.raises(ConfigError, match="unknown actor 'XQQ'"):
        credibility(sqlite_ledger, as_of=early, actor="XQQ")


def test_every_interval_is_written_with_one_dash() -> None:
    """The audit's precision (`audit report`, the report's audit table), the recall estimate and
    `redline eval` wrote intervals "0.09-0.91" with a hyphen, where the follow-through, the
    report's recall sentence and every page of the docs write "0.03–0.78" with an en dash."""
    from redline.cli.extract_cmd import _ci
    from redline.score.intervals import Proportion

    shown = Proportion(1, 2).label()
    assert "–" in shown and "-" not in shown, shown
    scored = _ci({"value": 0.5, "low": 0.1, "high": 0.9, "hits": 1, "total": 2})
    assert scored == "0.50 [0.10–0.90] (1/2)"


def test_the_interval_is_scipy_stats_beta_quantile_exactly() -> None:
    """``posterior`` reads the Beta quantile through scipy.special (the Boost routine
    scipy.stats.beta.ppf calls): every bound is the same float, not merely close."""
    for prior in priors().values():
        for successes in (0, 0.5, 1, 2.5, 7, 40):
            for failures in (0, 0.5, 3, 12.5, 90):
                for level in (0.6, 0.9, 0.95, 0.99):
                    post = posterior(prior, successes, failures, level)
                    a, b, tail = post.alpha, post.beta, (1 - level) / 2
                    assert post.lower == float(beta_dist.ppf(tail, a, b))
                    assert post.upper == float(beta_dist.ppf(1 - tail, a, b))


def test_scoring_does_not_import_scipy_stats() -> None:
    """scipy.stats reads about four times the files scipy.special does and costs most of a
    second more CPU to import; the bench's score stage waited on that import for most of its
    time. Scoring needs only the Beta quantile."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from redline.score import get_prior, posterior\n"
        "posterior(get_prior('uniform'), 3, 1)\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "False"


def test_eval_shows_the_interval_rounded_once() -> None:
    """`redline eval` printed bounds rounded twice (three places in the JSON, then two), so 19/24
    showed a lower bound of 0.59 where the bound is 0.5953; every shown bound now agrees with
    the interval rounded once, for every count up to 40."""
    from redline.cli.extract_cmd import _ci
    from redline.score.intervals import Proportion

    for total in range(1, 41):
        for hits in range(total + 1):
            p = Proportion(hits, total)
            lo, hi = p.interval or (0.0, 1.0)
            shown = _ci(p.as_dict())
            assert f"[{lo:.2f}–{hi:.2f}]" in shown, (hits, total, shown)

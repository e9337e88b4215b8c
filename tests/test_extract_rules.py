"""Unit tests of the rule extractor on small hand-written sentences."""

from __future__ import annotations

from datetime import date

from tests.extract_helpers import run


def only_threat(text: str, **kw):
    result = run(text, **kw)
    assert len(result.threats) == 1, [t.provenance.sentence for t in result.threats]
    return result.threats[0]


def test_conditional_warning_with_named_official() -> None:
    t = only_threat(
        "Russia's deputy foreign minister, Alexander Grushko, warned the West of enormous risks if Ukraine received F-16 jets."
    )
    assert (t.speaker, t.speaker_country, t.trigger_key, t.consequence_class) == (
        "Alexander Grushko",
        "RUS",
        "f16_delivery",
        "vague",
    )
    assert t.addressee_country == "WEST"


def test_us_sanctions_threat_is_found_like_any_other() -> None:
    t = only_threat(
        "President Joe Biden said Russia would face severe sanctions if it invaded Ukraine.",
        published=date(2022, 1, 20),
    )
    assert (t.speaker_country, t.trigger_key, t.consequence_class) == (
        "USA",
        "invasion_of_ukraine",
        "sanctions_or_economic",
    )
    assert t.stated_date == date(2022, 1, 20)


def test_fear_and_possibility_are_not_threats() -> None:
    assert (
        run(
            "Washington is hesitant, fearing escalation and that President Putin may threaten to deploy nuclear arms."
        ).threats
        == []
    )


def test_commentators_are_nobody_s_threat() -> None:
    assert (
        run(
            "Some analysts warned that Russia could respond with force if Ukraine received F-16 jets."
        ).threats
        == []
    )


def test_denial_is_not_a_threat() -> None:
    assert run("Peskov said Russia had no intention of attacking anyone.").threats == []


def test_past_attack_is_not_a_threat() -> None:
    assert run("Last week two Russian missiles struck Poltava, killing dozens.").threats == []


def test_trigger_comes_from_earlier_sentence() -> None:
    text = (
        "Ministers met in Kyiv to discuss lifting restrictions on Western long-range missiles inside Russia. "
        "On Wednesday, the Kremlin said that Russia would take an appropriate response."
    )
    t = only_threat(text, published=date(2024, 9, 12))
    assert t.trigger_key == "long_range_strikes_inside_russia"
    assert t.provenance.context is not None and "long-range" in t.provenance.context
    assert t.stated_date == date(2024, 9, 11) and t.stated_precision == "day"


def test_standing_condition_with_any() -> None:
    t = only_threat(
        "Belarus will instantly respond to any military aggression against the country, Lukashenko said.",
        published=date(2024, 5, 7),
    )
    assert t.speaker_country == "BLR"


def test_provenance_spans_point_into_the_text() -> None:
    text = "Intro line.\nIn 2023, Sergey Lavrov warned that the West was playing with fire that could cause a world war."
    t = only_threat(text)
    p = t.provenance
    assert text[p.sentence_start : p.sentence_end] == p.sentence
    assert p.sentence_start <= p.span_start < p.span_end <= p.sentence_end
    assert t.stated_date == date(2023, 1, 1) and t.stated_precision == "year"
    assert t.consequence_class == "war_or_nuclear"


def test_crossing_needs_a_realised_action() -> None:
    assert (
        run(
            "If they gave the green light to strike targets within Russia, Moscow would respond."
        ).events
        == []
    )
    assert run("The administration was reluctant to send ATACMS to Kyiv.").events == []
    result = run(
        "In May 2024, Mr. Biden allowed Ukraine to use American weapons to hit Russian targets near Kharkiv."
    )
    (crossing,) = result.events
    assert (crossing.kind, crossing.actor_country, crossing.trigger_key) == (
        "crossing",
        "USA",
        "strikes_near_kharkiv",
    )
    assert (crossing.event_date, crossing.date_precision) == (date(2024, 5, 1), "month")


def test_outcome_claim_links_to_nearby_crossing() -> None:
    text = "The West did provide Ukraine with F-16s. They did not provoke Moscow."
    result = run(text)
    (claim,) = result.claims
    assert (claim.claim, claim.subject_country, claim.trigger_key) == (
        "no_response",
        "RUS",
        "f16_delivery",
    )


def test_response_to_a_crossing() -> None:
    result = run(
        "In response to the incursion into Kursk, Russia launched missile strikes on Ukrainian cities in August."
    )
    responses = [e for e in result.events if e.kind == "response"]
    assert responses and responses[0].actor_country == "RUS"
    assert responses[0].consequence_class == "military_force"


def test_response_cue_under_a_non_verb_root_terminates() -> None:
    """A cue whose head chain ends at a root that is not a verb must not loop for ever."""
    result = run("In response: the sanctions.")
    assert result.events == []


def test_a_headline_restating_the_body_is_one_threat_not_two() -> None:
    from tests.extract_helpers import extractor

    from redline.extract.base import DocumentInput

    title = "Kremlin warns of war with NATO if Western troops go to Ukraine"
    body = (
        "Kremlin spokesman Dmitry Peskov said on Tuesday that a direct conflict between Russia "
        "and NATO would be inevitable if NATO troops were sent to Ukraine."
    )
    both = extractor().extract(
        DocumentInput(1, f"{title}\n\n{body}\n", date(2024, 2, 27), "day", title=title)
    )
    assert [t.provenance.sentence for t in both.threats] == [body]
    alone = extractor().extract(
        DocumentInput(2, f"{title}\n\nNo more was said.\n", date(2024, 2, 27), "day", title=title)
    )
    assert [t.provenance.sentence for t in alone.threats] == [title]


def test_diplomatic_threat_formulas() -> None:
    """Phrasings states use for threats: retaliatory steps, reserving the right, not hesitating,
    making someone a party to the conflict, halting contracts."""
    cases = {
        "Russia's foreign ministry said Moscow would be forced to take retaliatory steps, "
        "both military-technical and other, if Finland joined NATO.": "RUS",
        "Russia's foreign ministry warned that if transit was not restored, Moscow reserved the "
        "right to take action to protect its national interests.": "RUS",
        "Lukashenko said he would not hesitate to use nuclear weapons if Belarus faced "
        "aggression.": "BLR",
        "Russian officials warned that strikes on Russian territory with Taurus missiles would be "
        "treated as Germany's direct participation in the war.": "RUS",
        "Putin warned that existing gas contracts would be halted if buyers refused to pay in "
        "roubles.": "RUS",
    }
    for sentence, country in cases.items():
        assert only_threat(sentence).speaker_country == country, sentence


def test_its_ministry_speaks_for_the_state_named_before() -> None:
    result = run(
        "Russia left the grain deal on Monday. Its defence ministry said ships sailing to "
        "Ukrainian ports would be considered parties to the conflict."
    )
    assert [(t.speaker_country, t.consequence_class) for t in result.threats] == [
        ("RUS", "war_or_nuclear")
    ]


def test_an_announced_delivery_decision_is_a_crossing() -> None:
    for sentence, country in (
        ("Germany said on Wednesday it would send Leopard 2 battle tanks to Ukraine.", "DEU"),
        ("The United States agreed to send 31 Abrams tanks to Ukraine in January 2023.", "USA"),
    ):
        crossings = [e for e in run(sentence).events if e.kind == "crossing"]
        assert [(e.actor_country, e.trigger_key) for e in crossings] == [
            (country, "tanks_to_ukraine")
        ], sentence
    for not_yet in (
        "Germany said it would send Leopard 2 tanks to Ukraine if the United States sent Abrams.",
        "Germany said it would not send Leopard 2 tanks to Ukraine.",
        "Analysts said Germany could send Leopard 2 tanks to Ukraine.",
    ):
        assert not [e for e in run(not_yet).events if e.kind == "crossing"], not_yet

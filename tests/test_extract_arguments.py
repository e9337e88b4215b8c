"""The arguments of threats and crossings, by the codebook: whose line, whose act, what harm,
said when. Every text here is written for the test."""

from __future__ import annotations

from datetime import date
from functools import cache, partial
from typing import Any

from redline.extract.base import DocumentInput, EventItem, Extraction, Provenance, ThreatItem
from redline.extract.learned import (
    ANNOUNCED_CONFIDENCE,
    CONDITIONAL_CONFIDENCE,
    LearnedExtractor,
)
from redline.knowledge import actors
from redline.model.classifier import Gate


@cache
def _extractor(rules_from: float | None = None) -> LearnedExtractor:
    """The shipped extractor; with ``rules_from``, only what the rules find counts, on any
    sentence the classifier gives at least that (the rules' own behaviour under test)."""
    x = LearnedExtractor()
    if rules_from is not None:
        x._gates = {**x.gates(), "threat": Gate(rules_from, 1.01)}
    return x


def _news(
    text: str, published: date = date(2022, 9, 3), rules_from: float | None = None
) -> Extraction:
    return _extractor(rules_from).extract(DocumentInput(1, text, published, "day"))


def _statement_doc(
    text: str, title: str = "Remarks by the President", published: date = date(2023, 2, 24)
) -> DocumentInput:
    """A statement by the President: its first person is the United States."""
    return DocumentInput(1, text, published, "day", "statement", title, "Joe Biden")


def _statement(text: str, rules_from: float | None = None) -> Extraction:
    return _extractor(rules_from).extract(_statement_doc(text))


def test_a_condition_on_the_speakers_own_act_draws_no_line() -> None:
    """Codebook §1: the trigger is what the other side does. "If we do not stand up to ..."
    warns about the speaker's own inaction; "if we are attacked" is still a line."""
    assert not _statement(
        "Vladimir Putin has chosen a war of aggression. If we do not stand up to him now, the "
        "consequences will be grave for all of us.",
        rules_from=0.05,
    ).threats
    got = _statement(
        "The President spoke in Warsaw. If we are attacked, we will respond with force.",
        rules_from=0.05,
    ).threats
    assert [t.speaker_country for t in got] == ["USA"]


def test_a_contracted_would_and_a_target_named_by_its_act_make_a_threat() -> None:
    """ "we'd impose severe sanctions on anyone who has done that": "'d" is "would", and the
    relative clause is the standing condition."""
    got = _statement(
        "China has not sent weapons to Russia yet. In other words, we'd impose severe sanctions "
        "on anyone who sends weapons to Russia.",
        rules_from=0.05,
    ).threats
    assert [(t.speaker_country, t.consequence_class) for t in got] == [
        ("USA", "sanctions_or_economic")
    ]


def test_warning_against_an_act_is_a_vague_threat_over_that_act() -> None:
    """Codebook §5: "X warns Y against Z" is a threat by X whose trigger is Z, `vague` when no
    consequence is stated; the act warned against is not the consequence."""
    got = _news(
        "Joe Biden met reporters on Friday. Joe Biden has warned Russia against using chemical "
        "weapons in Ukraine.",
        rules_from=0.05,
    ).threats
    assert [(t.speaker_country, t.consequence_class) for t in got] == [("USA", "vague")]
    assert got[0].trigger_key is not None


def test_names_in_a_headline_in_capitals_are_found() -> None:
    found = [(a.key, text) for a, text in _named("RUSSIA WARNS ISRAEL AGAINST ARMING UKRAINE")]
    assert found == [("RUS", "RUSSIA"), ("ISR", "ISRAEL"), ("UKR", "UKRAINE")]
    # names already found as written keep their place, and nothing is found twice
    assert [a.key for a, _ in _named("NATO AND US LEADERS MEET IN RUSSIA")] == [
        "NATO",
        "USA",
        "RUS",
    ]
    assert [a.key for a, _ in _named("Ordinary prose about Russia.")] == ["RUS"]


def _named(text: str) -> list[tuple]:
    return [(a, text[s:e]) for a, s, e in actors().find(text)]


def test_the_consequence_is_read_outside_the_trigger_and_the_circumstances() -> None:
    """ "any attempt to interfere would lead to consequences ... as the attack began": the
    attack is when it was said, not what is threatened."""
    x = _extractor()
    doc = DocumentInput(
        1,
        "Vladimir Putin warned other countries that any attempt to interfere would lead to "
        "consequences never seen in history, in an address as the attack began.",
        date(2022, 2, 24),
        "day",
    )
    st, sent = _parsed(x, doc)
    words, actor = x._consequence_clause(st, sent)
    assert x._classify(words)[0] == "vague"
    assert actor is None  # the clause's subject is an act, not a side


def test_the_side_that_says_it_will_act_speaks_not_the_last_person_named() -> None:
    x = _extractor()
    doc = DocumentInput(
        1,
        "Vladimir Putin ordered the attack at dawn. Russia alone is responsible for the "
        "destruction this attack will bring, and the United States and its allies will respond "
        "in a united and decisive way.",
        date(2022, 2, 23),
        "day",
        "statement",
        "Statement by the President on the Attack",
        "Joe Biden",
    )
    st, sent = _parsed(x, doc, index=1)
    words, actor = x._consequence_clause(st, sent)
    assert actor is not None and actor.actor.key == "USA"
    assert x._classify(words)[0] == "vague"


def _parsed(x: LearnedExtractor, doc: DocumentInput, index: int = 0) -> tuple:
    from redline.extract.syntax import _DocState

    sentences = x.screened(doc.text)
    sent = sentences[index]
    sent.doc = x.nlp(sent.text)
    return _DocState(doc, sentences, x._mentions(doc.text)), sent


def _crossing(
    text: str, actor: str, country: str, trigger: str = "invasion_of_ukraine", **fields: Any
) -> EventItem:
    """A crossing read from the whole of ``text`` (as the rules would build it)."""
    return EventItem(
        provenance=Provenance(0, len(text), 0, len(text), text, None),
        kind="crossing",
        actor=actor,
        actor_country=country,
        target_country=fields.get("target"),
        trigger_key=trigger,
        action=fields.get("action", "launch"),
        consequence_class=None,
        event_date=fields.get("on", date(2022, 3, 31)),
        date_precision="day",
        confidence=0.9,
        extractor=_extractor().version,
    )


def test_an_office_named_again_is_the_state_named_with_it_before() -> None:
    """ "Ukraine's Foreign Minister said ... The Foreign Minister went on to state that
    relations with Belarus will be severed if ...": Ukraine's threat, not Belarus's."""
    got = _news(
        "Ukraine's Foreign Minister said in an interview that relations were already bad. "
        "The Foreign Minister went on to state that relations with Belarus will be severed if "
        "the Belarusian army crosses the border of Ukraine.",
    ).threats  # the parser reads "state" as a noun: the classifier's item (p about 0.96)
    assert got and {t.speaker_country for t in got} == {"UKR"}


def test_a_statement_dated_once_keeps_that_date_in_the_sentences_after() -> None:
    """News dates a statement once ("On Friday, Ryabkov said ...") and goes on without a date."""
    got = _news(
        "On Friday, Russian deputy foreign minister Sergei Ryabkov said the United States was "
        'close to becoming a party to the conflict. "We warn the United States against sending '
        'long-range missiles to Ukraine; it will have serious consequences," said Ryabkov.',
        published=date(2022, 9, 3),  # a Saturday
    ).threats
    assert got and {t.stated_date for t in got} == {date(2022, 9, 2)}
    # an undated threat with no dated sentence about its speaker before it keeps the day of
    # publication
    alone = _news(
        '"We warn the United States against sending long-range missiles to Ukraine; it will '
        'have serious consequences," said Sergei Ryabkov.',
        published=date(2022, 9, 3),
    ).threats
    assert alone and {t.stated_date for t in alone} == {date(2022, 9, 3)}
    # paragraphs later the same person quoted again, undated: still that day; another Russian
    # official quoted that far on is not dated by Ryabkov's day
    filler = " ".join(f"Paragraph {n} of the report covers the front." for n in range(8))
    later = _news(
        "On Friday, Russian deputy foreign minister Sergei Ryabkov said the United States was "
        f"close to becoming a party to the conflict. {filler} "
        '"We warn the United States against sending long-range missiles to Ukraine; it will '
        'have serious consequences," said Ryabkov.',
        published=date(2022, 9, 3),
    ).threats
    assert later and {t.stated_date for t in later} == {date(2022, 9, 2)}
    other = _news(
        "On Friday, Russian deputy foreign minister Sergei Ryabkov said the United States was "
        f"close to becoming a party to the conflict. {filler} "
        '"We warn the United States against sending long-range missiles to Ukraine; it will '
        'have serious consequences," said Dmitry Peskov.',
        published=date(2022, 9, 3),
    ).threats
    assert other and {t.stated_date for t in other} == {date(2022, 9, 3)}


def test_a_crossing_is_an_act_of_the_side_the_line_is_drawn_against() -> None:
    """Codebook §2: taxing Russian imports is no crossing of the invasion line by Australia;
    an act whose subject is the crossing side is credited to that side."""
    x = _extractor()
    text = "Australia imposed a tariff on all imports from Russia after the invasion of Ukraine."
    doc = DocumentInput(1, text, date(2022, 3, 31), "day")
    st, sent = _parsed(x, doc)
    assert x._crossed_by_other_side(st, sent, _crossing(text, "Australia", "AUS")) is None
    text = "After weeks of denials, Putin launched the invasion of Ukraine, Kyiv said."
    doc = DocumentInput(1, text, date(2022, 2, 24), "day")
    st, sent = _parsed(x, doc)
    moved = x._crossed_by_other_side(st, sent, _crossing(text, "Kyiv", "UKR"))
    assert moved is not None and moved.actor_country == "RUS"


def test_a_party_the_trigger_lists_crosses_as_the_owner_of_an_act_told_as_a_noun() -> None:
    """ "the DPRK's decision to send troops to Russia" is North Korea's crossing of a line
    against military aid to Russia (its trigger lists North Korea: ``crossed_by``), though the
    statement's "we" read as the doer; it was dropped as a crossing by no one. The line's own
    crossing side named only as an owner stays background ("victims of Russia's invasion")."""
    x = _extractor()
    text = "We condemned the DPRK's decision to send troops to Russia for its war."
    st, sent = _parsed(x, DocumentInput(1, text, date(2024, 11, 15), "day"))
    event = _crossing(text, "United States", "USA", "aid_to_russia", on=date(2024, 11, 15))
    moved = x._crossed_by_other_side(st, sent, event)
    assert moved is not None and moved.actor_country == "PRK"
    text = "The fund we set up helps the victims of Russia's invasion of Ukraine."
    st, sent = _parsed(x, DocumentInput(1, text, date(2024, 11, 15), "day"))
    assert x._crossed_by_other_side(st, sent, _crossing(text, "United States", "USA")) is None


def test_a_joint_statement_s_act_is_a_response_of_every_issuer() -> None:
    """Codebook §3: a joint act counts for every side; "we have imposed sanctions" in a
    statement two leaders issue is a response of both."""
    doc = DocumentInput(
        1,
        "The leaders met in Brussels. In response to Russia's invasion of Ukraine, we have "
        "imposed swift and sweeping sanctions on Russia.",
        date(2022, 3, 25),
        "day",
        "statement",
        "Joint Statement by President Biden and President Ursula von der Leyen",
        "Joe Biden",
    )
    responses = [e for e in _extractor().extract(doc).events if e.kind == "response"]
    assert {e.actor_country for e in responses} == {"USA", "EUR"}
    spans = {(e.provenance.span_start, e.provenance.span_end) for e in responses}
    assert len(spans) == len(responses)


def test_sides_named_as_acting_with_the_doer_share_its_response() -> None:
    """Codebook §3: a joint act counts for every side named. Besides "Britain, Japan and the US
    imposed sanctions", news names the others as acting with the doer: "along with", "together
    with", "alongside", "as well as". Each is a response of its own; a "with" that names no
    partner in the act ("with the support of", "along with export controls") adds none."""
    x = LearnedExtractor(classifier=_Scores(response=0.5))  # type: ignore[arg-type]

    def sides(text: str) -> set[str | None]:
        doc = DocumentInput(1, "Russia invaded Ukraine last week. " + text, date(2022, 3, 4), "day")
        return {e.actor_country for e in x.extract(doc).events if e.kind == "response"}

    for joint in (
        "The United States, along with Britain and the European Union, imposed sanctions on "
        "Russian banks.",
        "The United States, together with Britain and the European Union, imposed sanctions on "
        "Russian banks.",
        "The United States imposed sanctions on Russian banks alongside Britain and the European "
        "Union.",
    ):
        assert sides(joint) == {"USA", "GBR", "EUR"}, joint
    assert sides("The United States as well as Britain imposed sanctions on Russian banks.") == {
        "USA",
        "GBR",
    }
    for alone in (
        "Japan imposed sanctions on Russian banks with the support of Britain.",
        "Japan imposed sanctions on Russian banks along with export controls.",
    ):
        assert sides(alone) == {"JPN"}, alone


def test_the_act_a_clause_of_time_names_is_not_the_response() -> None:
    """Codebook §3: a response is the threatening side's act. "Since Putin launched the
    invasion, our countries have imposed ..." reports the issuers' sanctions; the clause of time
    only says since when (the response was credited to Putin, and then read as a crossing)."""
    doc = DocumentInput(
        1,
        "The leaders met by video. Since President Putin launched the invasion of Ukraine on "
        "February 24, our countries have imposed sweeping sanctions on Russia's economy.",
        date(2022, 3, 11),
        "day",
        "statement",
        "Joint Statement of the G7 Leaders",
        None,
    )
    responses = [e for e in _extractor().extract(doc).events if e.kind == "response"]
    assert responses and {e.actor_country for e in responses} == {"G7"}


def test_the_target_of_a_sanction_in_a_relative_clause_is_not_its_doer() -> None:
    """ "partners who imposed sanctions against Russia": the doer is the noun the clause
    describes; left unnamed, nobody is credited (Russia was, as if it had sanctioned itself).
    Named, that side is credited."""
    unnamed = _news(
        'The minister said on Wednesday: "We thank our partners and friends who imposed '
        'crippling sanctions against Russia and gave Ukraine military support."'
    )
    assert all(e.actor_country != "RUS" for e in unnamed.events)
    named = _news(
        "Ukraine thanked the European Union, which imposed new sanctions against Russia on Tuesday."
    )
    assert [(e.kind, e.actor_country) for e in named.events] == [("response", "EUR")]


def test_a_clause_describing_the_consequence_does_not_deny_it() -> None:
    """ "consequences you have never seen": the "never" describes the consequence."""
    got = _news(
        "Vladimir Putin cautioned other countries that any attempt to interfere would lead to "
        "consequences they have never seen in history, as the attack began.",
        published=date(2022, 2, 24),
        rules_from=0.01,
    ).threats
    assert [(t.speaker_country, t.consequence_class) for t in got] == [("RUS", "vague")]
    assert not _news("Vladimir Putin said Russia would never attack NATO.", rules_from=0.01).threats


def test_they_in_a_joint_statement_are_its_issuers() -> None:
    doc = DocumentInput(
        1,
        "The leaders met in Paris. They stand ready to adopt further sanctions to prevent "
        "transfers of Iranian missiles to Russia.",
        date(2024, 6, 8),
        "day",
        "statement",
        "Joint Statement by President Biden and President Emmanuel Macron of France",
        "Joe Biden",
    )
    got = _extractor(0.01).extract(doc).threats
    assert {(t.speaker_country, t.trigger_key) for t in got} == {
        ("USA", "aid_to_russia"),
        ("FRA", "aid_to_russia"),
    }


def test_asking_for_or_preparing_an_act_is_not_doing_it() -> None:
    """Codebook §3: statements are not responses; a request or a prepared package is not an
    act. A reply by act ("responded by imposing sanctions") still is one."""
    x = _extractor()
    for text, expected in (
        ("He called for allies to impose even tougher sanctions on Russia.", True),
        ("The European Union has prepared a package of sanctions against Russia.", True),
        ("The President asked Congress to approve $33 billion in military aid.", True),
        ("Britain responded by imposing sanctions on Russian banks.", False),
        ("The United States imposed sanctions on Russian banks on Thursday.", False),
    ):
        doc = DocumentInput(1, text, date(2022, 4, 1), "day")
        st, sent = _parsed(x, doc)
        assert x._only_words(sent) is expected, text


def test_threats_by_any_state_have_a_speaker() -> None:
    """Threats by every actor count: a state outside the war's gazetteer is named by its name,
    its capital or its adjective with an office ("Zimbabwean President ...")."""
    gazetteer = actors()
    assert gazetteer.demonyms["turkish"] == "TUR" and gazetteer.demonyms["zimbabwean"] == "ZWE"
    assert [a.key for a, _ in _named("Islamabad and Pakistan disagree.")] == ["PAK", "PAK"]
    got = _news(
        "Zimbabwean President Robert Mugabe has warned the British envoy that his government "
        "would expel him if he continued to interfere in the affairs of the country.",
        rules_from=0.01,
    ).threats
    assert [(t.speaker_country, t.consequence_class) for t in got] == [("ZWE", "diplomatic")]


def test_what_a_threat_verb_or_a_noun_says_is_threatened_is_a_threat() -> None:
    """ "threatened to <act>" keeps a harm the lexicon lacks (class `vague`); "issued a
    warning that ..." and "threats by X that ..." are speech acts of their subject and agent."""
    got = _news(
        "Iran has threatened to stop issuing visas to the region's residents should it hold the "
        "referendum.",
        rules_from=0.01,
    ).threats
    assert [(t.speaker_country, t.consequence_class) for t in got] == [("IRN", "vague")]
    got = _news(
        "Iran has threatened to close all its borders with the region should it hold the "
        "referendum.",
        rules_from=0.01,
    ).threats  # (a harm the lexicon names: closed borders)
    assert [(t.speaker_country, t.consequence_class) for t in got] == [
        ("IRN", "sanctions_or_economic")
    ]
    got = _news(
        "The South African government has issued a warning to the army of Lesotho that it "
        "would not tolerate a coup.",
        rules_from=0.01,
    ).threats
    assert [t.speaker_country for t in got] == ["ZAF"]
    got = _news(
        "The deal came after months of threats by Turkish President Recep Tayyip Erdogan that "
        "he would impose sanctions unless the EU paid more.",
        rules_from=0.01,
    ).threats
    assert [t.speaker_country for t in got] == ["TUR"]


def test_what_the_review_found_stays_fixed() -> None:
    """Cases a review of the rules found wrong, one line each."""
    # "if we see ..." names the other side's act: still a line
    got = _news(
        "If we see Russian tanks cross into Ukraine, we will impose severe sanctions, Joe Biden "
        "said.",
        rules_from=0.01,
    ).threats
    assert [t.speaker_country for t in got] == ["USA"]
    # "we'd imposed" is "had": a past act, no threat
    assert not _news(
        "By then we'd already imposed sweeping sanctions on Russia, Joe Biden said.",
        rules_from=0.01,
    ).threats
    # "warned against" advice that names no line is no threat
    assert not _news(
        "The United States warned against all travel to Russia.", rules_from=0.01
    ).threats
    # a headline in capitals with a one-letter word
    assert [a.key for a, _ in _named("RUSSIA WARNS A NEIGHBOUR")] == ["RUS"]
    # the side named in a condition is not who speaks
    got = _statement(
        "The President met allies. We will respond with force if Russia threatens our allies."
    ).threats
    assert {t.speaker_country for t in got} <= {"USA"}


def test_the_verb_whose_phrase_names_the_line_is_the_crossing() -> None:
    """In "Russia launched its largest assault on Ukraine since this war began" the assault is
    launched by Russia; "began" only shares the sentence (its subject, the war, is nobody)."""
    x = _extractor()
    text = "Overnight, Russia launched its largest assault on Ukraine since this war began."
    st, sent = _parsed(x, DocumentInput(1, text, date(2023, 12, 29), "day"))
    got = x._crossings(st, sent)
    assert [(e.actor_country, e.trigger_key, e.action) for e in got] == [
        ("RUS", "invasion_of_ukraine", "launch")
    ]


def test_i_in_an_official_statement_is_its_issuer() -> None:
    """A President's "I will ..." is the issuer's line, as "we will ..." is; and a harm aimed
    at whoever does an act ("hit those who back the invasion") holds its condition."""
    got = _statement("I will impose severe costs on Russia if it attacks Ukraine again.", 0.05)
    assert [(t.speaker_country, t.trigger_key) for t in got.threats] == [
        ("USA", "invasion_of_ukraine")
    ]
    got = _news(
        "Vice President Kamala Harris spoke in Munich on Saturday. She stressed that they "
        "would also hit those who back the invasion of Ukraine.",
        rules_from=0.05,
    )
    assert [t.speaker_country for t in got.threats] == ["USA"]


def test_an_act_of_the_speakers_own_side_is_its_consequence_not_a_line() -> None:
    """Codebook §1: the trigger is the other side's act. Sanctions named by a NATO speaker are
    what it threatens (``sanctions_or_economic``), not a line to be read past, leaving the
    attack the condition names to decide the class."""
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]
    text = (
        "Earlier, NATO countries warned that in case of a Russian attack on Ukraine they would "
        "not stay indifferent and would impose severe sanctions on Moscow."
    )
    got = x.extract(DocumentInput(1, text, date(2022, 2, 3), "day")).threats
    assert [(t.speaker_country, t.trigger_key, t.consequence_class) for t in got] == [
        ("NATO", "invasion_of_ukraine", "sanctions_or_economic")
    ]


def test_a_crossing_by_a_state_on_no_listed_side_is_kept() -> None:
    x = _extractor()
    text = "Iran sent drones to Russia."
    st, sent = _parsed(x, DocumentInput(1, text, date(2023, 1, 1), "day"))
    event = _crossing(text, "Iran", "IRN", "aid_to_russia", action="send", on=date(2023, 1, 1))
    assert x._crossed_by_other_side(st, sent, event) == event


def test_a_line_named_only_as_background_is_not_crossed() -> None:
    """Codebook §2: "since the invasion began" and "in year three of the invasion" are
    background; "when he ordered the invasion of Ukraine" (after a "since" of its own) is not."""
    x = _extractor()

    def background(text: str) -> bool:
        st, sent = _parsed(x, DocumentInput(1, text, date(2024, 2, 24), "day"))
        event = _crossing(text, "Russia", "RUS", target="UKR", on=date(2024, 2, 24))
        return x._background(st, sent, event)

    assert background("Since Russia launched its invasion, we have imposed sanctions.")
    assert background("In year three of the full-scale invasion of Ukraine, aid continues.")
    assert not background(
        "It was the biggest attack since World War II when Putin ordered the invasion of Ukraine."
    )
    assert not background("Russia launched the invasion of Ukraine on Thursday.")
    # a clause or phrase that only places another act in time names its act as background ...
    assert background("Two months after Russia launched its invasion of Ukraine, voters back aid.")
    assert background("Shortly before Russia's February 2 invasion of Ukraine, talks failed.")
    assert background("Firms help Russia buy parts as its invasion of Ukraine enters year three.")
    # ... unless it dates that act as news: the report's own days, in the clause or the sentence
    assert not background("Troops neared Kyiv after Russia invaded Ukraine on Thursday morning.")
    assert not background("Germany sent arms such as tanks as Russia invaded Ukraine yesterday.")
    assert not background("Oil prices jumped on Friday after Russia invaded Ukraine.")
    # an undated "as" or "when" clause may well be the news; a short opening phrase with no
    # comma is no clause at all
    assert not background("Sirens sounded in Kyiv as Russian forces invaded Ukraine.")
    assert not background("Before dawn Russia invaded Ukraine from three sides.")

    def on(text: str, published: date) -> bool:
        st, sent = _parsed(x, DocumentInput(1, text, published, "day"))
        event = _crossing(text, "Russia", "RUS", target="UKR", on=published)
        return x._background(st, sent, event)

    # a month and day without a year may be an anniversary, not the news
    assert on(
        "Just before Russia's February 24 invasion of Ukraine, talks broke down.", date(2023, 2, 27)
    )


def test_a_crossing_names_the_line_it_crosses_and_not_its_recipient_as_actor() -> None:
    """Codebook §2: a crossing does what a line warned against. The classifier's crossing
    must name the act in its sentence (or point back at it: "the weapons"); the side an act is
    done for is not its doer, and an official statement's "I" is its issuer."""
    x = LearnedExtractor(classifier=_Scores(crossing=0.99))  # type: ignore[arg-type]

    def crossings(doc: DocumentInput) -> list[tuple[str | None, str | None]]:
        return [(e.actor_country, e.trigger_key) for e in x.extract(doc).events]

    # every side named is the recipient: whose act it is the text does not say, and the
    # linker would credit the line's usual crosser; no crossing
    news = "The minister announced an extra $40m in military aid for Ukraine."
    assert crossings(DocumentInput(1, news, date(2022, 4, 1), "day")) == []
    news = "The minister of Canada announced an extra $40m in military aid for Ukraine."
    assert crossings(DocumentInput(1, news, date(2022, 4, 1), "day")) == [
        ("CAN", "weapons_to_ukraine")
    ]
    # a side named as the doer of a decision the statement welcomes is its doer, not the issuer
    welcome = "We welcome the decision of Germany to send its Leopard tanks to Ukraine."
    assert crossings(_statement_doc(welcome, published=date(2023, 1, 26))) == [
        ("DEU", "tanks_to_ukraine")
    ]
    said = "Today I am announcing another package of military aid for Ukraine."
    assert crossings(_statement_doc(said, published=date(2022, 5, 6))) == [
        ("USA", "weapons_to_ukraine")
    ]
    # aid packages name the weapons line only when they are for Ukraine
    keys = [
        {k for k, _, _ in x.triggers.match(t)}
        for t in (
            "Washington approved a new package of military aid for Taiwan.",
            "Berlin passed an aid package for Ukrainian refugees.",
            "China delivered a tranche of military assistance to Russia.",
            "Canada approved a new package of military aid for Ukraine.",
        )
    ]
    assert ["weapons_to_ukraine" in k for k in keys] == [False, False, False, True]
    # no line named in the sentence: the line of the sentence before is not borrowed
    unnamed = "Russia invaded Ukraine. The new law frees up $3 billion for uranium mining."
    assert crossings(DocumentInput(1, unnamed, date(2024, 5, 1), "day")) == [
        ("RUS", "invasion_of_ukraine")
    ]


def test_a_quotation_is_spoken_by_whoever_opened_it() -> None:
    """A quotation running over several sentences is the speaker's who opened it, however far
    back ("Lukashenko said: ... Any aggression will be met with an instant response.")."""
    text = (
        "Aleksandr Lukashenko said at a parade in Minsk: \u201cWe are a small country. "
        "We have no wide lands. "
        "Others can draw lines and wait. We cannot wait for anything. Our borders are short. "
        "So there will be no lines at all. Any aggression will be met with an instant "
        "response.\u201d"
    )
    x = _extractor(rules_from=0.05)
    got = x.extract(DocumentInput(1, text, date(2024, 5, 7), "day")).threats
    assert [(t.speaker_country, t.provenance.sentence.startswith("Any")) for t in got] == [
        ("BLR", True)
    ]
    # opened by "he said", after another state was named: the person named before "he"
    text = (
        "Aleksandr Lukashenko spoke at a parade in Minsk. Speaking about Poland, he said: "
        "\u201cWe are a small country. Others can draw lines and wait. Any attack on Belarus "
        "will be met with an instant response.\u201d"
    )
    got = x.extract(DocumentInput(1, text, date(2024, 5, 7), "day")).threats
    assert {t.speaker_country for t in got} == {"BLR"}
    # a statement's "I" is its issuer only where no one else is quoted saying it
    quoted = (
        "Putin has made his intentions plain. As he told his generals, \u201cI will strike "
        "any country that sends tanks to Ukraine.\u201d"
    )
    got = _extractor(rules_from=0.05).extract(_statement_doc(quoted)).threats
    assert "USA" not in {t.speaker_country for t in got}


class _Scores:
    """A classifier that gives every sentence the same probabilities, 0 for a class not named
    (``_Scores(threat=0.02)``: low on everything, so what the rules keep without it is what is
    left; ``_Scores(response=0.99)``: sure of one class)."""

    classes = ("threat", "crossing", "response", "outcome_claim")

    def __init__(self, **p: float) -> None:
        self.row = [p.get(c, 0.0) for c in self.classes]

    def gated_probabilities(
        self, texts: list[str], progress: Any = None, contexts: Any = None
    ) -> list[list[float]]:
        assert contexts is None or len(contexts) == len(texts)
        return [list(self.row) for _ in texts]

    def gates(self) -> dict[str, Gate]:
        return {c: Gate(0.3, 0.95) for c in self.classes}


@cache
def _low_scores() -> LearnedExtractor:
    """The extractor with a classifier low on everything (``_Scores(threat=0.02)``): what it
    keeps is what the rules keep below the gate."""
    return LearnedExtractor(classifier=_Scores(threat=0.02))  # type: ignore[arg-type]


def _below_gate(text: str, published: date) -> list[ThreatItem]:
    """The threats the rules keep in ``text`` (news published on ``published``) below the
    classifier's gate."""
    return _low_scores().extract(DocumentInput(1, text, published, "day")).threats


def _sides_below_gate(text: str, published: date) -> list[tuple[str | None, str]]:
    """(speaker country, consequence class) of each threat ``_below_gate`` keeps."""
    return [(t.speaker_country, t.consequence_class) for t in _below_gate(text, published)]


def test_a_threat_in_the_conditional_form_is_kept_below_the_gate() -> None:
    """Codebook §1's plainest form, "if X does Y, we will Z" or "any Y will be met with Z",
    over a line of the vocabulary, is kept whatever the classifier says, with the confidence
    that form has earned; without a condition, or with one that names no line, or "when it
    comes to" (a topic), the classifier's low score stands."""

    x = _low_scores()

    def threats(text: str) -> list[tuple[str | None, str | None, float]]:
        return [
            (t.speaker_country, t.trigger_key, t.confidence)
            for t in _below_gate(text, date(2022, 2, 3))
        ]

    opening = "Joe Biden spoke on Friday. "
    assert threats(
        opening + "If Russia invades Ukraine, the United States will impose severe sanctions."
    ) == [("USA", "invasion_of_ukraine", CONDITIONAL_CONFIDENCE)]
    assert threats(
        opening + "He said any attack on NATO territory will be met with a firm response."
    ) == [("USA", "attack_on_nato_territory", CONDITIONAL_CONFIDENCE)]
    assert threats(opening + "The United States will impose severe sanctions on Russia.") == []
    # the condition held by whom the consequence falls on: "those who ...", "countries that ..."
    kremlin = "Dmitry Peskov spoke on Friday. "
    assert threats(
        kremlin + "He said those who supply long-range missiles to Ukraine will become "
        "legitimate targets."
    ) == [("RUS", "long_range_missiles_delivery", CONDITIONAL_CONFIDENCE)]
    assert threats(
        kremlin + "Russia said it would stop selling oil to countries that impose a price cap."
    ) == [("RUS", "oil_price_cap", CONDITIONAL_CONFIDENCE)]
    # ... or on whom it is aimed: "we will target companies that ..."
    assert threats(
        opening + "He said the United States will target companies that send drones to Russia."
    ) == [("USA", "aid_to_russia", CONDITIONAL_CONFIDENCE)]
    # ... but not by whom it is inflicted: "countries that condemned ... will impose sanctions"
    assert (
        threats(
            opening
            + "Countries that condemned the invasion of Ukraine will impose sanctions on Russia."
        )
        == []
    )
    # "those who ... become targets" needs no "will"; "if it comes to ..." is a condition
    assert threats(
        kremlin + "Those who supply long-range missiles to Ukraine become legitimate targets for "
        "Russia, he said."
    ) == [("RUS", "long_range_missiles_delivery", CONDITIONAL_CONFIDENCE)]
    assert threats(
        opening + "If it comes to an attack on NATO territory, the United States will respond "
        "with force."
    ) == [("USA", "attack_on_nato_territory", CONDITIONAL_CONFIDENCE)]
    # the line read is the speaker's own kind of act ("additional sanctions"): the line the
    # sentence names elsewhere takes its place
    got = x.extract(
        _statement_doc(
            "The leaders met today. We will impose additional sanctions on those engaged in "
            "deceptive practices while transporting Russian oil and against the networks that "
            "profit from price cap violations.",
            published=date(2023, 6, 1),
        )
    ).threats
    assert [(t.speaker_country, t.trigger_key, t.trigger_text) for t in got] == [
        ("USA", "sanctions_evasion", "price cap violations")
    ]
    # a condition that names no other party's act draws no line (the sentences get past the
    # cheap test before parsing: what drops them is the reading of the condition)
    for passing in (
        "If it rains tomorrow, the United States will respond to the invasion of Ukraine.",
        "Countries that condemned the invasion of Ukraine will impose sanctions on Russia.",
    ):
        assert x._may_be_conditional(passing)
    for no_line in (
        "If it rains tomorrow, the United States will respond to the invasion of Ukraine.",
        "When it comes to the invasion of Ukraine, the United States will impose severe sanctions.",
    ):
        assert threats(opening + no_line) == [], no_line
    # an assessment framed as a condition is not a threat (codebook §1: prediction or
    # assessment), unless the condition stands in a clause of its own
    for framed in (
        "The worst risk is if an invasion of Ukraine happens, and sanctions will come.",
        "The danger is that if Russia invades Ukraine, sanctions will follow.",
        "Officials fear that if Russia invades Ukraine, the United States will impose sanctions.",
    ):
        assert threats(opening + framed) == [], framed
    assert threats(
        opening + "The risk is low, and if Russia invades Ukraine the United States will impose "
        "severe sanctions."
    ) == [("USA", "invasion_of_ukraine", CONDITIONAL_CONFIDENCE)]
    # ... but "the problem for Moscow is that if ..." puts the warning to its addressee
    assert threats(
        opening + "The problem for Moscow is that if Russia invades Ukraine, the United States "
        "will impose severe sanctions."
    ) == [("USA", "invasion_of_ukraine", CONDITIONAL_CONFIDENCE)]
    # a harm already done to "firms that ..." is no condition (codebook §3: a response)
    treasury = "Janet Yellen spoke on Friday. "
    for done in (
        "She said Washington sanctioned firms that helped Russia evade sanctions last year.",
        "She said the Treasury had sanctioned companies that sent drones to Russia.",
    ):
        assert threats(treasury + done) == [], done


def test_a_harm_announced_as_it_is_done_is_a_response_below_the_gate() -> None:
    """Codebook §5: an official statement announces enforcement in the first person ("today I
    am announcing sanctions"); the act is done in the saying, so it is a response (§3) kept
    whatever the classifier says, with the confidence the form has earned. Not a plan, a harm
    named only in reported speech, an act that is no harm, or a statement of intent."""
    x = LearnedExtractor(classifier=_Scores(response=0.02))  # type: ignore[arg-type]

    def responses(text: str) -> list[tuple[str | None, str | None, float]]:
        got = x.extract(_statement_doc(text)).events
        return [(e.actor_country, e.consequence_class, e.confidence) for e in got]

    opening = "Russia has escalated its war. "
    for announced in (
        "Today I am announcing more than 300 new sanctions on Russian banks.",
        "We are also imposing new export restrictions on 90 firms that supply its army.",
        "Today the United States is sanctioning more than 200 additional entities.",
        "We hereby impose sanctions on the Russian central bank.",
    ):
        assert responses(opening + announced) == [
            ("USA", "sanctions_or_economic", ANNOUNCED_CONFIDENCE)
        ], announced
    assert responses(opening + "Today we're introducing new export controls on chips.") == [
        ("USA", "sanctions_or_economic", ANNOUNCED_CONFIDENCE)
    ]
    for not_announced in (
        "We are preparing new sanctions on Russian banks.",
        "He said that Russia is suspending its participation in the treaty.",
        "Today we are launching a new economic partnership with our allies.",
        "We will impose new sanctions on Russian banks.",
        "We are not imposing sanctions on Russian banks today.",
        # a condition makes it a threat, the time to come a plan, a question asks
        "We are imposing sanctions on Russian banks if Russia invades Ukraine.",
        "Next week we are imposing sanctions on Russian banks.",
        "Tomorrow we are imposing sanctions on Russian banks.",
        "Are we imposing sanctions on Russian banks today?",
        # what is announced must be a harm, not a plan for one or an aid package
        "Today I am announcing a plan to impose sanctions on Russian banks.",
        "Today I am announcing an aid package for Ukraine.",
        # someone else's words, quoted
        'President Zelensky called me. "Today we are deploying three more brigades," he said.',
    ):
        assert responses(opening + not_announced) == [], not_announced
    # below the gate the form is an official statement's: a news report keeps the gate
    news = x.extract(
        DocumentInput(
            1,
            "Officials met on Monday. Now we are deploying troops to Poland.",
            date(2023, 3, 3),
            "day",
        )
    ).events
    assert news == []


def test_a_passive_harm_is_the_doer_named_by_by() -> None:
    """ "were sanctioned by the United States": the doer is the agent, not the sanctioned (the
    subject); with no agent the sentence names no doer."""
    x = LearnedExtractor(classifier=_Scores(response=0.5))  # type: ignore[arg-type]

    def responses(text: str) -> list[tuple[str, str | None]]:
        got = x.extract(DocumentInput(1, text, date(2023, 5, 6), "day")).events
        return [(e.kind, e.actor_country) for e in got]

    opening = "Moscow protested on Friday. "
    assert responses(
        opening + "Three Russian banks were sanctioned by the United States on Thursday."
    ) == [("response", "USA")]
    assert responses(opening + "Three Russian banks were sanctioned on Thursday.") == []


def test_a_line_the_vocabulary_lacks_gets_a_coined_key() -> None:
    """Issue 8: a threat over a line the vocabulary lacks keeps its condition as the trigger
    text and gets a key coined from it, not none; a vocabulary line keeps its key, and a
    condition that only points back ("if he uses it") coins nothing."""
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]

    def lines(said: str) -> list[tuple[str | None, str | None]]:
        text = "Sergei Lavrov spoke on Friday. He said Russia would respond with force " + said
        got = x.extract(DocumentInput(1, text, date(2023, 3, 3), "day")).threats
        return [(t.trigger_key, t.trigger_text) for t in got]

    assert lines("if Moldova closed its airspace to Russian planes.") == [
        (
            "new_moldova_closed_airspace_russian_planes",
            "if Moldova closed its airspace to Russian planes",
        )
    ]
    assert lines("if Ukraine received F-16 jets.") == [
        ("f16_delivery", "if Ukraine received F-16 jets")
    ]
    assert lines("if he uses it.") == [(None, "if he uses it")]


def test_a_first_person_after_a_time_word_is_the_issuer() -> None:
    """ "Tomorrow I will be talking with ..., and the United States ... will be imposing ...": in
    an official statement the first person is the issuer even after a word of time, not the
    person the sentence before named (it was read as Putin's line over sanctions)."""
    x = LearnedExtractor(classifier=_Scores(threat=0.5))  # type: ignore[arg-type]
    got = x.extract(
        _statement_doc(
            "He asked me to call on leaders to speak out against President Putin's aggression. "
            "Tomorrow I will be talking with the leaders of the G-7, and the United States and "
            "its partners will be imposing severe sanctions on Russia."
        )
    ).threats
    assert [t.speaker_country for t in got] == ["USA"]


def test_a_statement_names_its_adversary_not_a_speaker() -> None:
    """In an official statement a sentence that says nobody else speaks is its issuer's, not
    that of the last person it named (the adversary it would hold to account), by the rules or
    by the classifier alone."""
    opening = "President Putin ordered the assault on Kyiv. "
    ruled = (
        _extractor(rules_from=0.05)
        .extract(
            _statement_doc(
                opening + "We will keep our measures under review and are prepared to take further "
                "measures to hold President Putin accountable for his invasion of Ukraine."
            )
        )
        .threats
    )
    assert {t.speaker_country for t in ruled} == {"USA"}
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]
    plain = x.extract(_statement_doc(opening + "The world will hold Russia to account.")).threats
    assert [t.speaker_country for t in plain] == ["USA"]


def test_a_statement_gives_a_threat_to_whom_it_attributes_it() -> None:
    """A statement's issuer speaks where nobody else does, not where the sentence gives the
    words to someone: "..., according to Putin", "..., Putin vowed"."""
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]
    for said in ("according to Putin", "Putin vowed"):
        got = x.extract(
            _statement_doc(
                "Putin spoke on state television. Whoever sends tanks to Ukraine will pay a "
                f"heavy price, {said}."
            )
        ).threats
        assert [(t.speaker_country, t.trigger_key) for t in got] == [("RUS", "tanks_to_ukraine")], (
            said
        )


def test_a_headline_and_its_body_over_a_coined_line_are_one_item() -> None:
    """Codebook §5: a headline and the body sentence carrying the same statement are one
    item, also over a line the vocabulary lacks, whose keys the two wordings would coin
    differently."""
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]
    title = "Russia threatens force if Moldova closes airspace to Russian planes"
    body = (
        "Sergei Lavrov spoke on Friday. He said Russia would respond with force if Moldova "
        "closed its airspace to Russian planes."
    )
    got = x.extract(
        DocumentInput(1, title + "\n\n" + body, date(2023, 3, 3), "day", "news", title)
    ).threats
    assert [(t.speaker_country, t.trigger_key) for t in got] == [
        ("RUS", "new_moldova_closed_airspace_russian_planes")
    ]


def test_a_recalled_threat_keeps_its_own_time_and_line() -> None:
    """Codebook §1: a reported threat is dated to when it was made, not to the report. A threat
    the report recalls from an unstated earlier time ("has previously warned") is undated; a
    quotation that goes on from a sentence dating the same person's statement ("In March 2022,
    ... Joe Biden vowed ...") keeps that date, however long ago; and its "if he uses it" points
    back at the line that sentence's condition names, not at what it names as background
    ("weeks after Moscow launched its invasion")."""
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]
    text = (
        "Officials spoke on Monday. Joe Biden has previously warned Russia against using "
        "chemical weapons in Ukraine. In March 2022, weeks after Moscow launched its invasion, "
        "Joe Biden vowed that Putin would pay a severe price if he allowed the use of chemical "
        'weapons. "We would respond if he uses it," Joe Biden said.'
    )
    got = x.extract(DocumentInput(1, text, date(2024, 5, 2), "day")).threats
    assert [(t.trigger_key, t.stated_date, t.stated_precision) for t in got] == [
        ("nuclear_use", None, "unknown"),
        ("nuclear_use", date(2022, 3, 1), "month"),
        ("nuclear_use", date(2022, 3, 1), "month"),
    ]


def test_an_act_reported_beside_a_threat_is_not_threatened() -> None:
    """ "threatened to strike bases and ordered nuclear drills": when the parser hangs the
    finite "ordered" on the infinitive "strike", the ordering is still a reported act, not part
    of what is threatened (whose harm is force, not nuclear war). The parse is built by hand:
    the tagger makes that attachment only on some wordings."""
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from redline.extract.syntax import _own_subtree

    words = ["Russia", "threatened", "to", "strike", "bases", "and", "ordered", "nuclear", "drills"]
    heads = [1, 1, 3, 1, 3, 3, 3, 8, 6]
    deps = ["nsubj", "ROOT", "aux", "xcomp", "dobj", "cc", "conj", "amod", "dobj"]
    tags = ["NNP", "VBD", "TO", "VB", "NNS", "CC", "VBD", "JJ", "NNS"]
    pos = ["PROPN", "VERB", "PART", "VERB", "NOUN", "CCONJ", "VERB", "ADJ", "NOUN"]
    doc = Doc(Vocab(), words=words, heads=heads, deps=deps, tags=tags, pos=pos)
    assert [t.text for t in _own_subtree(doc[1])] == [
        "Russia",
        "threatened",
        "to",
        "strike",
        "bases",
        "and",
    ]
    # coordinated infinitives are one threatened act: "to strike and destroy bases"
    words = ["Russia", "threatened", "to", "strike", "and", "destroy", "bases"]
    doc = Doc(
        Vocab(),
        words=words,
        heads=[1, 1, 3, 1, 3, 3, 5],
        deps=["nsubj", "ROOT", "aux", "xcomp", "cc", "conj", "dobj"],
        tags=["NNP", "VBD", "TO", "VB", "CC", "VB", "NNS"],
        pos=["PROPN", "VERB", "PART", "VERB", "CCONJ", "VERB", "NOUN"],
    )
    assert [t.text for t in _own_subtree(doc[1])] == words


def test_an_attack_on_the_speakers_own_state_named_is_its_territory_line() -> None:
    """ "if Belarus faced aggression", "should Russia be attacked": a condition that the
    speaker's own state, by name, is attacked draws the line over its territory (it had been
    keyed by its words as a line the vocabulary lacks); "if Russia attacked Ukraine" is the
    speaker's own act and draws none."""
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]

    def lines(text: str) -> list[tuple[str | None, str | None]]:
        got = x.extract(DocumentInput(1, text, date(2023, 6, 13), "day")).threats
        return [(t.speaker_country, t.trigger_key) for t in got]

    minsk = "Alexander Lukashenko spoke on Tuesday. "
    kremlin = "Dmitry Peskov spoke on Friday. "
    assert lines(minsk + "He would use the weapons if Belarus faced aggression.") == [
        ("BLR", "attack_on_belarus")
    ]
    assert lines(minsk + "Belarus would fight if Belarus came under attack.") == [
        ("BLR", "attack_on_belarus")
    ]
    assert lines(kremlin + "Moscow would use every means should Russia be attacked.") == [
        ("RUS", "attack_on_russia")
    ]
    assert lines(kremlin + "Moscow would respond if Russia attacked Ukraine again.") == [
        ("RUS", None)
    ]


def test_a_statement_about_a_body_is_the_presidents() -> None:
    """Only the title's issuing words name a body as the issuer: "Statement on the United
    Nations General Assembly Vote ..." is the President's, "Joint Statement by Group of Seven
    (G-7) Nations Leaders on Ukraine" the G7's."""
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]
    text = "The vote was clear. Together, we will hold Russia accountable if it invades Ukraine."

    def speakers(title: str) -> list[str | None]:
        doc = _statement_doc(text, title, published=date(2022, 3, 2))
        return [t.speaker_country for t in x.extract(doc).threats]

    assert speakers("Statement on the United Nations General Assembly Vote To Condemn") == ["USA"]
    assert speakers(
        "Statement on Finland's Accession to the North Atlantic Treaty Organization"
    ) == ["USA"]
    assert speakers("Joint Statement by Group of Seven (G-7) Nations Leaders on Ukraine") == ["G7"]
    assert speakers("Joint Statement—Group of Seven (G-7) Nations Leaders' Statement") == ["G7"]


def test_an_event_says_where_its_line_was_read() -> None:
    """The linker lets a response imply its line was crossed only when the line was read from
    its own sentence (``vocab.LineSource``): here from the sentence, the one before, and the
    statement's title."""
    x = LearnedExtractor(classifier=_Scores(response=0.99))  # type: ignore[arg-type]

    def lines(text: str) -> list[tuple[str | None, str]]:
        title = "Statement on Russia's Invasion of Ukraine"
        doc = _statement_doc(text, title, published=date(2022, 3, 2))
        return [(e.trigger_key, e.line_from) for e in x.extract(doc).events]

    assert lines("Today we imposed sanctions on those who aided the invasion of Ukraine.") == [
        ("invasion_of_ukraine", "sentence")
    ]
    assert lines("Russia has invaded Ukraine. Today we imposed sanctions on Russian banks.") == [
        ("invasion_of_ukraine", "earlier")
    ]
    assert lines("Today we imposed sanctions on Russian banks.") == [
        ("invasion_of_ukraine", "document")
    ]


def test_a_headline_in_capitals_is_parsed_as_prose_and_quoted_as_written() -> None:
    """The tagger reads "RUSSIA WARNS ISRAEL AGAINST ARMING UKRAINE" as a run of proper nouns;
    parsed title-cased it is a warning with its object, and what the item quotes keeps the
    headline's own letters."""
    got = _news(
        "RUSSIA WARNS ISRAEL AGAINST PROVIDING ARMS TO UKRAINE: 'WILL LEAD TO AN ESCALATION'",
        rules_from=0.05,
    ).threats
    assert [(t.speaker_country, t.trigger_key) for t in got] == [("RUS", "weapons_to_ukraine")]
    assert got[0].trigger_text == "ISRAEL AGAINST PROVIDING ARMS TO UKRAINE"
    # title-cased alone, "Warns" read as part of a name and the warning was lost
    got = _news(
        "Russia drafted a new doctrine. KREMLIN WARNS WEST: READY TO USE NUCLEAR WEAPONS IF "
        "NATO TROOPS ENTER UKRAINE",
        rules_from=0.05,
    ).threats
    assert [(t.speaker_country, t.consequence_class) for t in got] == [("RUS", "war_or_nuclear")]


def test_a_line_over_the_other_sides_sanctions_threatens_an_answer() -> None:
    """A Russian warning that new sanctions "will not go unanswered" or will be "responded to"
    draws a line over the sanctions (trigger ``sanctions``); the consequence is an answer of an
    unstated kind (``vague``), not sanctions: the only harm words are the other side's act."""
    x = LearnedExtractor(classifier=_Scores(threat=0.99))  # type: ignore[arg-type]
    kremlin = "Dmitry Peskov spoke on Friday. "
    for said in (
        "He said Moscow would not let the new sanctions go unanswered.",
        "Moscow will respond to the new British sanctions, he said.",
    ):
        got = x.extract(DocumentInput(1, kremlin + said, date(2022, 2, 3), "day")).threats
        assert [(t.speaker_country, t.trigger_key, t.consequence_class) for t in got] == [
            ("RUS", "sanctions", "vague")
        ], said
    # the speaker's own harm named by another line keeps its class: nuclear use threatened
    # over an attack on NATO is not "an answer"
    got = x.extract(
        DocumentInput(
            1,
            "Rishi Sunak spoke on Friday. He said Britain was ready to use nuclear weapons if "
            "Russia attacked a NATO member.",
            date(2022, 2, 3),
            "day",
        )
    ).threats
    assert [(t.speaker_country, t.consequence_class) for t in got] == [("GBR", "war_or_nuclear")]
    # a Western threat of sanctions keeps its class (the harm is the speaker's own act)
    got = x.extract(
        DocumentInput(
            1,
            "Joe Biden spoke on Friday. If Russia invades Ukraine, we will impose new sanctions.",
            date(2022, 2, 3),
            "day",
        )
    ).threats
    assert [(t.speaker_country, t.consequence_class) for t in got] == [
        ("USA", "sanctions_or_economic")
    ]


def test_an_act_only_discussed_or_planned_is_no_crossing_but_a_reported_one_is() -> None:
    """Codebook §2: "plans and proposals that have not happened" are not crossings; an act
    reported beside a warning, a decision, or a phrase that reports its own act still is."""
    x = _extractor()
    cases = [
        (
            "Ministers are in Kyiv today to discuss potentially lifting the ban on Ukraine "
            "using Western weapons to strike inside Russia.",
            "western_weapons_on_russian_territory",
            True,
        ),
        ("Berlin is considering sending Leopard tanks to Ukraine.", "tanks_to_ukraine", True),
        ("The allies plan to send Leopard tanks to Ukraine.", "tanks_to_ukraine", True),
        (
            "Moscow warned of consequences after Germany sent Leopard tanks to Ukraine on Friday.",
            "tanks_to_ukraine",
            False,
        ),
        (
            "Russia threatened retaliation after Finland joined NATO on Tuesday.",
            "nato_enlargement",
            False,
        ),
        (
            "The Kremlin warned of a response as the United States sent Abrams tanks to Ukraine.",
            "tanks_to_ukraine",
            False,
        ),
        (
            "Ministers will discuss on Friday the Leopard tanks Germany delivered to Ukraine "
            "last week.",
            "tanks_to_ukraine",
            False,
        ),
        (
            "Germany agreed to send Leopard tanks to Ukraine on Wednesday.",
            "tanks_to_ukraine",
            False,
        ),
        ("Germany announced plans to supply Leopard tanks to Ukraine.", "tanks_to_ukraine", False),
        ("Germany decided to deliver Leopard tanks to Ukraine.", "tanks_to_ukraine", False),
    ]
    for text, key, proposed in cases:
        st, sent = _parsed(x, DocumentInput(1, text, date(2023, 1, 27), "day"))
        event = _crossing(text, "Germany", "DEU", key)
        assert x._proposed(sent, event) is proposed, text


def test_a_standing_condition_as_subject_is_the_issuers_line_not_its_speaker() -> None:
    """ "Any use by Russia of chemical weapons would ... result in severe consequences" in an
    official statement: the subject names the other side's act (the condition); the threat is
    the issuer's (codebook §5), not Russia's."""
    got = _statement(
        "The allies met in Brussels. Any use by Russia of a chemical weapon would be "
        "unacceptable and result in severe consequences.",
        rules_from=0.05,
    ).threats
    assert [(t.speaker_country, t.trigger_key) for t in got] == [("USA", "nuclear_use")]


def test_a_pronoun_opening_a_sentence_goes_on_with_the_office_before_it() -> None:
    """ "The secretary clearly stated ... He repeated that if ...": "he" is the secretary
    (the office the sentence before opened with), not the last person that sentence named;
    "the secretary" is the last person named with that office. The holder may be named in that
    sentence itself, a nationality must agree, and a qualified office is another ("press
    secretary", "the former president", "the minister's spokeswoman")."""
    cases = [
        (
            "Secretary of State Antony Blinken called his Russian counterpart on Saturday. "
            "Officials doubted that Vladimir Putin had decided anything. "
            "The secretary clearly stated that the diplomatic path remains open. "
            "He repeated that if Moscow launches a further invasion of Ukraine, this would "
            "cause a firm and massive response of the United States and its allies.",
            {("Antony Blinken", "USA")},
        ),
        (
            "US President Joe Biden announced new aid on Monday. The Russian president, "
            "Vladimir Putin, said the aid changed nothing. He warned that if Ukraine received "
            "long-range missiles, Russia would respond with force.",
            {("Vladimir Putin", "RUS")},
        ),
        (
            "Vladimir Putin spoke to reporters on Monday. The former president Dmitry Medvedev "
            "said the West was lying. He warned that if Ukraine received long-range missiles, "
            "Russia would respond with force.",
            {("Dmitry Medvedev", "RUS")},
        ),
        (
            "Secretary of State Antony Blinken visited Kyiv on Monday. White House press "
            "secretary Karine Jean-Pierre briefed reporters. The secretary warned that if "
            "Russia invades Ukraine, the United States will impose severe sanctions.",
            {("Antony Blinken", "USA")},
        ),
    ]
    for text, speakers in cases:
        got = _news(text, published=date(2023, 3, 1), rules_from=0.05).threats
        assert got and {(t.speaker, t.speaker_country) for t in got} == speakers, text


def test_a_standing_condition_is_the_issuers_even_after_the_adversary_is_named() -> None:
    """In an official statement the standing condition's threat is the issuer's, even when the
    sentence before named the adversary (who would otherwise be taken for the speaker)."""
    got = _statement(
        "Vladimir Putin has again threatened Ukraine's cities. Any use by Russia of a chemical "
        "weapon would be unacceptable and result in severe consequences.",
        rules_from=0.05,
    ).threats
    assert [(t.speaker_country, t.trigger_key) for t in got] == [("USA", "nuclear_use")]


def test_named_lines_and_unlisted_lines_are_kept_below_the_gate() -> None:
    """Codebook §1 also counts a named line ("... would be legitimate targets", "will not go
    unanswered", "is a red line for us") with no condition, and a condition over another
    party's act the vocabulary lacks ("unless Russia frees ..."): the rules' reading is kept
    whatever the classifier says, the unlisted line under a coined key. An accusation ("has
    crossed a red line") and measures described by who took them are not lines."""

    def threats(text: str) -> list[tuple[str | None, str | None, str]]:
        return [
            (t.speaker_country, t.trigger_key, t.consequence_class)
            for t in _below_gate(text, date(2023, 4, 3))
        ]

    kremlin = "Dmitry Peskov spoke on Monday. "
    got = threats(
        kremlin + "He said foreign instructors who train soldiers in Ukraine would be "
        "legitimate targets for the Russian army."
    )
    assert [(c, k is not None, cls) for c, k, cls in got] == [("RUS", True, "military_force")]
    got = threats(
        kremlin + "He said any new curbs on Russian journalists abroad would not go unanswered."
    )
    assert [(c, cls) for c, _, cls in got] == [("RUS", "vague")]
    got = threats(
        "Josep Borrell spoke on Monday. Unless Russia releases the detained sailors, the "
        "European Union will freeze the assets of every official involved, he said."
    )
    # a line named by its absence ("unless") gets no coined key (knowledge.coin_trigger_key)
    assert got == [("EUR", None, "sanctions_or_economic")]
    got = threats(
        "Josep Borrell spoke on Monday. If Russia keeps the detained sailors, the European "
        "Union will freeze the assets of every official involved, he said."
    )
    assert [(c, cls) for c, _, cls in got] == [("EUR", "sanctions_or_economic")]
    assert got[0][1] is not None and got[0][1].startswith("new_")
    for not_a_line in (
        kremlin + "He said the strike on the bridge had crossed a red line for Moscow.",
        "The leaders met on Monday. We will keep working with partners on measures like those "
        "already imposed by the Group of Seven members and on refraining from evasion.",
        "Officials met on Monday. If it rains tomorrow, the parade will be cancelled.",
    ):
        assert threats(not_a_line) == [], not_a_line


def test_more_ways_of_saying_who_speaks_and_what_is_threatened() -> None:
    """ "made clear that", "a spokesman for <state>'s ministry", a leader of another
    confrontation, "warns X against Y" (X doing Y is the line), "new sanctions would follow"
    (the subject is the consequence) and "is a red line for us"."""

    def one(text: str) -> tuple[str | None, str | None, str]:
        got = _news(text, rules_from=0.05).threats
        assert len(got) == 1, (text, got)
        return got[0].speaker_country, got[0].trigger_key, got[0].consequence_class

    assert one(
        "Sergey Lavrov made clear that Moscow would expel the ambassador of any country that "
        "seized Russian diplomatic property."
    )[::2] == ("RUS", "diplomatic")
    assert one(
        "A spokesman for China's Defence Ministry said that if Taiwan declared independence, "
        "the army would crush the attempt by force."
    )[::2] == ("CHN", "military_force")
    assert one(
        '"If the enemy attacks us, we will use our nuclear forces without hesitation," Kim Jong '
        "Un told a parade in Pyongyang."
    )[::2] == ("PRK", "war_or_nuclear")
    assert one("KREMLIN WARNS SWEDEN AGAINST JOINING NATO") == ("RUS", "nato_enlargement", "vague")
    assert one(
        "The Group of Seven gave Moscow a week to reopen the ports, warning that new sanctions "
        "on Russian shipping would follow if it failed to do so."
    )[::2] == ("G7", "sanctions_or_economic")
    assert one(
        "Sergey Lavrov said the deployment of Western troops to Ukraine was a red line for Moscow."
    )[::2] == ("RUS", "vague")
    # "in <capital>" names the side an office serves; "shoot it down" is force
    assert one(
        "If a Russian drone enters its airspace again, the army will shoot it down, the defence "
        "ministry in Warsaw said."
    )[::2] == ("POL", "military_force")


def test_any_thing_named_by_what_it_would_do_is_a_condition() -> None:
    """ "any drone that enters our airspace", "any country that recognises ...": the relative
    clause on "any" is the line (codebook §1, "any Y will be met with Z"), kept below the gate
    under a coined key when the vocabulary lacks it."""
    got = _below_gate(
        "The ministry briefed reporters. Latvia's Defence Ministry said its forces would shoot "
        "down any foreign balloon that crossed into the country's airspace.",
        date(2023, 4, 3),
    )
    assert [(t.speaker_country, t.consequence_class) for t in got] == [("LVA", "military_force")]
    assert got[0].trigger_key is not None and got[0].trigger_key.startswith("new_")


def test_an_unplaced_official_speaks_for_the_side_that_will_act() -> None:
    """ "Estonia will ..., the prime minister said": an office the gazetteer cannot place speaks
    for the state the consequence names as its doer; a commentator, a pronoun or a prediction
    ("could") gives no side."""

    def one(text: str) -> tuple[str | None, str | None, str] | None:
        got = _news(text, rules_from=0.05).threats
        assert len(got) <= 1, got
        return (got[0].speaker, got[0].speaker_country, got[0].consequence_class) if got else None

    assert one(
        "TALLINN - Estonia will close its border to Belarusian lorries if Minsk keeps sending "
        "migrants to the frontier, the prime minister said on Monday."
    ) == ("prime minister", "EST", "sanctions_or_economic")
    assert one(
        "Hungary would order the Russian consulate to close if its staff were found spying, "
        "the foreign ministry said."
    ) == ("foreign ministry", "HUN", "diplomatic")
    for no_side in (
        "Estonia will close its border if Minsk keeps sending migrants, an analyst said.",
        "Estonia could close its border if Minsk keeps sending migrants, the prime minister said.",
    ):
        assert one(no_side) is None, no_side


def test_more_harms_the_consequence_vocabulary_names() -> None:
    from redline.extract.learned import LearnedExtractor as _L

    classify = _L()._classify
    for text, cls in (
        ("it will be shot down", "military_force"),
        ("Ankara would launch a new ground operation", "military_force"),
        ("the enemy ships would be sunk", "military_force"),
        ("Moscow will form new units in the north-west", "military_deployment"),
        ("the navy will escort the tankers", "military_deployment"),
        ("Riga would order the embassy to close", "diplomatic"),
        ("the bloc will blacklist the airline", "sanctions_or_economic"),
        ("Vilnius will ban all Belarus-registered trucks from its roads", "sanctions_or_economic"),
    ):
        assert classify(text)[0] == cls, text
    # a ground offensive someone else plans is no harm by the speaker's side
    assert classify("Russia plans a ground offensive")[0] is None


def test_answers_holders_and_doers_named_in_other_ways() -> None:
    """ "Iran's response to any attack will be ...": the answer is the consequence, the attack
    the line; "Minister of Foreign Affairs <name>" is the named holder; an office that cannot
    be placed speaks for the side its consequence names by adjective ("Indian troops will ...")
    or by agent ("... met with a blow from the People's Liberation Army")."""

    def one(text: str) -> tuple[str | None, str]:
        got = _news(text, rules_from=0.05).threats
        assert len(got) == 1, (text, got)
        return got[0].speaker_country, got[0].consequence_class

    assert one(
        "Iran's response to any Israeli attack on its soil will be immediate and far harsher, "
        "the foreign minister said."
    ) == ("IRN", "vague")
    assert one(
        "Any Western troops in Ukraine would be a red line for Russia, Minister of Foreign "
        "Affairs Sergey Lavrov said."
    ) == ("RUS", "vague")
    assert one(
        "Indian troops will carry out fresh strikes across the border if militants attack again, "
        "the defence minister told a rally."
    ) == ("IND", "military_force")
    assert (
        one(
            "Any foreign meddling in the island's affairs will be met with a crushing blow from the "
            "People's Liberation Army, a ministry spokesman said."
        )[0]
        == "CHN"
    )


def test_still_more_harms_the_consequence_vocabulary_names() -> None:
    from redline.extract.learned import LearnedExtractor as _L

    classify = _L()._classify
    for text, cls in (
        ("supplies to any country that refuses would be halted", "sanctions_or_economic"),
        ("these assets will be confiscated in return", "sanctions_or_economic"),
        ("Warsaw would send another 10,000 soldiers to the frontier", "military_deployment"),
        ("Russia would build up its own forces along the border", "military_deployment"),
        ("Minsk will mirror every step", "vague"),
        ("Moscow will draw its conclusions", "vague"),
        ("all options remain on the table", "vague"),
        ("the warships will be sent to the bottom", "military_force"),
        ("Vilnius would shut its last two checkpoints", "sanctions_or_economic"),
        ("Moscow would review its relations with Yerevan", "diplomatic"),
    ):
        assert classify(text)[0] == cls, text


def test_who_does_the_act_of_a_line_the_vocabulary_lacks() -> None:
    """Below the gate, a line the vocabulary lacks needs another state's act: its subject's
    ("unless Warsaw lifts its embargo", said by Kyiv: allies draw lines too), or, when the
    subject suffers the act, its agent's or its place's ("if a Polish reporter is detained in
    Minsk"). The speaker's own act draws none ("unless Kyiv lifts ...", said by Kyiv)."""

    threats = partial(_sides_below_gate, published=date(2023, 9, 20))

    assert threats(
        "The ministers met on Monday. Ukraine will ban imports of Polish apples unless Warsaw "
        "lifts its embargo on Ukrainian grain, the economy minister said."
    ) == [("UKR", "sanctions_or_economic")]
    assert threats(
        "The ministers met on Monday. Poland will expel the Belarusian ambassador if another "
        "Polish reporter is detained in Minsk, the foreign minister said."
    ) == [("POL", "diplomatic")]
    assert (
        threats(
            "The ministers met on Monday. Ukraine will ban imports of Polish apples unless Kyiv "
            "lifts its own quota first, the economy minister said."
        )
        == []
    )


def test_as_long_as_and_whoever_open_a_condition() -> None:
    """ "as long as Russia keeps striking ..." is a condition (a mark of several words, from the
    lexicon), and so is a clause whose subject is "whoever" ("whoever crosses our border will
    face ...")."""

    threats = partial(_sides_below_gate, published=date(2024, 3, 20))

    assert threats(
        "Kyiv spoke on Monday. As long as Russia keeps shelling our grid, Russian oil depots will "
        "be hit, the foreign minister Dmytro Kuleba said."
    ) == [("UKR", "military_force")]
    assert threats(
        "Seoul spoke on Monday. Kim Jong Un said whoever violates the country's sea border will "
        "face a merciless strike."
    ) == [("PRK", "military_force")]


def test_he_goes_on_with_the_office_the_sentence_before_named() -> None:
    """ "France's armed forces minister visited ... He said Paris would ...": with no person
    named before, "he" is that office, speaking for its side; a person named in the pronoun's
    own sentence still wins ("Biden said ..., he added")."""

    def speakers(text: str) -> list[tuple[str | None, str | None]]:
        return [(t.speaker, t.speaker_country) for t in _news(text, rules_from=0.05).threats]

    got = speakers(
        "France's armed forces minister visited the troops in Romania on Thursday. He said Paris "
        "would deploy more troops to the border if Russian forces pushed towards Odesa."
    )
    assert [c for _, c in got] == ["FRA"] and "minister" in (got[0][0] or "")
    got = speakers(
        "The Kremlin spokesman spoke on Friday. Joe Biden said sanctions would follow if Russia "
        "invaded Ukraine, he added."
    )
    assert [c for _, c in got] == ["USA"]


def test_a_participle_on_any_is_a_condition_and_a_blogger_has_no_standing() -> None:
    """ "any vessel heading for ... would be ..." is a condition like "any vessel that heads";
    a military blogger is a commentator, not the military (codebook §1: no standing)."""

    threats = partial(_sides_below_gate, published=date(2023, 7, 20))

    assert threats(
        "Kyiv spoke on Thursday. Ukraine's Defence Ministry said any Russian tanker heading for "
        "the occupied ports would be treated as a military target."
    ) == [("UKR", "military_force")]
    assert (
        threats(
            "Kyiv spoke on Thursday. A Russian military blogger wrote that any Western warship "
            "entering the Black Sea would be sunk."
        )
        == []
    )


def test_a_quotation_closed_by_a_dash_is_its_named_speakers() -> None:
    """Outlets translated from Polish or Ukrainian close a quotation with "- said the X": the
    speaker is the one named after the dash, not the last person the text named before (here
    Putin), and nobody when the words name no actor who can commit a side (codebook §1)."""

    def threats(text: str) -> list[tuple[str | None, str | None, str | None]]:
        return [
            (t.speaker, t.speaker_country, t.trigger_key)
            for t in _below_gate(text, date(2022, 2, 15))
        ]

    quote = (
        "- We are no threat to anyone. If Russia invades Ukraine in the coming days, the price "
        "will be enormous. History will judge such a choice - argued the "
    )
    opening = "Joe Biden arrived in Warsaw on Tuesday. Vladimir Putin stayed silent. "
    assert threats(opening + quote + "US president.") == [
        ("Joe Biden", "USA", "invasion_of_ukraine")
    ]
    assert threats(opening + quote + "expert.") == []


def test_restrictive_measures_and_a_supplied_army_name_their_lines() -> None:
    """ "Those who undermine our restrictive measures" is the sanctions-evasion line;
    "companies that supply Russia's army with weapons" is military aid to Russia."""

    def keys(text: str) -> list[str | None]:
        return [t.trigger_key for t in _below_gate(text, date(2023, 5, 3))]

    opening = "Joe Biden spoke on Friday. He said the United States would "
    assert keys(opening + "impose costs on those who undermine its restrictive measures.") == [
        "sanctions_evasion"
    ]
    assert keys(opening + "target companies that supply Russia's army with weapons.") == [
        "aid_to_russia"
    ]


def test_supplies_withheld_from_a_named_buyer_are_a_threat_not_a_refusal() -> None:
    """ "Buyers that do X will not be among the recipients of our oil" withholds supplies from
    a party named by what it does (codebook §1); a forecast of short supplies, or a refusal to
    cut them, is not."""

    def threats(text: str) -> list[tuple[str | None, str | None, str | None]]:
        return [
            (t.speaker_country, t.trigger_key, t.consequence_class)
            for t in _below_gate(text, date(2022, 9, 2))
        ]

    assert threats(
        '"Companies that apply a price cap will not be among the buyers of Russian crude oil," '
        "Kremlin spokesman Dmitry Peskov said."
    ) == [("RUS", "oil_price_cap", "sanctions_or_economic")]
    assert threats('"Europe will not receive enough gas this winter," the analyst said.') == []
    assert (
        threats(
            "Dmitry Peskov said Russia would not stop gas supplies to Europe if the price cap "
            "were imposed."
        )
        == []
    )


def test_a_harm_a_side_inflicts_is_its_response_not_its_crossing() -> None:
    """Codebook §2 and §3: a side that imposes sanctions carries out its own threat; the act
    read as its response in the same sentence is not also its crossing of the sanctions line.
    An act of another kind read as a crossing stays one."""
    x = LearnedExtractor(classifier=_Scores(crossing=0.99, response=0.99))  # type: ignore[arg-type]

    def kinds(doc: DocumentInput) -> list[tuple[str, str | None]]:
        return sorted((e.kind, e.actor_country) for e in x.extract(doc).events)

    imposed = "The United States on Tuesday imposed new sanctions on 300 Russian companies."
    assert kinds(DocumentInput(1, imposed, date(2024, 3, 6), "day")) == [("response", "USA")]
    announced = "Today we are imposing new sanctions on 200 firms that supply the Russian army."
    assert kinds(_statement_doc(announced, published=date(2024, 3, 6))) == [("response", "USA")]
    sent = "Germany on Monday delivered 20 more tanks to Ukraine."
    assert ("crossing", "DEU") in kinds(DocumentInput(1, sent, date(2023, 3, 28), "day"))
    # an act a line forbids stays a crossing, even where the rules also read it as a response
    sent = "Putin launched a special military operation against Ukraine on Thursday."
    assert ("crossing", "RUS") in kinds(DocumentInput(1, sent, date(2022, 2, 25), "day"))


def test_the_kremlins_name_for_its_war_names_the_invasion_line() -> None:
    """The invasion line is named by the Kremlin's own term and by its launch, quoted or not,
    with Russia as the doer; a military operation of another state, or of Russia elsewhere, is
    no invasion of Ukraine. Named only as background it is still no crossing (codebook §2)."""
    x = _extractor()

    def keys(text: str) -> set[str]:
        return {k for k, _, _ in x.triggers.match(text)}

    for named in (
        "Putin ordered a \u201cspecial military operation\u201d in the early hours.",
        "The Kremlin launched its long-awaited military operation at dawn on Thursday.",
        "Moscow has launched a \u201cmilitary operation\u201d in Ukraine, officials said.",
    ):
        assert "invasion_of_ukraine" in keys(named), named
    for other in (
        "Israel launched a military operation in Gaza on Monday.",
        "Turkey launched a new military operation against Kurdish fighters.",
        "Russia launched a military operation in Syria in 2015.",
    ):
        assert "invasion_of_ukraine" not in keys(other), other

    def background(text: str, published: date = date(2023, 5, 3)) -> bool:
        st, sent = _parsed(x, DocumentInput(1, text, published, "day"))
        event = _crossing(text, "Russia", "RUS", on=published)
        return x._background(st, sent, event)

    assert background("Since the special military operation began, prices have doubled.")
    assert background(
        "A year after the Kremlin launched its military operation, the front has barely moved."
    )
    assert not background(
        "Putin launched a special military operation against Ukraine on Thursday.",
        date(2022, 2, 25),
    )


def test_the_side_an_act_helps_is_not_its_doer() -> None:
    """Codebook §2: a crossing is an act of the side the line addressed; the side it helps,
    aids, assists or supports ("to help Ukraine") is its recipient, not who did it."""
    x = LearnedExtractor(classifier=_Scores(crossing=0.99))  # type: ignore[arg-type]

    def crossings(doc: DocumentInput) -> list[tuple[str | None, str | None]]:
        return [(e.actor_country, e.trigger_key) for e in x.extract(doc).events]

    news = "The minister announced an extra $40m of military aid meant to help Ukraine."
    assert crossings(DocumentInput(1, news, date(2022, 4, 1), "day")) == []
    news = "Canada announced an extra $40m of military aid meant to support Ukraine."
    assert crossings(DocumentInput(1, news, date(2022, 4, 1), "day")) == [
        ("CAN", "weapons_to_ukraine")
    ]


def test_crossing_into_ukraine_is_the_invasion_line_crossing_out_of_it_is_not() -> None:
    """The invasion line's "crossed into" names a crossing into Ukraine, from wherever; people
    who crossed from Ukraine into a neighbour ("fled across into Moldova from Ukraine") cross
    no line."""
    x = _extractor()

    def invasion(text: str) -> bool:
        return "invasion_of_ukraine" in {k for k, _, _ in x.triggers.match(text)}

    for named in (
        "Columns of armour crossed into Ukraine before dawn.",
        "The troops crossed the border from Belarus into Ukraine.",
        "Russian units crossed the Ukrainian border at three points.",
        "If Russian troops cross the border with Ukraine, the response will be swift.",
    ):
        assert invasion(named), named
    for other in (
        "About 5,000 people crossed into Moldova from Ukraine overnight.",
        "Ukrainian units crossed the border into Russia's Kursk region.",
    ):
        assert not invasion(other), other


def test_an_act_dated_as_news_by_the_side_addressed_is_kept_below_the_gate() -> None:
    """Codebook §2: a crossing is an act by the party the line addressed, reported as news with
    its own date. In that plainest form (a realised crossing verb whose phrase names the line
    and a recent day, its doer named and of the side the line is drawn against) it is kept
    whatever the classifier says. Not a day that dates something else, an old date, a plan, a
    background mention, a penalty (a response), or an act of the side that drew the line."""
    x = _low_scores()

    def crossings(text: str, published: date = date(2022, 2, 25)) -> list[tuple]:
        got = x.extract(DocumentInput(1, text, published, "day")).events
        return [(e.kind, e.actor_country, e.trigger_key) for e in got]

    kept = ("crossing", "RUS", "invasion_of_ukraine")
    # (the lexical screen passes the sentence for "military operation")
    assert crossings("The Kremlin launched its long-feared military operation on Thursday.") == [
        kept
    ]
    assert crossings(
        "Putin launched a special military operation against Ukraine on Thursday."
    ) == [kept]
    for not_news in (
        # the day dates the recalling; the act has its own, old date
        "On Thursday the minister recalled that Russia invaded Ukraine in 2014.",
        "Putin launched a special military operation against Ukraine on February 24, 2021.",
        # a plan, and background
        "Russia will launch a military operation against Ukraine on Thursday.",
        "Prices have doubled since Russia launched its invasion of Ukraine on Thursday.",
        # a penalty imposed is a response, and the line's own side does not cross it
        "The United States on Thursday imposed new sanctions on Russian banks.",
        "Ukraine on Thursday launched a military operation in Ukraine's east.",
    ):
        assert crossings(not_news) == [], not_news


def test_an_announced_decision_is_dated_to_the_decision() -> None:
    """Codebook §2: an announced decision ("agreed to send 31 Abrams") counts, dated to the
    decision. "Germany agreed on Wednesday to send tanks" and "On Wednesday Germany announced
    it would send tanks" carry the day in the deciding verb's phrase, not in the sending's, so
    the decision is news of the day and kept below the gate; a possibility, a refusal, a
    condition or a decision dated long before is not."""
    x = _low_scores()

    def crossings(text: str) -> list[tuple[str | None, str | None, date | None]]:
        doc = DocumentInput(1, "Moscow protested on Friday. " + text, date(2023, 1, 27), "day")
        got = x.extract(doc).events
        return [(e.actor_country, e.trigger_key, e.event_date) for e in got if e.kind == "crossing"]

    wednesday = [("DEU", "tanks_to_ukraine", date(2023, 1, 25))]
    for decided in (
        "Germany agreed on Wednesday to send Leopard 2 tanks to Ukraine.",
        "On Wednesday Germany announced it would send Leopard 2 tanks to Ukraine.",
    ):
        assert crossings(decided) == wednesday, decided
    for not_decided in (
        "Germany said on Wednesday it could send Leopard 2 tanks to Ukraine.",
        "Germany said on Wednesday it would not send Leopard 2 tanks to Ukraine.",
        "Germany said on Wednesday it would send Leopard 2 tanks to Ukraine if Russia advanced.",
        "Germany agreed in 2022 to send Leopard 2 tanks to Ukraine.",
    ):
        assert crossings(not_decided) == [], not_decided


def test_a_party_welcomed_as_a_member_has_joined() -> None:
    """Codebook §2: an accession to an alliance is a crossing by the party that joins. "NATO
    welcomed Finland as its 31st member on Tuesday" and a statement's "Today we are pleased
    to welcome Sweden as the newest member of NATO" report that accession as news: the
    crossing is the welcomed party's, dated by the welcome, and kept below the gate as news of
    the day. A welcome hoped for, to come, refused or of something else than a member is
    none."""
    x = _low_scores()

    def crossings(doc: DocumentInput) -> list[tuple[str | None, str | None, date | None]]:
        got = x.extract(doc).events
        return [(e.actor_country, e.trigger_key, e.event_date) for e in got if e.kind == "crossing"]

    opening = "Russia warned against NATO expansion. "
    day = date(2023, 4, 7)
    assert crossings(
        DocumentInput(
            1, opening + "NATO welcomed Finland as its 31st member on Tuesday.", day, "day"
        )
    ) == [("FIN", "nato_enlargement", date(2023, 4, 4))]
    statement = _statement_doc(
        opening + "Today we are pleased to welcome Sweden as the newest member of NATO.",
        published=day,
    )
    assert crossings(statement) == [("SWE", "nato_enlargement", day)]
    sure = LearnedExtractor(classifier=_Scores(crossing=0.5))  # type: ignore[arg-type]
    for not_joined in (
        "NATO would welcome Sweden as a member one day.",
        "We look forward to welcoming Sweden as a member of NATO.",
        "We will welcome Sweden as our newest NATO ally next year.",
        "NATO did not welcome Sweden as a member on Tuesday.",
        "NATO welcomed Finland's decision to apply for membership on Tuesday.",
    ):
        got = sure.extract(DocumentInput(1, opening + not_joined, day, "day")).events
        assert [e for e in got if e.kind == "crossing"] == [], not_joined


def test_a_harm_still_to_come_is_no_response() -> None:
    """Codebook §3: a response is a harmful act done; "we will continue to impose sanctions"
    beside an act done ("we have stood together") pledges the harm, it reports none. A harm
    done in the same sentence is still a response."""
    x = LearnedExtractor(classifier=_Scores(response=0.99))  # type: ignore[arg-type]

    def responses(text: str) -> list[str | None]:
        got = x.extract(_statement_doc(text, published=date(2023, 1, 13))).events
        return [e.actor_country for e in got if e.kind == "response"]

    pledged = (
        "We have stood together against Russia's war of aggression against Ukraine, and we will "
        "continue to impose sanctions on Russia."
    )
    assert responses(pledged) == []
    assert responses("We will impose further sanctions on Russian banks next month.") == []
    done = (
        "We have imposed sweeping sanctions on Russia's banks, and we will continue to impose "
        "sanctions on Russia."
    )
    assert responses(done) == ["USA"]


def test_a_penalty_of_the_doers_own_side_crosses_no_line() -> None:
    """Codebook §2 and §3: a line named only by the words of a penalty its doer's side inflicts
    ("we will announce additional sanctions", by the United States) is that side's response or
    plan, not its crossing; a delivery the same side makes still crosses Russia's line."""
    x = LearnedExtractor(classifier=_Scores(crossing=0.99))  # type: ignore[arg-type]

    def crossings(text: str) -> list[tuple[str | None, str | None]]:
        got = x.extract(_statement_doc(text, published=date(2023, 2, 20))).events
        return [(e.actor_country, e.trigger_key) for e in got if e.kind == "crossing"]

    assert (
        crossings("Later this month we will announce additional sanctions on Russian elites.") == []
    )
    assert crossings("Today we are sending more weapons to Ukraine.") == [
        ("USA", "weapons_to_ukraine")
    ]


def test_a_harm_done_in_answer_to_a_named_line_is_a_response_below_the_gate() -> None:
    """Codebook §3's plainest form, a concrete harm done "in response to" (or "in retaliation
    for") a line its sentence names, by a named side that does not cross such lines, is kept
    whatever the classifier says; words, plans and a side answering its own kind of act are
    not."""

    def responses(text: str) -> list[tuple[str | None, str | None]]:
        events = _low_scores().extract(DocumentInput(1, text, date(2022, 3, 4), "day")).events
        return [(e.actor_country, e.trigger_key) for e in events if e.kind == "response"]

    assert responses(
        "On Thursday, Canada froze the assets of two Russian banks in response to the invasion "
        "of Ukraine."
    ) == [("CAN", "invasion_of_ukraine")]
    assert responses(
        "Norway expelled three Russian diplomats on Wednesday in retaliation for the invasion "
        "of Ukraine."
    ) == [("NOR", "invasion_of_ukraine")]
    # "In response, ..." answers the sentence before, whose line it takes
    assert responses(
        "North Korea fired a ballistic missile over Japan on Tuesday. In response, South Korea "
        "and the United States staged a joint air drill on Wednesday."
    ) == [("KOR", "dprk_nuclear_test"), ("USA", "dprk_nuclear_test")]
    assert (
        responses(
            "North Korea fired a ballistic missile over Japan on Tuesday. In response, South "
            "Korea said it would consider new measures."
        )
        == []
    )
    assert responses("Canada responded to the invasion of Ukraine by condemning it.") == []
    assert (
        responses("In response to the invasion of Ukraine, Canada is considering new sanctions.")
        == []
    )


def test_a_penalty_dated_as_news_is_a_response_below_the_gate() -> None:
    """Codebook §3: a response is a harmful act by the threatening side, reported as news. In
    its plainest form (a penalty done, by a named side, dated by a recent day in its own
    phrase, answering a line that side could draw) it is kept whatever the classifier says,
    and a joint act is a response of every side named. Not an old date, a plan, a day that
    dates something else, a passive without a doer, a strike (as often a crossing), or a
    penalty that answers no line."""

    def responses(text: str) -> list[tuple[str | None, str | None]]:
        events = _low_scores().extract(DocumentInput(1, text, date(2022, 3, 4), "day")).events
        return [(e.actor_country, e.trigger_key) for e in events if e.kind == "response"]

    line = " over the invasion of Ukraine."
    assert responses("The United States on Thursday sanctioned three Russian banks" + line) == [
        ("USA", "invasion_of_ukraine")
    ]
    assert responses("Canada expelled four Russian diplomats on Wednesday" + line) == [
        ("CAN", "invasion_of_ukraine")
    ]
    assert responses(
        "Britain, Japan and the United States on Thursday imposed new sanctions on Russian banks"
        + line
    ) == [
        ("GBR", "invasion_of_ukraine"),
        ("JPN", "invasion_of_ukraine"),
        ("USA", "invasion_of_ukraine"),
    ]
    for not_news in (
        "The United States imposed sanctions on Russian banks in 2014" + line,
        "The United States will impose new sanctions on Russian banks on Monday" + line,
        "On Thursday the minister recalled that Canada sanctioned Russian banks in 2014" + line,
        "Three Russian banks were sanctioned on Thursday" + line,
        "Russian missiles struck Kyiv on Thursday.",
        "Turkey banned exports of its drones on Thursday.",
    ):
        assert responses(not_news) == [], not_news


def test_a_response_answers_the_line_named_before_it_not_its_own_act() -> None:
    """Codebook §3: a response answers a line the other side crossed. "Britain imposed new
    sanctions" names only the sanctions line, which its own act crosses; the line it answers
    is the one named just before ("Russia invaded Ukraine last week"), as the rules read a
    line from there when a sentence names none."""
    between = LearnedExtractor(classifier=_Scores(response=0.5))  # type: ignore[arg-type]

    def responses(x: LearnedExtractor, text: str) -> list[tuple[str | None, str | None]]:
        events = x.extract(DocumentInput(1, text, date(2022, 3, 4), "day")).events
        return [(e.actor_country, e.trigger_key) for e in events if e.kind == "response"]

    invaded = "Russia invaded Ukraine last week. "
    assert responses(
        between, invaded + "Britain and Japan imposed new sanctions on Russian banks."
    ) == [
        ("GBR", "invasion_of_ukraine"),
        ("JPN", "invasion_of_ukraine"),
    ]
    # below the gate, the same act dated as news answers that line too
    assert responses(
        _low_scores(), invaded + "Canada imposed new sanctions on Russian banks on Thursday."
    ) == [("CAN", "invasion_of_ukraine")]


def test_more_wordings_of_lines_crossed() -> None:
    """Between the gates the rules decide a crossing (codebook §2), so its line must be read:
    a push "into Russia's Kursk region", ballistic missiles fired by North Korea, Russia
    "supplied with" drones or sent soldiers, and "frozen Russian central bank assets". An
    export condemned is no launch."""
    x = LearnedExtractor(classifier=_Scores(threat=0.02, crossing=0.5))  # type: ignore[arg-type]

    def crossings(text: str) -> list[tuple[str | None, str | None]]:
        events = x.extract(DocumentInput(1, text, date(2024, 8, 9), "day")).events
        return [(e.actor_country, e.trigger_key) for e in events if e.kind == "crossing"]

    assert crossings(
        "Ukrainian troops pushed ten kilometres into Russia's Kursk region on Tuesday."
    ) == [("UKR", "cross_border_incursion")]
    assert crossings("North Korea fired three ballistic missiles into the sea on Monday.") == [
        ("PRK", "dprk_nuclear_test")
    ]
    assert crossings("Iran has supplied Russia with thousands of attack drones this year.") == [
        ("IRN", "aid_to_russia")
    ]
    assert crossings("North Korea has sent some 10,000 soldiers to Russia.") == [
        ("PRK", "aid_to_russia")
    ]
    assert crossings(
        "The United States decided on Friday to send cluster munitions to Ukraine."
    ) == [("USA", "sensitive_weapons_shipments")]
    assert crossings(
        "Forty countries condemned North Korea's export of ballistic missiles to Russia."
    ) != [("PRK", "dprk_nuclear_test")]


def test_an_interview_yes_to_a_question_of_defence_is_the_issuers_threat() -> None:
    """Codebook §1, a threat by clear implication: in an interview transcript, the President's
    "Yes" to "would your forces defend X if Y?" is his threat over Y, with the question's
    consequence. A "yes" to a plan with no condition, an unlabelled "yes", or one to a question
    about another side's acts draws no line."""
    x = _low_scores()

    def threats(text: str) -> list[tuple[str | None, str | None, str]]:
        doc = DocumentInput(
            1, text, date(2022, 9, 18), "day", "statement", "Interview with a reporter", "Joe Biden"
        )
        return [
            (t.speaker_country, t.trigger_key, t.consequence_class) for t in x.extract(doc).threats
        ]

    opening = "Q. We turn to Asia now.\nThe President. Go ahead.\n"
    assert threats(
        opening + "Q. Would American forces defend the island in the event of a Chinese invasion "
        "of Taiwan?\nThe President. Yes.\n"
    ) == [("USA", "attack_on_taiwan", "military_force")]
    assert (
        threats(
            opening
            + "Q. Will you impose new sanctions on Beijing next week?\nThe President. Yes.\n"
        )
        == []
    )
    assert (
        threats(
            opening + "Q. Would China attack Taiwan if you visited the island?\nThe President. "
            "Yes, I think so.\n"
        )
        == []
    )
    assert (
        threats(
            opening
            + "Q. Would American forces defend the island in the event of a Chinese invasion "
            "of Taiwan?\nYes.\n"
        )
        == []
    )


def test_a_speaker_set_in_as_an_aside_or_closing_the_sentence_is_found() -> None:
    """ "Any X, he said, would be met with ...": the aside's subject speaks (resolved like any
    pronoun); a speech verb the parser left without a subject at the end of the sentence takes
    the name just before it; "allied territory" and "military might" name NATO's line and
    military force."""
    got = _news(
        "NATO's secretary general visited Vilnius on Monday. Any strike on allied "
        "territory, he said, would be answered with the full military might of the alliance.",
        rules_from=0.01,
    ).threats
    assert [(t.speaker_country, t.trigger_key, t.consequence_class) for t in got] == [
        ("NATO", "attack_on_nato_territory", "military_force")
    ]
    got = _news(
        "Any attack by Western missiles on the Kerch bridge will lead to strikes on the "
        "command centres in Kyiv, Press Secretary of the President of Russia Dmitry Peskov "
        "stated.",
        rules_from=0.01,
    ).threats
    assert [t.consequence_class for t in got] == ["military_force"]


def test_a_condition_s_doer_may_be_unlisted_based_somewhere_or_an_agent() -> None:
    """Below the gate, a condition over a line the vocabulary lacks needs another party as
    its doer: one named by a proper name the gazetteer lacks, one "based" in a state, or the
    agent of a subject that names no side."""

    threats = partial(_sides_below_gate, published=date(2023, 6, 2))

    assert threats(
        "Greek officials met on Friday. Greece will close its ports to the ships if Zorbania "
        "keeps seizing fishing boats, the Greek defence minister said."
    ) == [("GRC", "sanctions_or_economic")]
    assert threats(
        "Israel's defence minister spoke on Friday. Israeli jets will bomb the camps if "
        "Syria-based fighters fire more rockets at the Golan, he said."
    ) == [("ISR", "military_force")]
    assert threats(
        "Estonia's interior minister spoke on Friday. The government will close the border "
        "crossings if the stream of migrants sent there by Russian officials goes on, she said."
    ) == [("EST", "sanctions_or_economic")]
    # a condition whose subject is the speaker's own side draws no line
    assert (
        threats(
            "Greek officials met on Friday. Greece will close its ports to the ships if Athens "
            "decides so, the Greek defence minister said."
        )
        == []
    )


def test_a_statement_s_commonest_line_is_not_guessed_for_a_threat_naming_none() -> None:
    """Codebook §1: the trigger is the act the threat is about. A statement whose text names the
    invasion line most often may still warn about something else in a sentence that names no
    line ("there will be consequences" over a detention): its threat keeps no line rather than
    the statement's commonest one (on the real train and dev statements that guess was wrong
    five times in seven). A line the statement's title names still counts."""
    body = (
        "Russia's invasion of Ukraine has killed thousands. We condemn the invasion of Ukraine. "
        "The invasion of Ukraine must end. We will continue to impose costs on anyone who "
        "detains our citizens."
    )
    untitled = DocumentInput(
        1, body, date(2023, 4, 2), "day", "statement", "Statement on a detention", "Joe Biden"
    )
    got = _extractor().extract(untitled).threats
    assert got, "the pledge of costs should still be read as a threat"
    assert all(t.trigger_key != "invasion_of_ukraine" for t in got)
    titled = DocumentInput(
        1,
        "We condemn this. We will impose severe costs on Russia.",
        date(2022, 3, 2),
        "day",
        "statement",
        "Statement on Russia's invasion of Ukraine",
        "Joe Biden",
    )
    assert [t.trigger_key for t in _extractor().extract(titled).threats] == ["invasion_of_ukraine"]


def test_a_past_act_told_in_the_present_is_not_dated_to_the_article() -> None:
    """Codebook §2: a crossing is reported as news or with its own date. A timeline tells last
    year's acts in the present and dates some of them ("In September 2022, Ukraine launches
    ... Days later Russia formally annexes four regions"): an undated act takes the month of
    the nearest earlier sentence told in the present with a time of its own when it is within
    three sentences of it, else no date; never the publication day. Ordinary news in the present keeps the publication day: a headline, a
    lede, "now", and a date that is only a reference point ("since February 24, 2022") or told
    in the past ("Russia invaded Ukraine on February 24, 2022") start no timeline."""
    text = (
        "Germany sends tanks to Ukraine. "
        "A year of war, told step by step. "
        "On March 3, 2022, Russian troops advance on the capital. "
        "Germany agrees to send tanks to Ukraine. "
        "In September 2022, Ukraine launches a counter-offensive near Kharkiv. "
        "Days later Russia formally annexes four regions of Ukraine."
    )
    got = _extractor().extract(DocumentInput(1, text, date(2023, 2, 23), "day", "news"))
    dated = {
        (e.trigger_key, e.provenance.span_start): (e.event_date, e.date_precision)
        for e in got.events
    }
    assert dated[("tanks_to_ukraine", 0)] == (date(2023, 2, 23), "day")  # the headline
    later = text.index("Germany agrees")
    assert dated[("tanks_to_ukraine", later)] == (date(2022, 3, 1), "month")
    annexed = text.index("Days later")
    assert dated[("annexation_of_ukrainian_territory", annexed)] == (date(2022, 9, 1), "month")
    # further from its dated entry, a timeline's act is undated (some time before the
    # article), not placed in a month the chapter may have left behind
    drift = (
        "A year of war, told step by step. In March 2022, Russian troops advance on the capital. "
        "Kyiv holds. Russian columns stall. Western capitals debate. Ukraine pleads for armour. "
        "Germany agrees to send tanks to Ukraine."
    )
    far = _extractor().extract(DocumentInput(1, drift, date(2023, 2, 23), "day", "news")).events
    assert [(e.event_date, e.date_precision) for e in far] == [(None, "unknown")]
    published = date(2023, 1, 25)
    for news in (
        "Ukraine marks eleven months since the invasion of February 24, 2022. Germany agrees "
        "to send Leopard tanks to Ukraine.",
        "On February 24, 2022, Russian forces invade Ukraine. Now Germany agrees to send "
        "Leopard tanks to Ukraine.",
        "U.S. Approves Patriots for Kyiv\n\nThe United States approves the transfer of a "
        "Patriot missile battery to Ukraine.",
    ):
        events = _extractor().extract(DocumentInput(1, news, published, "day", "news")).events
        assert events and {(e.event_date, e.date_precision) for e in events} == {
            (published, "day")
        }, news


def test_what_a_statement_warns_against_is_not_its_consequence() -> None:
    """Codebook §5: "we warn against any use of nuclear weapons" is a threat over the use, its
    consequence unstated (`vague`); the weapons named are the other side's act, not the
    speaker's answer (it read as `war_or_nuclear`)."""
    doc = DocumentInput(
        1,
        "The leaders met in Elmau. We warn against any threat of the use of chemical or nuclear "
        "weapons.",
        date(2022, 6, 28),
        "day",
        "statement",
        "G7 Leaders' Statement on Ukraine",
        None,
    )
    got = _extractor().extract(doc).threats
    assert [(t.trigger_key, t.consequence_class) for t in got] == [("nuclear_use", "vague")]


def test_a_sentence_opening_with_his_opinion_is_that_persons_threat() -> None:
    """Codebook §1: the speaker is resolved from pronouns. "In his opinion, Russia's attack
    would be a serious mistake with costs for Moscow" gives the Chancellor's words: it was read
    as Russia's threat (the side the sentence names), its own attack blanked as the trigger."""
    got = _news(
        "German Chancellor Olaf Scholz spoke in Berlin on Monday. In his opinion, Russia's "
        "attack on Ukraine would be a serious mistake with significant political and economic "
        "costs for Moscow.",
        published=date(2022, 1, 10),
    ).threats
    assert [(t.speaker_country, t.trigger_key) for t in got] == [("DEU", "invasion_of_ukraine")]


def test_an_interview_answer_takes_the_line_its_exchange_named() -> None:
    """Codebook §1 (by clear implication): "We would respond." answers the question it follows
    ("... weapons to Russia? ... if they did?"): in an interview it takes the line named in the
    exchange before it, further back than the sentences any answer may borrow from; it had no
    line, so it joined no episode. A statement that is no interview does not reach that far."""
    text = (
        "HOST: Are you worried about China sending weapons to Russia? "
        "THE PRESIDENT: I do not expect it. We have not seen it. I spoke to him at length. "
        "I was clear with him. HOST: But if they did, what then? "
        "THE PRESIDENT: I will not say. We would respond."
    )

    def lines(title: str) -> list[str | None]:
        doc = DocumentInput(1, text, date(2023, 3, 1), "day", "statement", title, "Joe Biden")
        return [t.trigger_key for t in _extractor().extract(doc).threats]

    assert lines("Interview with a Network Anchor") == ["aid_to_russia"]
    assert "aid_to_russia" not in lines("Remarks by the President at a Press Availability")


def test_a_line_named_only_by_the_speakers_own_act_gives_way_to_the_stated_condition() -> None:
    """ "would send troops to Ukraine if the Russians broke through the front": the troops are
    France's own act, so no line of France's; the condition is the line, keyed from its words
    when the vocabulary lacks it (it had been left with no line, so it joined no episode)."""
    got = _news(
        "Emmanuel Macron said on Friday that France would send troops to Ukraine if the "
        "Russians broke through the front lines.",
        rules_from=0.05,
    ).threats
    assert [t.speaker_country for t in got] == ["FRA"]
    assert got[0].trigger_text is not None and "broke through" in got[0].trigger_text
    assert got[0].trigger_key is not None and got[0].trigger_key.startswith("new_")
    assert "troops" not in got[0].trigger_key


def test_an_ultimatum_is_made_outright_to_another_party_over_a_harm_of_the_speakers() -> None:
    """Not ultimatums by the codebook: a demand recommended or supposed ("should urge", "must
    tell"), one put to the speaker (passive), a question, a demand to one's own side or to
    parties named by no side ("every ally", "Congress", "all nations"), and a harm that befalls
    the addressee from elsewhere ("when missiles strike", "of a warming planet")."""

    def found(text: str, statement: bool = False) -> list[ThreatItem]:
        """What the rules alone find, at any classifier probability."""
        if statement:
            return _statement(text, rules_from=0.0).threats
        return _news(text, date(2024, 3, 3), rules_from=0.0).threats

    for text in (
        "A columnist argued on Sunday that Washington must tell Beijing to stop arming Russia "
        "or face severe costs.",
        "Analysts said the European Union should urge China to stop supplying Russia or face "
        "consequences.",
        "Antony Blinken was asked on Sunday whether China should stop supplying Russia or face "
        "consequences.",
        "China was urged by the G7 on Sunday to stop supplying Russia or face severe costs.",
    ):
        assert not found(text), text
    for text in (
        "We call on European states to end their dependence on Russian gas, or face severe "
        "costs when Moscow cuts supplies again.",
        "We urge every ally to invest in air defence now, or pay the price when Russian missiles "
        "strike.",
        "We call on Congress to pass the budget or face higher costs.",
        "We call on all nations to cut their emissions, or face the consequences of a warming "
        "planet.",
    ):
        assert not found(text, statement=True), text
    got = found(
        "Antony Blinken urged China on Sunday to stop supplying Russia with drones or face serious "
        "consequences."
    )
    assert [(t.speaker_country, t.trigger_key, t.consequence_class) for t in got] == [
        ("USA", "aid_to_russia", "vague")
    ]
    # costs a threat says the other side will face, outside an ultimatum, are of no stated kind
    got = found(
        "Dmitry Medvedev warned on Sunday that NATO countries would face grave costs if they "
        "sent troops to Ukraine."
    )
    assert [(t.speaker_country, t.consequence_class) for t in got] == [("RUS", "vague")]


def test_once_again_repeats_and_once_more_troops_is_a_condition() -> None:
    """ "would once again strike" repeats; it opens no condition (the condition after it is the
    line). "once more Russian troops were stationed" is a condition whose subject has "more"."""
    got = _news(
        "Sergei Shoigu warned that Russia would once again strike supply depots if NATO weapons "
        "reached the front.",
        rules_from=0.05,
    ).threats
    assert len(got) == 1 and got[0].trigger_text is not None
    assert "again" not in got[0].trigger_text and "reached the front" in got[0].trigger_text
    got = _news(
        "Jens Stoltenberg said NATO would send more battalions to Poland once more Russian "
        "troops were stationed in Belarus.",
        rules_from=0.05,
    ).threats
    assert len(got) == 1 and got[0].trigger_text is not None
    assert "stationed in Belarus" in got[0].trigger_text


def test_a_condition_of_the_speakers_own_side_names_no_line_either() -> None:
    """ "would send troops to Ukraine once the French parliament approved the plan": the
    troops are France's act and so is the approval; no line (it had been keyed by the
    approval's words)."""
    got = _news(
        "Emmanuel Macron said France would send troops to Ukraine once the French parliament "
        "approved the plan.",
        rules_from=0.05,
    ).threats
    assert [(t.speaker_country, t.trigger_key) for t in got] == [("FRA", None)]


def test_once_again_is_no_condition_and_his_country_attacked_is_his_own_line() -> None:
    """ "once again" repeats; it opens no condition. "only if his country was attacked" is the
    speaker's own territory, in the past subjunctive too."""
    x = LearnedExtractor()
    x._gates = {**x.gates(), "threat": Gate(0.0, 0.0)}  # the sentence's item, however found
    got = x.extract(
        DocumentInput(
            1,
            "At a news conference in Minsk, Alexander Lukashenko seemed to once again resist "
            "pressure to send his troops into Ukraine, warning that he would do so only if his "
            "country was attacked.",
            date(2023, 2, 16),
            "day",
        )
    ).threats
    assert [(t.speaker_country, t.trigger_key) for t in got] == [("BLR", "attack_on_belarus")]


def test_a_demand_whose_alternative_is_a_harm_is_an_ultimatum() -> None:
    """Codebook §1: "we call on X to stop Y, or face severe costs" makes a harm depend on the
    addressee's act (its not stopping Y); the speaker is who demands (the issuer for "we").
    An alternative that is no harm the speaker's side inflicts is no threat."""
    got = _statement(
        "The summit ended today. We call on any country that helps Moscow evade our export "
        "controls to stop shipping drones to Russia, or face severe costs.",
        rules_from=0.05,
    ).threats
    # the costs faced are those "impose costs" names: economic (``cues.yaml``)
    assert [(t.speaker_country, t.consequence_class) for t in got] == [
        ("USA", "sanctions_or_economic")
    ]
    assert got[0].trigger_text is not None and "drones" in got[0].trigger_text
    assert not _statement(
        "The summit ended today. We call on all parties to respect the ceasefire or face the "
        "prospect of famine.",
        rules_from=0.0,
    ).threats


def test_a_threat_is_addressed_to_the_party_the_sentence_states() -> None:
    """Codebook §1, ``target``: whom a threat addresses, when stated — the party a warning is
    put to, the doer its condition or its act names, the party its harm falls on. A place, a
    victim or a party deep inside another phrase is not the addressee, and the vocabulary's
    usual crosser is never guessed in its place."""
    for text, expected in (
        # the doer of its condition
        (
            "Diplomatic relations with Belarus will be severed if Belarusian troops cross the "
            "border, the Ukrainian foreign minister warned.",
            "BLR",
        ),
        # the act that is its subject: its agent with "by"
        (
            "Any use by Iran of ballistic missiles against shipping would be met with a firm "
            "response, the US defence secretary said.",
            "IRN",
        ),
        # the party the threatened harm falls on
        (
            "We will impose severe costs on Russia for any further attack on our ships, the "
            "British prime minister said.",
            "RUS",
        ),
        # the act a response is promised to, by the troops it moves
        ("Moscow threatened a harsh response to the deployment of NATO troops in Finland.", "NATO"),
        # Ukraine is where the intervention would happen, not whom the threat addresses
        ("Putin threatened a swift response to Western intervention in Ukraine.", None),
    ):
        got = _news(text, rules_from=0.01).threats
        assert got, text
        assert {t.addressee_country for t in got} == {expected}, text
        assert all(t.speaker_country != t.addressee_country for t in got), text


def test_a_threat_is_addressed_in_the_general_forms_the_sentence_states_it() -> None:
    """Codebook §1, ``target``: whom a threat addresses, when stated, in more of the forms a
    sentence states it: whom a demand is put to ("demand that X ...", "call on X to ..."),
    the doer its condition names as a people ("if the Russians ..."), the act its harm is to
    counter or deter, the party its force or its harm falls on ("military action against X",
    "strike British depots", "sanctions hitting Russian banks", "the costs that we impose on
    X", "X will pay"). A victim the condition names ("if anyone bombed Ukrainian dams") is not
    addressed."""
    for text, expected in (
        (
            "The Kremlin threatened to strike British military depots, calling it a reply to "
            "remarks by the French foreign minister.",
            "GBR",
        ),
        (
            "Lukashenko said Minsk would take military action against Poland if his country "
            "was attacked.",
            "POL",
        ),
        (
            "Macron said France would send troops to Ukraine if the Russians were to break "
            "through the front.",
            "RUS",
        ),
        (
            "Britain will impose sanctions hitting Russian banks in the event of an invasion, "
            "the foreign secretary warned.",
            "RUS",
        ),
        # the party its harm befalls: "X will pay", "X would face"
        (
            "Moscow will pay a heavy price for any attack on allied territory, the NATO "
            "secretary general warned.",
            "RUS",
        ),
        ("The Kremlin said Finland would face retaliation if it joined the alliance.", "FIN"),
        (
            "Moscow warned that it would retaliate with force if anyone bombed Ukrainian dams "
            "again.",
            None,
        ),
    ):
        got = _news(text, rules_from=0.01).threats
        assert got, text
        assert {t.addressee_country for t in got} == {expected}, text
    for text, expected in (
        (
            "We demand that Iran halt its attacks on shipping, and we stand ready to adopt "
            "further sanctions in response to further attacks.",
            "IRN",
        ),
        ("We call on Beijing to stop supplying Moscow with drones, or face severe costs.", "CHN"),
        (
            "We stand ready to take further measures to deter Iranian support for Russia's war.",
            "IRN",
        ),
        (
            "We will respond with costs that we impose on Moscow for any assault on our allies.",
            "RUS",
        ),
    ):
        got = _statement(text, rules_from=0.01).threats
        assert got, text
        assert {t.addressee_country for t in got} == {expected}, text


def test_a_threat_stating_no_addressee_takes_the_one_stated_for_its_line() -> None:
    """Codebook §1, ``target``: a threat whose sentence names no party ("we will respond
    decisively") addresses the one the document states for its speaker's other threats over
    the same line; not when they state two (China and Iran, both over arms to Russia)."""
    got = _statement(
        "If Russia invades Ukraine, we will impose severe sanctions on Moscow. If an invasion "
        "goes ahead, we will respond decisively.",
        rules_from=0.01,
    ).threats
    assert [(t.trigger_key, t.addressee_country) for t in got] == [
        ("invasion_of_ukraine", "RUS"),
        ("invasion_of_ukraine", "RUS"),
    ]
    got = _statement(
        "If China sends weapons to Russia, we will impose severe sanctions on Beijing. If Iran "
        "sends drones to Russia, we will impose severe sanctions on Tehran. If anyone else "
        "sends weapons to Russia, we will respond decisively.",
        rules_from=0.01,
    ).threats
    assert [t.addressee_country for t in got] == ["CHN", "IRN", None]


def test_a_mark_of_several_words_is_compared_only_where_its_last_word_stands() -> None:
    """``_condition`` compared every mark of several words ("as long as") with the words ending
    at every token of the clause, slicing the document each time; only a mark's last word can
    end it. The clause it finds is the same."""
    import spacy
    from spacy.tokens import Doc

    from redline.extract.rules import RuleExtractor

    ends: list[int] = []

    class Sliced(Doc):
        def __getitem__(self, i: Any) -> Any:
            if isinstance(i, slice):
                ends.append(i.stop)
            return super().__getitem__(i)

    rules = RuleExtractor()
    last_words = {m.split()[-1] for m in rules.not_yet_marks if " " in m}
    assert "as long as" in rules.not_yet_marks
    words = ["We", "will", "strike", "as", "long", "as", "they", "shell", "our", "grid"]
    heads = [2, 2, 2, 7, 7, 7, 7, 2, 9, 7]
    deps = ["nsubj", "aux", "ROOT", "advmod", "advmod", "mark", "nsubj", "advcl", "poss", "dobj"]
    doc = Sliced(spacy.blank("en").vocab, words=words, heads=heads, deps=deps)
    clause = rules._condition(list(doc))
    assert [t.text for t in clause] == ["as", "long", "as", "they", "shell", "our", "grid"]
    assert ends and all(doc[stop - 1].lower_ in last_words for stop in ends)


def test_a_line_the_harm_answers_is_the_trigger() -> None:
    """Codebook §1: a trigger the vocabulary lacks gets a new key, not none. A threat that
    names its line only as what its harm answers ("in response to ...", "costs for ...") takes
    that phrase as its trigger when it names an act; a line of the vocabulary there is the
    key; a phrase that names no act ("in response to questions") gives none."""
    got = _statement(
        "We stand ready to adopt further sanctions in response to further destabilizing "
        "actions by Iran in the region.",
        rules_from=0.01,
    ).threats
    assert [(t.trigger_text, t.addressee_country) for t in got] == [
        ("further destabilizing actions by Iran in the region", "IRN")
    ]
    assert got[0].trigger_key is not None and got[0].trigger_key.startswith("new_")
    got = _statement(
        "We will respond with sanctions in response to any further Russian attack on Ukraine.",
        rules_from=0.01,
    ).threats
    assert [t.trigger_key for t in got] == ["invasion_of_ukraine"]
    got = _statement(
        "We stand ready to adopt further sanctions, the President said in response to "
        "questions from reporters.",
        rules_from=0.01,
    ).threats
    assert all(t.trigger_text is None or "questions" not in t.trigger_text for t in got)


def test_a_party_the_trigger_lists_draws_no_line_it_would_itself_cross() -> None:
    """Extraction's own side checks read the vocabulary's one list of who crosses a line
    (``TriggerTree.on_crossing_side``: the hint and ``crossed_by``), as linking and review do.
    They read the hint alone, so a line against military aid to Russia (hint China, also Iran
    and North Korea) counted as one Iran or North Korea could draw: a trigger-less threat by
    either took it as its line, where linking then refused the episode as wrong-side."""
    x = _extractor()
    text = "Officials spoke of military aid to Russia and of sanctions."
    assert x._line_named(text, "USA", None) == ("aid_to_russia", "military aid to Russia")
    for crosser in ("CHN", "IRN", "PRK"):
        named = x._line_named(text, crosser, None)
        assert named is None or named[0] != "aid_to_russia", crosser
    assert x._blank_triggers(text, own="IRN") == text  # its own act stays, as China's does
    assert "military aid" not in x._blank_triggers(text, own="USA")

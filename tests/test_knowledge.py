"""The knowledge loaders: trigger hierarchy, actor roles over time, and anchored cue matching."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.extract_helpers import sample_sentences, sample_texts

from redline import knowledge
from redline.errors import ConfigError


def keys(text: str) -> list[str]:
    """The trigger keys ``text`` names, most specific first."""
    return [k for k, _, _ in knowledge.triggers().match(text)]


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


def test_taking_back_claimed_land_is_the_annexed_territory_line() -> None:
    """Russia's line over the land it claims is also named by Ukraine taking it back."""

    for line in (
        "if Kyiv went on retaking its own lands",
        "should Ukraine recapture its occupied regions",
        "after Ukraine retook its own territory",
    ):
        assert "attack_on_annexed_territory" in keys(line), line
    assert "attack_on_annexed_territory" not in keys("Ukraine will retake the initiative")
    for other in (
        "Ukraine will reclaim its territorial integrity",  # a principle, not land
        "Russian troops recaptured their territory in Kursk",  # no own or occupied land
    ):
        assert "attack_on_annexed_territory" not in keys(other), other


def test_common_phrasings_of_a_line_name_it() -> None:
    """The vocabulary named a line in the words of the sentences it was written from: of 200
    annotators' own descriptions of the train and dev threats' lines, 55 named none (noun
    phrases, "-ing" forms, "recognition" for "recognise"), and a threat worded so on new text
    lost its line. Each phrasing below names its line; the lookalikes do not."""
    named = {
        "if Russia makes a move on Ukraine": "invasion_of_ukraine",
        "after attacking Ukraine from three sides": "invasion_of_ukraine",
        "any further escalation in Ukraine": "invasion_of_ukraine",
        "recognition of the separatist republics": "recognition_of_separatists",
        "outsiders interfering in the operation": "western_intervention_in_ukraine",
        "more weapons deliveries to Kyiv": "weapons_to_ukraine",
        "a Ukrainian offensive into Crimea": "attack_on_annexed_territory",
        "if Western missiles were used to strike Russia": "western_weapons_on_russian_territory",
        "if London kept sending longer-range missiles": "long_range_missiles_delivery",
        "anyone attacking Belarus": "attack_on_belarus",
        "if NATO were to deploy its troops into Ukraine": "nato_troops_in_ukraine",
        "firms transferring drones and components to Russia": "aid_to_russia",
        "missile deliveries to Moscow": "aid_to_russia",
        "helping Russia acquire machine tools": "aid_to_russia",
        "dual-use goods flowing to Russia": "aid_to_russia",
        "companies that backfill Russia's war machine": "aid_to_russia",
        "networks engaged in sanctions evasion": "sanctions_evasion",
        "aggression against the NATO alliance": "attack_on_nato_territory",
        "the use of CBRN weapons": "nuclear_use",
        "troops reported riot-control agents in the trenches": "nuclear_use",
        "a wave of chemical attacks on the front": "nuclear_use",
        "Tehran has furnished Moscow with shells": "aid_to_russia",
        "the overnight bombing of Crimea": "attack_on_annexed_territory",
        "a renewed assault on Kyiv": "invasion_of_ukraine",
    }
    for text, line in named.items():
        assert keys(text)[:1] == [line], (text, keys(text))
    for text, line in {
        # stop 36: phrasings an independent writer would use (docs/extraction.md)
        "a Kremlin offensive toward Kharkiv": "invasion_of_ukraine",
        "drones crashing on Romanian territory": "attack_on_nato_territory",
        "employing a battlefield nuclear weapon": "nuclear_use",
        "fresh shipments of artillery shells and radars for Kyiv": "weapons_to_ukraine",
        "equipping Kyiv with cruise missiles": "long_range_missiles_delivery",
        "strikes hundreds of kilometres inside Russia": "long_range_strikes_inside_russia",
        "a cross-border raid by saboteurs": "cross_border_incursion",
        "the stationing of French instructors in Ukraine": "nato_troops_in_ukraine",
        "the widening of the North Atlantic alliance": "nato_enlargement",
        "inviting Kyiv into the alliance": "ukraine_nato_membership",
        "Iranian drones for Moscow": "aid_to_russia",
        "settling gas bills in Russian currency": "gas_payment_terms",
        "a ceiling on the price of Urals crude": "oil_price_cap",
        "handing immobilised central bank reserves to Kyiv": "frozen_assets_seizure",
        "freighters heading for Chornomorsk": "black_sea_shipping",
        "a senior envoy's stopover in Taipei": "taiwan_official_visit",
        "rail transit through Lithuania to the exclave": "kaliningrad_transit",
        "granting independence to the breakaway regions": "recognition_of_separatists",
        "hostile action against the Union State": "attack_on_belarus",
        "getting around the export controls": "sanctions_evasion",
        "absorbing Zaporizhzhia into Russia": "annexation_of_ukrainian_territory",
        "an amphibious landing across the strait": "attack_on_taiwan",
        "outside interference in the war": "western_intervention_in_ukraine",
        "another Hwasong launch": "dprk_nuclear_test",
        "Tehran racing for the bomb": "iran_nuclear_weapon",
        "firing on Philippine vessels": "attack_on_allies",
        "cutting subsea data cables": "cyberattack",
        "the shelling of residential areas": "war_crimes",
        "resorting to germ warfare": "chemical_weapons_use",
    }.items():
        assert keys(text)[:1] == [line], (text, keys(text))
    for text, line in {
        "Russia's cruise missiles hit Kyiv overnight": "long_range_missiles_delivery",
        "a think-tank report on Ukraine's tanks and think tanks": "f16_delivery",
        "the 60-day review of Taiwan's trade policy": "taiwan_official_visit",
        "transit of gas through Ukraine": "kaliningrad_transit",
    }.items():
        assert line not in keys(text), text
    for text in (
        "Russia fired long-range missiles at Kyiv overnight",  # no giving: not the delivery line
        "Russian troops moved into position near the border",
        "the ministry deployed troops to the capital",
    ):
        assert "long_range_missiles_delivery" not in keys(text), text
        assert "nato_troops_in_ukraine" not in keys(text), text


def test_a_line_the_vocabulary_lacks_is_keyed_by_its_condition() -> None:
    """Issue 8: a trigger the vocabulary lacks gets a new key, not none; the same wording gives
    the same key, and a condition without a content word gives none."""
    key = knowledge.coin_trigger_key("if the Russians were to break through the front lines")
    assert key == "new_russians_break_through_front_lines"
    assert knowledge.is_coined(key) and not knowledge.is_coined("f16_delivery")
    assert key == knowledge.coin_trigger_key(
        "If the Russians were to break through the front lines!"
    )
    assert knowledge.coin_trigger_key("if it is") is None
    assert knowledge.coin_trigger_key(None) is None
    assert knowledge.triggers().hint(key) is None
    # a line named by its absence would be keyed by its opposite: none is coined
    assert knowledge.coin_trigger_key("unless Moldova reopened its airspace") is None
    # folded to ASCII, no one-letter fragments, never wider than the stored key
    assert knowledge.coin_trigger_key("if Türkiye closes the Bosphorus") == (
        "new_turkiye_closes_bosphorus"
    )
    assert knowledge.coin_trigger_key("if Kyiv's forces strike") == "new_kyiv_forces_strike"
    long = knowledge.coin_trigger_key(
        "if Washington authorises transfers of intercontinental reconnaissance satellites"
    )
    assert long is not None and len(long) <= knowledge.COINED_MAX


def test_a_vocabulary_key_may_not_look_coined(tmp_path: Path) -> None:
    """The prefix marks the extractor's coined keys: a gazetteer line that used it would never
    form an episode, so it is refused with the file's problem named."""
    extra = tmp_path / "lines.yaml"
    extra.write_text(
        "triggers:\n  new_start_withdrawal:\n    label: Leaving the treaty\n    patterns: []\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="new_start_withdrawal"):
        knowledge.triggers((str(extra),))


def test_weapons_for_russia_are_the_aid_to_russia_line_also_when_spoken() -> None:
    """A transcript stutters ("providing weaponry to, to Russia"): the destination still makes
    it aid to Russia, never the line over arming Ukraine."""
    for spoken in ("China providing weaponry to, to Russia", "China sending weapons to Russia"):
        found = keys(spoken)
        assert found and found[0] == "aid_to_russia" and "weapons_to_ukraine" not in found, spoken


def test_naming_allies_is_not_the_line_against_attacking_them() -> None:
    """ "to support (or defend) our NATO allies" names no attack (a deployment for that purpose
    answers no attack on them); an attack on a member or ally, or NATO territory, does."""

    for purpose in ("to support our NATO allies", "troops sent to defend our NATO allies"):
        assert "attack_on_nato_territory" not in keys(purpose)
    for line in (
        "if Russia attacks a NATO member",
        "an attack on the territory of a NATO member",
        "Russia hit a NATO ally",
        "every inch of NATO territory",
    ):
        assert "attack_on_nato_territory" in keys(line), line


def test_answering_sanctions_names_the_sanctions_line_and_its_evasion_does_not() -> None:
    """A Russian "will not let the sanctions go unanswered" or "will respond to the new
    sanctions" is a line over the sanctions; reacting to sanctions evasion is not, and
    "unanswered" does not reach across a clause."""

    for line in (
        "Moscow would not let the new sanctions go unanswered",
        "Russia will respond to the new British sanctions",
        "the Kremlin retaliated against these sanctions",
    ):
        assert "sanctions" in keys(line), line
    for other in (
        "the EU adopted measures, reacting to the sanctions evasion by shipping firms",
        "we will impose sanctions; this aggression will not go unanswered",
    ):
        assert "sanctions" not in keys(other), other


def test_helping_russia_s_war_names_the_aid_to_russia_line() -> None:
    """ "stop assisting Russia's war", "suppliers helping the Kremlin's war machine": military
    aid to Russia, the line third countries are warned off; blaming someone for enabling or
    fuelling the war is not."""

    # written for this test
    assert "aid_to_russia" in keys("We call on the regime to stop assisting Russia's war.")
    assert "aid_to_russia" in keys("Suppliers helping the Kremlin's war machine were named.")
    assert "aid_to_russia" in keys("Firms supplying Russia's defence industrial base face costs.")
    for blame in (
        "Western hesitation only fuels Russia's aggression.",
        "Weak sanctions enabled Russia's war.",
        "Appeasement helped Russia's invasion succeed.",
        "Sanctions are hurting Russia's war economy.",
    ):
        assert "aid_to_russia" not in keys(blame), blame


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


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "triggers: 5\n",
            "'triggers' must be a mapping (as redline/data/triggers.yaml has it), not a number",
        ),
        ("triggers:\n  - tanks\n", "'triggers' must be a mapping"),
        ("triggers:\n  my_line: [tanks]\n", "'triggers.my_line' must be a mapping"),
        ("actors:\n  XYZ: [1, 2]\n", "'actors.XYZ' must be a mapping"),
        (
            "actors:\n  XYZ:\n",
            "'actors.XYZ' must be a mapping (as redline/data/actors.yaml has it), not empty",
        ),
        ("states:\n  XYZ: [Xland]\n", "'states.XYZ' must be text"),
        # and within an entry: each was a KeyError or ValueError, or (patterns as one text)
        # read letter by letter, so that every sentence with an "a" named the line
        ("actors:\n  XYZ: {kind: state}\n", "actors.XYZ needs a name"),
        ("actors:\n  XYZ: {name: X, roles: [{title: pm}]}\n", "actors.XYZ needs a name"),
        ("states:\n  XYZ: Xland\n", "states.XYZ must read 'NAME | CAPITAL | ADJECTIVE'"),
        ("triggers:\n  my_line: {patterns: tanks}\n", "patterns of 'my_line' must be a list"),
        ("triggers:\n  my_line: {crossing: attack}\n", "crossing of 'my_line' must be a list"),
        ("triggers:\n  my_line: {patterns: ['(']}\n", "bad pattern for 'my_line'"),
    ],
)
def test_a_user_gazetteer_of_the_wrong_shape_is_named_not_a_traceback(
    tmp_path: Path, text: str, said: str
) -> None:
    """A user gazetteer (--gazetteer, REDLINE_GAZETTEER) with a list where a mapping belongs
    ended in an AttributeError's traceback, in extract and in every command that reads it
    (link, review, report); "triggers: 5" was skipped without a word."""
    mine = tmp_path / "mine.yaml"
    mine.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        knowledge.triggers((str(mine),))
        knowledge.actors((str(mine),))
    assert str(refused.value).startswith(f"{mine}: {said}"), refused.value


def test_a_user_gazetteer_not_in_utf8_is_named(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_bytes(b"actors:\n  XYZ:\n    name: Caf\xe9\n")
    with pytest.raises(ConfigError, match="mine.yaml: cannot read gazetteer file: 'utf-8' codec"):
        knowledge.actors((str(mine),))


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


@pytest.mark.parametrize(
    ("term", "openings"),
    [
        ("warn\\w*", {"warn"}),
        ("respon(d|ds|ded)", {"respon"}),
        ("(counter-?)?measures", {"counter", "measures"}),
        ("(very ){0,2}big", {"very ", "big"}),
        ("pay (a|the) price", {"pay "}),
        ("f-?16s?", {"f"}),
        ("won[’']t", {"won"}),
        ("(strikes?|hit)|target", {"strike", "hit", "target"}),
        ("(a\\)b|cd)ef", {"a)b", "cd"}),  # an escaped parenthesis does not close the group
        ("(ab|cd\\()?ef", {"ab", "cd(", "ef"}),
        ("x?y", None),  # an optional opening: unknown, so no shortcut
        ("\\w+'ll", None),
        ("(?!no)\\w+", None),
    ],
)
def test_first_literals(term: str, openings: set[str] | None) -> None:
    assert knowledge._first_literals(term) == openings


MANY_TERMS = [
    *TERMS,
    "(direct )?war (with|against) (nato|russia)",
    "(strikes?|hit|destroy\\w*|targets?)",
    "(cut|cutting) (\\w+ ){0,2}off",
    "sanctions?",
    "at war",
]


@given(
    st.lists(
        st.sampled_from(
            [
                "warned",
                "measures",
                "counter-measures",
                "pay",
                "the",
                "a",
                "high",
                "price",
                "would",
                "burn",
                "red-line",
                "lines",
                "direct",
                "war",
                "with",
                "nato",
                "russia",
                "strike",
                "hit",
                "destroyed",
                "targets",
                "cut",
                "off",
                "cutting",
                "gas",
                "sanctions",
                "at",
                "-war",
                "x-warn",
                "awarded",
                ",",
                ".",
                "(",
                ")",
                "will",
            ]
        ),
        max_size=14,
    )
)
def test_word_start_search_finds_the_same_leftmost_match(words: list[str]) -> None:
    cue = knowledge.Cue(MANY_TERMS)
    text = " ".join(words)
    plain = cue.pattern.search(text)
    # at every opening word the whole alternation, or first only the terms that word opens
    for build in (None, knowledge.Cue.build):
        cue.starts = knowledge.WordStarts.for_terms(MANY_TERMS, bounded=True, build=build)
        assert cue.starts is not None
        fast = cue.search(text)
        assert (fast and (fast.span(), fast.groups())) == (plain and (plain.span(), plain.groups()))


@pytest.mark.parametrize(
    "text",
    [
        "They warned of direct war with NATO if the strikes go on.",
        "Moscow threatened to cut the gas off.",
        # a dotless i, a long s: the engine reads "strikes" and "sanctions", lower-casing does not
        "They threatened str\u0131kes and \u017fanctions on Tuesday.",
        "No threat here at all.",
    ],
)
def test_a_word_tried_with_only_its_terms_gives_the_whole_pattern_s_match(text: str) -> None:
    """``WordStarts`` given how the pattern is built: the match the whole pattern gives at the
    opening words, its groups numbered as there, on texts with and without letters
    lower-casing misreads (where a word is not read as opening a term either way)."""
    pattern = knowledge.Cue.build(MANY_TERMS)
    found = []
    for build in (None, knowledge.Cue.build):
        starts = knowledge.WordStarts.for_terms(MANY_TERMS, bounded=True, build=build)
        assert starts is not None
        m = starts.search(pattern, text)
        found.append(m and (m.span(), m.groups()))
    assert found[0] == found[1]
    # a term referring to a group by number is not tried alone: its group would change
    assert (
        knowledge.WordStarts.for_terms(
            [*MANY_TERMS, "(tank)s? and \\1s?"], bounded=True, build=knowledge.Cue.build
        )
        is not None
    )


def test_every_extraction_cue_agrees_with_its_regex_on_the_sample_corpus() -> None:
    from redline.extract.rules import RuleExtractor

    rx = RuleExtractor(nlp=object())  # the lexical cues only: no model needed
    cues = [
        rx.threat_cue,
        rx.modality_cue,
        rx.crossing_cue,
        rx.response_cue,
        rx.punitive_cue,
        rx.concrete_cue,
        *(c for _, c in rx.claim_res),
    ]
    assert sum(c.starts is not None for c in cues) >= 4
    starts, combined = rx.triggers._any
    assert starts is not None
    sentences = sample_sentences()
    assert len(sentences) > 300
    for sent in sentences:
        for cue in cues:
            fast, plain = cue.search(sent), cue.pattern.search(sent)
            assert (fast and (fast.span(), fast.groups())) == (
                plain and (plain.span(), plain.groups())
            ), sent
        assert rx.triggers.any_match(sent) == bool(combined.search(sent)), sent


def test_an_attack_on_a_member_crosses_the_alliance_s_line_from_the_day_it_joined() -> None:
    """``actors.yaml`` (``territory_lines``, ``alliances``): Finland's own territory is NATO
    territory only from its accession (4 April 2023); Russia's is its own; Ukraine has none."""
    from datetime import date

    from redline.knowledge import territory_line

    assert territory_line("FIN", date(2022, 5, 1)) is None
    assert territory_line("FIN", date(2023, 5, 1)) == "attack_on_nato_territory"
    assert territory_line("USA", date(2022, 5, 1)) == "attack_on_nato_territory"
    assert territory_line("RUS", date(2022, 5, 1)) == "attack_on_russia"
    assert territory_line("UKR", date(2024, 1, 1)) is None
    assert territory_line(None, None) is None


def test_inside_of_russia_names_the_western_weapons_line() -> None:
    """'inside of Russia' is the same place as 'inside Russia'."""
    for line in (
        "how Kyiv used the missiles, including against targets inside of Russia",
        "the jets may strike targets inside of Russia",
    ):
        assert "western_weapons_on_russian_territory" in keys(line), line
    assert "western_weapons_on_russian_territory" not in keys("the mood inside of the cabinet")


def _actor_texts() -> list[str]:
    return [
        "RUSSIA WARNS ISRAEL AGAINST PROVIDING ARMS TO UKRAINE, says Putin",
        "anti-Russia, Russian-made, Putinism, Joe Biden's aides and the U.S. said; Biden",
        "Biden",
        "Zelenskyy-Biden talks: Biden, Putin and Lukashenko met; NATO-Russia council",
        *sample_texts(),
    ]


def test_actor_aliases_are_found_where_the_whole_pattern_finds_them() -> None:
    """``ActorGazetteer`` tries its pattern only at words that open an alias: the same
    matches, in the same order, as the pattern's own search over every character."""
    gaz = knowledge.actors()
    assert gaz._pattern is not None and gaz._openings is not None
    found = 0
    for text in _actor_texts():
        fast = [(m.span(), m.group(0)) for m in gaz._finditer(text)]
        plain = [(m.span(), m.group(0)) for m in gaz._pattern.finditer(text)]
        assert fast == plain, text[:80]
        found += len(plain)
    assert found > 100


@given(
    st.lists(
        st.sampled_from(
            ["Biden", "Joe", "Putin", "Russia", "Russian", "NATO", "U.S.", "the", "-", "anti-"]
            + ["Vladimir", "Kremlin", "Ukraine", "x", ",", "'s", "_", "2024", "ü", " "]
        ),
        max_size=12,
    )
)
def test_actor_search_by_openings_matches_the_pattern(words: list[str]) -> None:
    gaz = knowledge.actors()
    assert gaz._pattern is not None
    for text in ("".join(words), " ".join(words)):
        fast = [m.span() for m in gaz._finditer(text)]
        assert fast == [m.span() for m in gaz._pattern.finditer(text)], text


@pytest.mark.parametrize(
    "crossed_by",
    ["    actor_hint: CHN\n    crossed_by: IRN\n", "    crossed_by: [IRN]\n"],
)
def test_crossed_by_is_a_list_beside_a_hint(tmp_path: Path, crossed_by: str) -> None:
    """One code written without brackets was read letter by letter (I, R, N: Iran crossed
    nothing), and a list without a hint was never read."""
    extra = tmp_path / "lines.yaml"
    extra.write_text(
        "triggers:\n  drones_to_russia:\n    label: Drones for Russia\n    patterns: []\n"
        + crossed_by,
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="crossed_by"):
        knowledge.triggers((str(extra),))


def test_packaged_data_is_parsed_by_libyaml_to_the_same_objects() -> None:
    """The packaged YAML files are parsed by libyaml where PyYAML has it (the pure-Python
    parser cost every process a tenth of a second), to exactly what ``yaml.safe_load`` gives."""
    import yaml

    if yaml.__with_libyaml__:
        assert knowledge.PACKAGED_LOADER is yaml.CSafeLoader
    data = Path(knowledge.__file__).parent / "data"
    names = sorted(p.name for p in data.glob("*.yaml"))
    assert {"actors.yaml", "triggers.yaml", "cues.yaml", "priors.yaml"} <= set(names)
    for name in names:
        want = yaml.safe_load((data / name).read_text(encoding="utf-8"))
        got = knowledge.packaged_yaml(name)
        assert got == want and repr(got) == repr(want), name


def test_each_line_is_searched_as_one_alternation_with_the_same_matches() -> None:
    """``TriggerTree`` searches each line's patterns as one alternation, tried only at the words
    that can open it (three times faster over the gold sentences): every line found, and where,
    is what one search per pattern gives, the leftmost match and, at one place, the first
    pattern in order."""
    tree = knowledge.triggers()

    def one_search_each(text: str) -> dict[str, tuple[int, int]]:
        hits: dict[str, tuple[int, int]] = {}
        for key, trig in tree.triggers.items():
            for pat in trig.patterns:
                m = pat.search(text)
                if m and (key not in hits or m.start() < hits[key][0]):
                    hits[key] = (m.start(), m.end())
        return hits

    texts = [
        "Moscow warned that sending F-16s and tanks to Ukraine would make NATO a party.",
        "If Russia invades Ukraine, the allies will impose new sanctions on Moscow.",
        "The G7 agreed a price cap while Iran shipped drones to Russia.",
        "Strikes inside Russia with Western missiles near Kharkiv were allowed on Friday.",
        "Nothing about any line here at all.",
        "İstanbul talks on the grain corridor and Kaliningrad transit resumed.",
    ]
    for text in texts:
        expected = one_search_each(text)
        found = {key: (start, end) for key, start, end in tree._match(text)}
        # ``_match`` drops a line when a narrower one matched: compare what both keep
        assert found == {k: v for k, v in expected.items() if k in found}, text
        assert set(expected) - set(found) <= {a for k in found for a in tree.ancestors(k)}, text

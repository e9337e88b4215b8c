"""Group items into episodes by (threatener, trigger), with the trigger hierarchy, in linear time.

Threats and outcome claims open an episode for their (country, trigger) pair: a dict of lists,
never a comparison of all pairs. A crossing, response or claim of trigger ``K`` then joins the
episodes on ``K`` and on each ancestor of ``K`` (``TriggerTree.crosses``), looked up by key;
``comparisons`` counts the (item, episode) candidates examined, so tests can check the cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from redline.knowledge import TriggerTree, is_coined
from redline.link.assess import Members
from redline.link.items import Item, Pool, untargeted
from redline.vocab import ItemKind

EpisodeKey = tuple[str, str]
# An act that names no line joins its actor's episodes only when the extractor is fairly sure
# it is a response, and only from news or statements (an opinion piece recounting events is not
# a report of a response).
UNTARGETED_MIN_CONFIDENCE = 0.5  # (threatener country, trigger key)


@dataclass
class Blocks:
    episodes: dict[EpisodeKey, Members] = field(default_factory=dict)
    unlinked_threats: int = 0
    # threats over a line the vocabulary lacks (a coined key): kept as items, no episode, since
    # no crossing or response can be matched to a line only one wording names
    coined_lines: int = 0
    wrong_side: int = 0  # threats (and claims) whose speaker is on the side that crosses the line
    comparisons: int = 0


def episode_key(threatener: str, trigger_key: str) -> str:
    return f"{threatener}:{trigger_key}"


def block(pool: Pool, tree: TriggerTree) -> Blocks:
    """Every episode the pool supports, with all its candidate members (dates are not checked)."""
    out = Blocks()
    for t in pool.items[ItemKind.THREAT]:
        if not t.country or not t.trigger_key:
            out.unlinked_threats += 1
        elif is_coined(t.trigger_key):
            out.coined_lines += 1
        elif tree.on_crossing_side(t.country, t.trigger_key):
            out.wrong_side += 1  # a line is never drawn by the side that crosses it
        else:
            _episode(out, t.country, t.trigger_key).threats.append(t)
    for c in pool.items[ItemKind.CLAIM]:
        if c.country and c.trigger_key:
            if tree.on_crossing_side(c.country, c.trigger_key):
                out.wrong_side += 1
            else:  # implicit threat: the author says a line existed
                _episode(out, c.country, c.trigger_key)

    threateners: dict[str, list[str]] = defaultdict(list)  # trigger -> countries with an episode
    for country, trigger in out.episodes:
        threateners[trigger].append(country)
    lines_cache: dict[str, list[str]] = {}

    def lines(trigger: str) -> list[str]:
        """The episode triggers a crossing of ``trigger`` crosses: itself and its ancestors."""
        if trigger not in lines_cache:
            lines_cache[trigger] = [trigger, *tree.ancestors(trigger)]
        return lines_cache[trigger]

    def join(item: Item, into: str) -> None:
        if not item.trigger_key:
            return
        for line in lines(item.trigger_key):
            if into == "crossings":  # crossed by anyone but the episode's own threatener
                candidates = threateners.get(line, [])
            else:  # answered, or claimed about, by the threatener itself
                owner = item.country
                candidates = [owner] if owner and (owner, line) in out.episodes else []
            for country in candidates:
                out.comparisons += 1
                if into != "crossings" or country != item.country:
                    getattr(out.episodes[(country, line)], into).append(item)

    by_owner: dict[str, list[str]] = defaultdict(list)  # country -> its episodes' triggers
    for country, trigger in out.episodes:
        by_owner[country].append(trigger)
    for item in pool.items[ItemKind.CROSSING]:
        join(item, "crossings")
    for item in pool.items[ItemKind.RESPONSE]:
        if (
            item.trigger_key
            and item.id not in pool.kind_by_analyst
            and tree.on_crossing_side(item.country, item.trigger_key)
        ):
            # the usual crosser's act on a line (the West "imposed sanctions"): whatever the
            # extractor called it, it crosses the other side's line on that trigger (an
            # analyst who called it a response is taken at their word)
            join(item, "crossings")
        if untargeted(item, tree):
            if (
                item.confidence < UNTARGETED_MIN_CONFIDENCE
                or pool.docs[item.document_id].genre == "opinion"
            ):
                continue  # too weak to stand for an answer to a line the text does not name
            # the text ties the act to no line of the responder's: it may answer any of them;
            # assessment keeps it only inside a crossing's response window (and says so)
            for trigger in by_owner.get(item.country or "", []):
                out.comparisons += 1
                out.episodes[(str(item.country), trigger)].responses.append(item)
        else:
            join(item, "responses")
    for item in pool.items[ItemKind.CLAIM]:
        join(item, "claims")
    return out


def _episode(out: Blocks, country: str, trigger: str) -> Members:
    key = (country, trigger)
    if key not in out.episodes:
        out.episodes[key] = Members(country, trigger)
    return out.episodes[key]

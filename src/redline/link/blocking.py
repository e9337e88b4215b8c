"""Group items into episodes by (threatener, trigger), with the trigger hierarchy, in linear time.

Threats and outcome claims open an episode for their (country, trigger) pair: a dict of lists,
never a comparison of all pairs. A crossing, response or claim of trigger ``K`` then joins the
episodes on ``K`` and on each ancestor of ``K`` (``TriggerTree.crosses``), looked up by key;
``comparisons`` counts the (item, episode) candidates examined, so tests can check the cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from redline.knowledge import TriggerTree
from redline.link.assess import Members
from redline.link.items import Item, Pool

EpisodeKey = tuple[str, str]  # (threatener country, trigger key)


@dataclass
class Blocks:
    episodes: dict[EpisodeKey, Members] = field(default_factory=dict)
    unlinked_threats: int = 0
    comparisons: int = 0


def episode_key(threatener: str, trigger_key: str) -> str:
    return f"{threatener}:{trigger_key}"


def block(pool: Pool, tree: TriggerTree) -> Blocks:
    """Every episode the pool supports, with all its candidate members (dates are not checked)."""
    out = Blocks()
    for t in pool.items["threat"]:
        if not t.country or not t.trigger_key:
            out.unlinked_threats += 1
            continue
        _episode(out, t.country, t.trigger_key).threats.append(t)
    for c in pool.items["claim"]:
        if c.country and c.trigger_key:
            _episode(
                out, c.country, c.trigger_key
            )  # implicit threat: the author says a line existed

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
            if item.kind == "crossing":  # crossed by anyone but the episode's own threatener
                candidates = threateners.get(line, [])
            else:  # answered, or claimed about, by the threatener itself
                owner = item.country
                candidates = [owner] if owner and (owner, line) in out.episodes else []
            for country in candidates:
                out.comparisons += 1
                if item.kind != "crossing" or country != item.country:
                    getattr(out.episodes[(country, line)], into).append(item)

    for item in pool.items["crossing"]:
        join(item, "crossings")
    for item in pool.items["response"]:
        join(item, "responses")
    for item in pool.items["claim"]:
        join(item, "claims")
    return out


def _episode(out: Blocks, country: str, trigger: str) -> Members:
    key = (country, trigger)
    if key not in out.episodes:
        out.episodes[key] = Members(country, trigger)
    return out.episodes[key]

"""Link threats, crossings, responses and outcome claims into red-line episodes with a status."""

from redline.link.assess import Assessment, evidence_note
from redline.link.episodes import (
    EpisodeState,
    EpisodeView,
    episode_status,
    evaluate,
    get_episode,
    list_episodes,
)
from redline.link.linker import DEFAULT_WINDOW_DAYS, LinkReport, link

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "Assessment",
    "EpisodeState",
    "EpisodeView",
    "LinkReport",
    "episode_status",
    "evaluate",
    "evidence_note",
    "get_episode",
    "link",
    "list_episodes",
]

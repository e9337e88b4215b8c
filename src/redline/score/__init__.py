"""Score each actor's follow-through on its red lines (Beta-Binomial, with named priors)."""

from redline.score.credibility import (
    LEVEL,
    Estimate,
    Posterior,
    TimelinePoint,
    check_level,
    credibility,
    credibility_timeline,
    estimates,
    level_text,
    posterior,
    timeline,
)
from redline.score.priors import Prior, get_prior, priors

__all__ = [
    "LEVEL",
    "Estimate",
    "Posterior",
    "Prior",
    "TimelinePoint",
    "check_level",
    "credibility",
    "credibility_timeline",
    "estimates",
    "get_prior",
    "level_text",
    "posterior",
    "priors",
    "timeline",
]

"""Score each actor's follow-through on its red lines (Beta-Binomial, with named priors)."""

from redline.score.credibility import (
    LEVEL,
    Estimate,
    Posterior,
    TimelinePoint,
    credibility,
    credibility_timeline,
    estimates,
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
    "credibility",
    "credibility_timeline",
    "estimates",
    "get_prior",
    "posterior",
    "priors",
    "timeline",
]

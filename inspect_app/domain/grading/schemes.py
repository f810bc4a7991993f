"""Grading schemes: which rating a grade belongs to, and how its level is written.

* ``star`` — the GB/T 37276-2018 star levels of elderly-care institutions (1–5 stars);
* ``a_level`` — the rating of community home-care service centres (社区居家养老服务中心等级评定),
  whose levels A, AA, AAA, AAAA, AAAAA are written 1A–5A (docs/regulations.md, "Community-centre
  rating (A-levels)").

Both run through the same lifecycle (application, evaluation, 公示, confirmation, validity,
suspension); a grade record keeps its scheme, so a level 4 is "four stars" on one and "4A" on
the other, and the two are never listed or ranked as one scale.
"""
from __future__ import annotations

STAR, A_LEVEL = "star", "a_level"
SCHEMES = (STAR, A_LEVEL)
DEFAULT = STAR


def a_label(level: int | None) -> str | None:
    """The A-level as written in both languages: 4 → "4A"; None or out of 1..5 → None."""
    if isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= 5:
        return f"{level}A"
    return None


def label(scheme: str | None, level: int | None) -> str | None:
    """The level as a short code: "4A" on the A-level scheme, "4" (stars) otherwise; None when
    there is no level."""
    if level is None:
        return None
    if scheme == A_LEVEL:
        return a_label(level)
    return str(level)

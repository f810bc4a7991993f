"""Whole numbers typed into forms and query strings, read strictly.

``"²".isdigit()`` is true and ``int("١٢")`` is 12: Python's own checks accept far more than
the ASCII digits a form sends, and an unbounded number overflows a database column. One
parser for every id, level, page or count that comes from a request: ASCII digits only, at
most nine of them (so the value fits any INTEGER column), anything else is ``None``.
Counts in a form or a spreadsheet cell, with their messages, are ``domain/counts.py``.
"""
from __future__ import annotations

import re

_WHOLE = re.compile(r"[0-9]{1,9}")


def whole_number(text) -> int | None:
    """``text`` as a non-negative int, or None unless it is 1–9 ASCII digits (an int passes
    through when it is in that range)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text <= 999_999_999 else None
    if not isinstance(text, str) or not _WHOLE.fullmatch(text):
        return None
    return int(text)


def whole_numbers(values) -> list[int] | None:
    """Every value read by :func:`whole_number`, or None if any one is not a whole number."""
    out = [whole_number(v) for v in values]
    return None if any(v is None for v in out) else out


__all__ = ["whole_number", "whole_numbers"]

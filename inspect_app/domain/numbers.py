"""Whole numbers typed into forms and query strings, read strictly.

``"²".isdigit()`` is true and ``int("١٢")`` is 12: Python's own checks accept far more than
the ASCII digits a form sends, and an unbounded number overflows a database column. One
parser for every id, level, page or count that comes from a request: ASCII digits only, at
most nine of them (so the value fits any INTEGER column), anything else is ``None``.
"""
from __future__ import annotations

import re

from .texts import N_, Message

INT32_MAX = 2**31 - 1          # INTEGER columns (PostgreSQL ``integer``)
INT64_MAX = 2**63 - 1          # BIGINT columns, and SQLite's own limit
_WHOLE = re.compile(r"[0-9]{1,9}")
# A count as a spreadsheet writes it: digits, optionally grouped by thousands, optionally a
# zero fraction (Excel's "100.0"). No sign, no exponent, no inf/nan, ASCII digits only.
_COUNT = re.compile(r"(?P<digits>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.0*)?")
_DECIMAL = re.compile(r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)")


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


def read_count(text: str, maximum: int = INT32_MAX) -> tuple[int | None, str | None]:
    """A count typed into a form or a spreadsheet cell: ``(value, None)`` or ``(None, why not)``.

    ``"1,200"`` and ``"100.0"`` are counts; ``"inf"``, ``"nan"``, ``"1e400"``, ``"²"``, ``"１２"``
    and anything above ``maximum`` (the column's range) are not.
    """
    text = text.strip()
    match = _COUNT.fullmatch(text)
    if match is None:
        if _DECIMAL.fullmatch(text):
            return None, Message(N_("'%(value)s' must be a whole number ≥ 0"), value=text)
        return None, Message(N_("'%(value)s' is not a number (write it with the digits 0-9)"), value=text)
    digits = match["digits"].replace(",", "").lstrip("0") or "0"
    if len(digits) > len(str(maximum)) or int(digits) > maximum:
        return None, Message(N_("'%(value)s' is larger than %(maximum)s"), value=text, maximum=maximum)
    return int(digits), None


__all__ = ["INT32_MAX", "INT64_MAX", "read_count", "whole_number", "whole_numbers"]

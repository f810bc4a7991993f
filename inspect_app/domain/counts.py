"""Counts typed into a form or a spreadsheet cell, read strictly, and the ranges of the
integer columns that hold them.

A count as a spreadsheet writes it: digits, optionally grouped by thousands, optionally a zero
fraction (Excel's "100.0"). No sign, no exponent, no inf/nan, ASCII digits only, at most the
column's maximum.
"""
from __future__ import annotations

import re

from .translatable import N_, Message

INT32_MAX = 2**31 - 1          # INTEGER columns (PostgreSQL ``integer``)
INT64_MAX = 2**63 - 1          # BIGINT columns, and SQLite's own limit
_COUNT = re.compile(r"(?P<digits>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.0*)?")
_DECIMAL = re.compile(r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)")


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


__all__ = ["INT32_MAX", "INT64_MAX", "read_count"]

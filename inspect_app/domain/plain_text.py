"""Text the system can store and write out: no control characters.

PostgreSQL refuses NUL in text (the driver raises), XML 1.0 — and so every .xlsx — cannot carry
the other C0 control characters, nor U+FFFE/U+FFFF (openpyxl raises IllegalCharacterError).
Tab, line feed and carriage return are ordinary text. Input holding any other of these is
refused where it enters (docs/security.md, "Input"); writers replace what is stored anyway.
"""
from __future__ import annotations

import re

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def forbidden_character(text: str) -> str | None:
    """The first character of ``text`` no column or writer can hold, as ``U+0000``, or None."""
    found = FORBIDDEN.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def writable(value):
    """``value`` with each forbidden character replaced by U+FFFD (anything not a str as it is)."""
    if isinstance(value, str) and FORBIDDEN.search(value):
        return FORBIDDEN.sub(REPLACEMENT, value)
    return value


__all__ = ["FORBIDDEN", "forbidden_character", "writable"]

"""Reading a JSON request body within bounds, every refusal located.

Python's parser recurses once per nesting level, so a body nested a few thousand levels deep
raises RecursionError (a 500) before any view sees it. The depth is therefore measured on the
raw text first, in one pass, and only a body within ``max_depth`` is parsed. The parse then
keeps what no column or writer can hold from reaching the services: ``NaN``/``Infinity``
(which Python accepts and JSON does not), numbers beyond a double or a 64-bit integer, and
control characters in any key or string (see domain/plain_text.py).

Locations are paths into the body: ``remark``, ``answers.FIRE-01``, ``photos[2]``; the body
itself is ``body``.
"""
from __future__ import annotations

import json
import math
import re

import numpy as np

from ..domain.counts import INT64_MAX
from ..domain.plain_text import forbidden_character

# A string, or an unterminated one up to the end: always matches from a quote, so the scan
# stays linear whatever the input (a pattern that can fail there backtracks quadratically).
_STRING = re.compile(rb'"[^"\\]*(?:\\.?[^"\\]*)*(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INT_DIGITS = len(str(INT64_MAX))
# How a string parsed from UTF-8 can hold a forbidden character (domain/plain_text.py): an
# escape (backslash-u, -b or -f; an escaped backslash before u/b/f matches too, which only
# costs the walk) or U+FFFE/U+FFFF written as UTF-8 (JSON refuses raw C0 characters itself).
_MAY_HOLD_FORBIDDEN = re.compile(rb"\\[ubf]|\xef\xbf[\xbe\xbf]")


class RefusedBody(ValueError):
    """The body cannot be accepted; ``problems`` are located messages."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class UnreadableBody(RefusedBody):
    """The body is not JSON at all."""


class _Refused:
    """Stands in, during the parse, for a number the body may not hold."""

    def __init__(self, text: str, why: str):
        self.text, self.why = text, why


def nesting_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in ``raw`` (brackets inside strings do not count)."""
    brackets = np.frombuffer(_NOT_BRACKET.sub(b"", _STRING.sub(b"", raw)), dtype=np.uint8)
    if not brackets.size:
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def _int(text: str):
    if len(text.lstrip("-")) > _INT_DIGITS or abs(int(text)) > INT64_MAX:
        return _Refused(text, "is outside the 64-bit integer range")
    return int(text)


def _float(text: str):
    value = float(text)
    return value if math.isfinite(value) else _Refused(text, "is outside the range of a number")


def _constant(text: str):
    return _Refused(text, "is not a number JSON allows")


def _where(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return str(key) if path == "body" else f"{path}.{key}"


def _problems(value) -> list[str]:
    """Every refused number and every string holding a control character, located."""
    problems: list[str] = []
    stack = [("body", value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                char = forbidden_character(key)
                if char:
                    shown = key.encode("unicode_escape").decode("ascii")
                    problems.append(f"{_where(path, shown)}: the name contains a control character ({char})")
                stack.append((_where(path, key), child))
        elif isinstance(node, list):
            stack.extend((_where(path, i), child) for i, child in enumerate(node))
        elif isinstance(node, str):
            char = forbidden_character(node)
            if char:
                problems.append(f"{path}: contains a control character ({char})")
        elif isinstance(node, _Refused):
            problems.append(f"{path}: {node.text} {node.why}")
    return sorted(problems)


def read_json(raw: bytes, max_depth: int) -> object:
    """The parsed body; :class:`UnreadableBody` when it is not JSON, :class:`RefusedBody`
    when it nests too deep or holds a value that cannot be stored."""
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise RefusedBody([f"body: nested deeper than {max_depth} levels ({depth})"])
    refused = []

    def hook(parse):
        def checked(text):
            out = parse(text)
            if isinstance(out, _Refused):
                refused.append(out)
            return out
        return checked
    try:
        value = json.loads(raw, parse_int=hook(_int), parse_float=hook(_float), parse_constant=hook(_constant))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableBody([f"body: not JSON ({exc})"]) from None
    if (not refused and isinstance(raw, bytes) and json.detect_encoding(raw) == "utf-8"
            and not _MAY_HOLD_FORBIDDEN.search(raw)):
        return value                      # nothing the walk below could find: skip it
    problems = _problems(value)
    if problems:
        raise RefusedBody(problems)
    return value


__all__ = ["RefusedBody", "UnreadableBody", "nesting_depth", "read_json"]

"""The vocabulary of checklist validation: value rules, exact numbers, located issues.

A value rule takes a raw value as YAML or a spreadsheet delivers it and returns it
normalised, or raises :class:`Invalid` with a message that completes "<field> …" and says
what was found. :class:`Fields` applies rules to one mapping and records an :class:`Issue`
per broken rule, so a caller collects every problem rather than the first.

Numbers become :class:`~fractions.Fraction` from their decimal text, so ``0.1`` is exactly
1/10; booleans are not numbers and numbers are not strings.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, Callable

ID_PATTERN = re.compile(r"[a-z0-9-]+")
# Characters a YAML file cannot hold as they are: control characters (tab, newline and
# carriage return aside), surrogates, U+FFFE and U+FFFF.
NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                           "\U00010000-\U0010ffff]")
# Characters no checklist text may hold: those, carriage returns and the C1 controls (a
# spreadsheet cell cannot keep them), and the line and paragraph separators (YAML would
# turn them into line breaks). Tabs and newlines are fine.
NOT_TEXT = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd"
                      "\U00010000-\U0010ffff]")
DECIMAL_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)")

Loc = tuple[Any, ...]
INVALID: Any = object()   # marks a value that broke its rule (the issue is already recorded)


@dataclass(frozen=True)
class Issue:
    loc: Loc          # path into the data, e.g. ("sections", 0, "items", 2, "points")
    where: str        # item id, section id, top-level field
    message: str      # read after ``where``
    subject: str = ""  # the field a top-level message is about (its ``where``)

    @property
    def standalone(self) -> str:
        """The message for a reader who does not see ``where`` (a spreadsheet cell)."""
        return f"{self.subject} {self.message}" if self.subject else self.message


class Invalid(Exception):
    """A value breaks its rule; the text completes "<field> …", e.g. "must be a number"."""


# Numbers ------------------------------------------------------------------------------------

def to_fraction(value: Any) -> Fraction | None:
    """The exact value of a finite number (a float by its shortest decimal text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value) if value.is_finite() else None
    return None


def number_text(value: Any) -> str:
    """A number as a person would write it: 10, 2.5, 0.1."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        with localcontext() as ctx:
            ctx.prec = 60
            exact = Decimal(value.numerator) / Decimal(value.denominator)
        return format(exact.normalize(), "f")
    return repr(value) if isinstance(value, float) else str(value)


def plain_number(value: Fraction) -> int | float:
    """The int or float that reads back as exactly ``value`` (for YAML, JSON and cells)."""
    if value.denominator == 1:
        return value.numerator
    as_float = float(value)
    if to_fraction(as_float) != value:
        raise ValueError(f"{value} cannot be written exactly as a decimal number")
    return as_float


def describe(value: Any) -> str:
    """What was found, for messages: "the number 0", "the text 'ten'", "a list" …"""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Fraction, Decimal)):
        return f"the number {number_text(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f"the text {shown!r}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    return f"a value of type {type(value).__name__}"


def _found(value: Any) -> str:
    """"found …", with a hint when a number was written as text."""
    found = f"found {describe(value)}"
    if isinstance(value, str):
        if DECIMAL_TEXT.fullmatch(value.strip()):
            return f"{found}; write numbers without quotes"
        try:
            exact = to_fraction(float(value))
        except ValueError:
            exact = None
        if exact is not None:
            return f"{found}; write it as a plain decimal number, e.g. {number_text(exact)}"
    return found


# Value rules: raw value -> normalised value, or raise Invalid ------------------------------

def text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise Invalid(f"must be a string (found the number {number_text(value)}; "
                      "write it in quotes)")
    if not isinstance(value, str):
        raise Invalid(f"must be a string ({_found(value)})")
    if not value.strip():
        raise Invalid("must not be empty")
    control = NOT_TEXT.search(value)
    if control:
        raise Invalid("must not contain control characters or line separators (found "
                      f"U+{ord(control.group()):04X} at character {control.start() + 1})")
    return value


def identifier(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise Invalid("must be made of lower-case letters a-z, digits and hyphens only "
                      f"({_found(value)})")
    return value


def version(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise Invalid(f'must be a string, not a number (found {number_text(value)}): '
                      f'write it in quotes, version: "{number_text(value)}"')
    if isinstance(value, (dt.date, dt.datetime)):
        raise Invalid(f'must be a string, not a date (found {value.isoformat()}): '
                      f'write it in quotes, version: "{value.isoformat()}"')
    return text(value)


def choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def rule(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise Invalid(f"must be one of {', '.join(options)} ({_found(value)})")
        return value
    return rule


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false ({_found(value)})")
    return value


def number(value: Any) -> Fraction:
    result = to_fraction(value)
    if result is None:
        raise Invalid(f"must be a finite number ({_found(value)})")
    return result


def positive(value: Any) -> Fraction:
    result = to_fraction(value)
    if result is None or result <= 0:
        raise Invalid(f"must be a number greater than 0 ({_found(value)})")
    return result


def positive_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise Invalid(f"must be a whole number greater than 0 ({_found(value)})")
    return value


def between(high: Fraction | None, what: str) -> Callable[[Any], Fraction]:
    """A number from 0 to ``high`` (``what`` names it); only >= 0 while ``high`` is unknown."""
    def rule(value: Any) -> Fraction:
        result = to_fraction(value)
        if result is None or result < 0 or (high is not None and result > high):
            allowed = (f"a number from 0 to {number_text(high)}, {what}" if high is not None
                       else "a number of at least 0")
            raise Invalid(f"must be {allowed} ({_found(value)})")
        return result
    return rule


# Mappings -----------------------------------------------------------------------------------

class Fields:
    """The fields of one mapping, checked one rule at a time; each broken rule is an Issue.

    ``where`` is the item or section id (messages then start with the field name), or None
    for the top level, where the field itself is the ``where``. ``label`` prefixes messages
    of entries that have no id of their own ("level 5: ").
    """

    def __init__(self, data: dict, loc: Loc, where: str | None, issues: list[Issue],
                 label: str = ""):
        self.data, self.loc, self.where, self.issues, self.label = data, loc, where, issues, label

    def fail(self, name: Any, message: str, *, at: Loc | None = None) -> None:
        """Record "<name> <message>"; ``at`` locates it below this mapping (default: name)."""
        name = name if isinstance(name, str) else repr(name)
        loc = self.loc + (at if at is not None else (name,))
        if self.where is None:
            self.issues.append(Issue(loc, name, message, subject=name))
        else:
            self.issues.append(Issue(loc, self.where, f"{self.label}{name} {message}"))

    def reject_unknown(self, allowed: tuple[str, ...], what: str) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(key, f"is not a known {what}; allowed: {', '.join(allowed)}")

    def get(self, name: str, rule: Callable[[Any], Any], *, required: bool = False,
            default: Any = None) -> Any:
        """The normalised value, ``default`` when absent (null counts as absent), or INVALID."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
                return INVALID
            return default
        try:
            return rule(value)
        except Invalid as exc:
            self.fail(name, str(exc))
            return INVALID


def valid(*values: Any) -> bool:
    return all(v is not INVALID for v in values)

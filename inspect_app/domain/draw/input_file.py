"""The input of the 双随机 draw (docs/commands.md, "draw"): validation into frozen dataclasses, and its digest.

Every problem is collected and located (``institutions[3].id: duplicate id "I004"``), so one
run tells the user everything to fix. Indexes count from 0. Fields:

- ``seed``: a non-empty string.
- ``institutions``: a list of ``{"id", "district", "risk"}``, all strings; ids unique.
- ``inspectors``: a list of ``{"id", "department", "district", "avoid"?}``; ids unique;
  ``department`` one of :data:`DEPARTMENTS`; ``avoid`` a list of institution ids (default
  empty; ids not in the institution list are harmless).
- ``departments``: a list of department codes, each listed once.
- ``ratios``: an object from risk class to a number in [0, 1].
- ``team_per_department``, ``max_per_inspector``: positive integers (``true`` and ``1.0`` are
  not integers).
- ``avoid_own_district``: ``true`` or ``false`` (default false).

Unknown fields are ignored, as the contract allows compatible extension.

Ratios are kept as exact :class:`~fractions.Fraction` values of their decimal text. When the
document is read with :func:`load_draw_input`, numbers with a fraction or exponent are parsed
as :class:`~decimal.Decimal`, which keeps the text exactly as written; a ``float`` (from plain
``json.loads``) is read through its shortest ``repr``, which is the written text for any
decimal of up to 15 significant digits.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from ..bureau import DEPARTMENTS


class InvalidDrawInput(ValueError):
    """The input breaks the rules (docs/commands.md, "draw"); ``problems`` lists every one, located."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Institution:
    id: str
    district: str
    risk: str


@dataclass(frozen=True)
class Inspector:
    id: str
    department: str
    district: str
    avoid: tuple[str, ...] = ()        # institution ids, sorted and without repeats


@dataclass(frozen=True)
class DrawInput:
    seed: str
    institutions: tuple[Institution, ...]
    inspectors: tuple[Inspector, ...]
    departments: tuple[str, ...]
    ratios: Mapping[str, Fraction]     # read-only, keys sorted
    team_per_department: int
    max_per_inspector: int
    avoid_own_district: bool
    digest: str                        # input_digest() of the document this was parsed from


def input_digest(obj: object) -> str:
    """SHA-256 (hex) of ``obj`` serialised as docs/commands.md, "draw", prescribes.

    ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` in UTF-8,
    where ``obj`` is the input as ``json.loads`` parses it. A :class:`~decimal.Decimal` (from
    :func:`load_draw_input`) is serialised as the float ``json.loads`` would have produced
    from the same text, so both ways of reading a document give the same digest.
    """
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_decimal_as_float)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _decimal_as_float(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def load_draw_input(data: bytes | str) -> DrawInput:
    """Parse a JSON document (bytes in UTF-8, a UTF-8 BOM tolerated, or text) and validate it.

    Syntax errors are reported as ``line N column M: <message>``.
    """
    try:
        obj = json.loads(data, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise InvalidDrawInput([f"line {error.lineno} column {error.colno}: {error.msg}"]) from None
    except UnicodeDecodeError as error:
        raise InvalidDrawInput(
            [f"input: not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    except RecursionError:
        raise InvalidDrawInput(["input: nested too deeply"]) from None
    except ValueError as error:   # e.g. an integer longer than Python converts
        raise InvalidDrawInput([f"input: a number is too long to read ({error})"]) from None
    return parse_draw_input(obj)


def parse_draw_input(obj: object) -> DrawInput:
    """Validate a parsed JSON document; raise :class:`InvalidDrawInput` with every problem."""
    if not isinstance(obj, dict):
        raise InvalidDrawInput([f"input: must be a JSON object, not {_kind(obj)}"])
    problems: list[str] = []
    fields = _Fields(obj, problems)

    seed = fields.take("seed")
    if seed is not _MISSING and not (isinstance(seed, str) and seed):
        problems.append(f"seed: must be a non-empty string, not {_show(seed)}")

    institutions = _institutions(fields.take("institutions"), problems)
    inspectors = _inspectors(fields.take("inspectors"), problems)
    departments = _departments(fields.take("departments"), problems)
    ratios = _ratios(fields.take("ratios"), problems)
    team = _positive_integer("team_per_department", fields.take("team_per_department"), problems)
    max_load = _positive_integer("max_per_inspector", fields.take("max_per_inspector"), problems)
    avoid_own_district = obj.get("avoid_own_district", False)
    if not isinstance(avoid_own_district, bool):
        problems.append("avoid_own_district: must be true or false, "
                        f"not {_show(avoid_own_district)}")

    try:
        digest = input_digest(obj)
    except UnicodeEncodeError as error:
        problems.append(f"input: contains {error.object[error.start:error.end]!a}, a lone "
                        "surrogate that has no UTF-8 form")
    except RecursionError:
        problems.append("input: nested too deeply")
    if problems:
        raise InvalidDrawInput(problems)
    return DrawInput(
        seed=seed,
        institutions=tuple(institutions),
        inspectors=tuple(inspectors),
        departments=tuple(departments),
        ratios=MappingProxyType(dict(sorted(ratios.items()))),
        team_per_department=team,
        max_per_inspector=max_load,
        avoid_own_district=avoid_own_district,
        digest=digest,
    )


# --- the parts ----------------------------------------------------------------------------

_MISSING = object()


class _Fields:
    """Required fields of one JSON object; a missing one is reported once, located."""

    def __init__(self, obj: dict, problems: list[str], where: str = ""):
        self.obj, self.problems, self.where = obj, problems, where

    def take(self, name: str) -> object:
        if name not in self.obj:
            self.problems.append(f"{self.where}{name}: required")
            return _MISSING
        return self.obj[name]

    def string(self, name: str) -> str | None:
        value = self.take(name)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.problems.append(f"{self.where}{name}: must be a string, not {_show(value)}")
            return None
        return value


def _objects(name: str, value: object, problems: list[str]) -> list[tuple[str, _Fields]]:
    """The items of a list of objects, each with its location; problems for the rest."""
    if value is _MISSING:
        return []
    if not isinstance(value, list):
        problems.append(f"{name}: must be a list of objects, not {_kind(value)}")
        return []
    items = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if isinstance(item, dict):
            items.append((where, _Fields(item, problems, where + ".")))
        else:
            problems.append(f"{where}: must be an object, not {_kind(item)}")
    return items


class _UniqueIds:
    def __init__(self, problems: list[str]):
        self.first_at: dict[str, str] = {}
        self.problems = problems

    def check(self, where: str, fields: _Fields) -> str | None:
        ident = fields.string("id")
        if ident is None:
            return None
        if ident in self.first_at:
            self.problems.append(
                f"{where}.id: duplicate id {_quote(ident)} (first at {self.first_at[ident]})")
            return None
        self.first_at[ident] = where
        return ident


def _institutions(value: object, problems: list[str]) -> list[Institution]:
    ids = _UniqueIds(problems)
    institutions = []
    for where, fields in _objects("institutions", value, problems):
        ident = ids.check(where, fields)
        district, risk = fields.string("district"), fields.string("risk")
        if ident is not None and district is not None and risk is not None:
            institutions.append(Institution(ident, district, risk))
    return institutions


def _inspectors(value: object, problems: list[str]) -> list[Inspector]:
    ids = _UniqueIds(problems)
    inspectors = []
    for where, fields in _objects("inspectors", value, problems):
        ident = ids.check(where, fields)
        department = _department(f"{where}.department", fields.take("department"), problems)
        district = fields.string("district")
        avoid = _avoid(f"{where}.avoid", fields.obj.get("avoid", []), problems)
        if None not in (ident, department, district, avoid):
            inspectors.append(Inspector(ident, department, district, avoid))
    return inspectors


def _avoid(where: str, value: object, problems: list[str]) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        problems.append(f"{where}: must be a list of institution ids, not {_kind(value)}")
        return None
    bad = [f"{where}[{n}]: must be a string, not {_show(v)}"
           for n, v in enumerate(value) if not isinstance(v, str)]
    problems.extend(bad)
    return None if bad else tuple(sorted(set(value)))


def _department(where: str, value: object, problems: list[str]) -> str | None:
    if value is _MISSING:
        return None
    if not isinstance(value, str) or value not in DEPARTMENTS:
        problems.append(f"{where}: unknown department {_show(value)} "
                        f"(expected one of {', '.join(DEPARTMENTS)})")
        return None
    return value


def _departments(value: object, problems: list[str]) -> list[str]:
    if value is _MISSING:
        return []
    if not isinstance(value, list):
        problems.append(f"departments: must be a list of department codes, not {_kind(value)}")
        return []
    departments: list[str] = []
    for index, item in enumerate(value):
        department = _department(f"departments[{index}]", item, problems)
        if department is None:
            continue
        if department in departments:
            problems.append(f"departments[{index}]: duplicate department {_quote(department)}")
            continue
        departments.append(department)
    return departments


def _ratios(value: object, problems: list[str]) -> dict[str, Fraction]:
    if value is _MISSING:
        return {}
    if not isinstance(value, dict):
        problems.append(f"ratios: must be an object from risk class to ratio, not {_kind(value)}")
        return {}
    ratios = {}
    for risk, ratio in value.items():
        exact = _exact_number(ratio)
        if exact is None or not 0 <= exact <= 1:
            problems.append(f"{_member('ratios', risk)}: must be a number in [0, 1], "
                            f"not {_show(ratio)}")
        else:
            ratios[risk] = exact
    return ratios


def _exact_number(value: object) -> Fraction | None:
    """The exact decimal value of a JSON number; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return Fraction(value) if value.is_finite() else None
    return None


def _positive_integer(name: str, value: object, problems: list[str]) -> int | None:
    if value is _MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(f"{name}: must be a positive integer, not {_show(value)}")
        return None
    return value


# --- wording ------------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _member(where: str, key: str) -> str:
    return f"{where}.{key}" if _PLAIN_KEY.fullmatch(key) else f"{where}[{_quote(key)}]"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _show(value: object) -> str:
    """A value as it appears in JSON, shortened; containers are named by kind."""
    if isinstance(value, (list, dict)):
        return _kind(value)
    if isinstance(value, Decimal):
        return str(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."

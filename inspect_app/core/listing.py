"""List pages: one mechanism for filters, sorting, paging and exports.

A feature describes a list once, as a :class:`ListSpec` (its filters, the columns it may be
sorted by, its default sort); its service turns the query arguments into a :class:`ListQuery`
with :func:`parse` and applies it to a SELECT that is already scoped to the viewer. Views
never build queries: they pass the request's arguments to the service and render.

Parsing is strict and never fails: a value that is not one of the filter's choices, a date
that is not ``YYYY-MM-DD``, an unknown sort column or page number becomes a located problem
(``severity: 'zz' is not one of the choices; ignored``) and that filter is left out. A page
shows the list without it and the problems above it (so an old bookmark still opens); an
export with any problem is refused (400), so a file always holds exactly the rows asked for.
Arguments the list does not know (``lang``, say) are ignored.

Every filter, the sort and the page are written back into the URL (:meth:`ListQuery.args`),
so a filtered list can be bookmarked and its export link carries the same filters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _

from ..core.whole_numbers import whole_number
from .errors import DomainError
from .paging import Page, paginate

CHOICE, TEXT, DATE, FLAG = "choice", "text", "date", "flag"
MAX_PAGE = 1_000_000
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadQuery(DomainError):
    """A list's query arguments could not all be read (for exports: nothing is written)."""

    status = 400

    def __init__(self, problems: Iterable[tuple[str, str]]):
        self.problems = list(problems)
        super().__init__("The list's filters could not be read: %(problems)s",
                         problems="; ".join(f"{where}: {message}" for where, message in self.problems))


@dataclass(frozen=True)
class Filter:
    """One query argument of a list. ``choice`` values must be among the choices the service
    gives for the viewer (several may be given when ``multiple``); ``text`` is trimmed and at
    most ``max_length`` characters; ``date`` is ``YYYY-MM-DD``; ``flag`` is ``1`` (or empty).
    ``default`` applies only when the argument is absent (``state=`` asks for every state)."""
    name: str
    kind: str = CHOICE
    multiple: bool = False
    max_length: int = 100
    default: Any = None


@dataclass(frozen=True)
class ListSpec:
    name: str
    filters: tuple[Filter, ...]
    sorts: Mapping[str, tuple]          # sort key → SQL expressions (ascending order)
    default_sort: str                   # a key, "-key" for descending
    tiebreak: Any = None                # a unique column, so paging is stable
    per_page: int = 25

    def filter(self, name: str) -> Filter:
        return next(f for f in self.filters if f.name == name)


@dataclass(frozen=True)
class ListQuery:
    spec: ListSpec
    values: Mapping[str, Any]
    sort: str
    descending: bool
    page: int = 1
    problems: tuple[tuple[str, str], ...] = ()

    def __getitem__(self, name: str):
        return self.values.get(name)

    def get(self, name: str, default=None):
        value = self.values.get(name)
        return default if value in (None, (), "") else value

    def has(self, name: str, value: str) -> bool:
        """Is ``value`` chosen for the (multiple or single) choice filter ``name``?"""
        chosen = self.values.get(name)
        return value in chosen if isinstance(chosen, tuple) else chosen == value

    @property
    def sort_key(self) -> str:
        return ("-" if self.descending else "") + self.sort

    def args(self, **changes) -> dict[str, Any]:
        """The URL arguments that give this list again (for ``url_for``): every filter that
        differs from its default, the sort unless it is the default, the page unless it is
        the first; ``changes`` override (``page=2``, ``sort="-deadline"``)."""
        out: dict[str, Any] = {}
        for f in self.spec.filters:
            value = self.values.get(f.name)
            if value == f.default or (f.default is None and value in (None, "", ())):
                continue
            if value is None:
                out[f.name] = ""
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            elif isinstance(value, date):
                out[f.name] = value.isoformat()
            elif isinstance(value, bool):
                out[f.name] = "1" if value else ""
            else:
                out[f.name] = value
        if self.sort_key != self.spec.default_sort:
            out["sort"] = self.sort_key
        if self.page > 1:
            out["page"] = self.page
        out.update(changes)
        return {k: v for k, v in out.items() if v is not None}

    def export_args(self) -> dict[str, Any]:
        return self.args(page=None)

    def sort_args(self, key: str) -> dict[str, Any]:
        """Arguments sorting by ``key`` (the other direction when it is already the sort)."""
        descending = not self.descending if self.sort == key else False
        return self.args(sort=("-" if descending else "") + key, page=None)


def _getlist(args, name: str) -> list[str]:
    if hasattr(args, "getlist"):
        return list(args.getlist(name))
    value = args.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _quoted(text: str) -> str:
    return "'" + text[:40].replace("\x00", "") + ("…" if len(text) > 40 else "") + "'"


def codes(offered: Mapping[str, Iterable[tuple[str, Any]]]) -> dict[str, list[str]]:
    """The codes of menus offered as (code, label) pairs, per filter: what :func:`parse` allows."""
    return {name: [code for code, _label in pairs] for name, pairs in offered.items()}


def parse_offered(spec: ListSpec, args: Mapping,
                  offered: Mapping[str, Iterable[tuple[str, Any]]]) -> tuple["ListQuery", Mapping]:
    """:func:`parse` with the viewer's menus given as (code, label) pairs (what the page shows);
    returns the query and the menus."""
    return parse(spec, args, codes(offered)), offered


def parse(spec: ListSpec, args: Mapping, choices: Mapping[str, Iterable[str]] | None = None) -> ListQuery:
    """Read ``args`` (a request's query arguments) for ``spec``; ``choices`` gives each choice
    filter's allowed values for this viewer. Never raises: problems are collected."""
    choices = {k: set(v) for k, v in (choices or {}).items()}
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for f in spec.filters:
        given = _getlist(args, f.name)
        if not given:
            values[f.name] = f.default
            continue
        if f.kind == CHOICE:
            allowed = choices.get(f.name, set())
            picked = []
            for raw in given if f.multiple else given[:1]:
                raw = raw.strip()
                if not raw:
                    continue
                if raw in allowed:
                    picked.append(raw)
                else:
                    problems.append((f.name, _("%(value)s is not one of the choices; ignored", value=_quoted(raw))))
            if f.multiple:
                values[f.name] = tuple(dict.fromkeys(picked))
            else:
                values[f.name] = picked[0] if picked else ("" if not given[0].strip() else f.default)
        elif f.kind == TEXT:
            text = given[0].strip()
            if len(text) > f.max_length or "\x00" in text:
                problems.append((f.name, _("at most %(n)s characters of text; ignored", n=f.max_length)))
                values[f.name] = ""
            else:
                values[f.name] = text
        elif f.kind == DATE:
            raw = given[0].strip()
            values[f.name] = None
            if raw:
                try:
                    if not _DAY.fullmatch(raw):
                        raise ValueError
                    values[f.name] = date.fromisoformat(raw)
                except ValueError:
                    problems.append((f.name, _("%(value)s is not a date such as 2026-03-31; ignored",
                                               value=_quoted(raw))))
        elif f.kind == FLAG:
            raw = given[0].strip()
            if raw in ("1", "0", ""):
                values[f.name] = raw == "1"
            else:
                problems.append((f.name, _("%(value)s is neither 1 nor 0; ignored", value=_quoted(raw))))
                values[f.name] = False
    sort_text = (_getlist(args, "sort") or [spec.default_sort])[0].strip() or spec.default_sort
    key = sort_text.lstrip("-")
    if key not in spec.sorts or sort_text.count("-") > 1:
        problems.append(("sort", _("%(value)s is not a column this list can be sorted by; ignored",
                                   value=_quoted(sort_text))))
        sort_text = spec.default_sort
        key = sort_text.lstrip("-")
    page_text = (_getlist(args, "page") or [""])[0]
    page = whole_number(page_text) if page_text else 1
    if page is None or not 1 <= page <= MAX_PAGE:
        problems.append(("page", _("%(value)s is not a page number; the first page is shown",
                                   value=_quoted(page_text))))
        page = 1
    for low, high in _ranges(spec):
        if values.get(low) and values.get(high) and values[low] > values[high]:
            problems.append((high, _("is before %(field)s; ignored", field=low)))
            values[high] = None
    return ListQuery(spec, values, key, sort_text.startswith("-"), page, tuple(problems))


def _ranges(spec: ListSpec):
    names = {f.name for f in spec.filters if f.kind == DATE}
    for name in names:
        if name.endswith("_from") and name[:-5] + "_to" in names:
            yield name, name[:-5] + "_to"


def refuse_problems(query: ListQuery) -> None:
    """Raise :class:`BadQuery` when the query had problems (exports use this)."""
    if query.problems:
        raise BadQuery(query.problems)


def ordered(stmt, query: ListQuery):
    """``stmt`` sorted by the query's whitelisted sort, then by the spec's tiebreak."""
    columns = [c.desc() if query.descending else c.asc() for c in query.spec.sorts[query.sort]]
    if query.spec.tiebreak is not None:
        columns.append(query.spec.tiebreak.desc() if query.descending else query.spec.tiebreak.asc())
    return stmt.order_by(*columns)


def page_of(stmt, query: ListQuery) -> Page:
    return paginate(ordered(stmt, query), query.page, query.spec.per_page)


def like_pattern(text: str) -> str:
    """``%text%`` for ILIKE with the wildcards the user typed taken literally (escape ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Listing:
    """What a list page renders: the page of rows, the query, the filter choices (code →
    label, in order) and anything worked out per row by the service."""
    page: Page
    query: ListQuery
    choices: Mapping[str, list[tuple[str, str]]] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

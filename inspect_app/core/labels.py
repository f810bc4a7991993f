"""Translated labels of the codes stored in the database (departments, roles, categories)."""
from __future__ import annotations

from datetime import timezone

from flask_babel import (format_date, format_datetime, get_locale, gettext, lazy_gettext as _l, lazy_pgettext,
                         ngettext)
from markupsafe import Markup

from ..domain.rectification.ladder import local_day
from ..domain.display import exact_decimal, one_decimal
from ..domain.translatable import Message
from .types import LOCAL_ZONE, local_today

DEPARTMENTS = {
    "civil_affairs": _l("Civil affairs"),
    "fire": _l("Fire and rescue"),
    "market_regulation": _l("Market regulation"),
    "health": _l("Health"),
    "medical_insurance": _l("Medical insurance"),
}
ROLES = {
    "inspector": _l("Inspector"),
    "department_admin": _l("Department admin"),
    "bureau_admin": _l("Bureau admin"),
    "institution_staff": _l("Institution staff"),
}
INSTITUTION_TYPES = {
    "nursing_home": _l("Nursing home"),
    "community_center": _l("Community elderly service centre"),
    "day_care": _l("Day-care centre"),
    "care_home": _l("Neighbourhood care home"),
    "meal_point": _l("Meal point"),
    "service_station": _l("Elderly service station"),
    "rural_mutual_aid": _l("Rural mutual-aid home"),
    "home_care_bed": _l("Home-care bed"),
}
CARE_LEVELS = {
    "0": _l("Unimpaired"),
    "1": _l("Mildly impaired"),
    "2": _l("Moderately impaired"),
    "3": _l("Severely impaired"),
    "4": _l("Totally impaired"),
}
OPERATOR_TYPES = {
    "public": _l("Public"),
    "private": _l("Private"),
    "public_private": _l("Publicly built, privately run"),
}
MEDICAL_INTEGRATION = {
    "none": _l("None"),
    "internal": _l("In-house medical unit"),
    "contracted": _l("Contracted medical institution"),
}
STATUSES = {
    "operating": _l("Operating"),
    "suspended": _l("Suspended"),
    "closed": lazy_pgettext("institution", "Closed"),
}
SEVERITIES = {"critical": _l("Critical"), "major": _l("Major"), "minor": _l("Minor")}
ITEM_TYPES = {"check": _l("Pass / fail"), "scale": _l("Scale"), "measure": _l("Measurement")}
KINDS = {"inspection": _l("Inspection"), "grading": _l("Star grading")}


def _lookup(table):
    return lambda code: table.get(code, code) if code is not None else ""


def _datetime(value, fmt="yyyy-MM-dd HH:mm"):
    return format_datetime(value, fmt) if value else ""


def _date(value, fmt="yyyy-MM-dd"):
    return format_date(value, fmt) if value else ""


def say(message) -> str:
    """A service's or the domain's message in the reader's language: a :class:`Message` by its
    msgid with its parameters (themselves said), a plain msgid as such."""
    if message is None:
        return ""
    if isinstance(message, Message):
        return gettext(message.msgid, **{k: say(v) if isinstance(v, Message) else v
                                        for k, v in message.params.items()})
    return gettext(str(message)) if message else ""


def user_data(value) -> Markup | str:
    """Text that comes from the data (the registry, people's names, what users wrote, the
    citations and units written in a checklist), not from the translation catalogue: shown as
    it was written, in any UI language, and marked so (``class="user-data"``). See
    docs/architecture.md, "Words on the screen"."""
    if value is None or value == "":
        return ""
    return Markup('<span class="user-data">%s</span>') % value


def english() -> bool:
    return str(get_locale()) == "en"


def score(value) -> Markup | str:
    """A score or a number of points as regulators write it (one decimal, docs/architecture.md,
    "Words on the screen"); the exact value stays in the page as ``<data value>``."""
    text = one_decimal(value)
    if not text:
        return "—"
    return Markup('<data value="%s">%s</data>') % (exact_decimal(value), text)


def percent(value) -> Markup | str:
    """A percentage with one decimal and its sign; the exact value as ``<data value>``."""
    text = one_decimal(value)
    if not text:
        return "—"
    return Markup('<data value="%s">%s%%</data>') % (exact_decimal(value), text)


def deadline(instant, remaining: bool = True) -> str:
    """A deadline, one way everywhere: its last local day, and while it runs, the days left
    ("2026-12-14（剩余 10 天）", "2026-12-14 (10 days left)", "… (3 days overdue)")."""
    if not instant:
        return ""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    day = local_day(instant, LOCAL_ZONE)
    text = format_date(day, "yyyy-MM-dd")
    if not remaining:
        return text
    days = (day - local_today()).days
    if days > 0:
        note = ngettext("%(num)d day left", "%(num)d days left", days)
    elif days == 0:
        note = gettext("due today")
    else:
        note = ngettext("%(num)d day overdue", "%(num)d days overdue", -days)
    return gettext("%(day)s (%(note)s)", day=text, note=note)


def comma() -> str:
    """Between the items of a list written out: 、 in Chinese, a comma in English."""
    return ", " if english() else "、"


def semicolon() -> str:
    return "; " if english() else "；"


def _field(obj, name: str):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def localized(obj, name: str = "title", markup: bool = True):
    """A checklist's, section's or item's ``title``/``text`` in the UI language: its
    ``title_en``/``text_en`` in English where the checklist has one; otherwise the text as
    written, marked as data (``markup=False`` for attributes and page titles)."""
    text = _field(obj, name)
    if english():
        translated = _field(obj, f"{name}_en")
        if translated:
            return translated
        return user_data(text) if markup else (text or "")
    return text or ""


def note(obj, name: str):
    """A checklist note (``reference``, ``veto_reason``, ``points_note``, ``levels_note``) in
    the UI language: its ``*_en`` version in English where the checklist has one; otherwise
    the note as written, marked as data (a dict of stored content works too)."""
    if english():
        translated = _field(obj, f"{name}_en")
        if translated:
            return translated
    return user_data(_field(obj, name))


FILTERS = {
    "department": _lookup(DEPARTMENTS),
    "role": _lookup(ROLES),
    "itype": _lookup(INSTITUTION_TYPES),
    "operator": _lookup(OPERATOR_TYPES),
    "medical": _lookup(MEDICAL_INTEGRATION),
    "care_level": _lookup(CARE_LEVELS),
    "status": _lookup(STATUSES),
    "severity": _lookup(SEVERITIES),
    "itemtype": _lookup(ITEM_TYPES),
    "kind": _lookup(KINDS),
    "dt": _datetime,
    "d": _date,
    "data": user_data,
    "say": say,
    "score": score,
    "percent": percent,
    "deadline": deadline,
    "local": localized,
    "note": note,
}

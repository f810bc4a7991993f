"""Translated labels of the codes stored in the database (departments, roles, categories)."""
from __future__ import annotations

from flask_babel import format_date, format_datetime, get_locale, lazy_gettext as _l, lazy_pgettext
from markupsafe import Markup

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


FILTERS = {
    "department": _lookup(DEPARTMENTS),
    "role": _lookup(ROLES),
    "itype": _lookup(INSTITUTION_TYPES),
    "operator": _lookup(OPERATOR_TYPES),
    "medical": _lookup(MEDICAL_INTEGRATION),
    "status": _lookup(STATUSES),
    "severity": _lookup(SEVERITIES),
    "itemtype": _lookup(ITEM_TYPES),
    "kind": _lookup(KINDS),
    "dt": _datetime,
    "d": _date,
    "data": user_data,
    "local": localized,
}

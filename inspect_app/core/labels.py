"""Translated labels of the codes stored in the database (departments, roles, categories)."""
from __future__ import annotations

from flask_babel import format_date, format_datetime, lazy_gettext as _l

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
    "closed": _l("Closed"),
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
}

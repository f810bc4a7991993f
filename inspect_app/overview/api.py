"""The read-only JSON API for other government systems (docs/open-data.md, "The API").

``/api/v1/``: the institutions of the registry (public fields only), the current grades and
the published inspection results — the same public data as the public pages and the open
data, nothing else (no person, no phone number, no photo). Paged by a cursor (the items come
in ascending ``id``; ``next_cursor`` is given while more may follow), rate limited per client
address (``API_RATE_LIMIT``, counted by Flask-Limiter in ``RATELIMIT_STORAGE_URI``), and
described by the OpenAPI document at ``/api/v1/openapi.json`` (:mod:`.openapi`).

A bad parameter is answered 400 with the parameter it concerns; an unknown id 404; too
many requests 429 with ``Retry-After``; every error is ``{"error": {"message", "parameter"?}}``.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..auth.policy import public
from ..auth.throttle import limiter
from ..core.types import local_today, utcnow
from ..domain.bureau import DEPARTMENTS
from ..domain.grading import schemes
from ..domain.institution import INSTITUTION_TYPES
from ..core.whole_numbers import whole_number
from ..extensions import db
from ..grading.models import GradeRecord
from ..grading.current import current_clause, suspension_reasons
from ..registry.models import Institution
from . import openapi, public as results

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


# Counted per client address as the sign-in throttle sees it (behind TRUSTED_PROXIES, the
# address the nearest trusted proxy saw; IPv6 by its /64), by the one limiter of auth.throttle.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(bp)


def init_app(app) -> None:
    limiter.init_app(app)


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


@bp.errorhandler(BadParameter)
def _bad(error: BadParameter):
    return jsonify(error={"message": error.message, "parameter": error.parameter}), 400


@bp.errorhandler(404)
def _missing(_error):
    return jsonify(error={"message": "not found"}), 404


@bp.errorhandler(429)
def _too_many(error):
    response = jsonify(error={"message": f"too many requests: at most {error.description}"})
    response.status_code = 429
    return response


def _page_args() -> tuple[int | None, int]:
    raw_limit = request.args.get("limit")
    limit = DEFAULT_LIMIT if raw_limit in (None, "") else whole_number(raw_limit)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise BadParameter("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    raw_cursor = request.args.get("cursor")
    after = None
    if raw_cursor not in (None, ""):
        after = whole_number(raw_cursor)
        if after is None or after < 0:
            raise BadParameter("cursor", "is not a cursor given by this API")
    return after, limit


def _choice(name: str, allowed) -> str:
    value = request.args.get(name, "")
    if value and value not in allowed:
        raise BadParameter(name, "is not one of the codes: " + ", ".join(allowed))
    return value


def _text(name: str, longest: int = 40) -> str:
    value = request.args.get(name, "").strip()
    if len(value) > longest:
        raise BadParameter(name, f"at most {longest} characters")
    return value


def _day(name: str) -> date | None:
    value = request.args.get(name, "")
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadParameter(name, "must be a date such as 2026-03-31") from None


def _paged(items: list[dict], limit: int):
    next_cursor = str(items[-1]["id"]) if len(items) == limit else None
    return jsonify(items=items, next_cursor=next_cursor)


def institution_json(inst: Institution) -> dict:
    return {"id": inst.id, "name": inst.name, "credit_code": inst.credit_code, "type": inst.type,
            "district": inst.district, "street": inst.street, "address": inst.address, "beds": inst.beds,
            "nursing_beds": inst.nursing_beds, "operator_type": inst.operator_type, "status": inst.status}


def _decimal(value) -> str | None:
    from decimal import Decimal
    return None if value is None else format(Decimal(str(value)).normalize(), "f")


@bp.route("/openapi.json")
@public
def openapi_document():
    return jsonify(openapi.document())


@bp.route("/institutions")
@public
def institutions():
    after, limit = _page_args()
    district, type_ = _text("district"), _choice("type", list(INSTITUTION_TYPES))
    rows = results.institutions_after(after, limit, district, type_)
    return _paged([institution_json(i) for i in rows], limit)


@bp.route("/institutions/<int:institution_id>")
@public
def institution(institution_id: int):
    now = utcnow()
    found = results.institution(institution_id, local_today(now), now)
    if found is None:
        return _missing(None)
    shown = found.grade
    grade = None
    if shown.record is not None:
        grade = {"level": shown.record.level, "scheme": shown.record.scheme,
                 "level_name": schemes.label(shown.record.scheme, shown.record.level),
                 "state": "suspended" if shown.suspended else "valid",
                 "effective_on": shown.record.effective_on.isoformat(),
                 "expires_on": shown.record.expires_on.isoformat()}
    rate = found.on_time_rate
    return jsonify({**institution_json(found.institution), "grade": grade,
                    "last_inspected_on": found.last_inspected_on.isoformat() if found.last_inspected_on else None,
                    "findings": {"critical": found.critical, "major": found.major, "minor": found.minor},
                    "closed": found.closed, "on_time": found.on_time, "late": found.late,
                    "on_time_rate": None if rate is None else _decimal(round(float(rate), 4))})


@bp.route("/grades")
@public
def grades():
    after, limit = _page_args()
    district = _text("district")
    level = _choice("level", ["1", "2", "3", "4", "5"])
    scheme = _choice("scheme", list(schemes.SCHEMES))
    if level and not scheme:
        scheme = schemes.STAR                 # a level alone is a star level, as before the A-levels
    now = utcnow()
    stmt = (select(GradeRecord).join(Institution, Institution.id == GradeRecord.institution_id)
            .options(contains_eager(GradeRecord.institution)).where(current_clause(local_today(now))))
    if after is not None:
        stmt = stmt.where(GradeRecord.id > after)
    if district:
        stmt = stmt.where(Institution.district == district)
    if scheme:
        stmt = stmt.where(GradeRecord.scheme == scheme)
    if level:
        stmt = stmt.where(GradeRecord.level == int(level))
    rows = list(db.session.scalars(stmt.order_by(GradeRecord.id).limit(limit)))
    reasons = suspension_reasons([r.institution_id for r in rows], now)
    return _paged([{"id": r.id, "institution_id": r.institution_id, "institution_name": r.institution.name,
                    "credit_code": r.institution.credit_code, "district": r.institution.district,
                    "type": r.institution.type, "level": r.level, "scheme": r.scheme,
                    "level_name": schemes.label(r.scheme, r.level), "total": _decimal(r.total),
                    "effective_on": r.effective_on.isoformat(), "expires_on": r.expires_on.isoformat(),
                    "state": "suspended" if reasons.get(r.institution_id) else "valid"} for r in rows], limit)


@bp.route("/inspection-results")
@public
def inspection_results():
    after, limit = _page_args()
    institution_id = None
    if request.args.get("institution_id"):
        institution_id = whole_number(request.args["institution_id"])
        if institution_id is None:
            raise BadParameter("institution_id", "must be a whole number")
    f = results.PublicFilter(district=_text("district"), type=_choice("type", list(INSTITUTION_TYPES)),
                             department=_choice("department", list(DEPARTMENTS)), institution_id=institution_id)
    now = utcnow()
    summaries = results.results_after(f, local_today(now), now, after, limit, since=_day("since"))
    keys = [c.key for c in results.INSPECTION_RESULTS.columns]
    items = []
    for summary, row in zip(summaries, results.export_rows(summaries)):
        item = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in zip(keys, row)}
        item["institution_id"] = summary.institution_id
        item["departments"] = summary.departments
        items.append(item)
    return _paged(items, limit)

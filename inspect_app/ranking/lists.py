"""The ranking of institutions (docs/supervision-index.md, "The ranking page"): filters,
sorting, rank numbers, the trend against the previous period, paging and the exports.

One SELECT over the period's standings (which carry the previous period's index, for the
trend) joined to the registry: the filters are WHERE clauses on indexed columns; the rank is,
unfiltered, the city-wide rank stored with the standing, and filtered, a window ``RANK()``
over the rows left, ordered by the chosen measure's better end (equal values share a rank:
1, 2, 2, 4); a page is ``ORDER BY … LIMIT``. Every sort key orders
best first when ascending; rows without a value (never inspected, no grade, no rate) come last
and get no rank.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, null, or_, select

from ..auth import policy
from ..core import audit, labels as core_labels
from ..core.errors import NotFound
from ..core.heavy import heavy_work
from ..core.listing import TEXT, Filter, ListQuery, ListSpec, like_pattern, parse_offered, refuse_problems
from ..core.paging import Page
from ..core.spreadsheet import Column, safe_cell, write_csv, write_table
from ..domain import ranking as rules
from ..extensions import db
from ..registry import services as registry
from ..registry.models import Institution
from . import standing
from .models import Standing

NO_LEVEL = "none"

# sort key → (expression whose ascending order is best first, label)
_index = Standing.supervision_index
_rate = Standing.on_time_rate
_trend = Standing.supervision_index - Standing.previous_index
MEASURES = {
    "index": _index,
    "level": -Standing.level,
    "score": -Standing.grade_total,
    "rate": -_rate,
    "open": Standing.open_findings,
    "trend": _trend,
}
SORTS = {**{k: (v,) for k, v in MEASURES.items()}, "name": (Institution.name,),
         "district": (Institution.district, Institution.street)}

RANKING = ListSpec(
    name="ranking",
    filters=(Filter("q", TEXT), Filter("district"), Filter("street", TEXT), Filter("type"),
             Filter("operator"), Filter("beds"), Filter("level"), Filter("band")),
    sorts=SORTS, default_sort="index", tiebreak=Institution.id, per_page=50)

BED_LABELS = {"lt50": _l("Under 50 beds"), "50-99": _l("50–99 beds"), "100-299": _l("100–299 beds"),
              "ge300": _l("300 beds or more")}


def choices(user) -> dict[str, list[tuple[str, object]]]:
    return {
        "district": [(d, d) for d in registry.districts()],
        "type": list(core_labels.INSTITUTION_TYPES.items()),
        "operator": list(core_labels.OPERATOR_TYPES.items()),
        "beds": [(code, BED_LABELS[code]) for code, _low, _high in rules.BED_BANDS],
        "level": [(str(n), _l("Level %(n)d", n=n)) for n in range(5, 0, -1)] + [(NO_LEVEL, _l("No grade"))],
        "band": [(code, code) for code in rules.BAND_CODES],
    }


def ranking_query(user, args) -> tuple[ListQuery, dict]:
    policy.require(user, "ranking.view")
    return parse_offered(RANKING, args, choices(user))


def _filters(query: ListQuery) -> list:
    where = []
    if query.get("q"):
        pattern = like_pattern(query["q"])
        where.append(or_(Institution.name.ilike(pattern, escape="\\"), Institution.credit_code == query["q"]))
    if query.get("district"):
        where.append(Institution.district == query["district"])
    if query.get("street"):
        where.append(Institution.street.ilike(like_pattern(query["street"]), escape="\\"))
    if query.get("type"):
        where.append(Institution.type == query["type"])
    if query.get("operator"):
        where.append(Institution.operator_type == query["operator"])
    if query.get("beds"):
        low, high = next((lo, hi) for code, lo, hi in rules.BED_BANDS if code == query["beds"])
        where.append(Institution.beds >= low)
        if high is not None:
            where.append(Institution.beds <= high)
    if query.get("level"):
        where.append(Standing.level.is_(None) if query["level"] == NO_LEVEL
                     else Standing.level == int(query["level"]))
    if query.get("band"):
        where.append(Standing.district_band == query["band"])
    return where


def _rank_measure(query: ListQuery):
    return MEASURES.get(query.sort, _index)


STORED_RANKS = {"index": Standing.rank_index, "level": Standing.rank_level, "score": Standing.rank_score,
                "rate": Standing.rank_rate, "open": Standing.rank_open, "trend": Standing.rank_trend}


def _filtered(query: ListQuery) -> bool:
    return any(query.get(f.name) for f in query.spec.filters)


@dataclass(frozen=True)
class Ranking:
    page: Page
    query: ListQuery
    choices: dict
    period: str | None
    previous: str | None
    computed_at: object


def _statement(query: ListQuery, period: str, columns=(Standing, Institution)):
    """The ranking's SELECT: unfiltered, the city-wide ranks stored with the standings (so a
    page is an index range scan); filtered, ``RANK()`` over the rows the filters leave."""
    if _filtered(query):
        measure = _rank_measure(query)
        rank = case((measure.is_(None), null()),
                    else_=func.rank().over(order_by=measure.asc().nulls_last()))
    else:
        rank = STORED_RANKS.get(query.sort, Standing.rank_index)
    stmt = (select(rank.label("rank"), *columns)
            .join(Institution, Institution.id == Standing.institution_id)
            .where(Standing.period == period, *_filters(query)))
    keys = SORTS[query.sort]
    order = [(k.desc() if query.descending else k.asc()).nulls_last() for k in keys]
    order.append(Institution.id.desc() if query.descending else Institution.id.asc())
    return stmt.order_by(*order)


def search(user, query: ListQuery, offered: dict) -> Ranking:
    """A page of the ranking for ``user`` (permission ``ranking.view``)."""
    policy.require(user, "ranking.view")
    period, previous = standing.periods()
    if period is None:
        return Ranking(Page([], 1, query.spec.per_page, 0), query, offered, None, None, None)
    count = select(func.count()).select_from(Standing).where(Standing.period == period, *_filters(query))
    if _filtered(query):
        count = count.join(Institution, Institution.id == Standing.institution_id)
    total = db.session.scalar(count) or 0
    per_page = query.spec.per_page
    pages = max(1, -(-total // per_page))
    page = min(query.page, pages)
    rows = db.session.execute(_statement(query, period).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    return Ranking(Page(rows, page, per_page, total), query, offered, period, previous,
                   standing.computed_at(period))


def get_standing(user, institution_id: int):
    """The latest standing of one institution with its registry row (404 when none)."""
    policy.require(user, "ranking.view")
    period, previous = standing.periods()
    row = None
    if period is not None:
        row = db.session.execute(
            select(Standing, Institution).join(Institution, Institution.id == Standing.institution_id)
            .where(Standing.period == period, Standing.institution_id == institution_id)).first()
    if row is None:
        raise NotFound("The record was not found.")
    return row, period, previous


# ----------------------------------------------------------------------------- exports

HEADERS = ("排名", "机构名称", "统一社会信用代码", "区", "街道", "机构类型", "运营方式", "床位数",
           "当前等级", "评定得分", "监管指数", "较上期变化", "区内档次", "按时整改率(%)", "未销号问题数")
WIDTHS = (7, 34, 22, 12, 16, 18, 14, 9, 9, 10, 11, 11, 9, 13, 12)


def _export_rows(query: ListQuery):
    """The rows of the whole filtered ranking in its order; numbers stay numbers (written as
    they are: a number needs no formula guard and no per-cell style)."""
    period, _previous = standing.periods()
    if period is None:
        return
    types, operators = _chinese(core_labels.INSTITUTION_TYPES), _chinese(core_labels.OPERATOR_TYPES)
    # Plain rows (no objects): the export streams every row of the filtered ranking in its order.
    columns = (Institution.name, Institution.credit_code, Institution.district, Institution.street,
               Institution.type, Institution.operator_type, Institution.beds, Standing.level,
               Standing.grade_total, Standing.supervision_index, Standing.previous_index,
               Standing.district_band, Standing.on_time_rate, Standing.open_findings)
    result = db.session.execute(_statement(query, period, columns).execution_options(yield_per=5000))
    for (rank, name, code, district, street, itype, operator, beds, level, total, index, previous, band,
         rate, open_findings) in result:
        yield (rank, name, code, district, street, types.get(itype, itype), operators.get(operator, operator),
               beds, level, total, index, None if index is None or previous is None else index - previous,
               band, None if rate is None else rate * 100, open_findings)


def _chinese(table) -> dict[str, str]:
    """A label table in Chinese (the export's language, whoever downloads it)."""
    from flask_babel import force_locale
    with force_locale("zh"):
        return {code: str(label) for code, label in table.items()}


def export_xlsx(user, query: ListQuery) -> bytes:
    """The whole filtered ranking, in its order, as a formatted sheet (Chinese headers, frozen
    header row, widths, numbers as numbers)."""
    policy.require(user, "ranking.view")
    refuse_problems(query)
    columns = [Column(h, w) for h, w in zip(HEADERS, WIDTHS)]
    with heavy_work("ranking export"):
        data = write_table("机构排名", columns, _export_rows(query))
    audit.record(user, "export", "ranking", None, after={"filters": query.export_args(), "format": "xlsx"})
    return data


def export_csv(user, query: ListQuery) -> bytes:
    """The same rows as CSV (UTF-8 with a BOM; text a spreadsheet would run as a formula is
    written as text, :func:`inspect_app.core.spreadsheet.safe_cell`)."""
    policy.require(user, "ranking.view")
    refuse_problems(query)
    data = write_csv(HEADERS, ([safe_cell("" if v is None else (v if isinstance(v, str) else str(v))) for v in row]
                               for row in _export_rows(query)))
    audit.record(user, "export", "ranking", None, after={"filters": query.export_args(), "format": "csv"})
    return data

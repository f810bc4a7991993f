"""Plan form and the beacon form. Rules live in domain/planning/plans.py and domain/planning/risk.py; the forms
only render fields, parse types and carry the CSRF token and the record version."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Optional

from ..core import labels
from ..domain.planning.plans import PERIODS
from ..domain.planning.risk import RISK_CLASSES, RiskPolicy
from ..core.forms import WholeNumberField, options

KIND_LABELS = {"random_joint": _l("Random joint inspection"), "routine": _l("Routine")}
RULE_LABELS = {"grade_expiry": _l("Grade expiring: grading evaluation visit"),
               "yearly_coverage": _l("Yearly on-site check of every institution (MCA Order No. 66)"),
               "critical_followup": _l("Open critical finding: on-site re-inspection")}
PERIOD_LABELS = {"daily": _l("Daily"), "weekly": _l("Weekly"), "monthly": _l("Monthly"),
                 "quarterly": _l("Quarterly"), "yearly": _l("Yearly")}
RISK_LABELS = {"high": _l("High risk"), "medium_high": _l("Medium-high risk"),
               "medium": _l("Medium risk"), "low": _l("Low risk")}
RISK_RULE_LABELS = {
    "high_veto": _l("High: veto findings in the last year, at least"),
    "high_overdue": _l("High: overdue findings, at least"),
    "high_complaints": _l("High: complaints in the last year, at least"),
    "medium_high_overdue": _l("Medium-high: overdue findings, at least"),
    "medium_high_open": _l("Medium-high: open findings, at least"),
    "medium_high_complaints": _l("Medium-high: complaints in the last year, at least"),
    "medium_high_max_grade": _l("Medium-high: grade of at most (stars)"),
    "low_min_grade": _l("Low: grade of at least (stars)"),
    "low_max_open": _l("Low: open findings, at most"),
    "lookback_days": _l("Look-back of the risk facts (days)"),
    "high_blacklisted": _l("High: blacklist entries in force, at least (0: not used)"),
    "high_accidents": _l("High: accidents in the look-back, at least (0: not used)"),
    "medium_high_penalties": _l("Medium-high: penalties in the look-back, at least (0: not used)"),
}
RISK_FIELDS = tuple(RiskPolicy.__dataclass_fields__)
NUMBERS = ("team_per_department", "max_per_inspector", "beacon_delay_days", "publish_delay_days",
           "horizon_days", "visit_within_days")


def _whole(label):
    return WholeNumberField(label, validators=[Optional()])


class PlanForm(FlaskForm):
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind"))
    rule = SelectField(_l("Routine rule"), validators=[Optional()])
    period = SelectField(_l("Runs every"))
    enabled = BooleanField(_l("Enabled"))
    one_off = BooleanField(_l("Run once only"))
    start = DateField(lazy_pgettext("date", "Start"), validators=[Optional()])
    expires = DateField(_l("Expires"), validators=[Optional()])
    districts = SelectMultipleField(_l("Districts (none: all)"), validators=[Optional()])
    institution_types = SelectMultipleField(_l("Institution types (none: all)"), validators=[Optional()])
    departments = SelectMultipleField(_l("Departments"), validators=[Optional()])
    ratio_high = StringField(RISK_LABELS["high"], render_kw={"inputmode": "decimal"})
    ratio_medium_high = StringField(RISK_LABELS["medium_high"], render_kw={"inputmode": "decimal"})
    ratio_medium = StringField(RISK_LABELS["medium"], render_kw={"inputmode": "decimal"})
    ratio_low = StringField(RISK_LABELS["low"], render_kw={"inputmode": "decimal"})
    team_per_department = _whole(_l("Inspectors per department"))
    max_per_inspector = _whole(_l("Most institutions per inspector"))
    avoid_own_district = BooleanField(_l("Inspectors avoid their own district"))
    beacon_source = StringField(_l("Third-party value entering the seed"))
    beacon_delay_days = _whole(_l("Days from freezing to that value"))
    publish_delay_days = _whole(_l("Days after the visits before the full publication"))
    horizon_days = _whole(_l("Grades expiring within (days)"))
    visit_within_days = _whole(_l("Visit within (days)"))
    risk_high_veto = _whole(RISK_RULE_LABELS["high_veto"])
    risk_high_overdue = _whole(RISK_RULE_LABELS["high_overdue"])
    risk_high_complaints = _whole(RISK_RULE_LABELS["high_complaints"])
    risk_medium_high_overdue = _whole(RISK_RULE_LABELS["medium_high_overdue"])
    risk_medium_high_open = _whole(RISK_RULE_LABELS["medium_high_open"])
    risk_medium_high_complaints = _whole(RISK_RULE_LABELS["medium_high_complaints"])
    risk_medium_high_max_grade = _whole(RISK_RULE_LABELS["medium_high_max_grade"])
    risk_low_min_grade = _whole(RISK_RULE_LABELS["low_min_grade"])
    risk_low_max_open = _whole(RISK_RULE_LABELS["low_max_open"])
    risk_lookback_days = _whole(RISK_RULE_LABELS["lookback_days"])
    risk_high_blacklisted = _whole(RISK_RULE_LABELS["high_blacklisted"])
    risk_high_accidents = _whole(RISK_RULE_LABELS["high_accidents"])
    risk_medium_high_penalties = _whole(RISK_RULE_LABELS["medium_high_penalties"])
    version = HiddenField()

    def __init__(self, *args, districts: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options((k, str(v)) for k, v in KIND_LABELS.items())
        self.rule.choices = options([("", "—")] + [(k, str(v)) for k, v in RULE_LABELS.items()])
        self.period.choices = options((p, str(PERIOD_LABELS[p])) for p in PERIODS)
        self.districts.choices = options(((d, d) for d in districts), data=True)
        self.institution_types.choices = options((k, str(v)) for k, v in labels.INSTITUTION_TYPES.items())
        self.departments.choices = options((k, str(v)) for k, v in labels.DEPARTMENTS.items())

    def fill(self, values: dict) -> None:
        """Show stored (or default) values."""
        for key in ("name", "kind", "period", "enabled", "one_off", "start", "expires", "districts",
                    "institution_types", "departments", "avoid_own_district", "beacon_source", *NUMBERS):
            if key in values:
                self[key].data = values[key]
        self.rule.data = values.get("rule") or ""
        for risk in RISK_CLASSES:
            self[f"ratio_{risk}"].data = (values.get("ratios") or {}).get(risk, "")
        for name in RISK_FIELDS:
            self[f"risk_{name}"].data = (values.get("risk_policy") or {}).get(name)

    def values(self) -> dict:
        """Typed values for the service (which validates them)."""
        out = {key: self[key].data for key in ("name", "kind", "period", "start", "expires",
                                                "districts", "institution_types", "departments",
                                                "beacon_source", *NUMBERS)}
        out["rule"] = self.rule.data or None
        for key in ("enabled", "one_off", "avoid_own_district"):
            out[key] = bool(self[key].data)
        out["ratios"] = {risk: self[f"ratio_{risk}"].data for risk in RISK_CLASSES}
        out["risk_policy"] = {name: self[f"risk_{name}"].data for name in RISK_FIELDS}
        return out


class BeaconForm(FlaskForm):
    beacon_value = StringField(_l("Value as published by the third party"))
    beacon_date = DateField(_l("Date of the value"), validators=[Optional()])     # required: checked by the view

    def problems(self) -> list[tuple[str, str]]:
        """Located problems of the form itself (typing, a missing date), as (field, message)."""
        out = [(name, str(message)) for name, messages in self.errors.items() for message in messages
               if name != "csrf_token"]
        if not self.beacon_date.errors and self.beacon_date.data is None:
            out.append(("beacon_date", _l("is required")))
        return out

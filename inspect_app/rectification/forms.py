"""Forms of the rectification pages (rules live in the services; forms render and carry CSRF)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional
from ..core.forms import WholeNumberField, options
from ..core.whole_numbers import whole_number


class RespondForm(FlaskForm):
    text = TextAreaField(_l("What was done"), render_kw={"rows": 4, "maxlength": 4000})
    photos = MultipleFileField(_l("Photos"), render_kw={"accept": "image/*"})


class ExtensionForm(FlaskForm):
    text = TextAreaField(_l("Reason"), render_kw={"rows": 3, "maxlength": 4000})
    days = WholeNumberField(_l("Extra days"), validators=[Optional()], minimum=1)


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Why the finding is wrong"), render_kw={"rows": 4, "maxlength": 4000})
    photos = MultipleFileField(_l("Evidence photos"), render_kw={"accept": "image/*"})


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=options([("yes", _l("Grant / uphold")), ("no", _l("Refuse / dismiss"))]))
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": 4000})


class VerifyForm(FlaskForm):
    decision = RadioField(_l("Verification"), choices=options([("accept", _l("Rectified: close the finding")),
                                                               ("reject", _l("Not rectified: reopen"))]))
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": 4000})


class ReinspectForm(FlaskForm):
    on = DateField(_l("Re-inspection date"), validators=[Optional()])
    inspector_ids = SelectMultipleField(_l("Inspectors"), coerce=int, validate_choice=False)


class InterviewForm(FlaskForm):
    held_on = DateField(_l("Date of the interview"), validators=[Optional()])
    participants = TextAreaField(_l("Participants"), render_kw={"rows": 2, "maxlength": 1000})
    summary = TextAreaField(_l("Summary of the interview"), render_kw={"rows": 4, "maxlength": 4000})


class CreditDecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=options([("confirm", _l("Confirm: enter the institution on the blacklist")),
                                                           ("dismiss", _l("Dismiss the proposal"))]))
    note = TextAreaField(_l("Reason"), render_kw={"rows": 2, "maxlength": 4000})


ACCIDENT_KINDS = {"fire": _l("Fire"), "fall": _l("Fall"), "choking": _l("Choking"), "scald": _l("Scald"),
                  "food_poisoning": _l("Food poisoning"), "medication": _l("Wrong medication"),
                  "missing": _l("Resident gone missing"), "abuse": _l("Elder abuse"),
                  "equipment": _l("Special equipment"), "building": _l("Building collapse or damage"),
                  "traffic": _l("Traffic"), "other": _l("Other accident")}
ACCIDENT_RESPONSIBILITY = {"main": _l("Main responsibility"), "shared": _l("Shared responsibility"),
                           "none": _l("No responsibility"), "undetermined": _l("Not yet determined")}
ACCIDENT_SOURCES = {"investigation_report": _l("Accident investigation report"),
                    "department_notice": _l("Department's written finding"),
                    "court_judgement": _l("Court judgement"),
                    "institution_report": _l("Institution's own accident report")}


class AccidentForm(FlaskForm):
    institution_id = SelectField(_l("Institution"), choices=[])
    occurred_on = DateField(_l("Date of the accident"), validators=[Optional()])
    kind = SelectField(_l("Kind of accident"), choices=options(list(ACCIDENT_KINDS.items())))
    deaths = WholeNumberField(_l("Deaths"), validators=[Optional()], default=0)
    injuries = WholeNumberField(_l("Injured"), validators=[Optional()], default=0)
    serious_injuries = WholeNumberField(_l("Of whom seriously injured"), validators=[Optional()], default=0)
    responsibility = SelectField(_l("The institution's responsibility"),
                                 choices=options(list(ACCIDENT_RESPONSIBILITY.items())))
    source_type = SelectField(_l("Source document"), choices=options(list(ACCIDENT_SOURCES.items())))
    source_reference = StringField(_l("Document number"), render_kw={"maxlength": 120})
    source_issuer = StringField(_l("Issued by"), render_kw={"maxlength": 120})
    source_issued_on = DateField(_l("Issued on"), validators=[Optional()])
    summary = TextAreaField(_l("What happened"), render_kw={"rows": 3, "maxlength": 4000})

    def values(self) -> dict:
        return {"institution_id": whole_number(self.institution_id.data), "occurred_on": self.occurred_on.data,
                "kind": self.kind.data, "deaths": self.deaths.data if self.deaths.data is not None else 0,
                "injuries": self.injuries.data if self.injuries.data is not None else 0,
                "serious_injuries": self.serious_injuries.data if self.serious_injuries.data is not None else 0,
                "responsibility": self.responsibility.data, "source_type": self.source_type.data,
                "source_reference": self.source_reference.data, "source_issuer": self.source_issuer.data,
                "source_issued_on": self.source_issued_on.data, "summary": self.summary.data}

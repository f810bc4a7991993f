"""Forms of the complaint pages (rules live in the services; forms render and carry CSRF).
Every intake form carries a one-time ``submission_key`` minted when the form is shown, so a
form sent twice is one case."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, \
    TextAreaField
from wtforms.validators import Optional

from ..core.forms import options
from ..core.whole_numbers import whole_number, whole_numbers
from . import labels


def _fresh_key() -> str:
    return secrets.token_urlsafe(24)


class PublicComplaintForm(FlaskForm):
    submission_key = HiddenField(default=_fresh_key)
    institution_id = SelectField(_l("Institution"), choices=[])
    kind = SelectField(_l("Kind of matter"), choices=options(list(labels.KINDS.items())))
    category = SelectField(_l("What it is about"), choices=[])
    summary = StringField(_l("In one line"), render_kw={"maxlength": 200})
    details = TextAreaField(_l("What happened"), render_kw={"rows": 5, "maxlength": 4000})
    anonymous = BooleanField(_l("Anonymous (no name, no telephone number)"))
    complainant_name = StringField(_l("Your name"), render_kw={"maxlength": 80, "autocomplete": "name"})
    complainant_phone = StringField(_l("Your telephone number"), render_kw={"maxlength": 24, "autocomplete": "tel"})

    def values(self) -> dict:
        return {"institution_id": whole_number(self.institution_id.data), "kind": self.kind.data,
                "category": self.category.data, "summary": self.summary.data, "details": self.details.data,
                "anonymous": self.anonymous.data, "complainant_name": self.complainant_name.data,
                "complainant_phone": self.complainant_phone.data}


class IntakeForm(PublicComplaintForm):
    channel = SelectField(_l("Came in by"), choices=[])
    received_on = DateField(_l("Received on"), validators=[Optional()])
    complainant_name = StringField(_l("Complainant's name"), render_kw={"maxlength": 80})
    complainant_phone = StringField(_l("Complainant's telephone number"), render_kw={"maxlength": 24})

    def values(self) -> dict:
        return {**super().values(), "channel": self.channel.data, "received_on": self.received_on.data}


class LookupForm(FlaskForm):
    number = StringField(_l("Case number"), render_kw={"maxlength": 20, "autocomplete": "off"})
    token = StringField(_l("Lookup code"), render_kw={"maxlength": 40, "autocomplete": "off"})


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": 2000})


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the complainant is told)"), render_kw={"rows": 3, "maxlength": 4000})


class RouteForm(FlaskForm):
    department = SelectField(_l("Department"), choices=[])
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": 2000})


class VisitForm(FlaskForm):
    scheduled_for = DateField(_l("Visit date"), validators=[Optional()])
    inspectors = SelectMultipleField(_l("Inspectors"), choices=[])

    def inspector_ids(self) -> list[int]:
        return whole_numbers(self.inspectors.data or []) or []


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Reply to the complainant"), render_kw={"rows": 5, "maxlength": 4000})
    substantiated = RadioField(_l("Outcome"), choices=options([("yes", labels.OUTCOME[True]),
                                                               ("no", labels.OUTCOME[False])]))

    def outcome(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.substantiated.data)


class FollowUpForm(FlaskForm):
    satisfaction = RadioField(_l("Satisfaction"), choices=options(list(labels.SATISFACTION.items())))
    reopen = BooleanField(_l("Reopen the case (dissatisfied)"))
    note = TextAreaField(_l("Note of the call"), render_kw={"rows": 2, "maxlength": 2000})

"""Forms of the rectification pages (rules live in the services; forms render and carry CSRF)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import Optional
from ..core.forms import WholeNumberField, options


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

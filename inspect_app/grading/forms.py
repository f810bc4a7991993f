"""Forms of the grading feature. The rules live in the services and domain/; forms only
render fields and carry the CSRF token."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional
from ..core.forms import options

LEVELS = [(str(n), str(n)) for n in range(1, 6)]


class ApplyForm(FlaskForm):
    level = SelectField(_l("Level applied for"), choices=options(LEVELS))
    self_score = StringField(_l("Self-assessed score"), render_kw={"inputmode": "decimal"})
    self_assessment = TextAreaField(_l("Self-assessment"), render_kw={"rows": 6, "maxlength": 5000})


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Reason or note"), render_kw={"rows": 3, "maxlength": 2000})


class ObjectionDecisionForm(FlaskForm):
    outcome = SelectField(_l("Decision"), choices=options([("dismissed", _l("Dismiss")), ("upheld", _l("Uphold"))]))
    note = TextAreaField(_l("Reason"), render_kw={"rows": 3, "maxlength": 2000})


class EvaluationImportForm(FlaskForm):
    file = FileField(_l("Assessor's spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])


class SanctionForm(FlaskForm):
    institution_id = SelectField(_l("Institution"), choices=[])
    kind = SelectField(_l("Kind"), choices=options([("penalty", _l("Administrative or criminal penalty")),
                                                    ("blacklist", _l("Credit blacklist entry"))]))
    decided_on = DateField(_l("Decided on"), validators=[Optional()])
    until = DateField(_l("Until (blacklist)"), validators=[Optional()])
    reference = StringField(_l("Decision reference"), render_kw={"maxlength": 120})
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})


class ObjectionForm(FlaskForm):
    name = StringField(_l("Your name"), render_kw={"maxlength": 60, "autocomplete": "name"})
    contact = StringField(_l("Phone or e-mail"), render_kw={"maxlength": 80})
    text = TextAreaField(_l("Your objection"), render_kw={"rows": 6, "maxlength": 2000})


class StartRegradeForm(FlaskForm):
    pass


class ScheduleEvaluationForm(FlaskForm):
    on = DateField(_l("Date of the on-site evaluation"), validators=[Optional()])
    assessor_ids = SelectMultipleField(_l("Assessors"), coerce=int, validate_choice=False,
                                       render_kw={"size": 6})

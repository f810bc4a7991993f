"""The institution form. The rules live in domain/institution.py (shared with the import);
the form only renders fields and carries the CSRF token and the record version."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField
from wtforms.validators import Optional

from ..core import labels
from ..core.forms import WholeNumberField, options


def _choices(table):
    return lambda: options((code, str(label)) for code, label in table.items())


class InstitutionForm(FlaskForm):
    name = StringField(_l("Name"))
    credit_code = StringField(_l("Unified social credit code"), render_kw={"maxlength": 18, "autocapitalize": "characters"})
    type = SelectField(_l("Type"))
    district = StringField(_l("District"))
    street = StringField(_l("Street"))
    address = StringField(_l("Address"))
    beds = WholeNumberField(_l("Beds"), validators=[Optional()])
    nursing_beds = WholeNumberField(_l("Nursing-type beds"), validators=[Optional()])
    operator_type = SelectField(_l("Operator type"))
    medical_integration = SelectField(_l("Medical integration"))
    ltc_designated = BooleanField(_l("Long-term-care insurance designated"))
    status = SelectField(_l("Status"))
    filed_on = DateField(_l("Filing date"), validators=[Optional()])
    contact_phone = StringField(_l("Contact phone"))
    bed_code = StringField(_l("Bed number"), render_kw={"maxlength": 24, "autocapitalize": "characters"})
    care_level = SelectField(_l("Ability level (assessment)"), validate_choice=False)   # checked by the domain
    assessed_on = DateField(_l("Assessment date"), validators=[Optional()])
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = _choices(labels.INSTITUTION_TYPES)()
        self.operator_type.choices = _choices(labels.OPERATOR_TYPES)()
        self.medical_integration.choices = _choices(labels.MEDICAL_INTEGRATION)()
        self.status.choices = _choices(labels.STATUSES)()
        self.care_level.choices = options([("", "—")] + [(c, str(l)) for c, l in labels.CARE_LEVELS.items()])

    def raw_values(self) -> dict:
        """Field values as text for the domain's validation (which both forms and imports use)."""
        names = ("name", "credit_code", "type", "district", "street", "address", "beds", "nursing_beds",
                 "operator_type", "medical_integration", "status", "filed_on", "contact_phone",
                 "bed_code", "care_level", "assessed_on")
        raw = {n: self[n].raw_data[0] if self[n].raw_data else "" for n in names}
        raw["ltc_designated"] = "yes" if self.ltc_designated.data else "no"
        return raw


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])

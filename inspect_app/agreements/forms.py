"""Forms of the register: an agreement, a doctor's round, a 长护险 designation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import WholeNumberField, options
from . import labels


class AgreementForm(FlaskForm):
    credit_code = StringField(_l("Institution's unified social credit code"),
                              render_kw={"maxlength": 18, "autocapitalize": "characters"})
    partner_name = StringField(_l("Medical unit"), render_kw={"maxlength": 120})
    partner_licence = StringField(_l("Medical institution licence registration number"),
                                  render_kw={"maxlength": 22, "autocapitalize": "characters"})
    number = StringField(_l("Agreement number"), render_kw={"maxlength": 60})
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    starts_on = DateField(_l("In force from"), validators=[Optional()])
    ends_on = DateField(_l("In force until"), validators=[Optional()])
    services = SelectMultipleField(_l("Services agreed"), choices=options(list(labels.SERVICES.items())),
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                   validators=[Optional()])
    visit_count = WholeNumberField(_l("Doctors' rounds agreed"), validators=[Optional()], maximum=31)
    visit_period = SelectField(_l("Rounds counted"), choices=options(list(labels.PERIODS.items())))
    green_channel = BooleanField(_l("Green channel"))
    green_channel_contact = StringField(_l("Green channel contact"), render_kw={"maxlength": 120})
    doctor_name = StringField(_l("Named doctor"), render_kw={"maxlength": 80})
    pages = MultipleFileField(_l("Scanned pages of the agreement"), render_kw={"accept": "image/*"})
    version = HiddenField()

    def values(self) -> dict:
        return {"partner_name": self.partner_name.data, "partner_licence": self.partner_licence.data,
                "number": self.number.data, "signed_on": self.signed_on.data, "starts_on": self.starts_on.data,
                "ends_on": self.ends_on.data, "services": list(self.services.data or []),
                "visit_count": self.visit_count.data, "visit_period": self.visit_period.data,
                "green_channel": bool(self.green_channel.data),
                "green_channel_contact": self.green_channel_contact.data, "doctor_name": self.doctor_name.data}


class RoundForm(FlaskForm):
    held_on = DateField(_l("Date of the round"), validators=[Optional()])
    doctor_name = StringField(_l("Doctor"), render_kw={"maxlength": 80})
    residents_seen = WholeNumberField(_l("Residents seen"), validators=[Optional()])
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": 2000})

    def values(self) -> dict:
        return {"held_on": self.held_on.data, "doctor_name": self.doctor_name.data,
                "residents_seen": self.residents_seen.data, "note": self.note.data}


class DesignationForm(FlaskForm):
    credit_code = StringField(_l("Institution's unified social credit code"),
                              render_kw={"maxlength": 18, "autocapitalize": "characters"})
    agency = StringField(_l("Insurer or handling agency"), render_kw={"maxlength": 120})
    agreement_number = StringField(_l("Agreement number"), render_kw={"maxlength": 60})
    designated_from = DateField(_l("Designated from"), validators=[Optional()])
    designated_to = DateField(_l("Designated until (empty: open-ended)"), validators=[Optional()])

    def values(self) -> dict:
        return {"agency": self.agency.data, "agreement_number": self.agreement_number.data,
                "designated_from": self.designated_from.data, "designated_to": self.designated_to.data}

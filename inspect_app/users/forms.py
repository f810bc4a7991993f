from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core import labels
from ..core.forms import options


class PersonForm(FlaskForm):
    username = StringField(_l("User name"), render_kw={"autocapitalize": "none"})
    name = StringField(lazy_pgettext("person", "Name"))
    role = SelectField(_l("Role"))
    department = SelectField(_l("Department"), validators=[Optional()])
    institution_id = SelectField(_l("Institution"), validators=[Optional()])
    district = StringField(_l("District"))
    phone = StringField(_l("Phone"))
    email = StringField(_l("E-mail"))
    is_active_account = BooleanField(_l("Active"), default=True)
    is_department_head = BooleanField(_l("Head of department"))
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "new-password"})
    credential_number = StringField(_l("Enforcement certificate number"), render_kw={"maxlength": 40})
    credential_authority = StringField(_l("Issuing authority"), render_kw={"maxlength": 80})
    credential_expires_on = DateField(_l("Certificate valid until"), validators=[Optional()])

    def setup(self, roles: list[str], institutions: list[tuple[int, str]]):
        self.role.choices = options((r, str(labels.ROLES[r])) for r in roles)
        self.department.choices = options([("", "—")] + [(c, str(v)) for c, v in labels.DEPARTMENTS.items()])
        self.institution_id.choices = options([("", "—")] + [(str(i), n) for i, n in institutions], data=True)
        return self

    def values(self) -> dict:
        return {
            "username": self.username.data, "name": self.name.data, "role": self.role.data,
            "department": self.department.data, "institution_id": self.institution_id.data,
            "district": self.district.data, "phone": self.phone.data, "email": self.email.data,
            "is_active_account": self.is_active_account.data,
            "is_department_head": self.is_department_head.data, "password": self.password.data,
            "credential_number": self.credential_number.data, "credential_authority": self.credential_authority.data,
            "credential_expires_on": self.credential_expires_on.data,
        }


class ConflictForm(FlaskForm):
    institution_id = SelectField(_l("Institution"))
    reason = TextAreaField(_l("Reason"))

"""Forms of the inspections feature.

* :func:`build_inspection_form` makes a WTForms form from a checklist version through a
  small field-type registry (:data:`FIELD_TYPES`, one builder per item ``type`` of
  checklists/README.md): ``check`` → radio pass / fail / (na); ``scale`` → a number with the
  item's step and 0..points; ``measure`` → a number with its unit and bounds shown. N/A only
  where the item allows it (an ``na-<item>`` checkbox beside a number); a remark per item. The
  tablet script saves each answer as JSON; the form renders the controls with the stored answers.
* :class:`VisitForm` — an ad-hoc visit (institution, date, purpose, departments, inspectors).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, Field, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from ..core import labels
from ..core.whole_numbers import whole_number
from ..domain.checklist.model import Checklist, Item
from ..domain.scoring.single import number_text, pass_min_of, step_of
from ..domain.units import cannot_be_negative


@dataclass
class ItemControls:
    """What one item renders: the answer control, an optional N/A box, the remark, a hint."""
    item: Item
    answer: Field
    na: Field | None
    remark: Field
    hint: str


Builder = Callable[[Item], tuple[object, object | None, str]]   # (answer field, na field, hint)
FIELD_TYPES: dict[str, Builder] = {}


def field_type(name: str):
    def register(builder: Builder) -> Builder:
        FIELD_TYPES[name] = builder
        return builder
    return register


def _na_box(item: Item):
    return BooleanField(_l("Not applicable")) if item.na else None


@field_type("check")
def _check(item: Item):
    choices = [SelectChoice("pass", _l("Pass")), SelectChoice("fail", _l("Fail"))] + (
        [SelectChoice("na", _l("N/A"))] if item.na else [])
    return RadioField(item.text, choices=choices, validators=[Optional()], validate_choice=False), None, ""


@field_type("scale")
def _scale(item: Item):
    step, top = number_text(step_of(item)), number_text(item.points)
    field = StringField(item.text, widget=NumberInput(step=step, min="0", max=top),
                        render_kw={"inputmode": "decimal", "data-pass-min": number_text(pass_min_of(item))})
    hint = str(_l("0 to %(max)s points, in steps of %(step)s", max=top, step=step))
    return field, _na_box(item), hint


@field_type("measure")
def _measure(item: Item):
    bounds = {}
    if item.min is not None:
        bounds["data-min"] = number_text(item.min)
    if item.max is not None:
        bounds["data-max"] = number_text(item.max)
    # A quantity that cannot be negative (a time, a length…: domain/units.py) gets min="0";
    # the tablet refuses a value below it before saving, the server refuses it again.
    lowest = {"min": "0"} if cannot_be_negative(item.unit) else {}
    field = StringField(item.text, widget=NumberInput(step="any", **lowest),
                        render_kw={"inputmode": "decimal", **bounds})
    if item.min is not None and item.max is not None:
        hint = _l("%(unit)s; passes within %(min)s – %(max)s", unit=item.unit, min=bounds["data-min"],
                  max=bounds["data-max"])
    elif item.min is not None:
        hint = _l("%(unit)s; passes at %(min)s or more", unit=item.unit, min=bounds["data-min"])
    else:
        hint = _l("%(unit)s; passes at %(max)s or less", unit=item.unit, max=bounds["data-max"])
    return field, _na_box(item), str(hint)


def build_inspection_form(checklist: Checklist, answers: dict) -> tuple[BaseForm, dict[str, ItemControls]]:
    """The form of a checklist version filled with the stored ``answers`` (item id → Answer)."""
    fields, built = [], {}
    for item in checklist.items:
        answer, na, hint = FIELD_TYPES[item.type](item)
        fields.append((f"answer-{item.id}", answer))
        if na is not None:
            fields.append((f"na-{item.id}", na))
        fields.append((f"remark-{item.id}", TextAreaField(_l("Remark"), render_kw={"rows": 2})))
        built[item.id] = hint
    form = BaseForm(fields)
    data = {}
    for item in checklist.items:
        stored = answers.get(item.id)
        value = stored.value if stored is not None else ""
        if item.type == "check":
            data[f"answer-{item.id}"] = value or None
        else:
            data[f"answer-{item.id}"] = "" if value == "na" else value
            if item.na:
                data[f"na-{item.id}"] = value == "na"
        data[f"remark-{item.id}"] = stored.remark if stored is not None and stored.remark else ""
    form.process(data=data)
    controls = {item.id: ItemControls(item, form[f"answer-{item.id}"],
                                      form[f"na-{item.id}"] if item.na and item.type != "check" else None,
                                      form[f"remark-{item.id}"], built[item.id])
                for item in checklist.items}
    return form, controls


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


PURPOSE_LABELS = {
    "routine": _l("Routine"), "random": _l("Random check"), "complaint": _l("Complaint"),
    "follow_up": _l("Follow-up"), "grading": _l("Grading evaluation"),
}


class VisitForm(FlaskForm):
    institution_id = SelectField(_l("Institution"), coerce=int, validators=[DataRequired()])
    scheduled_for = DateField(_l("Date"), validators=[DataRequired()])
    due_by = DateField(_l("Due by"), validators=[Optional()])
    purpose = SelectField(_l("Purpose"))
    departments = MultiCheckboxField(_l("Departments"))
    note = TextAreaField(_l("Note"), validators=[Optional()], render_kw={"rows": 2, "maxlength": 2000})

    def setup(self, purposes, institutions, inspectors: dict[str, list[tuple[int, str]]], formdata=None):
        """Choices for this user; one inspector list per department (``inspectors-<dept>``)."""
        self.purpose.choices = [SelectChoice(p, str(PURPOSE_LABELS[p])) for p in purposes]
        self.institution_id.choices = [SelectChoice(0, str(_l("— choose —")))] + [
            SelectChoice(i, name, render_kw={"class": "user-data"}) for i, name in institutions]
        self.departments.choices = [SelectChoice(d, str(labels.DEPARTMENTS[d])) for d in inspectors]
        self.teams = {}
        # The leader of each team: a radio ``leader-<dept>`` beside the inspectors ticked.
        self.leaders = {dept: (formdata.get(f"leader-{dept}") if formdata is not None else None) or ""
                        for dept in inspectors}
        for dept, people in inspectors.items():
            field = MultiCheckboxField(_l("Inspectors"), choices=[SelectChoice(str(i), n) for i, n in people])
            bound = field.bind(self, f"inspectors-{dept}")
            bound.process(formdata)
            self.teams[dept] = bound
        return self

    def departments_value(self) -> dict[str, list[int]]:
        chosen = self.departments.data or []
        out = {}
        for dept in chosen:
            team = self.teams.get(dept)
            out[dept] = [i for i in (whole_number(v) for v in (team.data or [])) if i] if team else []
        return out

    def leaders_value(self) -> dict[str, int | None]:
        """The leader chosen per chosen department (None: none chosen, the first ticked leads;
        0: not a number, which the service refuses as not one of the team)."""
        out = {}
        for dept in self.departments.data or []:
            text = self.leaders.get(dept) or ""
            out[dept] = (whole_number(text) or 0) if text else None
        return out

    def field_for(self, where: str):
        """The field a located problem concerns ("inspectors.fire" is the fire team's field),
        or None (core.web.refusal flashes it then)."""
        head, _, dept = where.partition(".")
        target = self.teams.get(dept) if head in ("inspectors", "leaders") else (
            self.departments if head in ("departments", "checklists") else getattr(self, head, None))
        return target if isinstance(target, Field) else None

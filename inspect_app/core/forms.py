"""What every form shares: the options of select, radio and multi-select fields, and the
field for whole numbers.

WTForms takes options as :class:`SelectChoice` objects (tuples are deprecated); features write
``(value, label)`` pairs and pass them through :func:`options`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from wtforms import IntegerField
from wtforms.fields.choices import SelectChoice

from ..domain.counts import INT32_MAX

_DIGITS = re.compile(r"-?[0-9]{1,20}")


def options(pairs: Iterable[tuple[object, object]], data: bool = False) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms options, in the order given. ``data=True``: the
    labels are data (institution or people names), marked as such (core.labels.user_data)."""
    render_kw = {"class": "user-data"} if data else None
    return [SelectChoice(value, label, render_kw=render_kw) for value, label in pairs]


class WholeNumberField(IntegerField):
    """A whole number typed into a form, read strictly: ASCII digits only (WTForms' own
    field takes ``"١٢"`` as 12) and within ``minimum``..``maximum`` — by default what an
    INTEGER column holds — else an error at the field, never an overflow in the database."""

    def __init__(self, label=None, validators=None, minimum: int = 0, maximum: int = INT32_MAX, **kwargs):
        render_kw = {"inputmode": "numeric", "min": minimum, **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = valuelist[0].strip()
        if not _DIGITS.fullmatch(text):
            raise ValueError(_("Write a whole number with the digits 0-9."))
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise ValueError(_("Enter a whole number from %(low)d to %(high)d.", low=self.minimum, high=self.maximum))
        self.data = value

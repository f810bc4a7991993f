"""Which units measure a quantity that cannot be negative (domain/units.py)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pytest

from inspect_app.domain.units import cannot_be_negative, quantity_of, sign_problem


@pytest.mark.parametrize("unit,quantity", [
    ("min", "time"), ("h", "time"), ("cm", "length"), ("m", "length"), ("m²", "area"), ("g", "mass"),
    ("%", "percentage"), ("次/年", "rate"), ("次/夜", "rate"), ("m²/床", "rate"),
    ("℃", None), ("°C", None), ("dB", None), ("", None), (None, None), ("min/℃", None),
])
def test_quantity_of_a_unit(unit, quantity):
    assert quantity_of(unit) == quantity
    assert cannot_be_negative(unit) is (quantity is not None)


@dataclass
class _Item:
    type: str
    unit: str | None = None


def test_only_negative_measurements_of_non_negative_quantities_are_refused():
    assert sign_problem(_Item("measure", "min"), Fraction(-1)) == "-1 min is negative; a time cannot be below zero"
    assert sign_problem(_Item("measure", "min"), Fraction(0)) is None
    assert sign_problem(_Item("measure", "min"), Fraction(1, 2)) is None
    assert sign_problem(_Item("measure", "℃"), Fraction(-18)) is None
    assert sign_problem(_Item("scale"), Fraction(-1)) is None      # the engine checks a scale's range
    assert sign_problem(_Item("measure", "m"), None) is None

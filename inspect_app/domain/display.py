"""How numbers are written for people: scores and percentages with one decimal, rounded half
up (四舍五入), as regulators write them ("341.2", "961.0", "98.9"). Only the text shown is
rounded; the stored values and the data exports stay exact."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

ONE_DECIMAL = Decimal("0.1")


def exact_decimal(value) -> Decimal | None:
    """An int, float, Decimal, Fraction or number text as a Decimal (None when it is none)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def one_decimal(value) -> str:
    """``value`` with one decimal, rounded half up; "" when there is no number."""
    number = exact_decimal(value)
    if number is None or not number.is_finite():
        return ""
    return str(number.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))

"""Units of measure items, and which of them measure a quantity that cannot be negative.

A checklist's ``measure`` item names its unit (``unit: min``); the unit says what kind of
quantity is measured. A time, a length, an area, a mass, a count, a rate of something per
something or a percentage of residents is never below zero, so ``-1 min`` is a typing
error, not a measurement; a temperature (℃) may well be negative. The rule is read from
the unit, not stored on the item, so every checklist file keeps its format.

* :data:`NON_NEGATIVE` maps each unit known to be non-negative to the kind of quantity it
  measures (used in the message).
* A compound unit ``a/b`` (``次/年``, ``m²/床``) is non-negative when every part is.
* A unit not in the table (``℃``, ``dB``, or one a bureau invents) allows any finite number,
  as before: the table only ever refuses what cannot be measured.

The ``flask grade`` command (checklists/README.md) is not affected: it accepts any finite number for a
measure item. The rule applies where an inspector types a measurement (the tablet form, its
saves and its submit).
"""
from __future__ import annotations

from fractions import Fraction

from .scoring.single import number_text

TIME, LENGTH, AREA, VOLUME, MASS, SHARE, COUNT = "time", "length", "area", "volume", "mass", "percentage", "count"
RATE = "rate"

#: unit → the kind of quantity it measures (each never negative).
NON_NEGATIVE: dict[str, str] = {
    **dict.fromkeys(("s", "sec", "min", "h", "d", "秒", "分", "分钟", "小时", "天", "日", "周", "月", "年",
                     "夜"), TIME),
    **dict.fromkeys(("mm", "cm", "m", "km", "毫米", "厘米", "米", "公里"), LENGTH),
    **dict.fromkeys(("m²", "m2", "㎡", "平方米", "cm²"), AREA),
    **dict.fromkeys(("m³", "m3", "L", "l", "mL", "ml", "升", "毫升"), VOLUME),
    **dict.fromkeys(("mg", "g", "kg", "t", "毫克", "克", "千克", "公斤", "吨"), MASS),
    **dict.fromkeys(("%", "‰", "％"), SHARE),
    **dict.fromkeys(("次", "人", "名", "床", "张", "个", "件", "台", "处", "份", "间", "只", "具", "组"), COUNT),
}


def quantity_of(unit: str | None) -> str | None:
    """The kind of quantity ``unit`` measures when that quantity cannot be negative, else None.

    ``min`` → "time", ``次/年`` → "rate", ``℃`` → None (a temperature may be below zero)."""
    text = (unit or "").strip()
    if not text:
        return None
    parts = [p.strip() for p in text.split("/")]
    if any(p not in NON_NEGATIVE for p in parts):
        return None
    return NON_NEGATIVE[parts[0]] if len(parts) == 1 else RATE


def cannot_be_negative(unit: str | None) -> bool:
    return quantity_of(unit) is not None


def sign_problem(item, number: Fraction | None) -> str | None:
    """Why ``number`` cannot be the measurement of ``item`` (a measure item), or None.

    ``item`` is a checklist item (``type``, ``unit``); only measure items with a
    non-negative unit refuse anything, and only numbers below zero."""
    if getattr(item, "type", None) != "measure" or number is None or number >= 0:
        return None
    quantity = quantity_of(getattr(item, "unit", None))
    if quantity is None:
        return None
    return f"{number_text(number)} {item.unit} is negative; a {quantity} cannot be below zero"

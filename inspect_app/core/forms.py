"""What every form shares: the options of select, radio and multi-select fields.

WTForms takes options as :class:`SelectChoice` objects (tuples are deprecated); features write
``(value, label)`` pairs and pass them through :func:`options`.
"""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms options, in the order given."""
    return [SelectChoice(value, label) for value, label in pairs]

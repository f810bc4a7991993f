"""What every form shares: the options of select, radio and multi-select fields.

WTForms takes options as :class:`SelectChoice` objects (tuples are deprecated); features write
``(value, label)`` pairs and pass them through :func:`options`.
"""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, object]], data: bool = False) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms options, in the order given. ``data=True``: the
    labels are data (institution or people names), marked as such (core.labels.user_data)."""
    render_kw = {"class": "user-data"} if data else None
    return [SelectChoice(value, label, render_kw=render_kw) for value, label in pairs]

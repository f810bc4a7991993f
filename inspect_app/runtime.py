"""The Python versions CareInspect supports, checked when the application starts.

The same range is declared in ``pyproject.toml`` (``requires-python``) and is the range the lock
files are made for (``scripts/lock.sh``); a test keeps the three in agreement.
"""
from __future__ import annotations

import sys

SUPPORTED_PYTHON = ((3, 11), (3, 13))   # oldest and newest minor version, inclusive


class UnsupportedPython(RuntimeError):
    pass


def check_python(version: tuple[int, ...] | None = None) -> None:
    """Refuses to start on a Python outside :data:`SUPPORTED_PYTHON`, saying which are supported."""
    found = tuple((version or sys.version_info)[:2])
    oldest, newest = SUPPORTED_PYTHON
    if not (oldest <= found <= newest):
        raise UnsupportedPython(
            f"CareInspect supports Python {oldest[0]}.{oldest[1]} to {newest[0]}.{newest[1]}; "
            f"this is Python {found[0]}.{found[1]}. Install a supported Python and run ./scripts/start.sh again.")

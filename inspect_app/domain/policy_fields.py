"""The head every policy file shares: no unknown top-level field, and a version (a text such as
"2026.1") that records keep. Pure: no Flask, no database."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def head_problems(data: Mapping[Any, Any], source: str, known: Iterable[str]) -> list[str]:
    """Problems of ``data``'s top level, each located as ``<source>: <field>: <message>``:
    fields not in ``known`` (``version`` is always known), and a missing or blank version."""
    allowed = {"version", *known}
    problems = [f"{source}: {key}: unknown field" for key in sorted(set(map(str, data)) - allowed)]
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append(f"{source}: version: is required (a text such as \"2026.1\")")
    return problems

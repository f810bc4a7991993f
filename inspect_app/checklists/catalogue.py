"""The checklist catalogue: every file in ``checklists/``, validated when the app starts.

A malformed file stops start-up with every located problem (fail fast), never half-loads.
Each loaded version is stored (``ChecklistVersion``) the first time it is used, and a file
whose content changed without a new version number is refused.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from ..domain.checklist.model import Checklist, ChecklistError, load_catalogue


class CatalogueError(RuntimeError):
    pass


def catalogue_paths(directory: str) -> list[Path]:
    return sorted(Path(directory).glob("*.yaml"))


def load(directory: str) -> dict[str, Checklist]:
    try:
        return load_catalogue([str(p) for p in catalogue_paths(directory)])
    except ChecklistError as exc:
        raise CatalogueError("invalid checklist files:\n" + "\n".join(str(p) for p in exc.problems)) from None


def init_app(app: Flask) -> None:
    app.extensions["checklists"] = load(app.config["CHECKLIST_DIR"])


def all_checklists() -> dict[str, Checklist]:
    return current_app.extensions["checklists"]


def get(checklist_id: str) -> Checklist | None:
    return all_checklists().get(checklist_id)

"""The checklist catalogue: every file in ``checklists/``, validated when the app starts.

A malformed file stops start-up with every located problem (fail fast), never half-loads.
Each loaded version is stored (``ChecklistVersion``) the first time it is used, and a file
whose content changed without a new version number is refused.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from ..domain.checklist.model import Checklist, ChecklistError, load_catalogue
from ..domain.checklist.hazards import Hazard, HazardCatalogue, check_references, index, load_hazard_files

HAZARD_DIR = "hazards"     # checklists/hazards/*.yaml: the major-hazard catalogue, one file per source


class CatalogueError(RuntimeError):
    pass


def catalogue_paths(directory: str) -> list[Path]:
    return sorted(Path(directory).glob("*.yaml"))


def load(directory: str) -> dict[str, Checklist]:
    try:
        return load_catalogue([str(p) for p in catalogue_paths(directory)])
    except ChecklistError as exc:
        raise CatalogueError("invalid checklist files:\n" + "\n".join(str(p) for p in exc.problems)) from None


def hazard_paths(directory: str) -> list[Path]:
    return sorted((Path(directory) / HAZARD_DIR).glob("*.yaml"))


def load_hazards(directory: str, checklists: dict[str, Checklist]) -> list[HazardCatalogue]:
    """The hazard catalogue files, checked together with the items that refer to them."""
    catalogues, problems = load_hazard_files(hazard_paths(directory))
    paths = {cl.id: str(p) for p in catalogue_paths(directory) for cl in checklists.values()
             if p.stem == cl.id}
    problems += check_references(((paths.get(cl.id, cl.id), cl) for cl in checklists.values()),
                                 catalogues)
    if problems:
        raise CatalogueError("invalid major-hazard catalogue:\n" + "\n".join(str(p) for p in problems))
    return catalogues


def init_app(app: Flask) -> None:
    checklists = load(app.config["CHECKLIST_DIR"])
    app.extensions["checklists"] = checklists
    app.extensions["hazards"] = load_hazards(app.config["CHECKLIST_DIR"], checklists)


def hazard_catalogues() -> list[HazardCatalogue]:
    """Oldest source first (by the date it took force)."""
    return current_app.extensions["hazards"]


def hazard(hazard_id: str | None) -> tuple[HazardCatalogue, Hazard] | None:
    return index(hazard_catalogues()).get(hazard_id) if hazard_id else None


def all_checklists() -> dict[str, Checklist]:
    return current_app.extensions["checklists"]


def get(checklist_id: str) -> Checklist | None:
    return all_checklists().get(checklist_id)

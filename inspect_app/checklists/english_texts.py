"""Checklist texts in the UI language, for records that keep a copy of a text (findings, grade
explanations): the English text of the same checklist version, looked up by its id.

A version's content never changes once stored (services.store_version refuses that), so the
texts of a version are read once per process.
"""
from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import select

from ..core.labels import english, user_data
from ..extensions import db
from . import catalogue
from .models import ChecklistVersion


def english_texts(checklist_id: str, version: str) -> dict[str, str]:
    """``title``, ``section:<id>`` and each item id → its English text, where written."""
    cache = current_app.extensions.setdefault("checklist_texts_en", {})
    key = (checklist_id, version)
    if key not in cache:
        cl = catalogue.get(checklist_id)
        if cl is not None and cl.version == version:
            content = {"title_en": cl.title_en, "sections": [
                {"id": s.id, "title_en": s.title_en, "items": [{"id": i.id, "text_en": i.text_en} for i in s.items]}
                for s in cl.sections]}
        else:
            content = db.session.scalar(select(ChecklistVersion.content).where(
                ChecklistVersion.checklist_id == checklist_id, ChecklistVersion.version == version)) or {}
        texts = {"title": content.get("title_en")}
        for section in content.get("sections", ()):
            texts[f"section:{section['id']}"] = section.get("title_en")
            for item in section.get("items", ()):
                texts[item["id"]] = item.get("text_en")
        cache[key] = {k: v for k, v in texts.items() if v}
    return cache[key]


def checklist_text(text: str, checklist_id: str, version: str, key: str, markup: bool = True):
    """``text`` (as copied into a record) in the UI language: in English the version's English
    text where it has one, otherwise the text as written, marked as data."""
    if not english():
        return text or ""
    translated = english_texts(checklist_id, version).get(key) if checklist_id and version else None
    if translated:
        return translated
    return user_data(text) if markup else (text or "")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["cl_text"] = checklist_text
    app.jinja_env.globals["item_sources"] = item_sources
    app.jinja_env.globals["checklist_notes"] = checklist_notes
    app.jinja_env.globals["hazard_of"] = catalogue.hazard


def checklist_notes(checklist_id: str | None, version: str | None) -> dict:
    """The caveats a checklist version carries for the bureau (``levels_note``: where the level
    thresholds come from and what is wrong with them; ``points_note``: how the points were
    split), from the catalogue or the stored version; {} when the version has none."""
    if not (checklist_id and version):
        return {}
    cl = catalogue.get(checklist_id)
    if cl is not None and cl.version == version:
        return {name: getattr(cl, name) for name in NOTES}
    cache = current_app.extensions.setdefault("checklist_notes", {})
    if (checklist_id, version) not in cache:
        content = db.session.scalar(select(ChecklistVersion.content).where(
            ChecklistVersion.checklist_id == checklist_id, ChecklistVersion.version == version)) or {}
        cache[(checklist_id, version)] = {name: content.get(name) for name in NOTES}
    return cache[(checklist_id, version)]


NOTES = ("levels_note", "points_note", "levels_note_en", "points_note_en")
ITEM_SOURCES = ("reference", "hazard", "veto_reason", "reference_en", "veto_reason_en")


def item_sources(checklist_id: str | None, version: str | None, item_id: str | None) -> dict:
    """What a stored record's item rests on, from its checklist version: ``reference`` (a
    local table or practice, printed "参考：", never as law), ``hazard`` (the major-hazard
    catalogue entry, with its clause and whether its text is confirmed) and ``veto_reason``,
    with the English versions of the notes (``*_en``) where written. Versions stored before
    these fields existed give none of them."""
    if not (checklist_id and version and item_id):
        return {}
    cache = current_app.extensions.setdefault("checklist_item_sources", {})
    key = (checklist_id, version)
    if key not in cache:
        cl = catalogue.get(checklist_id)
        if cl is not None and cl.version == version:
            items = [{"id": i.id, **{name: getattr(i, name) for name in ITEM_SOURCES}} for i in cl.items]
        else:
            content = db.session.scalar(select(ChecklistVersion.content).where(
                ChecklistVersion.checklist_id == checklist_id, ChecklistVersion.version == version)) or {}
            items = [i for s in content.get("sections", ()) for i in s.get("items", ())]
        cache[key] = {i["id"]: {name: i.get(name) for name in ITEM_SOURCES} for i in items}
    out = dict(cache[key].get(item_id, {}))
    found = catalogue.hazard(out.get("hazard"))
    out["hazard_entry"] = found[1] if found else None
    out["hazard_source"] = found[0] if found else None
    return out

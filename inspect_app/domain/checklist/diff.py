"""What changed between two versions of a checklist, for side-by-side review."""
from __future__ import annotations

from dataclasses import dataclass, fields

from .model import Checklist, Item

# Every field of an item but its id, in the model's order.
ITEM_FIELDS = tuple(f.name for f in fields(Item) if f.name != "id")


@dataclass(frozen=True)
class ItemChange:
    item_id: str
    kind: str                                  # added | removed | changed
    old: Item | None
    new: Item | None
    fields: tuple[str, ...] = ()               # for "changed": the fields that differ
    section_old: str | None = None
    section_new: str | None = None


@dataclass(frozen=True)
class ChecklistDiff:
    old: Checklist
    new: Checklist
    items: tuple[ItemChange, ...]
    header: tuple[str, ...]                    # top-level fields that differ
    levels_changed: bool

    @property
    def unchanged(self) -> bool:
        return not (self.items or self.header or self.levels_changed)


def _sections_by_item(cl: Checklist) -> dict[str, str]:
    return {item.id: s.id for s in cl.sections for item in s.items}


def diff(old: Checklist, new: Checklist) -> ChecklistDiff:
    old_items = {i.id: i for i in old.items}
    new_items = {i.id: i for i in new.items}
    old_sec, new_sec = _sections_by_item(old), _sections_by_item(new)
    changes: list[ItemChange] = []
    for item in new.items:                      # new order first, then removals
        before = old_items.get(item.id)
        if before is None:
            changes.append(ItemChange(item.id, "added", None, item, section_new=new_sec[item.id]))
            continue
        fields = tuple(f for f in ITEM_FIELDS if getattr(before, f) != getattr(item, f))
        if old_sec[item.id] != new_sec[item.id]:
            fields += ("section",)
        if fields:
            changes.append(ItemChange(item.id, "changed", before, item, fields,
                                      old_sec[item.id], new_sec[item.id]))
    for item in old.items:
        if item.id not in new_items:
            changes.append(ItemChange(item.id, "removed", item, None, section_old=old_sec[item.id]))
    header = tuple(f for f in ("title", "title_en", "department", "kind", "basis", "levels_note", "points_note",
                                 "levels_note_en", "points_note_en")
                   if getattr(old, f) != getattr(new, f))
    return ChecklistDiff(old, new, tuple(changes), header, old.levels != new.levels)

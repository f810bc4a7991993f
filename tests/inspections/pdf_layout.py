"""Reading a WeasyPrint layout (``inspect_app.core.pdf.layout``): which pages each element's
boxes landed on, the text laid out inside it and its width — what the printed record shows,
without a PDF text extractor."""
from __future__ import annotations

from dataclasses import dataclass, field

MM = 96 / 25.4                      # CSS pixels per millimetre


@dataclass
class Placed:
    """One element of the document as laid out."""
    tag: str
    classes: tuple[str, ...]
    inside: tuple[str, ...]         # the classes of its ancestors
    pages: set[int] = field(default_factory=set)
    text: str = ""                  # every piece of text laid out inside it, in order
    width: float = 0.0              # its widest box (border box, CSS px)
    boxes: list = field(default_factory=list)   # (page number, box)


def placed(document) -> list[Placed]:
    """Every element that has a box, in document order."""
    found: dict[int, Placed] = {}

    def visit(box, page: int, path: tuple[Placed, ...]):
        element = getattr(box, "element", None)
        if element is not None and not (path and found.get(id(element)) is path[-1]):
            entry = found.get(id(element))
            if entry is None:
                inside = tuple(c for p in path for c in p.classes)
                entry = found[id(element)] = Placed(element.tag, tuple((element.get("class") or "").split()), inside)
            path = path + (entry,)
        if path:
            path[-1].pages.add(page)
            path[-1].boxes.append((page, box))
            path[-1].width = max(path[-1].width, box.border_width())
        text = getattr(box, "text", None)
        if text:
            for entry in path:
                entry.text += text
        for child in getattr(box, "children", None) or []:
            visit(child, page, path)

    for number, page in enumerate(document.pages):
        visit(page._page_box, number, ())
    return list(found.values())

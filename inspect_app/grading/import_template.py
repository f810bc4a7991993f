"""The assessor's spreadsheet template (评分表模板), made from the grading checklist in force.

One row per item: its id, section, text, type, points and the answers it allows, then the
empty columns the assessor fills (评定结果, 备注). The importer (:mod:`.importing`) reads the
filled file as it is: the descriptive columns are ignored, the answer words 合格 / 不合格 /
不适用 are read as pass / fail / na. Excel checks the answers as they are typed where it can:
a drop-down list for pass/fail items, a number within the points for scale items; other items
show the allowed answers when the cell is selected. Every text cell is formula-safe.
"""
from __future__ import annotations

import io
from datetime import date

from ..auth import policy
from ..core.spreadsheet import safe_cell
from ..domain.checklist.model import Checklist, Item
from ..domain.scoring.single import number_text, step_of
from .importing import TEMPLATE_HEADER, grading_checklist

TYPE_WORDS = {"check": "合格/不合格", "scale": "评分", "measure": "测量"}
WIDTHS = (12, 18, 60, 12, 8, 34, 14, 30)
ANSWER_COLUMN = "G"


def allowed_answers(item: Item) -> str:
    """The answers an item allows, in the words the importer reads."""
    na = "；或 不适用" if item.na else ""
    if item.type == "check":
        return "合格 / 不合格" + (" / 不适用" if item.na else "")
    if item.type == "scale":
        return f"0 至 {number_text(item.points)} 的数，步长 {number_text(step_of(item))}{na}"
    unit = f"（{item.unit}）" if item.unit else ""
    if item.min is not None and item.max is not None:
        bounds = f"，{number_text(item.min)} 至 {number_text(item.max)} 为合格"
    elif item.min is not None:
        bounds = f"，不低于 {number_text(item.min)} 为合格"
    elif item.max is not None:
        bounds = f"，不高于 {number_text(item.max)} 为合格"
    else:
        bounds = ""
    return f"实测数值{unit}{bounds}{na}"


def _validation(item: Item):
    """The data validation of an item's answer cell (as a key shared by identical rules)."""
    if item.type == "check":
        words = "合格,不合格" + (",不适用" if item.na else "")
        return ("list", f'"{words}"', None)
    if item.type == "scale" and not item.na:
        return ("decimal", "0", number_text(item.points))
    return ("prompt", None, None)


def template_xlsx(checklist: Checklist) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    ws.append(list(TEMPLATE_HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for n, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + n)].width = width
    rules: dict[tuple, list[str]] = {}
    prompts: dict[str, list[str]] = {}
    row = 1
    for section in checklist.sections:
        for item in section.items:
            row += 1
            ws.append([safe_cell(item.id), safe_cell(section.title), safe_cell(item.text),
                       TYPE_WORDS.get(item.type, item.type), float(item.points), allowed_answers(item), None, None])
            ws.cell(row=row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
            ref = f"{ANSWER_COLUMN}{row}"
            key = _validation(item)
            if key[0] == "prompt":
                prompts.setdefault(allowed_answers(item), []).append(ref)
            else:
                rules.setdefault(key, []).append(ref)
    for (kind, low, high), refs in rules.items():
        if kind == "list":
            dv = DataValidation(type="list", formula1=low, allow_blank=True, showErrorMessage=True,
                                errorTitle="评定结果", error="请从列表中选择")
        else:
            dv = DataValidation(type="decimal", operator="between", formula1=low, formula2=high,
                                allow_blank=True, showErrorMessage=True, errorTitle="评定结果",
                                error=f"请填写 {low} 至 {high} 的数")
        for ref in refs:
            dv.add(ref)
        ws.add_data_validation(dv)
    for text, refs in prompts.items():
        dv = DataValidation(allow_blank=True, showInputMessage=True, promptTitle="评定结果", prompt=text[:255])
        for ref in refs:
            dv.add(ref)
        ws.add_data_validation(dv)
    ws.auto_filter.ref = f"A1:H{row}"
    about = wb.create_sheet("说明")
    for line in (("评分表", safe_cell(checklist.title)), ("检查表", f"{checklist.id} {checklist.version}"),
                 ("填写", "每个条目一行，在“评定结果”列填写答案，可在“备注”列说明；其他列仅供参考，导入时不读取。"),
                 ("答案", "合格/不合格类条目填“合格”“不合格”（允许时可填“不适用”）；评分、测量类条目填数字。"),
                 ("导入", "整个文件先行检查：任何一行有问题，均不作任何更改，并列出问题所在的行和列。")):
        about.append(list(line))
    about.column_dimensions["A"].width = 10
    about.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_for(user, today: date, scheme: str | None = None) -> tuple[bytes, str]:
    """The template of ``scheme``'s grading checklist (default: the stars) in force on ``today``
    and its file name."""
    policy.require(user, "grading.manage")
    checklist = grading_checklist(today, scheme)
    return template_xlsx(checklist), f"评分表模板-{checklist.id}-{checklist.version}.xlsx"

"""The institution registry's rules (机构名录库): codes, categories and row validation.

Used by the web form and by the spreadsheet import alike, so both apply the same rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from .counts import read_count
from .plain_text import forbidden_character
from .translatable import N_, Message

# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet (no I, O, Z, S, V).
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

INSTITUTION_TYPES = {
    "nursing_home": "养老机构",
    "community_center": "社区综合为老服务中心",
    "day_care": "日间照料中心",
    "care_home": "长者照护之家",
    "meal_point": "助餐点",
    "service_station": "养老服务站",
    "rural_mutual_aid": "农村幸福院",
    "home_care_bed": "家庭照护床位",
}
# A home-care bed (家庭照护床位) is a bed a provider sets up in an older person's home; it is
# registered under the provider's credit code with a bed number of its own, and with no more
# about the person than a visit needs: the household's address and contact phone, the ability
# level and the date of the assessment that granted the bed (docs/regulations.md, "Community
# facilities"). No name, ID number or birth date.
HOME_CARE_BED = "home_care_bed"
# Ability levels of GB/T 42195-2022 《老年人能力评估规范》 (widely cited; the standard's text was
# not read): 0 unimpaired … 4 totally impaired.
CARE_LEVELS = {"0": "能力完好", "1": "能力轻度受损（轻度失能）", "2": "能力中度受损（中度失能）",
               "3": "能力重度受损（重度失能）", "4": "能力完全丧失（完全失能）"}
BED_CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9-]{3,23}")
BED_FIELDS = ("bed_code", "care_level", "assessed_on")
# Types never shown on the public pages, the open data or the public API: a home-care bed is a
# private home, and its address is the older person's personal information (《个人信息保护法》
# 第十三条: no lawful basis to publish it). Its inspections are kept and followed up as any other.
UNPUBLISHED_TYPES = (HOME_CARE_BED,)
OPERATOR_TYPES = {"public": "公办", "private": "民办", "public_private": "公建民营"}
MEDICAL_INTEGRATION = {"none": "无", "internal": "内设医疗机构", "contracted": "签约医疗机构"}
STATUSES = {"operating": "运营中", "suspended": "暂停服务", "closed": "已关闭"}

# Column names accepted on import: the English field name or its Chinese header.
FIELDS = {
    "name": "机构名称",
    "credit_code": "统一社会信用代码",
    "type": "机构类型",
    "district": "区",
    "street": "街道",
    "address": "地址",
    "beds": "床位数",
    "nursing_beds": "护理型床位数",
    "operator_type": "运营方式",
    "medical_integration": "医养结合",
    "ltc_designated": "长护险定点",
    "status": "状态",
    "filed_on": "备案日期",
    "contact_phone": "联系电话",
    "bed_code": "床位编号",
    "care_level": "能力等级",
    "assessed_on": "评估日期",
}
REQUIRED = ("name", "credit_code", "type", "district", "street", "address", "beds",
            "operator_type", "status")
TRUE_WORDS = {"true", "yes", "y", "1", "是", "定点"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "", "非定点"}


def credit_code_check_char(first17: str) -> str:
    total = sum(CODE_ALPHABET.index(c) * w for c, w in zip(first17, CODE_WEIGHTS))
    return CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid unified social credit code, else why not."""
    if len(code) != 18:
        return Message(N_("must have 18 characters, has %(n)s"), n=len(code))
    bad = sorted({c for c in code if c not in CODE_ALPHABET})
    if bad:
        return Message(N_("contains characters not allowed in a credit code: %(chars)s"), chars="".join(bad))
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return Message(N_("check character is %(found)s, expected %(expected)s"), found=code[17], expected=expected)
    return None


@dataclass(frozen=True)
class RowProblem:
    column: str
    message: str


def _choice(value: str, choices: dict[str, str], column: str, problems: list) -> str | None:
    """Accept the code (nursing_home) or its Chinese label (养老机构)."""
    if value in choices:
        return value
    for code, label in choices.items():
        if value == label:
            return code
    problems.append(RowProblem(column, Message(N_("'%(value)s' is not one of: %(choices)s"), value=value,
                                               choices=", ".join(f"{c} ({label})" for c, label in choices.items()))))
    return None


def _count(value: str, column: str, problems: list) -> int | None:
    """A bed count: ASCII digits (thousands separators allowed), within an INTEGER column."""
    number, why = read_count(value)
    if why:
        problems.append(RowProblem(column, why))
    return number


def _date(value: str, column: str, problems: list) -> date | None:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    problems.append(RowProblem(column, Message(N_("'%(value)s' is not a date (YYYY-MM-DD)"), value=value)))
    return None


def clean_institution(raw: dict[str, object]) -> tuple[dict, list[RowProblem]]:
    """Validate one institution given as text values; returns (clean values, problems)."""
    problems: list[RowProblem] = []
    text = {k: ("" if raw.get(k) is None else str(raw.get(k)).strip()) for k in FIELDS}
    refused = set()
    for field, value in text.items():
        char = forbidden_character(value)
        if char:
            problems.append(RowProblem(field, Message(N_("contains a control character (%(char)s)"), char=char)))
            refused.add(field)
            text[field] = ""           # checked no further: the problem above says enough
    for field in REQUIRED:
        if not text[field] and field not in refused:
            problems.append(RowProblem(field, Message(N_("is required"))))
    clean: dict = {k: text[k] or None for k in ("name", "district", "street", "address", "contact_phone")}
    for field, limit in (("name", 120), ("district", 40), ("street", 60), ("address", 200),
                         ("contact_phone", 30)):
        if len(text[field]) > limit:
            problems.append(RowProblem(field, Message(N_("is longer than %(n)s characters"), n=limit)))
    code = text["credit_code"].upper()
    if code:
        why = credit_code_problem(code)
        if why:
            problems.append(RowProblem("credit_code", why))
    clean["credit_code"] = code
    clean["type"] = _choice(text["type"], INSTITUTION_TYPES, "type", problems) if text["type"] else None
    clean["operator_type"] = (_choice(text["operator_type"], OPERATOR_TYPES, "operator_type", problems)
                              if text["operator_type"] else None)
    clean["medical_integration"] = (_choice(text["medical_integration"], MEDICAL_INTEGRATION,
                                            "medical_integration", problems)
                                    if text["medical_integration"] else "none")
    clean["status"] = _choice(text["status"], STATUSES, "status", problems) if text["status"] else None
    clean["beds"] = _count(text["beds"], "beds", problems) if text["beds"] else None
    clean["nursing_beds"] = _count(text["nursing_beds"], "nursing_beds", problems) if text["nursing_beds"] else 0
    if clean["beds"] is not None and clean["nursing_beds"] is not None and clean["nursing_beds"] > clean["beds"]:
        problems.append(RowProblem("nursing_beds", Message(N_("cannot exceed beds"))))
    flag = text["ltc_designated"].lower()
    if flag in TRUE_WORDS:
        clean["ltc_designated"] = True
    elif flag in FALSE_WORDS:
        clean["ltc_designated"] = False
    else:
        problems.append(RowProblem("ltc_designated", Message(N_("'%(value)s' is not yes or no"),
                                                             value=text["ltc_designated"])))
    clean["filed_on"] = _date(text["filed_on"], "filed_on", problems) if text["filed_on"] else None
    _clean_bed(text, clean, problems)
    return clean, problems


def _clean_bed(text: dict[str, str], clean: dict, problems: list[RowProblem]) -> None:
    """The home-care bed's own fields: required for a bed, refused for any other type."""
    if clean["type"] != HOME_CARE_BED:
        for field in BED_FIELDS:
            if text[field]:
                problems.append(RowProblem(field, Message(N_("is only for a home-care bed"))))
        clean.update({field: None for field in BED_FIELDS})
        return
    code = text["bed_code"].upper()
    if not code:
        problems.append(RowProblem("bed_code", Message(N_("is required for a home-care bed"))))
    elif not BED_CODE_PATTERN.fullmatch(code):
        problems.append(RowProblem("bed_code", Message(
            N_("must be 4 to 24 capital letters, digits or hyphens, starting with a letter or digit"))))
    clean["bed_code"] = code or None
    clean["care_level"] = (_choice(text["care_level"], CARE_LEVELS, "care_level", problems)
                           if text["care_level"] else None)
    if clean["care_level"] is None and not text["care_level"]:
        problems.append(RowProblem("care_level", Message(N_("is required for a home-care bed"))))
    clean["assessed_on"] = _date(text["assessed_on"], "assessed_on", problems) if text["assessed_on"] else None
    if not text["assessed_on"]:
        problems.append(RowProblem("assessed_on", Message(N_("is required for a home-care bed"))))

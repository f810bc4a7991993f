"""The English versions of the checklist notes (``reference_en``, ``veto_reason_en``,
``points_note_en``, ``levels_note_en``; checklists/README.md, "Legal basis, reference and
notes"): checked by `checklist validate` like ``text_en``, left out of the content fingerprint,
written for every note of the repository's checklists, and shown by the English UI."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from inspect_app.checklists.cli import checklist_cli
from inspect_app.domain.checklist.model import (ChecklistError, content_digest, load_catalogue,
                                                parse_checklist_yaml)
from inspect_app.domain.checklist.schema import NOTE_TRANSLATIONS
from tests.domain.checklist.examples import GRADING, INSPECTION

import pytest

REPO = Path(__file__).resolve().parents[2] / "checklists"
NOTED = INSPECTION.replace("        points: 10\n", "        points: 10\n        reference: \"地方规定\"\n"
                           "        veto_reason: \"不作否决：说明\"\n        points_note: \"分值为本系统自定\"\n", 1)
TRANSLATED = NOTED.replace("        points_note: \"分值为本系统自定\"\n",
                           "        points_note: \"分值为本系统自定\"\n        reference_en: \"Local rule\"\n"
                           "        veto_reason_en: \"Not a veto: why\"\n        points_note_en: \"Points set here\"\n")


def test_the_english_notes_are_read_and_leave_the_fingerprint_alone():
    plain, translated = parse_checklist_yaml(NOTED, "f.yaml"), parse_checklist_yaml(TRANSLATED, "f.yaml")
    item = translated.items[0]
    assert (item.reference_en, item.veto_reason_en, item.points_note_en) == ("Local rule", "Not a veto: why",
                                                                            "Points set here")
    assert content_digest(translated) == content_digest(plain)
    assert content_digest(parse_checklist_yaml(TRANSLATED.replace("Local rule", "A local rule"), "f.yaml")) \
        == content_digest(plain)
    assert content_digest(parse_checklist_yaml(NOTED.replace("地方规定", "地方规则"), "f.yaml")) != content_digest(plain)


def test_an_english_note_without_the_note_it_translates_is_refused_at_its_place():
    orphan = INSPECTION.replace("        points: 10\n", "        points: 10\n        veto_reason_en: \"Veto: why\"\n", 1)
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(orphan, "f.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "f.yaml: FIRE-01: veto_reason_en is the English version of veto_reason, which is not given"]
    grading = GRADING.replace("kind: grading\n", "kind: grading\nlevels_note_en: \"From a local rule\"\n")
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(grading, "g.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "g.yaml: levels_note_en: is the English version of levels_note, which is not given"]
    number = TRANSLATED.replace('reference_en: "Local rule"', "reference_en: 12")
    with pytest.raises(ChecklistError) as caught:
        parse_checklist_yaml(number, "f.yaml")
    assert [p.where for p in caught.value.problems] == ["FIRE-01"]


def test_checklist_validate_reports_the_orphan_english_note(tmp_path):
    path = tmp_path / "fire.yaml"
    path.write_text(INSPECTION.replace("        points: 10\n", "        points: 10\n        points_note_en: \"x\"\n", 1),
                    encoding="utf-8")
    result = CliRunner().invoke(checklist_cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{path}: FIRE-01: points_note_en is the English version of points_note, which is not given"
    path.write_text(TRANSLATED, encoding="utf-8")
    result = CliRunner().invoke(checklist_cli, ["validate", str(path)])
    assert result.exit_code == 0 and result.stdout.strip() == "ok fire-safety 2026.1 4"


def test_every_note_of_the_repositorys_checklists_has_its_english_version():
    missing = []
    for cl in load_catalogue(sorted(REPO.glob("*.yaml"))).values():
        for name in ("levels_note", "points_note"):
            if getattr(cl, name) and not getattr(cl, f"{name}_en"):
                missing.append(f"{cl.id}: {name}")
        for item in cl.items:
            for english, original in NOTE_TRANSLATIONS.items():
                if english == "levels_note_en":
                    continue
                if getattr(item, original) and not getattr(item, english):
                    missing.append(f"{cl.id}: {item.id}: {original}")
    assert missing == []


def test_the_english_ui_shows_the_english_notes(make, login, rect):
    english = login(make.user("bureau_admin", locale="en"))
    page = english.get("/checklists/service-safety").get_data(as_text=True)
    assert "NMG institution star-grading table, Service #5" in page
    assert "Not a veto: no 24-hour duty is a widely cited major-hazard situation" in page
    assert "不作否决：未实行24小时值班" not in page and "NMG 养老机构星级评定表 服务#5" not in page
    grading = english.get("/checklists/star-grading").get_data(as_text=True)
    assert "These thresholds contradict each other" in grading and "自相矛盾" not in grading
    assert "The seven prerequisites carry no points" in grading and "七项前置条件不计分" not in grading
    assert "Points set by this system; the source gives none" in english.get("/checklists/fire-safety").get_data(as_text=True)
    notice, found = rect.findings(make.institution(), failed=("SERV-16", "SERV-22"),
                                  department="civil_affairs", checklist="service-safety")
    training = english.get(f"/rectification/findings/{found['SERV-16'].id}").get_data(as_text=True)
    assert "NMG institution star-grading table, Service #5" in training
    abuse = english.get(f"/rectification/findings/{found['SERV-22'].id}").get_data(as_text=True)
    assert "Veto: infringing older people" in abuse and "侵害老年人人身和财产权益是" not in abuse
    chinese = login(make.user("bureau_admin")).get("/checklists/service-safety").get_data(as_text=True)
    assert "不作否决：未实行24小时值班" in chinese and "Not a veto" not in chinese

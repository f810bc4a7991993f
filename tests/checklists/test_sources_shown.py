"""Where the bureau decides and where an institution is served, law is printed as 依据 and a
local table or practice as 参考; the veto decisions and caveats are shown; an item recorded
from another authority's formal finding cannot fail without naming the document."""
from __future__ import annotations

import re

import pytest

from inspect_app.core.errors import Invalid
from tests.inspections.kit import all_pass, new_id


def test_checklist_page_shows_basis_reference_decision_and_caveats(make, login):
    admin = login(make.user("bureau_admin"))
    page = admin.get("/checklists/service-safety").get_data(as_text=True)
    assert "依据：" in page and "GB 38600-2019 4.3" in page
    assert "参考（非法律规定）：" in page and "NMG 养老机构星级评定表 服务#5" in page
    assert "否决说明：" in page and "不作否决：未实行24小时值班" in page
    assert "重大事故隐患目录：" in page and "第四条（一）" in page and "原文未核实" in page
    assert "以其他机关的正式判定为准" in page                       # SERV-36
    grading = admin.get("/checklists/star-grading").get_data(as_text=True)
    assert "等级门槛的来源与说明：" in grading and "自相矛盾" in grading
    assert "七项前置条件不计分" in grading and "PRE-01" not in grading


def test_medical_insurance_sees_its_own_checklist(make, login):
    browser = login(make.user("department_admin", department="medical_insurance"))
    page = browser.get("/checklists/medical-insurance")
    assert page.status_code == 200 and "MI-03" in page.get_data(as_text=True)
    assert browser.get("/checklists/health-hygiene").status_code == 404


def _notice_html(app, notice):
    from flask import render_template
    from flask_babel import force_locale
    with app.test_request_context("/"), force_locale("zh"):
        return render_template("rectification/notice_pdf.html", notice=notice, findings=notice.findings,
                               local_day=lambda instant: instant.date())


def test_the_notice_prints_law_as_basis_and_a_table_as_reference(app, make, rect):
    notice, found = rect.findings(make.institution(), failed=("SERV-16", "SERV-28", "SERV-36", "SERV-22"),
                                  department="civil_affairs", checklist="service-safety")
    html = re.sub(r"<[^>]+>", "", _notice_html(app, notice))      # the text as printed
    assert "依据：GB 38600-2019 4.3" in html
    assert "参考：NMG 养老机构星级评定表 服务#5（培训率≥90%得满分）（非法律规定）" in html
    assert "依据：NMG" not in html and "参考：NMG 养老机构星级评定表 管理#14" in html
    # a confirmed 13号 situation is named as a major hazard; another veto is only a veto
    assert "重大事故隐患（《养老机构重大事故隐患判定标准》（民办发〔2023〕13号） 第四条（一））" in html
    assert html.count("重大事故隐患（") == 1 and "否决项" in html
    assert found["SERV-22"].veto and found["SERV-36"].veto


def test_a_formal_finding_item_cannot_fail_without_its_document(kit, make):
    from inspect_app.inspections.services import start, submit
    inspector = make.user("inspector", department="civil_affairs")
    visit = kit.visit(make.institution(), {"civil_affairs": [inspector]})
    part = visit.inspections[0]
    sid = new_id()
    start(inspector, part.id, sid)
    answers = all_pass(kit.checklist(part)) | {"SERV-36": "fail"}
    kit.evidence_for_required(inspector, part, answers)
    with pytest.raises(Invalid) as caught:
        submit(inspector, part.id, kit.submit_body(part, sid, answers))
    assert [p for p in caught.value.problems if p.startswith("SERV-36")] == [
        "SERV-36: this item records another authority's formal finding: name its document (type, issuer, date) "
        "in the remark"]
    record, _ = submit(inspector, part.id, kit.submit_body(
        part, sid, answers, remarks={"SERV-36": "房屋安全鉴定报告（D级），某区房屋安全鉴定站，2026-10-12"}))
    assert record.veto_count == 1 and record.status == "submitted"


def test_the_finding_page_names_a_major_hazard_only_for_a_confirmed_situation(make, login, rect):
    notice, found = rect.findings(make.institution(), failed=("SERV-36", "SERV-22", "SERV-16"),
                                  department="civil_affairs", checklist="service-safety")
    browser = login(make.user("department_admin", department="civil_affairs"))
    building = browser.get(f"/rectification/findings/{found['SERV-36'].id}").get_data(as_text=True)
    assert "否决项（重大事故隐患）" in building and "否决说明" in building
    abuse = browser.get(f"/rectification/findings/{found['SERV-22'].id}").get_data(as_text=True)
    assert "否决项（重大事故隐患）" not in abuse and "否决项" in abuse
    training = browser.get(f"/rectification/findings/{found['SERV-16'].id}").get_data(as_text=True)
    assert "参考（非法律规定）" in training and "NMG 养老机构星级评定表 服务#5" in training

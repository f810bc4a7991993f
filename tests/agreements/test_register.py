"""The register of care-medical agreements: reminders once per step (controlled clock), the
signing rate against a hand count, who sees what, the pages, the rounds check, exports, and the
registry fields derived from the registers."""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from inspect_app.agreements import ltc, rates, register, sweep
from inspect_app.agreements.models import AgreementReminder, LtcDesignation, MedicalAgreement
from inspect_app.core.types import utcnow

LICENCE = "PDY60027044010319A1002"


def _agreement(db, inst, starts, ends, **kw):
    now = utcnow()
    values = dict(institution_id=inst.id, partner_name="示范区人民医院", partner_licence=LICENCE,
                  starts_on=starts, ends_on=ends, services=["rounds"], visit_count=1, visit_period="week",
                  green_channel=False, created_at=now, updated_at=now)
    values.update(kw)
    row = MedicalAgreement(**values)
    db.session.add(row)
    db.session.flush()
    return row


def _values(**kw):
    v = {"partner_name": "示范区人民医院", "partner_licence": LICENCE, "number": "YY-2026-01",
         "signed_on": date(2025, 12, 20), "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31),
         "services": ["rounds", "fast_track"], "visit_count": 1, "visit_period": "week", "green_channel": False}
    v.update(kw)
    return v


def _reminders(db, agreement):
    return db.session.execute(select(AgreementReminder.step, AgreementReminder.ends_on)
                              .where(AgreementReminder.agreement_id == agreement.id)
                              .order_by(AgreementReminder.id)).all()


def test_expiry_makes_exactly_one_reminder_per_step_and_the_registry_follows(make, db):
    bureau = make.user("bureau_admin")
    inst = make.institution()
    agreement = register.create(bureau, inst.credit_code, _values(), [], date(2026, 6, 1))
    assert inst.medical_integration == "contracted"        # derived from the agreement in force
    for day, made in ((date(2026, 10, 31), 0), (date(2026, 11, 1), 1), (date(2026, 11, 1), 0),
                      (date(2026, 11, 20), 0), (date(2026, 12, 1), 1), (date(2026, 12, 31), 0),
                      (date(2027, 1, 1), 1), (date(2027, 1, 1), 0), (date(2027, 3, 1), 0)):
        assert sweep.sweep(day)["reminders"] == made, day
    assert _reminders(db, agreement) == [(1, date(2026, 12, 31)), (2, date(2026, 12, 31)), (3, date(2026, 12, 31))]
    db.session.refresh(inst)
    assert inst.medical_integration == "none"              # expired: no agreement in force


def test_an_agreement_entered_close_to_its_end_gets_only_the_step_due(make, db):
    agreement = _agreement(db, make.institution(), date(2026, 1, 1), date(2026, 12, 31))
    assert sweep.sweep(date(2026, 12, 20))["reminders"] == 1
    assert sweep.sweep(date(2026, 12, 21))["reminders"] == 0
    assert _reminders(db, agreement) == [(2, date(2026, 12, 31))]


def test_a_renewed_end_date_gets_its_own_reminders(make, db):
    bureau = make.user("bureau_admin")
    inst = make.institution()
    agreement = register.create(bureau, inst.credit_code, _values(), [], date(2026, 6, 1))
    sweep.sweep(date(2026, 12, 1))
    register.update(bureau, agreement.id, _values(ends_on=date(2027, 12, 31)), agreement.version, [],
                    date(2026, 12, 2))
    assert agreement.reminder_step == 0
    assert sweep.sweep(date(2026, 12, 3))["reminders"] == 0
    assert sweep.sweep(date(2027, 11, 1))["reminders"] == 1
    assert _reminders(db, agreement) == [(2, date(2026, 12, 31)), (1, date(2027, 12, 31))]


def test_signing_rate_by_district_equals_a_hand_count(make, db):
    today = date(2026, 6, 1)
    a1, a2, a3 = (make.institution(district="甲区") for _ in range(3))
    a3.medical_integration = "internal"
    closed = make.institution(district="甲区", status="closed")
    b1, b2 = (make.institution(district="乙区") for _ in range(2))
    b3 = make.institution(district="乙区", medical_integration="contracted")   # imported, no agreement
    _agreement(db, a1, date(2026, 1, 1), date(2026, 12, 31))
    _agreement(db, a2, date(2025, 1, 1), date(2025, 12, 31))                   # expired
    _agreement(db, closed, date(2026, 1, 1), date(2026, 12, 31))               # not operating
    _agreement(db, b1, date(2026, 6, 1), date(2026, 6, 1))                     # in force today only
    _agreement(db, b2, date(2026, 1, 1), date(2027, 1, 1))
    _agreement(db, b2, date(2026, 7, 1), date(2027, 7, 1))                     # a second one counts once
    rows = {r.district: r for r in rates.by_district(make.user("bureau_admin"), today)}
    a, b = rows["甲区"], rows["乙区"]
    assert (a.operating, a.with_agreement, a.internal, a.neither, a.unregistered_contracted) == (3, 1, 1, 1, 0)
    assert (b.operating, b.with_agreement, b.internal, b.neither, b.unregistered_contracted) == (3, 2, 0, 1, 1)
    assert a.rate * 3 == 100 and b.rate * 3 == 200
    assert rows[""].operating == sum(r.operating for d, r in rows.items() if d)


def test_who_sees_an_agreement(make, db, login):
    from inspect_app.checklists.models import ChecklistVersion
    from inspect_app.inspections.models import Inspection, InspectionInspector, Visit
    inst, other = make.institution(name="签约养老院"), make.institution()
    agreement = _agreement(db, inst, date(2026, 1, 1), date(2030, 12, 31), partner_name="甲医院")
    url = f"/agreements/{agreement.id}"
    assert login(make.user("institution_staff", institution_id=inst.id)).get(url).status_code == 200
    assert login(make.user("institution_staff", institution_id=other.id)).get(url).status_code == 404
    assert login(make.user("department_admin", department="health")).get(url).status_code == 200
    fire_admin = login(make.user("department_admin", department="fire"))
    assert fire_admin.get(url).status_code == 404
    assert "甲医院" not in fire_admin.get("/agreements/").get_data(as_text=True)
    inspector = make.user("inspector", department="health")
    assert login(inspector).get(url).status_code == 404
    version = db.session.scalar(select(ChecklistVersion).limit(1))
    visit = Visit(institution_id=inst.id, scheduled_for=date(2026, 6, 1), created_at=utcnow())
    db.session.add(visit)
    db.session.flush()
    part = Inspection(visit_id=visit.id, department="health", checklist_version_id=version.id)
    db.session.add(part)
    db.session.flush()
    db.session.add(InspectionInspector(inspection_id=part.id, user_id=inspector.id))
    db.session.flush()
    assert login(inspector).get(url).status_code == 200     # at a visit to that institution


def _png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (240, 240, 240)).save(out, "PNG")
    return out.getvalue()


def test_staff_enter_an_agreement_with_a_page_and_short_weeks_are_flagged(make, db, login):
    inst = make.institution()
    staff = login(make.user("institution_staff", institution_id=inst.id))
    form = {"partner_name": "乙卫生院", "partner_licence": "pdy60027044010319a1002", "starts_on": "2026-01-01",
            "ends_on": "2026-12-31", "services": ["rounds", "referral"], "visit_count": "1",
            "visit_period": "week", "pages": (io.BytesIO(_png()), "page1.png")}
    response = staff.post("/agreements/new", form, token_from="/agreements/new", content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    agreement = db.session.scalar(select(MedicalAgreement).where(MedicalAgreement.institution_id == inst.id))
    assert agreement.partner_licence == LICENCE and len(agreement.pages) == 1
    assert staff.get(f"/agreements/{agreement.id}/pages/{agreement.pages[0].file_id}").status_code == 200
    # Rounds on two Tuesdays; the week between has none.
    for day in ("2026-01-06", "2026-01-20"):
        r = staff.post(f"/agreements/{agreement.id}/rounds", {"held_on": day, "doctor_name": "王医生",
                                                             "residents_seen": "12"},
                       token_from=f"/agreements/{agreement.id}")
        assert r.status_code == 302
    page = staff.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    # Weeks judged up to today: at least 5–11 Jan, 12–18 Jan (short), 19–25 Jan.
    assert page.count('data-short="1"') >= 1
    from inspect_app.agreements.rounds import periods, rounds_of
    found = periods(agreement, rounds_of(agreement), date(2026, 1, 26))
    assert [(p.starts_on.day, p.short) for p in reversed(found) if p.judged] == [(5, False), (12, True), (19, False)]


def test_a_malformed_licence_is_refused_at_its_field(make, db, login):
    inst = make.institution()
    staff = login(make.user("institution_staff", institution_id=inst.id))
    response = staff.post("/agreements/new", {"partner_name": "丙医院", "partner_licence": "12345",
                                              "starts_on": "2026-01-01", "ends_on": "2026-12-31",
                                              "services": ["rounds"], "visit_count": "2", "visit_period": "month"},
                          token_from="/agreements/new")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(MedicalAgreement)
                             .where(MedicalAgreement.institution_id == inst.id)) == 0


def test_export_is_formula_safe_and_holds_only_what_the_viewer_sees(make, db, login):
    inst = make.institution(name="导出养老院")
    _agreement(db, inst, date(2026, 1, 1), date(2030, 12, 31), partner_name="=HYPERLINK(\"x\")")
    body = login(make.user("bureau_admin")).get("/agreements/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and "导出养老院" in body
    fire = login(make.user("department_admin", department="fire")).get("/agreements/export.csv")
    assert "导出养老院" not in fire.get_data(as_text=True)
    xlsx = login(make.user("bureau_admin")).get("/agreements/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_ltc_designation_drives_the_registry_flag(make, db):
    bureau = make.user("bureau_admin")
    inst = make.institution()
    ltc.record(bureau, inst.credit_code, {"agency": "市医保中心", "agreement_number": "LTC-9",
                                         "designated_from": date(2026, 1, 1), "designated_to": date(2026, 6, 30)},
               date(2026, 3, 1))
    assert inst.ltc_designated is True
    sweep.sweep(date(2026, 7, 1))
    db.session.refresh(inst)
    assert inst.ltc_designated is False
    assert db.session.scalar(select(func.count()).select_from(LtcDesignation)
                             .where(LtcDesignation.institution_id == inst.id)) == 1


def test_a_form_sent_twice_and_a_round_recorded_twice_are_refused_not_doubled(make, db, login):
    import pytest

    from inspect_app.agreements import rounds
    from inspect_app.core.errors import Invalid
    inst = make.institution()
    staff_user = make.user("institution_staff", institution_id=inst.id)
    agreement = register.create(staff_user, "", _values(), [], date(2026, 6, 1))
    with pytest.raises(Invalid) as refused:
        register.create(staff_user, "", _values(), [], date(2026, 6, 1))
    assert [p[0] for p in refused.value.problems] == ["partner_licence"]
    rounds.record_round(staff_user, agreement.id, {"held_on": date(2026, 5, 5), "doctor_name": "王医生",
                                                   "residents_seen": 3}, date(2026, 6, 1))
    with pytest.raises(Invalid):
        rounds.record_round(staff_user, agreement.id, {"held_on": date(2026, 5, 5), "doctor_name": "王医生",
                                                       "residents_seen": 3}, date(2026, 6, 1))
    assert len(rounds.rounds_of(agreement)) == 1


def test_another_institution_cannot_read_change_or_add_rounds_to_an_agreement(make, db, login):
    mine, theirs = make.institution(), make.institution()
    agreement = _agreement(db, theirs, date(2026, 1, 1), date(2030, 12, 31), partner_name="他家医院")
    before = agreement.version
    browser = login(make.user("institution_staff", institution_id=mine.id))
    base = f"/agreements/{agreement.id}"
    assert browser.get(base).status_code == 404
    assert browser.get(f"{base}/edit").status_code == 404
    assert browser.post(f"{base}/edit", _form_values(), token_from="/agreements/").status_code == 404
    assert browser.post(f"{base}/rounds", {"held_on": "2026-02-03", "doctor_name": "李医生", "residents_seen": "3"},
                        token_from="/agreements/").status_code == 404
    assert "他家医院" not in browser.get("/agreements/").get_data(as_text=True)
    db.session.refresh(agreement)
    assert agreement.version == before and agreement.partner_name == "他家医院"
    from inspect_app.agreements.models import DoctorRound
    assert db.session.scalar(select(func.count()).select_from(DoctorRound)
                             .where(DoctorRound.agreement_id == agreement.id)) == 0


def _form_values():
    return {"partner_name": "改名医院", "partner_licence": LICENCE, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "services": ["rounds"], "visit_count": "1", "visit_period": "week", "version": "1"}


def test_the_registry_fields_of_institutions_outside_the_registers_are_left_as_imported(make, db):
    imported = make.institution(medical_integration="contracted", ltc_designated=True)
    internal = make.institution(medical_integration="internal")
    _agreement(db, internal, date(2026, 1, 1), date(2026, 12, 31))
    expired = make.institution(medical_integration="contracted", ltc_designated=True)
    _agreement(db, expired, date(2025, 1, 1), date(2025, 12, 31))         # no designation row
    assert sweep.sweep(date(2026, 6, 1))["registry_changed"] == 1
    for inst in (imported, internal, expired):
        db.session.refresh(inst)
    assert (imported.medical_integration, imported.ltc_designated) == ("contracted", True)
    assert internal.medical_integration == "internal"
    assert (expired.medical_integration, expired.ltc_designated) == ("none", True)


def test_the_edit_page_opens_for_head_as_for_get(make, db, login):
    inst = make.institution()
    agreement = _agreement(db, inst, date(2026, 1, 1), date(2030, 12, 31))
    browser = login(make.user("bureau_admin"))
    assert browser.get(f"/agreements/{agreement.id}/edit").status_code == 200
    assert browser.client.head(f"/agreements/{agreement.id}/edit").status_code == 200

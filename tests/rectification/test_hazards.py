"""The major-hazard track (挂牌督办) through its services, with a controlled clock: listing at
issue, the plan and its decision, the finding's deadline moved to the plan's, milestones
escalating exactly once per rung, and closure only by an on-site re-inspection."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from inspect_app.core import jobs
from inspect_app.core.errors import Conflict, Forbidden, Invalid
from inspect_app.domain.rectification import hazard as hz
from inspect_app.rectification import hazards, responses
from inspect_app.rectification.hazard_models import HazardEvent, HazardListing
from inspect_app.rectification.jobs import HANDLERS
from inspect_app.rectification.models import Finding, FindingEvent, Message

from .conftest import T0

# T0 is 2026-03-02 10:00 in Beijing: plan due 15 days later, by the end of 17 March.
PLAN_DUE = "2026-03-17T16:00:00+00:00"


def _photo() -> FileStorage:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 60)).save(buf, "JPEG")
    buf.seek(0)
    return FileStorage(buf, filename="done.jpg", content_type="image/jpeg")


def _plan(end: date, *steps: tuple[date, str], stop_use: bool = True) -> hz.PlanDraft:
    return hz.PlanDraft(measures="更换不合格的消防设施，委托第三方评估", responsible_person="王院长", funds_yuan=120000,
                        interim_measures="每两小时巡查一次，配置灭火器", stop_use=stop_use,
                        stop_use_area="三号楼二层" if stop_use else "", end_on=end,
                        milestones=tuple(hz.MilestoneDraft(d, t) for d, t in steps))


@pytest.fixture
def world(make, rect):
    inst = make.institution(name="隐患养老院")
    staff = make.user("institution_staff", institution_id=inst.id)
    head = make.user("inspector", department="fire", is_department_head=True, name="消防负责人")
    admin = make.user("department_admin", department="fire")
    inspector = make.user("inspector", department="fire")
    notice, found = rect.findings(inst, now=T0, failed=("FIRE-01", "FIRE-03"), inspectors=(inspector,))
    listed = hazards.list_major_hazards(notice, now=T0)
    return dict(inst=inst, staff=staff, head=head, admin=admin, inspector=inspector, notice=notice,
                veto=found["FIRE-01"], plain=found["FIRE-03"], listed=listed)


def _sweep(now) -> int:
    total = 0
    while True:
        result = hazards.sweep_milestones(now)
        total += result.done
        if not result.more:
            return total


def test_a_veto_finding_is_listed_once_with_the_plan_deadline(db, world, rect):
    listed, veto = world["listed"], world["veto"]
    assert [row.finding_id for row in listed] == [veto.id]           # FIRE-03 is not a veto
    listing = listed[0]
    assert listing.state == hz.LISTED and listing.department == "fire"
    assert listing.listed_on == date(2026, 3, 2) and listing.hazard == "rh13-4-2"
    assert listing.department_staff_id == world["head"].id
    db.session.refresh(veto)
    assert veto.deadline_at.isoformat() == PLAN_DUE                  # not the 3-day default
    assert veto.original_deadline_at.isoformat() == "2026-03-05T16:00:00+00:00"
    assert veto.next_due_at == veto.deadline_at - timedelta(days=3)
    assert hazards.list_major_hazards(world["notice"], now=T0) == []  # idempotent
    assert db.session.scalar(select(func.count()).select_from(HazardListing)) == 1


def test_the_job_lists_after_opening_the_findings(db, rect):
    inspection = rect.submitted_inspection(submitted_at=T0, failed=("FIRE-01",))
    job = jobs.enqueue("rectification.open_findings", {"inspection_id": inspection.id},
                       key=f"open_findings:{inspection.id}")
    assert jobs.run_job(job.id, HANDLERS) == jobs.DONE
    assert db.session.get(jobs.Job, job.id).result["listed"] == 1


def test_plan_approved_moves_the_deadline_and_closure_needs_a_passed_reinspection(db, world):
    listing, staff, head = world["listed"][0], world["staff"], world["head"]
    veto = world["veto"]
    now = T0 + timedelta(days=2)                                     # 4 March
    plan = hazards.submit_plan(staff, listing.id, _plan(date(2026, 6, 30), (date(2026, 4, 15), "完成评估"),
                                                        (date(2026, 6, 1), "完成改造")), now=now)
    assert listing.state == hz.PLAN_SUBMITTED and plan.number == 1
    with pytest.raises(Invalid):                                     # sending back needs reasons
        hazards.decide_plan(head, listing.id, plan.id, False, "", now=now)
    with pytest.raises(Forbidden):                                   # only an officer decides
        hazards.decide_plan(world["inspector"], listing.id, plan.id, True, now=now)
    hazards.decide_plan(head, listing.id, plan.id, False, "资金来源未写明", now=now)
    assert listing.state == hz.LISTED
    second = hazards.submit_plan(staff, listing.id, _plan(date(2026, 6, 30), (date(2026, 4, 15), "完成评估")), now=now)
    assert second.number == 2
    hazards.decide_plan(head, listing.id, second.id, True, "同意", now=now)
    db.session.refresh(veto)
    assert listing.state == hz.REMEDIATING and listing.stop_use and listing.stop_use_area == "三号楼二层"
    assert veto.deadline_at.isoformat() == "2026-06-30T16:00:00+00:00"   # the plan's end date
    milestone = second.milestones[0]
    assert milestone.next_due_at == milestone.due_at - timedelta(days=3)

    # Desk answers and extensions are not the way out of a listed hazard.
    with pytest.raises(Conflict):
        responses.respond(staff, veto.id, "已整改", now=now)
    assert responses.extension_refusal(veto, now) is not None

    # A failed re-inspection keeps everything open.
    inspector = world["inspector"]
    with pytest.raises(Invalid):
        hazards.reinspect(inspector, listing.id, date(2026, 3, 20), False, "", now=now)   # future date, no note
    hazards.reinspect(inspector, listing.id, date(2026, 3, 4), False, "三号楼仍未改造", now=now)
    db.session.refresh(veto)
    assert listing.state == hz.REMEDIATING and veto.state == "open"
    with pytest.raises(Forbidden):                                   # another department's inspector
        hazards.reinspect(world["admin"], listing.id, date(2026, 3, 4), True, "x", now=now)
    later = T0 + timedelta(days=60)
    hazards.reinspect(inspector, listing.id, date(2026, 5, 1), True, "现场核查，隐患已消除", now=later)
    db.session.refresh(veto)
    assert listing.state == hz.DELISTED and veto.state == "closed" and veto.closed_at == later
    assert veto.next_due_at is None
    actions = [e.action for e in db.session.scalars(select(HazardEvent).where(HazardEvent.listing_id == listing.id)
                                                  .order_by(HazardEvent.id))]
    assert actions == ["list", "submit_plan", "return_plan", "submit_plan", "approve_plan",
                       "reinspect_fail", "reinspect_pass"]
    finding_actions = list(db.session.scalars(select(FindingEvent.action).where(FindingEvent.finding_id == veto.id)
                                              .order_by(FindingEvent.id)))
    assert finding_actions == ["issue", "list_hazard", "approve_hazard_plan", "remove_hazard"]
    with pytest.raises(Conflict):                                    # delisted is final
        hazards.reinspect(inspector, listing.id, date(2026, 5, 1), False, "again", now=later)


def test_an_upheld_reply_withdraws_the_listing_with_its_finding(db, world):
    """The institution's reply (陈述申辩) upheld annuls the finding; its listing ends with it,
    and its milestones stop running the ladder."""
    listing, staff, veto = world["listed"][0], world["staff"], world["veto"]
    now = T0 + timedelta(days=1)
    plan = hazards.submit_plan(staff, listing.id, _plan(date(2026, 6, 30), (date(2026, 4, 15), "完成评估")), now=now)
    hazards.decide_plan(world["head"], listing.id, plan.id, True, "同意", now=now)
    answer = responses.reply(staff, veto.id, "该建筑已于2025年通过消防验收，附验收意见书", now=now)
    responses.decide_reply(world["admin"], veto.id, answer.id, True, "复核属实", now=now + timedelta(hours=2))
    db.session.refresh(veto)
    db.session.refresh(listing)
    assert veto.state == "withdrawn" and listing.state == hz.WITHDRAWN
    for milestone in plan.milestones:
        db.session.refresh(milestone)
        assert milestone.next_due_at is None
    actions = list(db.session.scalars(select(HazardEvent.action).where(HazardEvent.listing_id == listing.id)
                                      .order_by(HazardEvent.id)))
    assert actions[-1] == "withdraw"
    assert _sweep(T0 + timedelta(days=120)) == 0                      # nothing left to escalate
    assert hazards.withdraw_with_finding(veto, world["admin"], now) is None   # once
    with pytest.raises(Conflict):                                     # withdrawn is final
        hazards.reinspect(world["inspector"], listing.id, date(2026, 3, 3), True, "x", now=now + timedelta(days=1))


def test_plan_rules_are_located(db, world):
    listing, staff = world["listed"][0], world["staff"]
    now = T0
    bad = hz.PlanDraft(measures="", responsible_person="王", funds_yuan=None, interim_measures="巡查",
                       stop_use=True, stop_use_area="", end_on=date(2027, 3, 20),
                       milestones=(hz.MilestoneDraft(date(2026, 5, 1), "第二步"), hz.MilestoneDraft(date(2026, 4, 1), "第一步")))
    with pytest.raises(Invalid) as refused:
        hazards.submit_plan(staff, listing.id, bad, now=now)
    where = [p[0] for p in refused.value.problems]
    assert where == ["measures", "stop_use_area", "end_on", "milestones[2]"]
    assert listing.state == hz.LISTED


def test_milestones_escalate_once_per_rung_and_stop_when_reported(db, world):
    listing, staff, head = world["listed"][0], world["staff"], world["head"]
    plan = hazards.submit_plan(staff, listing.id, _plan(date(2026, 6, 30), (date(2026, 4, 15), "完成评估"),
                                                        (date(2026, 6, 1), "完成改造"), stop_use=False), now=T0)
    hazards.decide_plan(head, listing.id, plan.id, True, "同意", now=T0)
    first, second = plan.milestones
    due = first.due_at                                              # end of 15 April, Beijing
    assert due.isoformat() == "2026-04-15T16:00:00+00:00"
    assert _sweep(T0 + timedelta(days=1)) == 0
    for moment, rung in ((due - timedelta(days=3), "reminder_3d"), (due - timedelta(days=1), "reminder_1d"),
                         (due, "overdue"), (due + timedelta(days=7), "interview")):
        assert _sweep(moment) == 1, rung
        assert _sweep(moment) == 0                                  # the same tick again: nothing
    steps = list(db.session.scalars(select(HazardEvent.step).where(
        HazardEvent.listing_id == listing.id, HazardEvent.step.is_not(None)).order_by(HazardEvent.id)))
    assert steps == ["reminder_3d", "reminder_1d", "overdue", "interview"]
    kinds = db.session.execute(select(Message.kind, Message.audience).where(
        Message.kind.like("milestone%"))).all()
    assert ("milestone_overdue", "department") in kinds
    # Reported (with a photo) before the bureau rung: its ladder stops.
    with pytest.raises(Invalid):
        hazards.report_milestone(staff, listing.id, first.id, "已完成评估", [], now=due + timedelta(days=8))
    hazards.report_milestone(staff, listing.id, first.id, "已完成评估", [_photo()], now=due + timedelta(days=8))
    assert first.state == hz.REPORTED and first.next_due_at is None and len(first.photos) == 1
    assert _sweep(due + timedelta(days=40)) == 0                    # the first is done; the second not yet due
    assert _sweep(second.due_at - timedelta(days=3)) == 1           # the second milestone's first reminder
    last = db.session.scalars(select(HazardEvent).where(HazardEvent.listing_id == listing.id)
                              .order_by(HazardEvent.id.desc())).first()
    assert (last.step, last.data["milestone"]) == ("reminder_3d", second.id)


def test_late_sweep_does_every_escalation_once(db, world):
    listing, staff, head = world["listed"][0], world["staff"], world["head"]
    plan = hazards.submit_plan(staff, listing.id, _plan(date(2026, 6, 30), (date(2026, 4, 15), "完成评估"),
                                                        stop_use=False), now=T0)
    hazards.decide_plan(head, listing.id, plan.id, True, "同意", now=T0)
    milestone = plan.milestones[0]
    assert _sweep(milestone.due_at + timedelta(days=31)) == 3        # overdue, interview, bureau
    assert _sweep(milestone.due_at + timedelta(days=400)) == 0
    steps = list(db.session.scalars(select(HazardEvent.step).where(
        HazardEvent.listing_id == listing.id, HazardEvent.step.is_not(None)).order_by(HazardEvent.id)))
    assert steps == ["overdue", "interview", "bureau"]
    assert milestone.next_due_at is None and milestone.escalation_level == 3


def test_visibility_follows_the_tenant(db, world, make):
    listing = world["listed"][0]
    other_staff = make.user("institution_staff")
    health_admin = make.user("department_admin", department="health")
    bureau = make.user("bureau_admin")
    assert [row.id for row in hazards.search(world["staff"])] == [listing.id]
    assert hazards.search(other_staff) == [] and hazards.search(health_admin) == []
    assert [row.id for row in hazards.search(bureau)] == [listing.id]
    assert [row.id for row in hazards.search(world["admin"])] == [listing.id]
    assert hazards.counts(bureau)["listed"] == 1 and hazards.counts(health_admin)["total"] == 0
    with pytest.raises(Forbidden):                                   # staff do not name the staff
        hazards.assign(world["staff"], listing.id, bureau.id, None)
    hazards.assign(bureau, listing.id, bureau.id, world["admin"].id, now=T0)
    assert listing.bureau_staff_id == bureau.id and listing.department_staff_id == world["admin"].id
    with pytest.raises(Invalid):
        hazards.assign(bureau, listing.id, world["admin"].id, health_admin.id, now=T0)


def test_a_plain_finding_keeps_its_own_ways(db, world):
    plain = world["plain"]
    responses.respond(world["staff"], plain.id, "已整改", now=T0)
    assert db.session.get(Finding, plain.id).state == "responded"


def test_only_a_confirmed_13_situation_is_listed(db, rect):
    # SERV-22 (abuse) is a veto on a blacklist trigger, not a 13号 situation; SERV-36 (a C/D
    # dangerous building, 第四条（一）) is one.
    notice, found = rect.findings(now=T0, failed=("SERV-22", "SERV-36"), department="civil_affairs",
                                  checklist="service-safety")
    assert found["SERV-22"].veto and found["SERV-36"].veto
    listed = hazards.list_major_hazards(notice, now=T0)
    assert [(row.finding_id, row.hazard) for row in listed] == [(found["SERV-36"].id, "rh13-4-1")]

"""Pages of the rectification feature (HTTP only: parse → service → commit once → render)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.policy import can, permission_required
from ..core.forms import options
from sqlalchemy import select

from ..core.errors import Forbidden, Invalid
from ..core.types import local_today
from ..registry.models import Institution
from ..core.files import send_stored
from ..core.pdf import pdf_response
from ..core.spreadsheet import xlsx_response
from ..core.types import utcnow
from ..core.web import refusal
from ..core.whole_numbers import whole_number, whole_numbers
from ..extensions import db
from . import accidents as accident_records
from . import blacklist, credit, findings, interviews, labels, lists, messages, notices, responses
from . import policy as policies
from .forms import ACCIDENT_KINDS, ACCIDENT_RESPONSIBILITY, ACCIDENT_SOURCES, AccidentForm
from .forms import (CreditDecisionForm, DecisionForm, ExtensionForm, InterviewForm, ReinspectForm,
                    ReplyForm, RespondForm, VerifyForm)
from ..domain.rectification import ladder as dl

bp = Blueprint("rectification", __name__, url_prefix="/rectification")


@bp.app_template_global("rect_label")
def rect_label(table: str, code) -> str:
    """A rectification code's label in templates: ``rect_label('STATES', 'open')``."""
    if table == "RUNGS":
        return labels.rung(code)
    return str(labels.label(getattr(labels, table), code))


def _page_arg() -> int:
    """The ``page`` query argument, sane whatever was typed (paging clamps the top)."""
    page = whole_number(request.args.get("page")) or 1
    return page if page <= 1_000_000 else 1


def _grant_or_refuse(form: DecisionForm) -> bool | None:
    """The department's decision on a request: True for "yes", False for "no", None when
    neither was chosen (the service refuses that, located at ``decision``, once it has checked
    who decides — a missing value is not a refusal)."""
    decision = request.form.get(form.decision.name)
    return {"yes": True, "no": False}.get(decision)


# The finding page holds several forms. Those whose fields would share a name get a prefix
# (``respond-text``, ``extension-text``, ``reply-text``, ``decide-<request id>-note``), so every
# id on the page is unique and each label points at its own field; a refused post refills
# only its own form (the others are built empty, never from the posted data).
PREFIX = {"respond_form": "respond", "extension_form": "extension", "reply_form": "reply"}
FORMS = {"respond_form": RespondForm, "extension_form": ExtensionForm, "reply_form": ReplyForm,
         "verify_form": VerifyForm, "interview_form": InterviewForm, "reinspect_form": ReinspectForm}


def _posted(name: str):
    """The form ``name`` of the finding page, filled from this request."""
    return FORMS[name](prefix=PREFIX.get(name, ""))


def _decision_form(response_id: int, posted: bool = False) -> DecisionForm:
    prefix = f"decide-{response_id}"
    return DecisionForm(prefix=prefix) if posted else DecisionForm(prefix=prefix, formdata=None)


@bp.route("/")
@permission_required("rectification.view")
def index():
    query, choices = lists.finding_query(current_user, request.args)
    listing = lists.search_findings(current_user, query, choices)
    return render_template("rectification/index.html", listing=listing, now=listing.extra["now"],
                           decides=findings.decides_requests(current_user))


@bp.route("/findings.xlsx")
@permission_required("rectification.view")
def export_findings():
    query, _choices = lists.finding_query(current_user, request.args)
    data = lists.export_findings(current_user, query)
    db.session.commit()
    return xlsx_response(data, "整改问题.xlsx", "findings.xlsx")


@bp.route("/findings/<int:finding_id>")
@permission_required("rectification.view")
def finding(finding_id: int):
    item = findings.get(current_user, finding_id)
    return _finding_page(item)


def _finding_page(item, status: int = 200, **forms):
    rule = policies.current()
    tz = policies.tz(rule)
    now = utcnow()
    for name, form_class in FORMS.items():
        if name not in forms:
            forms[name] = form_class(prefix=PREFIX.get(name, ""), formdata=None)
    refused = forms.pop("decision_forms", {})
    forms["decision_forms"] = {r.id: refused.get(r.id) or _decision_form(r.id) for r in item.responses}
    reinspect = forms["reinspect_form"]
    if can(current_user, "rectification.decide"):
        reinspect.inspector_ids.choices = options(responses.inspector_choices(current_user, item), data=True)
    ctx = dict(
        may_extend=responses.extension_refusal(item, now, rule) is None,
        may_reply=responses.reply_refusal(item, now) is None,
        finding=item, now=now, overdue=findings.is_overdue(item, now),
        deadline_day=dl.local_day(item.deadline_at, tz),
        ladder=dl.schedule(rule, item.deadline_at, item.escalation_level, now) if item.state in ("open", "reopened") else [],
        max_extension=dl.max_extension_days(rule, item.deadline_days),
        on_visit=findings.was_on_visit(current_user, item),
        officer=findings.is_officer(current_user, item),
        may_reinspect=item.severity in rule.reinspection_severities,
        interview_rung=interviews.due_rung(item), minutes=interviews.minutes_of(item),
        credit_records=credit.of_finding(current_user, item),
        record_visible=findings.record_visible(current_user, item),
    )
    return render_template("rectification/finding.html", **ctx, **forms), status


def _act(finding_id: int, call, form_name: str, form, done_message: str):
    """Run a service for a finding form; re-render the page with the problems on failure."""
    with refusal(form) as refused:
        call()
    if refused:
        item = findings.get(current_user, finding_id)
        return _finding_page(item, refused.status, **{form_name: form})
    db.session.commit()
    flash(done_message, "info")
    return redirect(url_for("rectification.finding", finding_id=finding_id))


@bp.route("/findings/<int:finding_id>/respond", methods=["POST"])
@permission_required("rectification.respond")
def respond(finding_id: int):
    form = _posted("respond_form")
    return _act(finding_id, lambda: responses.respond(current_user, finding_id, form.text.data,
                                                      request.files.getlist(form.photos.name)),
                "respond_form", form, _("Your answer was sent to the department."))


@bp.route("/findings/<int:finding_id>/extension", methods=["POST"])
@permission_required("rectification.respond")
def request_extension(finding_id: int):
    form = _posted("extension_form")
    return _act(finding_id, lambda: responses.request_extension(current_user, finding_id, form.text.data,
                                                                request.form.get(form.days.name)),
                "extension_form", form, _("The extension request was sent."))


@bp.route("/findings/<int:finding_id>/reply", methods=["POST"])
@permission_required("rectification.respond")
def reply(finding_id: int):
    form = _posted("reply_form")
    return _act(finding_id, lambda: responses.reply(current_user, finding_id, form.text.data,
                                                    request.files.getlist(form.photos.name)),
                "reply_form", form, _("Your reply was sent; the deadline waits for the decision."))


# Requests are decided by the department's officers: its admins and its head of department, an
# inspector (docs/security.md). The role gate admits the roles that act on a department's
# findings (as for 复查); the service admits only an officer, and for a reply only one who was
# not on the visit (responses.decider_refusal).
@bp.route("/findings/<int:finding_id>/extension/<int:response_id>/decide", methods=["POST"])
@permission_required("rectification.verify")
def decide_extension(finding_id: int, response_id: int):
    form = _decision_form(response_id, posted=True)
    return _act(finding_id, lambda: responses.decide_extension(
        current_user, finding_id, response_id, _grant_or_refuse(form), form.note.data or ""),
        "decision_forms", {response_id: form}, _("Decision recorded."))


@bp.route("/findings/<int:finding_id>/reply/<int:response_id>/decide", methods=["POST"])
@permission_required("rectification.verify")
def decide_reply(finding_id: int, response_id: int):
    form = _decision_form(response_id, posted=True)
    return _act(finding_id, lambda: responses.decide_reply(
        current_user, finding_id, response_id, _grant_or_refuse(form), form.note.data or ""),
        "decision_forms", {response_id: form}, _("Decision recorded."))


@bp.route("/findings/<int:finding_id>/verify", methods=["POST"])
@permission_required("rectification.verify")
def verify(finding_id: int):
    form = _posted("verify_form")
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        flash(_("Choose whether the finding is rectified."), "error")
        return _finding_page(findings.get(current_user, finding_id), 422, verify_form=form)
    return _act(finding_id, lambda: responses.verify(current_user, finding_id, decision == "accept",
                                                     form.note.data or ""),
                "verify_form", form, _("Verification recorded."))


@bp.route("/findings/<int:finding_id>/reinspect", methods=["POST"])
@permission_required("rectification.decide")
def reinspect(finding_id: int):
    form = _posted("reinspect_form")
    form.inspector_ids.choices = []
    on = form.on.data if form.on.validate(form) else None
    ids = whole_numbers(request.form.getlist("inspector_ids"))

    def schedule():
        if ids is None:
            raise Invalid("The re-inspection could not be scheduled.",
                          problems=["inspector_ids: " + _("not a valid choice")])
        return responses.schedule_reinspection(current_user, finding_id, on, ids)
    return _act(finding_id, schedule, "reinspect_form", form, _("The re-inspection was scheduled."))


@bp.route("/findings/<int:finding_id>/interview", methods=["POST"])
@permission_required("rectification.decide")
def record_interview(finding_id: int):
    form = _posted("interview_form")
    held_on = form.held_on.data if form.held_on.validate(form) else None
    return _act(finding_id, lambda: interviews.record(current_user, finding_id, held_on, form.participants.data,
                                                      form.summary.data),
                "interview_form", form, _("The interview minutes were recorded."))


@bp.route("/findings/<int:finding_id>/photos/<int:photo_id>")
@permission_required("rectification.view")
def photo(finding_id: int, photo_id: int):
    stored = responses.photo(current_user, finding_id, photo_id)
    return send_stored(stored, thumbnail=request.args.get("thumb") == "1")


@bp.route("/notices")
@permission_required("rectification.view")
def notice_list():
    query, choices = lists.notice_query(current_user, request.args)
    listing = lists.search_notices(current_user, query, choices)
    return render_template("rectification/notices.html", listing=listing)


@bp.route("/notices.xlsx")
@permission_required("rectification.view")
def export_notices():
    query, _choices = lists.notice_query(current_user, request.args)
    data = lists.export_notices(current_user, query)
    db.session.commit()
    return xlsx_response(data, "整改通知书.xlsx", "notices.xlsx")


@bp.route("/notices/<int:notice_id>")
@permission_required("rectification.view")
def notice(notice_id: int):
    item = notices.get(current_user, notice_id)
    return render_template("rectification/notice.html", notice=item, now=utcnow())


@bp.route("/notices/<int:notice_id>/notice.pdf")
@permission_required("rectification.view")
def notice_pdf(notice_id: int):
    data, filename = notices.pdf(current_user, notice_id)
    return pdf_response(data, filename)


@bp.route("/messages")
@permission_required("rectification.view")
def inbox():
    page = messages.inbox(current_user, page=_page_arg())
    return render_template("rectification/inbox.html", page=page, read=messages.read_ids(current_user, page.items),
                           text_of=messages.text_of)


@bp.route("/messages/<int:message_id>/open", methods=["POST"])
@permission_required("rectification.view")
def open_message(message_id: int):
    """Opening a message is a POST from the inbox (a GET never changes anything): it is marked
    read and the browser goes on to the finding or notice it is about."""
    target = messages.open_message(current_user, message_id)
    db.session.commit()
    if target is None:
        return redirect(url_for("rectification.inbox"), 303)
    kind, ident = target
    if kind == "finding":
        return redirect(url_for("rectification.finding", finding_id=ident), 303)
    return redirect(url_for("rectification.notice", notice_id=ident), 303)


@bp.route("/messages/read-all", methods=["POST"])
@permission_required("rectification.view")
def read_all_messages():
    count = messages.mark_all_read(current_user)
    db.session.commit()
    flash(_("%(n)d message(s) marked read.", n=count), "info")
    return redirect(url_for("rectification.inbox"), 303)


@bp.route("/messages/<int:message_id>/read", methods=["POST"])
@permission_required("rectification.view")
def read_message(message_id: int):
    messages.mark_read(current_user, message_id)
    db.session.commit()
    return redirect(url_for("rectification.inbox"))


@bp.route("/credit-records")
@permission_required("rectification.view")
def credit_records():
    a = request.args
    f = credit.CreditFilter(kind=a.get("kind", "") if a.get("kind") in credit.KINDS else "",
                            pending=a.get("pending") == "1")
    page = credit.search(current_user, f, _page_arg())
    return render_template("rectification/credit_records.html", page=page, f=f, kinds=credit.KINDS,
                           steps=credit.steps_of(page.items), sources=credit.sources_of(page.items),
                           bases={c.id: blacklist.basis_of(c) for c in page.items}, may_decide=can(current_user, "rectification.blacklist"),
                           form=CreditDecisionForm())


@bp.route("/credit-records/<int:credit_record_id>/decide", methods=["POST"])
@permission_required("rectification.blacklist")
def decide_credit(credit_record_id: int):
    form = CreditDecisionForm()
    with refusal(form) as refused:
        credit.decide(current_user, credit_record_id, request.form.get("decision", ""), form.note.data or "")
    if refused:
        return redirect(url_for("rectification.credit_records", pending=1))
    db.session.commit()
    flash(_("Decision recorded."), "info")
    return redirect(url_for("rectification.credit_records"))


@bp.route("/accidents", methods=["GET", "POST"])
@permission_required("accidents.view")
def accidents():
    """The accident records, and (for who may record them) the form to add one."""
    may_record = can(current_user, "accidents.record")
    form = AccidentForm() if may_record else None
    status = 200
    if form is not None:
        form.institution_id.choices = options(
            ((str(i), name) for i, name in db.session.execute(select(Institution.id, Institution.name)
                                                              .order_by(Institution.name))), data=True)
    if request.method == "POST":
        if form is None:
            raise Forbidden("You may not record accidents.")
        if not form.validate_on_submit():
            for name, errors in form.errors.items():
                for error in errors:
                    flash(f"{form[name].label.text}: {error}", "error")
            status = 422
        else:
            with refusal(form) as refused:
                accident_records.record(current_user, form.values(), local_today())
            if refused:
                status = refused.status
            else:
                db.session.commit()
                flash(_("Saved."), "info")
                return redirect(url_for("rectification.accidents"))
    return render_template("rectification/accidents.html", form=form,
                           rows=accident_records.listing(current_user), kinds=ACCIDENT_KINDS,
                           responsibility=ACCIDENT_RESPONSIBILITY, sources=ACCIDENT_SOURCES), status

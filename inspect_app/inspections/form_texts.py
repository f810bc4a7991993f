"""The texts the tablet script shows (inspect_app/static/js/form/), translated: their one source.

The form page renders them as ``<script type="application/json" id="form-texts">`` (data, not
script: the CSP stays ``script-src 'self'``); ``texts.js`` reads that block and fills the
placeholders ``{n}``, ``{item}``, ``{message}``, ``{value}``, ``{remark}`` (kept as they are in
every translation). The script holds no copy: a test checks that the keys here are exactly those
the modules use and that no English text appears in them.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

FORM_TEXTS = {
    "saved": _l("All answers saved"),
    "saving": _l("Saving…"),
    "waiting": _l("Waiting to be sent"),
    "offline_waiting": _l("Offline: {n} changes kept on this tablet, sent when back online"),
    "offline_saved": _l("Offline: new answers are kept on this tablet"),
    "retrying": _l("No connection: {n} changes waiting, trying again"),
    "signed_out": _l("Signed out: sign in again (in another tab) to send {n} waiting changes"),
    "conflicts": _l("{n} answers were changed by someone else: choose which to keep"),
    "submit_queued": _l("Submission kept on this tablet; it is sent when back online"),
    "submitting": _l("Sending the submission…"),
    "submitted": _l("Submitted"),
    "view_record": _l("View the record"),
    "item_saved": _l("Saved"),
    "item_error": _l("Not saved: {message}"),
    "conflict": _l("Someone else answered: {value}{remark}. Which answer is right?"),
    "keep_mine": _l("Keep mine"),
    "take_theirs": _l("Use theirs"),
    "photo_waiting": _l("Photo waiting to be sent"),
    "photo_failed": _l("Photo refused: {message}"),
    "not_answered": _l("{item}: not answered"),
    "photo_required": _l("{item}: a photo is required"),
    "signature_required": _l("Both signatures are required"),
    "representative_required": _l("The representative's name is required"),
    "resolve_conflicts": _l("Resolve the answers changed by someone else first"),
    "submit_refused": _l("The submission was refused:"),
    "previous": _l("Previous"),
    "next": _l("Next"),
    "value_pass": _l("pass"),
    "value_fail": _l("fail"),
    "value_na": _l("not applicable"),
    "remark": _l(" (remark: {remark})"),
    "no_answer": _l("no answer"),
    "remove_photo": _l("Remove"),
    "remove_photo_confirm": _l("Remove this photo?"),
    "remove_photo_offline": _l("Photos can be removed only when online"),
    "below_zero": _l("{item}: cannot be below zero"),
    "photo_of": _l("Photo of {item}"),
    "on_spot_not_failed": _l("{item}: only a failed item can be marked rectified on the spot"),
    "on_spot_note_required": _l("{item}: say in a short note what was put right on the spot"),
    "on_spot_photo_required": _l("{item}: add at least one photo taken after the fix"),
}


def form_texts() -> dict[str, str]:
    """The texts in the request's language (plain strings, ready for ``tojson``)."""
    return {key: str(text) for key, text in FORM_TEXTS.items()}

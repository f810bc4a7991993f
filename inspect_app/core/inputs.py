"""The input layer at the edge: what no column or writer can hold never reaches a view.

* Every request: a control character (domain/plain_text.py) in a path segment, a query-string
  or form name or value, or an uploaded file's name is refused with a 400 naming the
  parameter, before any view runs.
* JSON bodies are read by :func:`json_body` only: size (``JSON_MAX_BYTES``, else 413), nesting
  depth (``JSON_MAX_DEPTH``, measured before parsing) and the values inside (no NaN, no
  number beyond its range, no control character), each refusal located.

Numbers in forms are read by :class:`core.forms.WholeNumberField` and
:mod:`core.whole_numbers`; imports check their cells with the same rules (docs/security.md, "Input").
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request

from .json_body import RefusedBody, UnreadableBody, read_json
from ..domain.plain_text import forbidden_character
from .errors import Invalid, Refused


def _named_values():
    """(parameter name, text) of everything a request carries in text besides its body."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield name, value
    sources = [request.args]
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
        for name, upload in request.files.items(multi=True):
            yield name, name
            yield name, upload.filename or ""
    for source in sources:
        for name, value in source.items(multi=True):
            yield name, name
            yield name, value


def refuse_control_characters() -> None:
    for name, text in _named_values():
        char = forbidden_character(text)
        if char:
            shown = name.encode("unicode_escape").decode("ascii")
            raise Refused("“%(name)s” contains a control character (%(char)s), which cannot be accepted.",
                          problems=[f"{shown}: contains a control character ({char})"], name=shown, char=char)


def json_body() -> dict:
    """The request's JSON object, read within the limits above; :class:`Refused` (400) for a
    body that nests too deep or holds what cannot be stored, :class:`Invalid` (422) for one
    that is not a JSON object."""
    if not request.is_json:
        raise Invalid("The request could not be read.", problems=["body: expected a JSON object (application/json)"])
    limit = current_app.config["JSON_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        abort(413)
    try:
        body = read_json(raw, current_app.config["JSON_MAX_DEPTH"])
    except UnreadableBody as exc:
        raise Invalid("The request could not be read.", problems=exc.problems) from None
    except RefusedBody as exc:
        raise Refused("The request holds values that cannot be accepted.", problems=exc.problems) from None
    if not isinstance(body, dict):
        raise Invalid("The request could not be read.", problems=["body: expected a JSON object"])
    return body


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)

"""Odd values in every query parameter and form field of every route, as every role: a 4xx or
a normal page, never a 500; a control character anywhere is refused with a 400.

The walk learns what each route reads by recording the names a view asks of ``request.args``
and ``request.form``, and the baseline of each form from the pages that show it (so an odd
field reaches the service with its neighbours valid). It reuses the authorization matrix's
world and rows (tests/test_authorization.py). To stay fast it sends each odd value to all
names at once, and one name at a time only where it matters: for a query string whose
all-at-once request was refused (one refusal may hide the other names), and for form fields
that carry numbers (hidden, numeric, choices, and names the view reads without a form field);
free-text fields get the odd values all at once.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from tests.roles import ANON, BUREAU, DEPT, INSP, STAFF
from tests.test_authorization import MATRIX, _url, world  # noqa: F401  (world is the fixture)

CONTROL = "x\x00\x1by"                     # refused at the edge, whatever the parameter
HUGE = "99999999999999999999"              # beyond any integer column
SQUARED = "²"                              # "²".isdigit() is true, but int("²") fails
ARABIC = "١٢"                              # int("١٢") is 12
ODD = (HUGE, SQUARED, ARABIC)
NORMAL = (200, 302, 303)
ROLES = (ANON, INSP, DEPT, BUREAU, STAFF)
SKIP = {"static", "auth.logout"}           # files on disk; ending the session ends the walk
JSON_ONLY = {"inspections.start", "inspections.save_answer", "inspections.submit"}   # tests/inspections/test_json_limits.py
SHARED = {"csrf_token", "lang"}            # read on every request; tested once below
FREE_TEXT = {None, "", "text", "email", "tel", "password", "search", "url", "date"}


class _Reads:
    names: set[str] = set()          # every name asked for
    probed: set[str] = set()         # names asked with ``in`` (how WTForms looks for its fields)


class RecordingDict(ImmutableMultiDict):
    """Query strings and forms that remember which names the view asked for."""

    def __getitem__(self, key):
        _Reads.names.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        _Reads.names.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _Reads.names.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        _Reads.names.add(key)
        _Reads.probed.add(key)
        return super().__contains__(key)


class Form:
    def __init__(self):
        self.fields: list[tuple[str, str]] = []     # as a browser sends them
        self.free_text: set[str] = set()            # names of text (and date) inputs and text areas
        self.parsed: set[str] = set()               # names a form library does not parse (hidden)


class Forms(HTMLParser):
    """Every POST form of a page, by the path it posts to."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, Form] = {}
        self._form: Form | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = self.forms.setdefault(urlsplit(a.get("action") or "").path, Form())
        elif self._form is None or not a.get("name") and tag != "option":
            return
        elif tag == "input" and a.get("type") not in ("file", "submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self._form.fields.append((a["name"], a.get("value") or ""))
            if a.get("type") in FREE_TEXT and a.get("inputmode") not in ("numeric", "decimal"):
                self._form.free_text.add(a["name"])
            if a.get("type") == "hidden":
                self._form.parsed.add(a["name"])
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields.append((a["name"], ""))
            self._form.free_text.add(a["name"])

    def handle_data(self, data):
        if self._textarea and self._form:
            name, value = self._form.fields[-1]
            self._form.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self._form.fields.extend((self._select, v) for v in chosen)
            self._select = None


class QuickLayout:
    """WeasyPrint's layout takes seconds and reads no request input: the walk renders the
    printable page's template and skips only the layout (printing is tested in its feature)."""

    def __init__(self, html: str):
        self.html = html

    def write_pdf(self):
        return b"%PDF-1.7 walk"


@pytest.fixture
def recording(app, monkeypatch):
    class RecordingRequest(app.request_class):
        parameter_storage_class = RecordingDict
    monkeypatch.setattr(app, "request_class", RecordingRequest)
    monkeypatch.setattr("inspect_app.core.pdf.layout", QuickLayout)


def _send(browser, method, url, data=None):
    """The response, the names the view read (beyond those every request reads), and those
    of them it read itself rather than through a form library."""
    _Reads.names, _Reads.probed = set(), set()
    response = browser._fresh("post", url, data=data) if method == "POST" else browser.get(url)
    names = _Reads.names - SHARED
    return response, names, names - _Reads.probed


def _forms(response, url) -> dict[str, Form]:
    if response.status_code != 200 or response.mimetype != "text/html":
        return {}
    parser = Forms()
    parser.feed(response.get_data(as_text=True))
    return {action or urlsplit(url).path: form for action, form in parser.forms.items()}


class Walk:
    """Sends odd values to every route; collects each server error, and each control
    character that was not refused."""

    def __init__(self, browsers):
        self.browsers = browsers
        self.failures: list[str] = []
        self.forms: dict[str, Form] = {}      # the path a form posts to → the form as shown

    def check(self, response, label, expect=None):
        if response.status_code >= 500 or expect and response.status_code != expect:
            self.failures.append(f"{label} → {response.status_code}")
        return response

    def odd_values(self, send, names, label, alone=None, retry=False):
        """Each odd value in every name at once; then in each name by itself: the names
        ``alone`` gives for that value, and (``retry``) every name when the request with all
        of them was refused (one refusal may have kept the view from reading the others)."""
        for value in ODD:
            together = self.check(send({n: value for n in names}), f"{label} every name={value!r}")
            singles = set(names if retry and together.status_code not in NORMAL else ())
            singles |= (alone or {}).get(value, set())
            for name in sorted(singles) if len(names) > 1 else ():
                self.check(send({name: value}), f"{label} {name}={value!r}")

    def get_route(self, rule, url):
        """The first role allowed learns the names the page reads (and its forms), gets a
        control character refused, and each odd value in each name; every other role allowed
        gets each odd value in all names at once; a role refused the page, one odd request.
        (A page that reads no name has nothing to vary beyond the authorization matrix.)"""
        allowed = [r for r in self.browsers if r in MATRIX[rule.endpoint]]
        first = self.browsers[allowed[0]]
        response, names, _ = _send(first, "GET", url)
        self.check(response, f"{allowed[0]} GET {url}")
        for action, form in _forms(response, url).items():
            self.forms.setdefault(action, form)
        query = urlencode({n: CONTROL for n in names or ["q"]})
        self.check(first.get(f"{url}?{query}"), f"GET {url}?{query}", expect=400)
        for role, browser in self.browsers.items() if names else ():
            if role in allowed:
                self.odd_values(lambda values: browser.get(f"{url}?{urlencode(values)}"), names,
                                f"{role} GET {url}", retry=browser is first)
            else:                            # refused before reading anything: once, to be sure
                query = urlencode({n: HUGE for n in names})
                self.check(browser.get(f"{url}?{query}"), f"{role} GET {url}?{query}")

    def post_route(self, rule, url, token):
        """The first role allowed posts the form as its page shows it, then with a control
        character, then with each odd value in every field at once and in each field that
        carries a number by itself."""
        path = urlsplit(url).path
        role = next(r for r in self.browsers if r in MATRIX[rule.endpoint])
        browser = self.browsers[role]
        form = self.forms.get(path, Form())
        baseline = {**dict(form.fields), "csrf_token": token[role]}
        response, names, by_hand = _send(browser, "POST", url, baseline)
        self.check(response, f"{role} POST {url}")
        shown = set(baseline) - {"csrf_token"}
        names |= shown
        data = {**baseline, **{n: CONTROL for n in names or ["x"]}}
        self.check(browser._fresh("post", url, data=data), f"POST {url} with control characters", expect=400)

        def send(values):
            response = browser._fresh("post", url, data={**baseline, **values})
            if response.status_code in (302, 303) and "GET" in rule.methods:   # saved: a new version
                fresh = _forms(browser.get(url), url).get(path)
                baseline.update(fresh.fields if fresh else {})
            return response
        if names:    # a huge number in each field of numbers; "²" where no form library reads it
            alone = {HUGE: (shown - form.free_text) | by_hand, SQUARED: form.parsed | by_hand}
            self.odd_values(send, names, f"{role} POST {url}", alone=alone)


def test_odd_values_in_every_parameter_and_field_never_give_a_server_error(app, client, login, world,
                                                                          recording):
    users, params = world
    browsers = {ANON: client, **{role: login(users[role]) for role in ROLES if role != ANON}}
    walk = Walk(browsers)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]
    for rule in rules:
        if "GET" in rule.methods:
            walk.get_route(rule, _url(app, rule, params))
    tokens = {role: browser.token("/login" if role == ANON else "/") for role, browser in browsers.items()}
    for rule in rules:
        if "POST" in rule.methods and rule.endpoint not in JSON_ONLY:
            walk.post_route(rule, _url(app, rule, params), tokens)
    assert walk.failures == [], "\n".join(walk.failures)


def test_odd_language_values_are_ignored(client):
    for value in (HUGE, *ODD[1:], "zh\t"):
        assert client.get(f"/login?{urlencode({'lang': value})}").status_code == 200
    assert client.get("/login?lang=%00").status_code == 400

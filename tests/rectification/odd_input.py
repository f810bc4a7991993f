"""Odd input on every page of a feature: ids no column can hold, junk in query strings, empty
forms. Each must be answered without a server error (shared by the features' tests)."""
from __future__ import annotations

from tests.test_authorization import _url

ODD_QUERIES = ("?page=abc", "?page=-5", "?page=99999999999999999999", "?state=zz%00", "?kind=zz&pending=zz",
               "?week=2026-W99", "?period=2026-Q9", "?level=abc", "?differs=zz", "?purpose=zz", "?job=abc")
HUGE = 99999999999999999999


def server_errors(app, browser, params, feature: str) -> list[str]:
    errors = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != feature:
            continue
        url = _url(app, rule, params)
        huge = [_url(app, rule, {**params, arg: HUGE}) for arg in rule.arguments if arg.endswith("_id")]
        if "GET" in rule.methods:
            for target in [url + q for q in ODD_QUERIES] + huge:
                status = browser.get(target).status_code
                if status >= 500:
                    errors.append(f"GET {target} → {status}")
        else:
            for target in [url] + huge:
                status = browser.post(target, {}).status_code
                if status >= 500:
                    errors.append(f"POST {target} → {status}")
    return errors

"""Playwright against Debian's chromium (no browser download), at a tablet viewport."""
from __future__ import annotations

import os
import shutil
import threading

import pytest

# Lets a context's router see a service worker's own requests (context.set_offline() does not
# reach them: microsoft/playwright#2311); tests/browser/tablet_form.Offline relies on it.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

CHROMIUM = "/usr/bin/chromium"
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing; CI must install it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(app):
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def tablet(chromium):
    context = chromium.new_context(viewport=TABLET, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()

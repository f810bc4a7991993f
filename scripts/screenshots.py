"""Retake the README's screenshots (docs/screenshots/) from a fresh demo instance.

    .venv/bin/python scripts/screenshots.py [NAME ...]

Seeds a demo with ``flask --app wsgi setup --demo`` in a temporary instance folder, serves it
on a free local port, and drives Debian's chromium with Playwright: inspectors' pages at
tablet size (768×1024), office and public pages at desktop size (1366×900), the dashboard,
the institution file and the public institution page at both. Run on demand
only (it takes about a minute); the README's screenshot table names the files written here.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "CareInspect-2026"                     # the demo's (inspect_app/demo/__init__.py)
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1366, "height": 900}


def answer_a_few(page):
    """Answer the first items of the form as an inspector would (saved to the demo)."""
    page.wait_for_selector('#inspection-form[data-ready="1"]', state="attached")
    items = page.locator("section.step:visible fieldset.item")
    for n, choice in enumerate(("pass", "fail", "pass")):
        items.nth(n).locator(f'input[type=radio][value="{choice}"]').check()
    items.nth(1).locator("textarea").fill("疏散通道堆放杂物")
    page.wait_for_selector('#sync-status[data-state="saved"]', state="attached", timeout=15000)
    page.evaluate("window.scrollTo(0, 0)")


def charts_drawn(page):
    """Wait until ECharts has drawn every chart of the dashboard (a canvas in each)."""
    page.wait_for_function("[...document.querySelectorAll('[data-chart]')].every("
                           "n => n.querySelector('canvas') || n.classList.contains('muted'))")


def to_failed_row(page):
    """Scroll to the section of the first failed item."""
    page.evaluate("document.querySelector('tr.failed').closest('table').previousElementSibling.scrollIntoView()")


# name → (log-in or None, path, viewport, what to do before the picture)
SHOTS = {
    "inspections": ("fire1", "/inspections/", TABLET, None),
    "inspection-form": ("fire1", "/inspections/{fire_part}/form", TABLET, answer_a_few),
    "record": ("fire_admin", "/inspections/{record}/record", TABLET, to_failed_row),
    "registry": ("bureau", "/institutions/", TABLET, None),
    "rectification": ("fire_admin", "/rectification/", DESKTOP, None),
    "public-grades": (None, "/grading/public/", DESKTOP, None),
    "checklist": ("bureau", "/checklists/star-grading", DESKTOP, None),
    "draws": (None, "/planning/draws", DESKTOP, None),
    "dashboard": ("bureau", "/", DESKTOP, charts_drawn),
    "dashboard-tablet": ("fire_admin", "/", TABLET, charts_drawn),
    "institution-file": ("bureau", "/institutions/{home}/file", DESKTOP, None),
    "institution-file-tablet": ("staff1", "/institutions/{home}/file", TABLET, None),
    "public-institution": (None, "/public/institutions/{home}", DESKTOP, None),
    "public-institution-tablet": (None, "/public/institutions/{home}", TABLET, None),
    "rankings": ("bureau", "/ranking/", DESKTOP, None),
    "rankings-tablet": ("fire_admin", "/ranking/", TABLET, None),
    "league": ("bureau", "/ranking/league", DESKTOP, None),
    "league-tablet": ("fire_admin", "/ranking/league", TABLET, None),
}


# Pages taken whole (the dashboard's charts are below its counts).
FULL_PAGE = {"dashboard", "dashboard-tablet"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_ids(instance: Path) -> dict:
    """Ids the paths need: today's fire part of the demo's joint visit, a record with a failure,
    staff1's home."""
    import sqlite3
    with sqlite3.connect(instance / "careinspect.db") as db:
        fire_part = db.execute("SELECT id FROM inspection WHERE visit_id = 1 AND department = 'fire'").fetchone()[0]
        record = db.execute("SELECT id FROM inspection WHERE status = 'submitted' AND department = 'fire' "
                            "AND failed_count > 0 "
                            "ORDER BY failed_count DESC, id LIMIT 1").fetchone()[0]
        home = db.execute("SELECT institution_id FROM user_account WHERE username = 'staff1'").fetchone()[0]
    return {"fire_part": fire_part, "record": record, "home": home}


def main(names: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    unknown = set(names) - set(SHOTS)
    if unknown:
        sys.exit(f"unknown screenshots: {', '.join(sorted(unknown))}; known: {', '.join(SHOTS)}")
    with tempfile.TemporaryDirectory(prefix="careinspect-shots-") as tmp:
        env = dict(os.environ, CAREINSPECT_INSTANCE=tmp, CAREINSPECT_INSECURE_COOKIES="1")
        env.pop("DATABASE_URL", None)
        env.pop("CELERY_BROKER_URL", None)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run(flask + ["setup", "--demo"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        ids = demo_ids(Path(tmp))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(flask + ["run", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            refused: list[str] = []          # console errors (a CSP refusal, a script error)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                for name in names or list(SHOTS):
                    user, path, viewport, before = SHOTS[name]
                    context = browser.new_context(viewport=viewport, locale="zh-CN",
                                                  has_touch=viewport is TABLET)
                    page = context.new_page()
                    page.on("console", lambda m, name=name: refused.append(f"{name}: {m.text}")
                            if m.type == "error" else None)
                    if user:
                        page.goto(f"{base}/login")
                        page.fill("input[name=username]", user)
                        page.fill("input[name=password]", PASSWORD)
                        page.click("button[type=submit].primary")
                        page.wait_for_url(f"{base}/")
                    page.goto(base + path.format(**ids))
                    page.wait_for_load_state("networkidle")
                    if before:
                        before(page)
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=name in FULL_PAGE)
                    context.close()
                    print(f"docs/screenshots/{name}.png  {viewport['width']}×{viewport['height']}  {path.format(**ids)}")
                browser.close()
            if refused:
                sys.exit("errors in the browser's console:\n" + "\n".join(refused))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1:])

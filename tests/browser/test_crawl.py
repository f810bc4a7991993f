"""Every page every demo role can reach, in Chinese and in English: links that open, words in
the page's language, and the WCAG 2.1 AA rules of axe-core (docs/architecture.md, "Words on
the screen" and "Accessibility").

A temporary instance (SQLite file, tests/browser/demo_site.py) gets the real migrations, the
demo data of ``setup --demo`` and the work its job rows start, and is served on a live server
in a process of its own. For each demo role (and an anonymous visitor) a browser signs in and
follows, breadth first, every same-origin link the role is shown (GET only: every change of
state is a POST with a CSRF token). Ids collapse into one URL pattern (``/x/123`` and
``/x/124`` are ``/x/{id}``); two pages of a pattern are read in Chinese, one in English, and a
few more are requested to check that they open for that role; a download is requested (HEAD)
once per pattern.

On each page read:
- Chinese: no English word outside :data:`ZH_ALLOWED` (codes and acronyms pass by their shape;
  the language switch is marked ``lang="en"``); English: no Chinese character. What users or
  the registry supplied (institution and people names, addresses, free text, citations) is
  marked ``class="user-data"`` (or ``translate="no"``) and left out.
- axe-core (npm package, pinned in package-lock.json) on the first page of each pattern, in
  Chinese: no serious or critical violation of the WCAG 2.0/2.1 A and AA rules.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEMO_ROLES = ("bureau", "fire_admin", "fire1", "staff1", None)   # None: an anonymous visitor
PER_PATTERN = 2          # pages read per URL pattern and role (in Chinese; one in English)
STATUS_PER_PATTERN = 6   # links of one pattern requested per role, the pages read included
MAX_PATTERNS = 80        # URL patterns per role
DOWNLOAD = re.compile(r"\.(pdf|xlsx|csv|json)$|/evidence/\d+$|/photos/\d+$")
NEVER = re.compile(r"^/(logout|language/)")          # POST endpoints, listed for safety
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: English that belongs in the Chinese UI: file formats and their extensions, units. Codes and
#: acronyms (FIRE-05, GB/T, PDF, Q4, SHA-256) pass by their shape.
ZH_ALLOWED = {"Excel", "xlsx", "csv", "json", "pdf", "m", "cm", "mm", "kg", "g", "lx", "dB", "min",
              "h", "kPa", "MPa", "Pa", "mg", "ml", "L", "s", "m²", "m³",
              # names of products, written the same in Chinese (the draw verification guide)
              "CareInspect", "Python", "Linux", "macOS", "Windows"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’²³]*(?:[-/.][A-Za-z0-9_²³]+)*")
CODE = re.compile(r"^(?=.*[A-Z0-9])[A-Z0-9²³]+(?:[-/.][A-Za-z0-9]+)*$|\d")
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")

#: The words of a page, without what users or the registry supplied.
WORDS_JS = """() => {
  const SKIP = 'script, style, noscript, template, textarea, .user-data, [translate="no"]';
  const page = document.documentElement.lang.slice(0, 2);
  // Data, or a part in another language (lang="…", such as the language switch).
  const skip = el => el.closest(SKIP) || el.closest('[lang]').lang.slice(0, 2) !== page;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    if (text && !skip(n.parentElement)) out.push(text);
  }
  const attrs = ['aria-label', 'title', 'placeholder', 'alt'];
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button]')) {
    if (skip(el)) continue;
    for (const a of attrs) if (el.hasAttribute(a)) out.push(el.getAttribute(a));
    if (el.matches('input[type=submit], input[type=button]')) out.push(el.value);
  }
  let title = document.title;
  for (const el of document.querySelectorAll('.user-data, [translate="no"]')) {
    const t = el.textContent.trim();
    if (t) title = title.split(t).join(' ');
  }
  out.push(title);
  return out;
}"""
LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.href)
  .concat(Array.from(document.querySelectorAll('link[href]'), l => l.href))
  .concat(Array.from(document.querySelectorAll('script[src], img[src]'), e => e.src))"""
AXE_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}));
}"""


def pattern(path_and_query: str) -> str:
    parts = urlsplit(path_and_query)
    path = re.sub(r"/\d+(?=/|\.|$)", "/{id}", parts.path)
    keys = sorted({k for k, _ in parse_qsl(parts.query)})
    return path + ("?" + "&".join(keys) if keys else "")


def page_kind(path_and_query: str) -> str:
    """One template: the pattern without its query, checklist-like slugs collapsed too
    (``/checklists/fire-safety`` and ``/checklists/food-safety`` are one page to axe)."""
    path = pattern(path_and_query).split("?")[0]
    return re.sub(r"(?<=.)/[a-z]+(?:-[a-z]+)+(?=/|$)", "/{slug}", path)


def download_kind(path: str) -> str:
    """A download's pattern: numbers and checklist-like slugs collapsed (one request per kind)."""
    return re.sub(r"(?<=.)/[a-z]+(?:-[a-z]+)+(?=/)", "/{slug}", re.sub(r"\d+", "{id}", path))


def english_words(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for word in WORD.findall(text):
            if word not in ZH_ALLOWED and not CODE.search(word):
                found.add(word)
    return found


def chinese(texts: list[str]) -> set[str]:
    return {text for text in texts if CJK.search(text)}


# --- the demo instance ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo district on a live server in a process of its own (tests/browser/demo_site.py)."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the crawl serves its own SQLite instance: it runs once, in the SQLite pass")
    tmp = tmp_path_factory.mktemp("crawl")
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "tests.browser.demo_site", str(tmp)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        ready = _first_line(server, timeout=180)
        if not ready.startswith("ready "):
            pytest.fail("the demo server did not start:\n" + (tmp / "server.log").read_text()[-3000:])
        yield f"http://127.0.0.1:{ready.split()[1]}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _first_line(process, timeout: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return line[0].strip() if line else ""


# --- the crawl ----------------------------------------------------------------------------------

class Crawl:
    def __init__(self, base: str, browser, axe_seen: set[str]):
        self.base = base
        self.browser = browser
        self.axe_seen = axe_seen            # patterns axe has checked (across roles)
        self.downloads_seen: set[str] = set()   # download patterns requested (across roles)
        self.problems: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.pages = 0

    def problem(self, kind: str, what: str, where: str) -> None:
        places = self.problems[kind][what]
        if len(places) < 3 and where not in places:
            places.append(where)

    def role(self, username: str | None) -> None:
        context = self.browser.new_context(viewport={"width": 1024, "height": 900}, bypass_csp=True,
                                           locale="zh-CN")
        page = context.new_page()
        who = username or "anonymous"
        try:
            if username:
                self._login(page, username)
            read = self._walk(page, context, who)
            page.goto(f"{self.base}/?lang=en")
            first_of_pattern = {pattern(path): path for path in reversed(read)}
            for path in read:
                if first_of_pattern[pattern(path)] == path:
                    self._read(page, path, "en", who, axe=False)
        finally:
            context.close()

    def _login(self, page, username: str) -> None:
        from inspect_app.demo import DEMO_PASSWORD
        page.goto(f"{self.base}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert urlsplit(page.url).path != "/login", f"{username} could not sign in: {page.inner_text('main')}"

    def _walk(self, page, context, who: str) -> list[str]:
        """Breadth first from the home page; returns the HTML pages read (paths)."""
        queue, queued = deque([("/", "")]), {"/"}
        read_per_pattern: dict[str, int] = defaultdict(int)
        requested: dict[str, int] = defaultdict(int)
        read: list[str] = []
        while queue:
            path, shown_on = queue.popleft()
            where = f"{who} on {shown_on}" if shown_on else who
            key = pattern(path)
            if DOWNLOAD.search(urlsplit(path).path):
                if download_kind(path) not in self.downloads_seen:
                    self.downloads_seen.add(download_kind(path))
                    response = context.request.head(self.base + path)
                    self._status(response.status, response.url, path, where)
                continue
            requested[key] += 1
            new_pattern = key not in read_per_pattern
            if read_per_pattern[key] >= PER_PATTERN or (new_pattern and len(read_per_pattern) >= MAX_PATTERNS):
                if requested[key] <= STATUS_PER_PATTERN:
                    response = context.request.head(self.base + path, max_redirects=5)
                    self._status(response.status, response.url, path, where)
                continue
            read_per_pattern[key] += 1
            # once per kind of page; the home page per role (its navigation differs: badges)
            axe = page_kind(path) not in self.axe_seen or path == "/"
            self.axe_seen.add(page_kind(path))
            links = self._read(page, path, "zh", who, axe=axe, shown_on=shown_on)
            if links is None:
                continue
            read.append(path)
            for link in links:
                if link not in queued:
                    queued.add(link)
                    queue.append((link, path))
        return read

    def _status(self, status: int, final_url: str, path: str, who: str) -> bool:
        if status >= 400:
            self.problem("link fails", f"{path} → {status}", who)
            return False
        if not who.startswith("anonymous") and urlsplit(final_url).path == "/login" and path != "/login":
            self.problem("link fails", f"{path} → sign-in page", who)
            return False
        return True

    def _read(self, page, path: str, lang: str, who: str, axe: bool, shown_on: str = ""):
        """Open a page; check its words (and axe); return the same-origin links it shows, or
        None when it did not open."""
        response = page.goto(self.base + path, wait_until="load" if axe else "domcontentloaded")
        self.pages += 1
        status = response.status if response else 0
        if not self._status(status, page.url, path, f"{who} on {shown_on}" if shown_on else who):
            return None
        if "text/html" not in (response.headers.get("content-type") or ""):
            return []
        where = f"{who} {lang} {path}"
        texts = page.evaluate(WORDS_JS)
        if lang == "zh":
            for word in english_words(texts):
                self.problem("English in the Chinese UI", word, where)
        else:
            for text in chinese(texts):
                self.problem("Chinese in the English UI", text[:80], where)
        if axe:
            page.add_script_tag(path=str(AXE))
            for v in page.evaluate(AXE_JS, AXE_TAGS):
                for target in v["targets"]:
                    self.problem(f"axe {v['impact']}: {v['id']} ({v['help']})", target, f"{who} {path}")
        links = []
        for href in page.evaluate(LINKS_JS):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != self.base:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if NEVER.search(parts.path) or "lang" in dict(parse_qsl(parts.query)):
                continue
            links.append(target)
        return links

    def report(self) -> str:
        lines = []
        for kind, items in sorted(self.problems.items()):
            lines.append(f"{kind}: {len(items)}")
            for what, places in sorted(items.items()):
                lines.append(f"  {what}    [{'; '.join(places)}]")
        return "\n".join(lines)


def test_every_page_of_every_role_opens_speaks_its_language_and_passes_axe(demo_site, chromium):
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is missing; scripts/test.sh installs it (npm ci)")
        pytest.skip("axe-core is not installed (npm ci)")
    started = time.monotonic()
    crawl = Crawl(demo_site, chromium, set())
    for username in DEMO_ROLES:
        crawl.role(username)
    elapsed = time.monotonic() - started
    print(f"\ncrawl: {crawl.pages} pages read, {len(crawl.axe_seen)} checked by axe, {elapsed:.0f} s")
    assert not crawl.problems, "\n" + crawl.report()


def test_patterns_collapse_ids_and_keep_query_names():
    assert pattern("/x/123") == pattern("/x/124") == "/x/{id}"
    assert pattern("/planning/draws/7/lists.json") == "/planning/draws/{id}/lists.json"
    assert pattern("/institutions/?page=2&q=康") == "/institutions/?page&q"
    assert page_kind("/checklists/fire-safety") == page_kind("/checklists/food-safety") == "/checklists/{slug}"
    assert page_kind("/rectification/credit-records?kind=x") == "/rectification/{slug}"
    assert download_kind("/checklists/fire-safety/export.xlsx") == "/checklists/{slug}/export.xlsx"
    assert download_kind("/inspections/2/evidence/5") == "/inspections/{id}/evidence/{id}"
    assert download_kind("/inspections/10/record.pdf") == download_kind("/inspections/11/record.pdf")
    assert download_kind("/planning/draws/1/lists.json") != download_kind("/planning/draws/1/input.json")


def test_word_checks_allow_codes_and_units_but_not_words():
    assert english_words(["FIRE-05 不合格", "GB/T 35796", "3 m", "SHA-256", "2026-Q4", "Excel"]) == set()
    assert english_words(["检查项 update", "beds: 5", "contact_phone"]) == {"update", "beds", "contact_phone"}
    assert chinese(["Due 14 Dec", "检查 done"]) == {"检查 done"}

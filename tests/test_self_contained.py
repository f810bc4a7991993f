"""The repository stands on its own: no file cites a document that is not in it, or a path
on somebody's machine.

A bureau's IT department receives this repository and nothing else. Every rule the code
follows is written in ``docs/`` (``docs/commands.md``, ``docs/regulations.md``,
``docs/security.md``, …) and cited from there. A citation of a document outside the
repository, or an absolute path of a build or developer machine, leaves the reader with a
reference they cannot follow.

Paths of system programs and system files (``/usr/bin/chromium``, ``/etc/…``,
``/usr/bin/env``) are the same on every Debian/Ubuntu machine and name no one's files, so
they are not matched at all; ``ALLOWED`` is for the rare line that must name one of the
patterns below, each entry with its reason.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THIS_FILE = "tests/test_self_contained.py"

#: What must not appear, and why.
FORBIDDEN = {
    "CONTRACT §": "a section of a document that is not in the repository",
    "CONTRACT.md": "a document that is not in the repository",
    "DOMAIN §": "a section of a document that is not in the repository",
    "DOMAIN.md": "a document that is not in the repository",
    "DOMAIN-2.md": "a document that is not in the repository",
    "TRUST.md": "a document that is not in the repository",
    "CHECKLIST-SOURCES": "a document that is not in the repository",
    "shared/": "a folder outside the repository",
    "/work/": "an absolute path of a build machine",
    "/root/": "an absolute path of a machine's administrator",
    "/home/": "an absolute path of a user's home",
    "/Users/": "an absolute path of a user's home (macOS)",
    "C:\\": "an absolute Windows path",
}
PATTERN = re.compile("|".join(re.escape(text) for text in FORBIDDEN))

#: (file, forbidden text) → why that file must name it. Keep this empty unless truly needed.
ALLOWED: dict[tuple[str, str], str] = {}

#: Folders never searched when the tree is walked without git (generated or installed files).
NOT_SOURCE = {".git", ".venv", "venv", "instance", "node_modules", "__pycache__",
              ".pytest_cache", ".mypy_cache", ".ruff_cache", "build", "dist"}


def repository_files() -> list[str]:
    """The tracked files (``git ls-files``); without git, every file of the tree except
    generated and installed ones."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                                check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        found = []
        for folder, dirs, names in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in NOT_SOURCE and not d.endswith(".egg-info")]
            found += [os.path.relpath(os.path.join(folder, name), ROOT) for name in names
                      if not name.endswith((".pyc", ".mo"))]
        return sorted(path.replace(os.sep, "/") for path in found)
    return sorted(name for name in listed.decode("utf-8").split("\0") if name)


def text_of(path: Path) -> str | None:
    """The file as text, or None for a binary file (images, fonts, workbooks)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def offending_lines(root: Path, files: list[str]) -> list[str]:
    """``file:line: text (why): the line`` for every forbidden text in ``files``."""
    found = []
    for name in files:
        path = root / name
        if name == THIS_FILE or not path.is_file():
            continue
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for match in PATTERN.finditer(line):
                if (name, match.group()) not in ALLOWED:
                    found.append(f"{name}:{number}: {match.group()!r} ({FORBIDDEN[match.group()]}): "
                                 f"{line.strip()[:120]}")
    return found


def test_no_file_cites_a_document_or_a_path_outside_the_repository():
    files = repository_files()
    assert len(files) > 50, f"the repository's files were not found under {ROOT}"
    found = offending_lines(ROOT, files)
    assert not found, ("Cite the repository's own docs (docs/commands.md, docs/regulations.md, "
                       "docs/security.md, …) instead:\n" + "\n".join(found))


def test_the_check_finds_what_it_looks_for(tmp_path):
    """The scan itself works: each forbidden text is found, system paths are not."""
    lines = [f"see {text} here" for text in FORBIDDEN]
    (tmp_path / "bad.py").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "good.py").write_text('CHROMIUM = "/usr/bin/chromium"\nopen("/etc/hosts")\n'
                                      "# docs/regulations.md, \"Star grading eligibility\"\n",
                                      encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\0/home/x/")
    found = offending_lines(tmp_path, ["bad.py", "good.py", "image.png"])
    assert [line.split(":")[1] for line in found] == [str(n) for n in range(1, len(lines) + 1)]

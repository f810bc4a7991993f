"""The repository stands on its own: no file cites a document that is not in it, or a path
on somebody's machine.

The rule is written in docs/architecture.md, "The repository stands on its own". A bureau's IT
department receives this repository and nothing else. Every rule the code
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

#: A Markdown document named anywhere (a name ending in .md) must be a file of the repository.
DOCUMENT = re.compile(r"(?<![\w/.-])(?:[\w.-]+/)*([A-Za-z0-9_-]+\.md)\b")
#: A section cited in an upper-case document (a name followed by the section sign) must be of a
#: document the repository holds.
SECTION = re.compile(r"\b([A-Z][A-Z0-9-]{2,}) §")
#: A relative path climbing out of its folder must land inside the repository.
CLIMB = re.compile(r"(?:\.\./)+[\w.-]+")
#: Absolute paths of somebody's files: home folders, an administrator's, this build machine's
#: working folder, and Windows drives. System paths (/usr/bin/…, /etc/…) are not matched.
PERSONAL = re.compile(r"(?<![\w.])/(?:home|root|Users|work)/|\b[A-Za-z]:\\[A-Za-z]")

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
    """``file:line: why: the line`` for every citation of something outside the repository."""
    documents = {Path(name).name.lower() for name in files}
    found = []
    for name in files:
        path = root / name
        if not path.is_file():
            continue
        text = text_of(path)
        if text is None:
            continue
        folder = (root / name).parent
        for number, line in enumerate(text.splitlines(), start=1):
            why = []
            why += [f"{m.group(1)} is not in the repository" for m in DOCUMENT.finditer(line)
                    if m.group(1).lower() not in documents]
            why += [f"{m.group(1)} §: a section of a document that is not in the repository"
                    for m in SECTION.finditer(line) if f"{m.group(1).lower()}.md" not in documents]
            why += [f"{m.group()} leads out of the repository" for m in CLIMB.finditer(line)
                    if not (folder / m.group()).resolve().is_relative_to(root.resolve())]
            why += [f"{m.group()!r}: an absolute path of somebody's machine" for m in PERSONAL.finditer(line)]
            found += [f"{name}:{number}: {reason}: {line.strip()[:120]}" for reason in why]
    return found


def test_no_file_cites_a_document_or_a_path_outside_the_repository():
    files = repository_files()
    assert len(files) > 50, f"the repository's files were not found under {ROOT}"
    found = offending_lines(ROOT, files)
    assert not found, ("Cite the repository's own docs (docs/commands.md, docs/regulations.md, "
                       "docs/security.md, …) instead:\n" + "\n".join(found))


def test_the_check_finds_what_it_looks_for(tmp_path):
    """The scan itself works: each kind of outside citation is found, on the line it stands;
    the repository's own documents, system paths and paths inside the tree are not. (The
    examples are built from pieces, so this file cites nothing itself.)"""
    elsewhere, section, md = "ELSEWHERE", " \u00a7", ".md"
    (tmp_path / "sub").mkdir()
    (tmp_path / "README" ".md").write_text("# Read me\n", encoding="utf-8")
    bad = [f"see {elsewhere}{md}", f"as {elsewhere}{section}5 says", "read " + "../" * 2 + "notes/x.txt",
           "open('/" + "home/ann/a.csv')", "cd /" + "work/brief", "C:" + "\\Users\\ann"]
    (tmp_path / "a.py").write_text("\n".join(bad), encoding="utf-8")
    (tmp_path / "sub" / "good.py").write_text(
        'CHROMIUM = "/usr/bin/chromium"\nopen("/etc/hosts")\n'
        f"# README{md}, README{section}2, ../README{md}\n" 'url = "/grading/public/"\n', encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\0/" + b"home/x/")
    found = offending_lines(tmp_path, ["a.py", "sub/good.py", "image.png", "README" + md])
    assert [line.split(":")[1] for line in found] == [str(n) for n in range(1, len(bad) + 1)], found

"""The lock files agree with the ranges people edit, and the supported Python versions are
declared once: installs are the same on every machine (docs/operations.md, "Installing")."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from inspect_app.runtime import SUPPORTED_PYTHON, UnsupportedPython, check_python

ROOT = Path(__file__).resolve().parent.parent
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$")


def read_ranges(path: Path) -> dict[str, Requirement]:
    """The requirements of a ranges file, following ``-r`` includes."""
    ranges: dict[str, Requirement] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            ranges.update(read_ranges(path.parent / line[3:].strip()))
            continue
        requirement = Requirement(line)
        ranges[canonicalize_name(requirement.name)] = requirement
    return ranges


def read_lock(path: Path) -> list[dict]:
    """One entry per pinned line: name, version, marker, hashes and the ``# via`` sources."""
    entries: list[dict] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = PINNED.match(raw)
        if match:
            entries.append({"name": canonicalize_name(match["name"]), "version": Version(match["version"]),
                            "marker": Marker(match["marker"]) if match["marker"] else None,
                            "hashes": [], "via": []})
        elif entries and raw.strip().startswith("--hash=sha256:"):
            entries[-1]["hashes"].append(raw.strip().split(":", 1)[1].rstrip(" \\"))
        elif entries and raw.strip().startswith("#"):
            text = raw.strip().lstrip("#").strip()
            if text.startswith("via"):
                text = text[3:].strip()
            if text:
                entries[-1]["via"].append(text)
    return entries


def agreement_problems(ranges: dict[str, Requirement], lock: list[dict], ranges_name: str) -> list[str]:
    """Everything on which a ranges file and its lock disagree, one message each."""
    problems = []
    locked = {entry["name"] for entry in lock}
    for name in sorted(set(ranges) - locked):
        problems.append(f"{name}: in {ranges_name} but not locked")
    for entry in lock:
        name = entry["name"]
        if not entry["hashes"]:
            problems.append(f"{name}=={entry['version']}: locked without a hash")
        requirement = ranges.get(name)
        if requirement is None:
            direct = [source for source in entry["via"] if source.startswith("-r ")]
            if direct and len(direct) == len(entry["via"]):
                problems.append(f"{name}=={entry['version']}: locked as a direct requirement that {ranges_name} no longer lists")
            continue
        if not requirement.specifier.contains(entry["version"], prereleases=True):
            problems.append(f"{name}=={entry['version']}: outside its range {requirement.specifier}")
    return problems


RUNTIME = read_ranges(ROOT / "requirements.txt")
DEV = read_ranges(ROOT / "requirements-dev.txt")


@pytest.mark.parametrize("ranges_file, lock_file", [
    ("requirements.txt", "requirements.lock"),
    ("requirements-dev.txt", "requirements-dev.lock"),
])
def test_lock_agrees_with_the_ranges(ranges_file, lock_file):
    ranges = read_ranges(ROOT / ranges_file)
    assert agreement_problems(ranges, read_lock(ROOT / lock_file), ranges_file) == []


def test_the_check_finds_each_kind_of_disagreement():
    lock = read_lock(ROOT / "requirements.lock")
    ranges = dict(RUNTIME)
    ranges["left-pad"] = Requirement("left-pad>=1")                     # in the ranges, not locked
    ranges[canonicalize_name("Flask")] = Requirement("Flask>=99")        # locked version outside the range
    del ranges["supervisor"]                                                  # locked, no longer asked for
    problems = agreement_problems(ranges, lock, "requirements.txt")
    assert any(p.startswith("left-pad: in requirements.txt but not locked") for p in problems)
    assert any(p.startswith("flask==") and "outside its range >=99" in p for p in problems)
    assert any(p.startswith("supervisor==") and "no longer lists" in p for p in problems)


def test_development_lock_pins_the_runtime_packages_at_the_same_versions():
    runtime = {(e["name"], str(e["marker"])): e["version"] for e in read_lock(ROOT / "requirements.lock")}
    dev = {(e["name"], str(e["marker"])): e["version"] for e in read_lock(ROOT / "requirements-dev.lock")}
    assert {key: dev.get(key) for key in runtime} == runtime


def test_supported_python_is_declared_once_in_three_places():
    oldest, newest = SUPPORTED_PYTHON
    declared = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"])
    assert f"{oldest[0]}.{oldest[1]}" in declared and f"{newest[0]}.{newest[1]}" in declared
    assert f"{oldest[0]}.{oldest[1] - 1}" not in declared and f"{newest[0]}.{newest[1] + 1}" not in declared
    lock_script = (ROOT / "scripts" / "lock.sh").read_text()
    assert f"--python-version {oldest[0]}.{oldest[1]}" in lock_script
    bootstrap = (ROOT / "scripts" / "_bootstrap.sh").read_text()
    assert f"({oldest[0]}, {oldest[1]}) <= sys.version_info[:2] <= ({newest[0]}, {newest[1]})" in bootstrap


@pytest.mark.parametrize("version, supported", [((3, 10, 9), False), ((3, 11, 0), True), ((3, 13, 5), True),
                                                ((3, 14, 0), False)])
def test_start_refuses_an_unsupported_python(version, supported):
    if supported:
        check_python(version)
    else:
        with pytest.raises(UnsupportedPython, match="supports Python 3.11 to 3.13"):
            check_python(version)

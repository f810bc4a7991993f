"""Loading the supervision policy (``policies/supervision.yaml``): parsed by the pure
:func:`inspect_app.domain.deadlines.parse_policy`, read when first used and cached until the
file changes. ``SUPERVISION_POLICY`` in the config names another file."""
from __future__ import annotations

import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

from ..config import PROJECT_ROOT
from ..domain.deadlines import Policy, PolicyError, PolicyProblem, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "supervision.yaml"
_lock = threading.Lock()
_cache: dict[str, tuple[float, Policy]] = {}


def policy_path() -> Path:
    try:
        configured = current_app.config.get("SUPERVISION_POLICY")
    except RuntimeError:          # outside an app (benchmarks, scripts)
        configured = None
    return Path(configured) if configured else DEFAULT_PATH


def load_file(path: Path) -> Policy:
    import yaml
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(name, [PolicyProblem("file", f"cannot be read: {exc.strerror or exc}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise PolicyError(name, [PolicyProblem(where, str(getattr(exc, "problem", exc)))]) from None
    return parse_policy(data, name)


def current() -> Policy:
    """The policy in force (cached; re-read when the file's modification time changes)."""
    path = policy_path()
    key = str(path)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    cached = _cache.get(key)
    if cached and cached[0] == mtime:
        return cached[1]
    with _lock:
        policy = load_file(path)
        _cache[key] = (mtime, policy)
    return policy


def tz(policy: Policy | None = None) -> ZoneInfo:
    return ZoneInfo((policy or current()).local_timezone)

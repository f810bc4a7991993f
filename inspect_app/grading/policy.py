"""Loading the grading policy (``policies/grading.yaml``): parsed by the pure
:func:`inspect_app.domain.grading_policy.parse_policy_yaml`, read when first used and cached
until the file changes. ``GRADING_POLICY`` in the config names another file."""
from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from flask import current_app

from ..config import PROJECT_ROOT
from ..domain.grading_policy import GradingPolicy, PolicyError, PolicyHistory, parse_policy_yaml

DEFAULT_PATH = PROJECT_ROOT / "policies" / "grading.yaml"
_lock = threading.Lock()
_cache: dict[str, tuple[float, PolicyHistory]] = {}


def policy_path() -> Path:
    try:
        configured = current_app.config.get("GRADING_POLICY")
    except RuntimeError:          # outside an app (benchmarks, scripts)
        configured = None
    return Path(configured) if configured else DEFAULT_PATH


def history() -> PolicyHistory:
    """Every version of the policy (cached; re-read when the file's modification time changes)."""
    path = policy_path()
    key = str(path)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise PolicyError([f"{path}: file: cannot be read"]) from None
    cached = _cache.get(key)
    if cached and cached[0] == mtime:
        return cached[1]
    with _lock:
        loaded = parse_policy_yaml(path.read_bytes(), key)
        _cache[key] = (mtime, loaded)
    return loaded


def in_force(today: date) -> GradingPolicy:
    return history().in_force(today)

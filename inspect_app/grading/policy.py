"""Loading the grading policy (``policies/grading.yaml``): parsed by the pure
:func:`inspect_app.domain.grading.policy.parse_policy_yaml`, read when first used and cached
until the file changes. ``GRADING_POLICY`` in the config names another file."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.grading.policy import GradingPolicy, PolicyError, PolicyHistory, parse_policy_yaml

DEFAULT_PATH = PROJECT_ROOT / "policies" / "grading.yaml"


def _load(path: Path) -> PolicyHistory:
    try:
        data = path.read_bytes()
    except OSError:
        raise PolicyError([f"{path}: file: cannot be read"]) from None
    return parse_policy_yaml(data, str(path))


FILE = PolicyFile("GRADING_POLICY", DEFAULT_PATH, _load)


def history() -> PolicyHistory:
    """Every version of the policy (cached; re-read when the file changes)."""
    return FILE.get()


def in_force(today: date) -> GradingPolicy:
    return history().in_force(today)

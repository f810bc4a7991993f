"""Loading the grading policy (``policies/grading.yaml``): parsed by the pure
:func:`inspect_app.domain.grading.policy.parse_policy_yaml`, read when first used and cached
until the file changes. ``GRADING_POLICY`` in the config names another file."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.grading.policy import GradingPolicy, PolicyError, PolicyHistory, parse_policy_yaml
from ..domain.grading.schemes import DEFAULT

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


def in_force(today: date, scheme: str | None = None) -> GradingPolicy:
    """The version of ``scheme`` (default: the GB/T 37276 stars) in force on ``today``."""
    return history().in_force(today, scheme or DEFAULT)


def schemes() -> tuple[str, ...]:
    return history().schemes


def offered(institution, today: date) -> tuple[str, ...]:
    """The schemes this institution may apply under today (by its type and beds)."""
    return history().offered(institution.type, institution.beds, today)


def scheme_of_checklist(checklist_id: str, today: date) -> str:
    """The scheme whose version in force grades with ``checklist_id`` (default the stars)."""
    for scheme in schemes():
        if in_force(today, scheme).checklist == checklist_id:
            return scheme
    return DEFAULT

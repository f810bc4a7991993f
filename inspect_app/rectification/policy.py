"""Loading the supervision policy (``policies/supervision.yaml``): parsed by the pure
:func:`inspect_app.domain.rectification.ladder.parse_policy`, read when first used and cached until the
file changes. ``SUPERVISION_POLICY`` in the config names another file."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.rectification.ladder import Policy, PolicyError, PolicyProblem, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "supervision.yaml"

FILE = PolicyFile.of_yaml("SUPERVISION_POLICY", DEFAULT_PATH, parse_policy,
                         lambda name, where, message: PolicyError(name, [PolicyProblem(where, message)]))


def current() -> Policy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()


def tz(policy: Policy | None = None) -> ZoneInfo:
    return ZoneInfo((policy or current()).local_timezone)

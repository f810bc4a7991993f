"""Loading the complaints policy (``policies/complaints.yaml``): parsed by the pure
:func:`inspect_app.domain.complaints.parse_policy`, read when first used and cached until the
file changes. ``COMPLAINTS_POLICY`` in the config names another file."""
from __future__ import annotations

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.complaints import ComplaintPolicy, parse_policy
from ..domain.rectification.ladder import PolicyError, PolicyProblem

DEFAULT_PATH = PROJECT_ROOT / "policies" / "complaints.yaml"

FILE = PolicyFile.of_yaml("COMPLAINTS_POLICY", DEFAULT_PATH, parse_policy,
                         lambda name, where, message: PolicyError(name, [PolicyProblem(where, message)]))


def current() -> ComplaintPolicy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()

"""Loading the reminder policy (``policies/agreements.yaml``), parsed by the pure
:func:`inspect_app.domain.agreements.parse_policy`; ``AGREEMENTS_POLICY`` names another file."""
from __future__ import annotations

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.agreements import PolicyError, ReminderPolicy, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "agreements.yaml"

FILE = PolicyFile.of_yaml("AGREEMENTS_POLICY", DEFAULT_PATH, parse_policy,
                         lambda name, where, message: PolicyError(name, [(where, message)]))


def current() -> ReminderPolicy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()

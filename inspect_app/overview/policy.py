"""Loading the publication policy (``policies/publication.yaml``): parsed by the pure
:func:`inspect_app.domain.publication.parse_policy`, read when first used and cached until the
file changes. ``PUBLICATION_POLICY`` in the config names another file."""
from __future__ import annotations

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.rectification.ladder import PolicyError, PolicyProblem
from ..domain.publication import PublicationPolicy, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "publication.yaml"

FILE = PolicyFile.of_yaml("PUBLICATION_POLICY", DEFAULT_PATH, parse_policy,
                         lambda name, where, message: PolicyError(name, [PolicyProblem(where, message)]))


def current() -> PublicationPolicy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()

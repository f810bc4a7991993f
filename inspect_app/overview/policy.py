"""Loading the publication policy (``policies/publication.yaml``): parsed by the pure
:func:`inspect_app.domain.publication.parse_policy`, read when first used and cached until the
file changes. ``PUBLICATION_POLICY`` in the config names another file."""
from __future__ import annotations

from pathlib import Path

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile, read_yaml
from ..domain.rectification.ladder import PolicyError, PolicyProblem
from ..domain.publication import PublicationPolicy, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "publication.yaml"


def load_file(path: Path) -> PublicationPolicy:
    name = str(path)
    data = read_yaml(path, lambda where, message: PolicyError(name, [PolicyProblem(where, message)]))
    return parse_policy(data, name)


FILE = PolicyFile("PUBLICATION_POLICY", DEFAULT_PATH, load_file)


def current() -> PublicationPolicy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()

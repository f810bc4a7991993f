"""Loading the ranking policy (``policies/ranking.yaml``): parsed by the pure
:func:`inspect_app.domain.ranking.parse_policy`, read when first used and cached until the
file changes. ``RANKING_POLICY`` in the config names another file."""
from __future__ import annotations

from pathlib import Path

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile, read_yaml
from ..domain.ranking import IndexPolicy, Problem, RankingPolicyError, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "ranking.yaml"


def load_file(path: Path) -> IndexPolicy:
    name = str(path)
    data = read_yaml(path, lambda where, message: RankingPolicyError(name, [Problem(where, message)]))
    return parse_policy(data, name)


FILE = PolicyFile("RANKING_POLICY", DEFAULT_PATH, load_file)


def current() -> IndexPolicy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()

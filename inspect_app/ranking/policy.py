"""Loading the ranking policy (``policies/ranking.yaml``): parsed by the pure
:func:`inspect_app.domain.ranking.parse_policy`, read when first used and cached until the
file changes. ``RANKING_POLICY`` in the config names another file."""
from __future__ import annotations

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.ranking import IndexPolicy, Problem, RankingPolicyError, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "ranking.yaml"

FILE = PolicyFile.of_yaml("RANKING_POLICY", DEFAULT_PATH, parse_policy,
                         lambda name, where, message: RankingPolicyError(name, [Problem(where, message)]))


def current() -> IndexPolicy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()

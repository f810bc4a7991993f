"""Loading the ranking policy (``policies/ranking.yaml``): parsed by the pure
:func:`inspect_app.domain.ranking.parse_policy`, read when first used and cached until the
file changes. ``RANKING_POLICY`` in the config names another file."""
from __future__ import annotations

from pathlib import Path

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.ranking import IndexPolicy, Problem, RankingPolicyError, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "ranking.yaml"


def load_file(path: Path) -> IndexPolicy:
    import yaml
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RankingPolicyError(name, [Problem("file", f"cannot be read: {exc.strerror or exc}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise RankingPolicyError(name, [Problem(where, str(getattr(exc, "problem", exc)))]) from None
    return parse_policy(data, name)


FILE = PolicyFile("RANKING_POLICY", DEFAULT_PATH, load_file)


def current() -> IndexPolicy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()

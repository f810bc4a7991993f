"""Loading the supervision policy (``policies/supervision.yaml``): parsed by the pure
:func:`inspect_app.domain.rectification.ladder.parse_policy`, read when first used and cached until the
file changes. ``SUPERVISION_POLICY`` in the config names another file."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.rectification.ladder import Policy, PolicyError, PolicyProblem, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "supervision.yaml"


def load_file(path: Path) -> Policy:
    import yaml
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(name, [PolicyProblem("file", f"cannot be read: {exc.strerror or exc}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise PolicyError(name, [PolicyProblem(where, str(getattr(exc, "problem", exc)))]) from None
    return parse_policy(data, name)


FILE = PolicyFile("SUPERVISION_POLICY", DEFAULT_PATH, lambda path: load_file(path))


def current() -> Policy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()


def tz(policy: Policy | None = None) -> ZoneInfo:
    return ZoneInfo((policy or current()).local_timezone)

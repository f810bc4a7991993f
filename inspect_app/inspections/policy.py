"""Loading the enforcement policy (``policies/enforcement.yaml``): parsed by the pure
:func:`inspect_app.domain.enforcement.parse_policy`, read when first used and cached until the
file changes. ``ENFORCEMENT_POLICY`` in the config names another file."""
from __future__ import annotations

from pathlib import Path

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.enforcement import EnforcementPolicy, EnforcementPolicyError, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "enforcement.yaml"


def _load(path: Path) -> EnforcementPolicy:
    import yaml
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise EnforcementPolicyError([f"{path}: file: cannot be read"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise EnforcementPolicyError([f"{path}: line {mark.line + 1 if mark else '?'}: "
                                      f"{getattr(exc, 'problem', exc)}"]) from None
    return parse_policy(data, path.name)


FILE = PolicyFile("ENFORCEMENT_POLICY", DEFAULT_PATH, _load)


def current() -> EnforcementPolicy:
    return FILE.get()

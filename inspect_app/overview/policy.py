"""Loading the publication policy (``policies/publication.yaml``): parsed by the pure
:func:`inspect_app.domain.publication.parse_policy`, read when first used and cached until the
file changes. ``PUBLICATION_POLICY`` in the config names another file."""
from __future__ import annotations

from pathlib import Path

from ..config import PROJECT_ROOT
from ..core.policyfiles import PolicyFile
from ..domain.rectification.ladder import PolicyError, PolicyProblem
from ..domain.publication import PublicationPolicy, parse_policy

DEFAULT_PATH = PROJECT_ROOT / "policies" / "publication.yaml"


def load_file(path: Path) -> PublicationPolicy:
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


FILE = PolicyFile("PUBLICATION_POLICY", DEFAULT_PATH, load_file)


def current() -> PublicationPolicy:
    """The policy in force (cached; re-read when the file changes)."""
    return FILE.get()

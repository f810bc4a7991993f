"""Policy files (``policies/*.yaml``): policy numbers as data, read when first used and cached
until the file changes. Each feature names its file, its config key (for another file) and a
pure parser that reports every problem with its location."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Generic, TypeVar

from flask import current_app

T = TypeVar("T")


def read_yaml(path: Path, problem: Callable[[str, str], Exception]):
    """The data of the YAML file ``path``. A file that cannot be read or parsed raises
    ``problem(where, message)`` (``where``: "file", or "line N" of a syntax error), the policy's
    own located error."""
    import yaml
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise problem("file", f"cannot be read: {exc.strerror or exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise problem(where, str(getattr(exc, "problem", exc))) from None


class PolicyFile(Generic[T]):
    def __init__(self, config_key: str, default_path: Path, load: Callable[[Path], T]):
        self.config_key = config_key
        self.default_path = default_path
        self._load = load
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, T]] = {}

    def path(self) -> Path:
        try:
            configured = current_app.config.get(self.config_key)
        except RuntimeError:          # outside an app (benchmarks, scripts)
            configured = None
        return Path(configured) if configured else self.default_path

    def get(self) -> T:
        """The parsed file (re-read when its modification time changes; a missing or broken
        file raises the parser's error with its location)."""
        path = self.path()
        key = str(path)
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = -1.0
        cached = self._cache.get(key)
        if cached and cached[0] == mtime:
            return cached[1]
        with self._lock:
            loaded = self._load(path)
            self._cache[key] = (mtime, loaded)
        return loaded

    @classmethod
    def of_yaml(cls, config_key: str, default_path: Path, parse: Callable[[object, str], T],
                problem: Callable[[str, str, str], Exception]) -> "PolicyFile[T]":
        """A YAML policy file: read by :func:`read_yaml`, then ``parse(data, name)``; a file
        that cannot be read or parsed raises ``problem(name, where, message)``."""
        def load(path: Path) -> T:
            name = str(path)
            return parse(read_yaml(path, lambda where, message: problem(name, where, message)), name)
        return cls(config_key, default_path, load)

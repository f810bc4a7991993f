"""The broker tests share one system per module: its database, worker and beat."""
from __future__ import annotations

import pytest

from .system import System, require_broker


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    require_broker()
    system = System(tmp_path_factory.mktemp("system"))
    try:
        system.start("worker", "beat")
        yield system
    finally:
        system.close()

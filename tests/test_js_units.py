"""The tablet script's pure modules (outbox order, back-off, conflict merge, the submit
check's rules) are unit-tested with Node's built-in test runner: tests/js/*.test.mjs.

Node is needed: without it the test is skipped on a workstation, and fails in CI (CI=true)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

JS_TESTS = Path(__file__).resolve().parent / "js"


def test_the_pure_modules_pass_their_node_tests():
    import pytest
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing; CI must install it (apt-get install nodejs) to run tests/js")
        pytest.skip("node is not installed (apt-get install nodejs): tests/js/*.test.mjs not run")
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.mjs"))
    assert files, "no tests in tests/js"
    # The files are named (not the folder): Node 21+ reads --test arguments as globs, not folders.
    done = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120,
                          cwd=JS_TESTS.parent.parent)
    assert done.returncode == 0, f"node --test failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert "# fail 0" in done.stdout and "# pass " in done.stdout, done.stdout[-2000:]

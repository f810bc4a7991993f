#!/usr/bin/env bash
# Regenerates the hash-checked lock files from the ranges in requirements.txt and
# requirements-dev.txt, for every platform and every supported Python (3.11 to 3.13):
#   requirements.lock      what the running system installs (start.sh)
#   requirements-dev.lock  the same pins plus the test tools (test.sh, CI)
# Run it after editing a range, then run ./scripts/test.sh and commit the lock files.
# Extra arguments go to `uv pip compile`, e.g. --upgrade-package pandas.
source "$(dirname "$0")/_bootstrap.sh"
make_venv requirements-dev.lock
UV=".venv/bin/uv"
common=(--universal --python-version 3.11 --generate-hashes --no-header --quiet)
"$UV" pip compile "${common[@]}" "$@" requirements.txt -o requirements.lock
"$UV" pip compile "${common[@]}" "$@" --constraint requirements.lock requirements-dev.txt -o requirements-dev.lock
echo "Lock files written: requirements.lock, requirements-dev.lock"

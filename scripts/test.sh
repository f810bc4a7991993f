#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (extra arguments go to pytest).
# DATABASE_URL / CELERY_BROKER_URL select PostgreSQL / Redis; the default is SQLite.
source "$(dirname "$0")/_bootstrap.sh"
make_venv requirements-dev.lock
system_packages with-browser
node_packages
compile_translations
exec .venv/bin/python -m pytest -q -p no:randomly "$@"

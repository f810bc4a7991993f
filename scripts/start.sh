#!/usr/bin/env bash
# Sets everything up and runs the whole system: web app, Celery worker and beat, on SQLite and
# an embedded broker (no server needed), with demo data. Stop with Ctrl-C.
source "$(dirname "$0")/_bootstrap.sh"
make_venv requirements.lock
system_packages
node_packages
compile_translations

export PORT="${PORT:-5000}"
export CAREINSPECT_INSTANCE="$(realpath -m "${CAREINSPECT_INSTANCE:-$ROOT/instance}")"
export FLASK_APP=wsgi
# The demo serves plain http on this machine only; behind TLS, leave this unset.
export CAREINSPECT_INSECURE_COOKIES="${CAREINSPECT_INSECURE_COOKIES:-1}"
.venv/bin/flask --app wsgi setup --demo | tee .venv/last-setup.txt

# supervisord (deploy/supervisord.conf) runs gunicorn, the Celery worker and beat, starts again
# any of them that dies, and stops them all on Ctrl-C (docs/operations.md).
LOGS="$CAREINSPECT_INSTANCE/logs"
mkdir -p "$LOGS"
.venv/bin/supervisord -c deploy/supervisord.conf >"$LOGS/supervisord.out" 2>&1 &
supervisor=$!
cleanup() { kill -TERM "$supervisor" 2>/dev/null || true; wait "$supervisor" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$supervisor" 2>/dev/null || { cat "$LOGS/supervisord.out" >&2; exit 1; }
  sleep 0.2
done
cat <<MSG

CareInspect is running at  http://localhost:$PORT
  logs:                    $LOGS/ (web.log, worker.log, beat.log, supervisord.log)
$(grep -E '^(demo data loaded|demo log-ins)' .venv/last-setup.txt || echo "  (demo data was already loaded; log-ins as before)")
Press Ctrl-C to stop.
MSG
wait "$supervisor"

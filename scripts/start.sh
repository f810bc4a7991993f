#!/usr/bin/env bash
# Sets everything up and runs the whole system: web app, Celery worker and beat, on SQLite and
# an embedded broker (no server needed), with demo data. Stop with Ctrl-C.
source "$(dirname "$0")/_bootstrap.sh"
make_venv requirements.lock
system_packages
compile_translations

PORT="${PORT:-5000}"
export FLASK_APP=wsgi
# The demo serves plain http on this machine only; behind TLS, leave this unset.
export CAREINSPECT_INSECURE_COOKIES="${CAREINSPECT_INSECURE_COOKIES:-1}"
.venv/bin/flask --app wsgi setup --demo | tee .venv/last-setup.txt

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
LOGS="${CAREINSPECT_INSTANCE:-instance}/logs"
mkdir -p "$LOGS"
.venv/bin/celery -A tasks.worker worker --loglevel=INFO --concurrency=2 >"$LOGS/worker.log" 2>&1 & pids+=($!)
.venv/bin/celery -A tasks.worker beat --loglevel=INFO --schedule "$LOGS/../celerybeat-schedule" >"$LOGS/beat.log" 2>&1 & pids+=($!)
.venv/bin/gunicorn --workers 2 --threads 4 --bind "127.0.0.1:$PORT" --access-logfile "$LOGS/access.log" wsgi:app \
  >"$LOGS/web.log" 2>&1 & pids+=($!)

for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

CareInspect is running at  http://localhost:$PORT
  worker and beat logs:    $LOGS/worker.log, $LOGS/beat.log
$(grep -E '^(demo data loaded|demo log-ins)' .venv/last-setup.txt || echo "  (demo data was already loaded; log-ins as before)")
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"

# Shared by start.sh and test.sh: a virtual environment with the project's packages,
# compiled translations, and the Debian packages the product uses when they can be installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"

need_python() {
  # The supported versions are declared in pyproject.toml (requires-python) and checked by the
  # application at start (inspect_app/python_version.py); the lock files cover the same range.
  if ! "$PY" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))' 2>/dev/null; then
    echo "CareInspect needs Python 3.11, 3.12 or 3.13 (found: $("$PY" --version 2>&1)). Set PYTHON=/path/to/python3.x." >&2
    exit 1
  fi
}

apt_install() {
  # Installs Debian packages when we may (root and apt-get present); returns 1 otherwise.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 || {
      apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1; }
  else
    return 1
  fi
}

make_venv() {
  need_python
  if [ ! -x .venv/bin/python ]; then
    if ! "$PY" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv || { echo "Missing: the Debian package python3-venv (apt-get install python3-venv)." >&2; exit 1; }
      "$PY" -m venv .venv
    fi
  fi
  # Installs exactly the locked versions, every file checked against its hash, nothing
  # resolved on the day; requirements.txt only holds the ranges the lock is made from.
  local lock="$1" stamp=".venv/.installed-$(basename "$1")"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    echo "Installing Python packages ($lock, hash-checked)…"
    .venv/bin/python -m pip install -q --require-hashes --no-deps -r "$lock"
    .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check >&2; exit 1; }
    touch "$stamp"
  fi
  export PATH="$ROOT/.venv/bin:$PATH"
}

compile_translations() {
  .venv/bin/pybabel compile -q -d inspect_app/translations 2>/dev/null || .venv/bin/pybabel compile -d inspect_app/translations
}

system_packages() {
  # fonts-noto-cjk: Chinese text in PDFs; chromium: browser tests; nodejs: the tablet script's
  # unit tests (tests/js, node --test). Nothing else needs them.
  local missing=()
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  [ "${1:-}" = "with-browser" ] && ! command -v chromium >/dev/null 2>&1 && missing+=(chromium)
  [ "${1:-}" = "with-browser" ] && ! command -v node >/dev/null 2>&1 && missing+=(nodejs)
  if [ ${#missing[@]} -gt 0 ]; then
    if apt_install "${missing[@]}"; then
      echo "Installed Debian packages: ${missing[*]}"
    else
      echo "Note: missing Debian packages: ${missing[*]} (install them with apt-get as root)." >&2
      echo "      Without fonts-noto-cjk, PDFs show Chinese in a fallback font; without chromium, browser tests cannot run;" >&2
      echo "      without nodejs, the tablet script's unit tests (tests/js) cannot run." >&2
    fi
  fi
}

node_packages() {
  # package-lock.json, hash-checked: Apache ECharts, which the dashboards draw their charts with
  # (served by the app from node_modules/echarts/dist), and axe-core, the accessibility rules the
  # browser crawl runs on every page (tests/browser/test_crawl.py).
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm || {
      echo "Note: missing Debian packages: nodejs npm (install them with apt-get as root)." >&2
      echo "      Without them the dashboards show their tables without charts, and the browser crawl" >&2
      echo "      cannot run its accessibility checks." >&2
      return 0; }
  fi
  local stamp="node_modules/.installed-package-lock.json"
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    echo "Installing front-end packages (package-lock.json, hash-checked)…"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}

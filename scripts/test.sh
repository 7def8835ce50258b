#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine with Python 3.11, pip, node/npm and apt,
# then runs the whole suite (browser tests included). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Headless Chromium for the SCORM runtime tests (Debian's package; no browser download).
if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# scorm-again, the SCORM runtime the player is tested under.
if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
elif [ -f package.json ]; then
    npm install --no-audit --no-fund --loglevel=error
fi

# The project and its test tools in a virtualenv (playwright drives the system chromium; it downloads nothing).
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'

# One test process per core (at most 4; each drives its own chromium); `-n 0` after this runs them in one.
# A file's tests stay in one process, in their order: some files share one server and one tab across their tests,
# and module fixtures (built packages) are made once.
exec .venv/bin/python -m pytest --numprocesses auto --maxprocesses 4 --dist loadfile "$@"

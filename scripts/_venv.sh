# Sourced by the scripts: make .venv (Python 3.11) and install the project's pinned dependencies.
set -euo pipefail
PYTHON="${PYTHON:-python3.11}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "equalex needs Python 3.11 ($PYTHON not found)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q "${EQUALEX_EXTRAS:-.}"

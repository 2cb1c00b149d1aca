#!/usr/bin/env bash
# Creates adapters/python/.venv and installs the adapter's dependencies from PyPI into it.
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python -c "import cryptography; print('python adapter venv ready: cryptography', cryptography.__version__)"

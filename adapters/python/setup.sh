#!/usr/bin/env bash
# Creates the Python example adapter's venv (adapters/python/.venv, or MSC4268_PYTHON_VENV
# relative to adapters/python) and installs its dependencies from PyPI into it.
# Idempotent: re-running only installs what is missing; a venv left without pip (python3 without
# its venv module, an interrupted run) is made again. The suite's test creates the venv on demand
# by running this script (suite/tests/optional_tools.rs).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
VENV="${MSC4268_PYTHON_VENV:-.venv}"
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
"$VENV/bin/python" -c "import cryptography; print('python adapter venv ready: cryptography', cryptography.__version__)"

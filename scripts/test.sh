#!/usr/bin/env bash
# The test command: lint, format check, types, then every test (real index, model, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
ruff check qa ui tests bench scripts
ruff format --check qa ui tests bench scripts
mypy qa
python -m pytest "$@"

#!/usr/bin/env bash
# One setup command for a fresh machine: a virtualenv with everything, and the default local model.
#   bash scripts/setup.sh            # then: .venv/bin/qa ask "2023年重庆地区生产总值是多少？"
# QA_SKIP_MODEL=1 skips the 1.1 GB model (answers then come from the extractive backend).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
# The CPU build of torch first: a plain `torch` requirement would pull several GB of CUDA.
.venv/bin/pip install -q torch==2.13.0
# llama-cpp-python compiles llama.cpp from source on first install (~6 min on 2 cores).
.venv/bin/pip install -q -e '.[dev,local]'
if [ "${QA_SKIP_MODEL:-0}" != "1" ]; then
  .venv/bin/python -m qa.fetch
fi
echo "setup done: activate with '. .venv/bin/activate', then try: qa ask \"2023年重庆地区生产总值是多少？\""

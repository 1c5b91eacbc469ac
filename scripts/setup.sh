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
# llama-cpp-python compiles llama.cpp from source on first install (~4-6 min on 2 cores),
# tuned to this CPU (-march=native). Where the CPU reports Intel AMX but the VM does not
# grant its tile state (seen here: Xeon with avx512_fp16 under firecracker), llama.cpp's
# AMX matmul segfaults on the first token; AMX is left out, every other native
# instruction set stays. CFLAGS/CXXFLAGS already set by the user win.
NO_AMX="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
if [ "$(uname -m)" = x86_64 ]; then
  export CFLAGS="${CFLAGS:-$NO_AMX}" CXXFLAGS="${CXXFLAGS:-$NO_AMX}"
fi
.venv/bin/pip install -q -e '.[dev,local]'
if [ "${QA_SKIP_MODEL:-0}" != "1" ]; then
  model=$(.venv/bin/python -m qa.fetch | tail -n 1)
  # One token in a child process: a llama.cpp build that crashes on this CPU is caught
  # here, with the way out, rather than by the first question killing the app.
  if ! .venv/bin/python -c 'import sys; from llama_cpp import Llama
m = Llama(sys.argv[1], n_ctx=256, verbose=False)
m.create_completion("1+1=", max_tokens=1)' "$model"; then
    echo "error: llama.cpp crashed running $model on this CPU. Rebuild it without the" >&2
    echo "  instruction sets this machine rejects, e.g.:" >&2
    echo "  CFLAGS='$NO_AMX' CXXFLAGS='$NO_AMX' \\" >&2
    echo "  .venv/bin/pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python" >&2
    exit 1
  fi
fi
echo "setup done: activate with '. .venv/bin/activate', then try: qa ask \"2023年重庆地区生产总值是多少？\""

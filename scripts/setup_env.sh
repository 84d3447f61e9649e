#!/usr/bin/env bash
# One setup path for mmkd_ext: used by `make demo`, `make test` and `.ci/run`.
#
# Creates .venv in the repository, installs torch 2.14.1 + torchvision 0.29.1,
# builds mmcv 2.1.0 from its PyPI source with compiled ops (C++ standard patched
# to C++20 so it compiles against current torch), caches that wheel outside the
# repository and reuses it, then installs mmkd_ext (editable) with its
# dependencies. Idempotent: a second run only checks a stamp.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PYTHON_BIN=${PYTHON:-python3.11}
CACHE_DIR=${MMKD_CACHE_DIR:-$HOME/.cache/mmkd_ext}
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0

say() { printf '[setup] %s\n' "$*"; }

# --- CUDA ops only when both nvcc and a visible GPU exist -------------------
if command -v nvcc >/dev/null 2>&1 && command -v nvidia-smi >/dev/null 2>&1 \
    && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  CUDA_TAG="cu$(nvcc --version | sed -n 's/.*release \([0-9]*\)\.\([0-9]*\).*/\1\2/p')"
  export FORCE_CUDA=1
  # compile for the visible GPU unless the user chose architectures
  export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$(nvidia-smi \
      --query-gpu=compute_cap --format=csv,noheader | sort -u | paste -sd';')}
  CUDA_TAG="$CUDA_TAG-sm$(echo "$TORCH_CUDA_ARCH_LIST" | tr -d '.;+ ' | tr 'A-Z' 'a-z')"
else
  CUDA_TAG=cpu
  export FORCE_CUDA=0
fi

# The stamp covers everything that decides what gets installed.
STAMP_KEY=$( { cat "$0" "$ROOT/pyproject.toml"; echo "$CUDA_TAG"; } | sha256sum | cut -c1-16)
STAMP="$VENV/.mmkd_setup_$STAMP_KEY"
if [[ -f "$STAMP" && -x "$VENV/bin/python" ]]; then
  say "environment up to date ($VENV)"
  exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating virtual environment $VENV with $PYTHON_BIN"
  "$PYTHON_BIN" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

say "installing build tools (setuptools<81 for pkg_resources, wheel, ninja, psutil)"
"${PIP[@]}" install -q "setuptools<81" wheel ninja psutil

# torch declares setuptools>=77.0.3: installed alone it would lift setuptools
# past 80 (no pkg_resources), so the pin goes into the same resolver call.
say "installing torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION (setuptools<81 kept)"
"${PIP[@]}" install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" "setuptools<81"
if ! "$PY" -c 'import pkg_resources' >/dev/null 2>&1; then
  say "error: pkg_resources does not import in $VENV (setuptools $("$PY" -c 'import setuptools; print(setuptools.__version__)' 2>/dev/null || echo missing))."
  say "mmcv's build, mmengine's 'mmdet::' config lookup and mim need it: run"
  say "  $PY -m pip install 'setuptools<81'"
  say "then run this script again."
  exit 1
fi

PY_TAG=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
WHEEL_DIR="$CACHE_DIR/wheels/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$PY_TAG-$CUDA_TAG"
if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
  say "no cached mmcv wheel in $WHEEL_DIR"
  if [[ $FORCE_CUDA == 1 ]]; then
    say "building mmcv $MMCV_VERSION with CUDA ops ($CUDA_TAG, TORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST)."
  else
    say "building mmcv $MMCV_VERSION from source with CPU ops (no GPU and nvcc here)."
  fi
  say "this is long: 10-15 minutes on 2 cores, once per machine; progress below"
  BUILD_DIR=$(mktemp -d)
  trap 'rm -rf "$BUILD_DIR"' EXIT
  "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$BUILD_DIR"
  tar -xzf "$BUILD_DIR"/mmcv-"$MMCV_VERSION".tar.gz -C "$BUILD_DIR"
  SRC="$BUILD_DIR/mmcv-$MMCV_VERSION"
  # mmcv 2.1.0 asks for C++14/17; current torch headers need C++20.
  sed -i -E 's/-std=c\+\+1[47]/-std=c++20/g' "$SRC/setup.py"
  grep -q -- '-std=c++20' "$SRC/setup.py" || { say "C++ flag patch did not apply"; exit 1; }
  LOG="$BUILD_DIR/build.log"
  set +e
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} "${PIP[@]}" wheel -v --no-deps --no-build-isolation \
      "$SRC" -w "$BUILD_DIR/dist" 2>&1 | tee "$LOG" \
    | awk '/^ *\[[0-9]+\/[0-9]+\]/ { split(substr($1, 2), a, "/"); n = a[1] + 0;
             if (n % 10 == 0 || n == a[2] + 0) { printf "[setup] mmcv build: %s compiled\n", substr($1, 2, length($1) - 2); fflush() } }'
  status=${PIPESTATUS[0]}
  set -e
  if [[ $status -ne 0 ]]; then
    say "mmcv build failed; last lines of $LOG:"
    tail -n 40 "$LOG"
    cp "$LOG" "$ROOT/mmcv-build.log" && say "full log kept in $ROOT/mmcv-build.log"
    exit 1
  fi
  mkdir -p "$WHEEL_DIR"
  cp "$BUILD_DIR"/dist/mmcv-*.whl "$WHEEL_DIR"/
  say "cached $(ls "$WHEEL_DIR")"
else
  say "reusing cached mmcv wheel from $WHEEL_DIR"
fi
"${PIP[@]}" install -q --no-deps "$WHEEL_DIR"/mmcv-*.whl

say "installing mmkd_ext (editable) with mmengine, mmdet, mmsegmentation, mmpretrain"
"${PIP[@]}" install -q -e "$ROOT[test]"

say "checking the stack imports"
"$PY" - <<'PYCHECK'
import mmcv, mmcv.ops, mmdet, mmseg, mmpretrain, mmengine, torch
print(f'[setup] torch {torch.__version__}, mmcv {mmcv.__version__} (ops ok), '
      f'mmengine {mmengine.__version__}, mmdet {mmdet.__version__}, '
      f'mmseg {mmseg.__version__}, mmpretrain {mmpretrain.__version__}')
PYCHECK
rm -f "$VENV"/.mmkd_setup_*
touch "$STAMP"
say "done"

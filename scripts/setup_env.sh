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
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1

say() { printf '[setup] %s\n' "$*"; }

source "$ROOT/scripts/mmcv_wheel.sh"
detect_cuda

# The stamp covers everything that decides what gets installed.
STAMP_KEY=$( { cat "$0" "$ROOT/scripts/mmcv_wheel.sh" "$ROOT/pyproject.toml"; echo "$CUDA_TAG"; } | sha256sum | cut -c1-16)
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

install_mmcv "$PY" c++20

say "installing mmkd_ext (editable) with mmengine, mmdet, mmsegmentation, mmpretrain"
"${PIP[@]}" install -q -e "$ROOT[all,test]"

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

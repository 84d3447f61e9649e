#!/usr/bin/env bash
# A user's existing OpenMMLab environment, built the way OpenMMLab's install
# guide builds one, with mmkd_ext then installed into it as a user installs
# it: used by .ci/run to test the drop-in path.
#
#   bash scripts/setup_openmmlab_env.sh [VENV]     (default .venv-openmmlab)
#
# Python 3.11, torch 2.1.2 + torchvision 0.16.2 (or TORCH_VERSION and
# TORCHVISION_VERSION from the environment) with numpy 1.26 (PyPI's CUDA
# builds: they also run on the CPU), mmcv 2.1.0 with ops compiled for that
# torch (its own C++ flags; the wheel is cached like setup_env.sh's), then
# mmengine 0.10.4, mmdet 3.3.0, mmsegmentation 1.2.2, mmpretrain 1.2.0 and
# openmim, every install constrained to that torch, torchvision and numpy.
# Then `pip install --dry-run --report` of mmkd_ext[all] must plan to install
# mmkd_ext alone (it changes none of the user's packages), and
# `pip install ".[all]"` (not editable: the packaged configs are what is
# tested) does so. pytest and scikit-learn are added last, for the tests.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# absolute: the last check runs from another folder
VENV=$(realpath -m "${1:-$ROOT/.venv-openmmlab}")
PYTHON_BIN=${PYTHON:-python3.11}

say() { printf '[setup-openmmlab] %s\n' "$*"; }

source "$ROOT/scripts/mmcv_wheel.sh"
detect_cuda

if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating virtual environment $VENV with $PYTHON_BIN"
  "$PYTHON_BIN" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
CONSTRAINTS="$VENV/openmmlab-constraints.txt"
TORCH_VERSION=${TORCH_VERSION:-2.1.2}
TORCHVISION_VERSION=${TORCHVISION_VERSION:-0.16.2}
printf '%s\n' "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" \
    numpy==1.26.4 > "$CONSTRAINTS"

say "installing torch $TORCH_VERSION, torchvision $TORCHVISION_VERSION, numpy 1.26.4 (and mmcv's build tools)"
"${PIP[@]}" install -q -c "$CONSTRAINTS" torch torchvision numpy \
    "setuptools<81" wheel ninja psutil
install_mmcv "$PY" native
say "installing mmengine 0.10.4, mmdet 3.3.0, mmsegmentation 1.2.2, mmpretrain 1.2.0, openmim"
"${PIP[@]}" install -q -c "$CONSTRAINTS" mmengine==0.10.4 mmdet==3.3.0 \
    mmsegmentation==1.2.2 ftfy regex mmpretrain==1.2.0 openmim

say "checking that installing mmkd_ext[all] changes none of the installed packages"
REPORT=$(mktemp)
"${PIP[@]}" install -q --dry-run --report "$REPORT" "$ROOT[all]"
"$PY" - "$REPORT" <<'PYCHECK'
import json, sys
planned = [f"{i['metadata']['name']} {i['metadata']['version']}"
           for i in json.load(open(sys.argv[1]))['install']]
others = [p for p in planned if not p.startswith('mmkd')]
print(f'[setup-openmmlab] pip would install: {", ".join(planned)}')
if others:
    sys.exit(f'[setup-openmmlab] error: installing mmkd_ext would change '
             f'the environment: {others}')
PYCHECK
rm -f "$REPORT"
"${PIP[@]}" install -q "$ROOT[all]"
"${PIP[@]}" install -q -c "$CONSTRAINTS" pytest scikit-learn
# from outside the checkout: what a user's `import mmkd_ext` finds
(cd / && "$PY" - <<'PYCHECK'
import mmcv, mmcv.ops, mmdet, mmseg, mmpretrain, mmengine, numpy, torch
import mmkd_ext
print(f'[setup-openmmlab] torch {torch.__version__}, numpy {numpy.__version__}, '
      f'mmcv {mmcv.__version__} (ops ok), mmengine {mmengine.__version__}, '
      f'mmdet {mmdet.__version__}, mmseg {mmseg.__version__}, '
      f'mmpretrain {mmpretrain.__version__}, mmkd_ext from {mmkd_ext.__file__}')
PYCHECK
)
say "done"

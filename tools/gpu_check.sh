#!/usr/bin/env bash
# The CUDA path on a GPU machine without network: install the carried
# wheels, build mmcv's CUDA ops for the GPU's architecture, print the table
# of tools/gpu_check.py.
#
#   bash tools/gpu_check.sh --prepare DIR   # on a CPU machine with network:
#                                           # fill DIR (<= 64 MiB) to carry
#   bash tools/gpu_check.sh DIR [ARGS]      # on the GPU machine (resumable:
#                                           # a second call reuses DIR/build)
#
# ARGS go to tools/gpu_check.py (e.g. --skip-benchmarks). Without a GPU the
# second form checks what it can on CPU (tools/gpu_check.py --device cpu).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-python3}
MMCV_VERSION=2.1.0
# the OpenMMLab stack (pure Python) and the small packages it needs that a
# bare torch image lacks. numpy, Pillow, opencv (cv2), matplotlib and scipy
# are too big to carry together (opencv alone is ~56 MB): the device run
# checks them first and names the missing ones; carry those in a second
# folder made with GPU_CHECK_EXTRA="opencv-python-headless ..." --prepare.
PURE=(mmengine==0.10.7 mmdet==3.3.0 mmsegmentation==1.2.2 mmpretrain==1.2.0
      addict yapf termcolor rich markdown-it-py mdurl pygments platformdirs
      terminaltables prettytable wcwidth ftfy einops mat4py modelindex
      ordered-set importlib-metadata zipp tqdm six)
# compiled, for the GPU machine's Python
BINARY=(regex pycocotools shapely)
say() { printf '[gpu_check] %s\n' "$*"; }

if [[ "${1:-}" == "--prepare" ]]; then
  DIR=${2:?usage: gpu_check.sh --prepare DIR}
  TARGET_PY=${TARGET_PY:-3.12}
  mkdir -p "$DIR"
  say "downloading wheels for Python $TARGET_PY into $DIR"
  "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$DIR" \
      --python-version "$TARGET_PY" --platform manylinux2014_x86_64 \
      --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
      --implementation cp ${GPU_CHECK_EXTRA:-"${PURE[@]}" "${BINARY[@]}"}
  [[ -n "${GPU_CHECK_EXTRA:-}" ]] || "$PY" -m pip download -q --no-deps \
      --no-binary :all: --no-build-isolation -d "$DIR" "mmcv==$MMCV_VERSION"
  size=$(du -sm "$DIR" | cut -f1)
  say "carry folder $DIR: ${size} MiB ($(ls "$DIR" | wc -l) files)"
  if (( size > 64 )); then
    say "error: more than the 64 MiB the GPU machine accepts"; exit 1
  fi
  exit 0
fi

DIR=${1:?usage: gpu_check.sh DIR [gpu_check.py args]}
shift
if [[ ! -d "$DIR" ]]; then
  say "error: no carry folder $DIR (make it with --prepare)"; exit 1
fi
DIR=$(cd "$DIR" && pwd)
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$DIR"
say "$("$PY" -c 'import sys, torch; print(f"Python {sys.version.split()[0]}, torch {torch.__version__}, CUDA {torch.version.cuda}, GPU {torch.cuda.is_available()}")')"
missing=$("$PY" -c '
import importlib.util as u
print(" ".join(m for m in ("numpy", "PIL", "cv2", "matplotlib", "scipy", "yaml")
               if u.find_spec(m) is None))')
# what the image lacks, from the carried wheels only (no network)
if ls "$DIR"/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-deps "$DIR"/*.whl
fi
still=$("$PY" -c '
import importlib.util as u
print(" ".join(m for m in ("numpy", "PIL", "cv2", "matplotlib", "scipy", "yaml")
               if u.find_spec(m) is None))')
if [[ -n "$still" ]]; then
  say "error: this image lacks the modules: $still (was: ${missing:-none})."
  say "carry their wheels too: GPU_CHECK_EXTRA=\"opencv-python-headless ...\" bash tools/gpu_check.sh --prepare DIR2; on the GPU machine: pip install --no-deps DIR2/*.whl, then this script again (the mmcv build in DIR/build is reused)"
  exit 2
fi
if ! "$PY" -c 'import mmcv.ops' 2>/dev/null; then
  BUILD="$DIR/build"
  if ! ls "$BUILD"/dist/mmcv-*.whl >/dev/null 2>&1; then
    mkdir -p "$BUILD"
    tar -xzf "$DIR/mmcv-$MMCV_VERSION.tar.gz" -C "$BUILD"
    sed -i -E 's/-std=c\+\+1[47]/-std=c++20/g' "$BUILD/mmcv-$MMCV_VERSION/setup.py"
    if "$PY" -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null \
        && command -v nvcc >/dev/null; then
      export FORCE_CUDA=1
      export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$("$PY" -c 'import torch; print("%d.%d" % torch.cuda.get_device_capability())')}
      say "building mmcv $MMCV_VERSION with CUDA ops for sm ${TORCH_CUDA_ARCH_LIST}"
    else
      export FORCE_CUDA=0
      say "no GPU or nvcc: building mmcv's CPU ops only"
    fi
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} "$PY" -m pip wheel -q \
        --no-deps --no-build-isolation "$BUILD/mmcv-$MMCV_VERSION" \
        -w "$BUILD/dist"
  else
    say "reusing the mmcv wheel built by an earlier call"
  fi
  "$PY" -m pip install -q --no-deps "$BUILD"/dist/mmcv-*.whl
fi
if ! "$PY" -c 'import mmkd_ext' 2>/dev/null; then
  export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
fi
cd "$ROOT"
"$PY" tools/gpu_check.py "$@"

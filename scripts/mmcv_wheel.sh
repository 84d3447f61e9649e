#!/usr/bin/env bash
# Sourced by scripts/setup_env.sh and scripts/setup_openmmlab_env.sh:
# install mmcv 2.1.0 with compiled ops into a virtual environment that already
# has torch, from a wheel built once from mmcv's PyPI source and cached.
#
#   install_mmcv PYTHON CXX_STD
#
# CXX_STD: "c++20" patches mmcv's C++ standard (current torch's headers need
# it); "native" builds with mmcv's own flags (torch 2.1 as OpenMMLab's guide
# installs it). The wheel is cached in $MMKD_CACHE_DIR/wheels (default
# ~/.cache/mmkd_ext/wheels), per torch version, Python and CUDA tag.
MMCV_VERSION=2.1.0

mmcv_say() { printf '[setup] %s\n' "$*"; }

# Sets FORCE_CUDA, TORCH_CUDA_ARCH_LIST and CUDA_TAG: CUDA ops only when both
# nvcc and a visible GPU exist.
detect_cuda() {
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
}

install_mmcv() {
  local py=$1 cxx_std=$2
  local pip=("$py" -m pip --disable-pip-version-check)
  local cache_dir=${MMKD_CACHE_DIR:-$HOME/.cache/mmkd_ext}
  local torch_version py_tag wheel_dir
  torch_version=$("$py" -c 'import torch; print(torch.__version__.split("+")[0])')
  py_tag=$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
  wheel_dir="$cache_dir/wheels/mmcv-$MMCV_VERSION-torch$torch_version-$py_tag-$CUDA_TAG"
  if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
    mmcv_say "no cached mmcv wheel in $wheel_dir"
    if [[ $FORCE_CUDA == 1 ]]; then
      mmcv_say "building mmcv $MMCV_VERSION with CUDA ops ($CUDA_TAG, TORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST) against torch $torch_version."
    else
      mmcv_say "building mmcv $MMCV_VERSION from source with CPU ops against torch $torch_version (no GPU and nvcc here)."
    fi
    mmcv_say "this is long: 7-15 minutes on 2 cores, once per machine; progress below"
    local build_dir
    build_dir=$(mktemp -d)
    "${pip[@]}" download -q --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$build_dir"
    tar -xzf "$build_dir"/mmcv-"$MMCV_VERSION".tar.gz -C "$build_dir"
    local src="$build_dir/mmcv-$MMCV_VERSION"
    if [[ $cxx_std == c++20 ]]; then
      # mmcv 2.1.0 asks for C++14/17; current torch headers need C++20.
      sed -i -E 's/-std=c\+\+1[47]/-std=c++20/g' "$src/setup.py"
      grep -q -- '-std=c++20' "$src/setup.py" || { mmcv_say "C++ flag patch did not apply"; return 1; }
    fi
    local log="$build_dir/build.log" status
    set +e
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} "${pip[@]}" wheel -v --no-deps --no-build-isolation \
        "$src" -w "$build_dir/dist" 2>&1 | tee "$log" \
      | awk '/^ *\[[0-9]+\/[0-9]+\]/ { split(substr($1, 2), a, "/"); n = a[1] + 0;
               if (n % 10 == 0 || n == a[2] + 0) { printf "[setup] mmcv build: %s compiled\n", substr($1, 2, length($1) - 2); fflush() } }'
    status=${PIPESTATUS[0]}
    set -e
    if [[ $status -ne 0 ]]; then
      mmcv_say "mmcv build failed; last lines of $log:"
      tail -n 40 "$log"
      cp "$log" "$ROOT/mmcv-build.log" && mmcv_say "full log kept in $ROOT/mmcv-build.log"
      rm -rf "$build_dir"
      return 1
    fi
    mkdir -p "$wheel_dir"
    cp "$build_dir"/dist/mmcv-*.whl "$wheel_dir"/
    rm -rf "$build_dir"
    mmcv_say "cached $(ls "$wheel_dir")"
  else
    mmcv_say "reusing cached mmcv wheel from $wheel_dir"
  fi
  "${pip[@]}" install -q --no-deps "$wheel_dir"/mmcv-*.whl
}

#!/usr/bin/env bash
# Shared launcher of dist_train.sh / dist_test.sh:
#   tools/dist_launch.sh SCRIPT NPROC [script args...]
# NNODES, NODE_RANK, PORT, MASTER_ADDR and PYTHON may be set in the environment.
SCRIPT=$1
NPROC=$2
TOOLS=$(dirname "$0")
PYTHONPATH="$TOOLS/..":${PYTHONPATH:-} \
exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROC" \
    --master_port="${PORT:-29500}" \
    "$TOOLS/$SCRIPT" "${@:3}" --launcher pytorch

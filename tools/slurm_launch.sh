#!/usr/bin/env bash
# Shared launcher of slurm_train.sh / slurm_test.sh (mmdet's command lines):
#   tools/slurm_launch.sh SCRIPT PARTITION JOB_NAME [script args...]
# GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS and PYTHON may be
# set in the environment.
set -x
SCRIPT=$1
PARTITION=$2
JOB_NAME=$3
TOOLS=$(dirname "$0")
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
# SRUN_ARGS is split into words on purpose: it holds several options
# shellcheck disable=SC2086
PYTHONPATH="$TOOLS/..":${PYTHONPATH:-} \
exec srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="${GPUS:-8}" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    "${PYTHON:-python}" -u "$TOOLS/$SCRIPT" "${@:4}" --launcher=slurm

#!/usr/bin/env bash
# Testing on a slurm cluster, as mmdet's tools/slurm_test.sh:
#   tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]
exec bash "$(dirname "$0")/slurm_launch.sh" test.py "$1" "$2" "${@:3}"

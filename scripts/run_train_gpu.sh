#!/usr/bin/env bash
# Data-parallel training on the GPUs of one server: msrun (default) or, with LAUNCHER=mpirun, OpenMPI.
USAGE="[LAUNCHER=msrun|mpirun] bash scripts/run_train_gpu.sh DEVICE_NUM TRAIN_DATA [VAL_DATA] [train.py options]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 2 3 "$@"
require_count "${POSITIONAL[0]}" DEVICE_NUM
require_one_of "${LAUNCHER:=msrun}" LAUNCHER msrun mpirun
data_args "${POSITIONAL[@]:1}"
use_log_dir train_gpu
launch "$LAUNCHER" "${POSITIONAL[0]}" "$ROOT/train.py" --device_target GPU "${DATA_ARGS[@]}" "${EXTRA[@]}"

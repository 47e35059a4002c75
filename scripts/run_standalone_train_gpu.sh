#!/usr/bin/env bash
# Training on one GPU (DEVICE_ID picks which, default 0).
USAGE="[DEVICE_ID=0] bash scripts/run_standalone_train_gpu.sh TRAIN_DATA [VAL_DATA] [train.py options]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 1 2 "$@"
data_args "${POSITIONAL[@]}"
use_log_dir standalone_train_gpu
launch single 1 "$ROOT/train.py" --device_target GPU "${DATA_ARGS[@]}" "${EXTRA[@]}"

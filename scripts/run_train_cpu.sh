#!/usr/bin/env bash
# Data-parallel training on CPU: msrun starts WORKERS processes on this machine (a functional check of the
# distributed code path; on a few cores it is no faster than one process).
USAGE="bash scripts/run_train_cpu.sh WORKERS TRAIN_DATA [VAL_DATA] [train.py options, e.g. --config_path configs/fsrcnn/x4.yaml --epochs 3]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 2 3 "$@"
require_count "${POSITIONAL[0]}" WORKERS
data_args "${POSITIONAL[@]:1}"
use_log_dir train_cpu
launch msrun "${POSITIONAL[0]}" "$ROOT/train.py" --device_target CPU "${DATA_ARGS[@]}" "${EXTRA[@]}"

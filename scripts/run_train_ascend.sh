#!/usr/bin/env bash
# Data-parallel training on the Ascend devices of one server: msrun (default) or, with RANK_TABLE_FILE set to an
# HCCL rank table json, one process per device (DEVICE_START + rank).
# Only rank 0 validates (and compiles one graph per validation image size on its first epoch) while the other ranks
# wait in their next all-reduce: HCCL_EXEC_TIMEOUT bounds that wait. It is set to 3672 s (about an hour, a multiple
# of the 68 s CANN rounds down to on Atlas training products) unless given; CANN's default is 1836 s. Time enough for
# a first compile and a large --val_data, while a dead rank still ends the job (docs/devices.md).
USAGE="[RANK_TABLE_FILE=hccl_8p.json] bash scripts/run_train_ascend.sh DEVICE_NUM TRAIN_DATA [VAL_DATA] [train.py options]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 2 3 "$@"
require_count "${POSITIONAL[0]}" DEVICE_NUM
data_args "${POSITIONAL[@]:1}"
mode=msrun
if [[ -n ${RANK_TABLE_FILE:-} ]]; then
    [[ -f $RANK_TABLE_FILE ]] || fail "RANK_TABLE_FILE '$RANK_TABLE_FILE' does not exist"
    RANK_TABLE_FILE="$(realpath -- "$RANK_TABLE_FILE")"
    export RANK_TABLE_FILE
    mode=ranktable
fi
use_log_dir train_ascend
export HCCL_EXEC_TIMEOUT="${HCCL_EXEC_TIMEOUT:-3672}"
launch "$mode" "${POSITIONAL[0]}" "$ROOT/train.py" --device_target Ascend "${DATA_ARGS[@]}" "${EXTRA[@]}"

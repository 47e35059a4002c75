#!/usr/bin/env bash
# Data-parallel training on the Ascend devices of one server: msrun (default) or, with RANK_TABLE_FILE set to an
# HCCL rank table json, one process per device (DEVICE_START + rank).
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
launch "$mode" "${POSITIONAL[0]}" "$ROOT/train.py" --device_target Ascend "${DATA_ARGS[@]}" "${EXTRA[@]}"

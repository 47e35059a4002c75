#!/usr/bin/env bash
# Export a checkpoint to MINDIR (default), AIR (Ascend only) or ONNX on one device.
USAGE="bash scripts/run_export.sh CPU|GPU|Ascend CKPT_FILE [MINDIR|AIR|ONNX] [export.py options, e.g. --file_name fsrcnn_x4]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 2 3 "$@"
require_one_of "${POSITIONAL[0]}" DEVICE_TARGET CPU GPU Ascend
ckpt=$(abs_paths CKPT_FILE "${POSITIONAL[1]}") || exit 2
format=()
if [[ -n ${POSITIONAL[2]:-} ]]; then
    require_one_of "${POSITIONAL[2]}" FILE_FORMAT MINDIR AIR ONNX
    format=(--file_format "${POSITIONAL[2]}")
fi
use_log_dir export
launch single 1 "$ROOT/export.py" --device_target "${POSITIONAL[0]}" --ckpt_file "$ckpt" "${format[@]}" "${EXTRA[@]}"

#!/usr/bin/env bash
# Evaluate a checkpoint (PSNR/SSIM on Y vs bicubic) on one device (DEVICE_ID picks which on GPU/Ascend).
USAGE="bash scripts/run_eval.sh CPU|GPU|Ascend CKPT_FILE [eval.py options, e.g. --eval_sets Set5,Set14 --scale 4]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 2 2 "$@"
require_one_of "${POSITIONAL[0]}" DEVICE_TARGET CPU GPU Ascend
ckpt=$(abs_paths CKPT_FILE "${POSITIONAL[1]}") || exit 2
use_log_dir eval
launch single 1 "$ROOT/eval.py" --device_target "${POSITIONAL[0]}" --ckpt_file "$ckpt" "${EXTRA[@]}"

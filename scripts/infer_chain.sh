# shellcheck shell=bash
# Shared by scripts/run_infer_cpp.sh and scripts/run_infer_310.sh (sourced, not run): the serving chain's steps
# around the C++ harness. Positional arguments of both: [CKPT_FILE] [EVAL_SET] [CONFIG_PATH]; run_infer_310.sh also
# takes [LITE_HOME] (else MS_LITE_HOME).
#
# Environment knobs (all optional):
#   WORK_DIR   where the chain writes: lr/ (inputs), sr/ (outputs), png/, the models and results.json
#              (default infer_results/<device>_<set> in the repository)
#   DATA_DIR   datasets folder (default: FSRCNN_DATA_DIR, else the project's data/)
#   BATCH      planes per Predict call (default 1)
#   WARMUP     untimed Predict calls (default 100)
#   ITERS      timed Predict calls (default 1000)
#   THREADS    CPU threads of the harness (default 0: all)
#   DEVICE_ID  Ascend device (default 0)
#   MS_LITE_HOME    Ascend 310: the unpacked MindSpore Lite tarball (scripts/lite_env.sh)
#   PRECISION_MODE  Ascend 310: Lite's precision mode (default preferred_fp32: float32 where the device has it;
#                   lite_default keeps Lite's float16)
#   PYTHON     interpreter (default python)
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=scripts/lite_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lite_env.sh"
set -euo pipefail

# start_chain DEVICE ARG...: parse the arguments (Ascend310: LITE_RUNTIME, the checked Lite runtime folder, before
# anything is created), create WORK_DIR
# shellcheck disable=SC2034  # LITE_RUNTIME and EXPORT_OPTS are read by the sourcing scripts
start_chain() {
    DEVICE=$1
    shift
    local most=3
    [[ $DEVICE == Ascend310 ]] && most=4
    split_args 0 "$most" "$@"
    (( ${#EXTRA[@]} == 0 )) || usage
    HARNESS_OPTS=()
    if [[ $DEVICE == Ascend310 ]]; then
        LITE_RUNTIME=$(lite_runtime "${POSITIONAL[3]:-${MS_LITE_HOME:-}}") || exit 2
        local precision=${PRECISION_MODE:-preferred_fp32}
        require_one_of "$precision" PRECISION_MODE enforce_fp32 preferred_fp32 enforce_fp16 enforce_origin \
            preferred_optimal lite_default
        HARNESS_OPTS=(--precision_mode "$precision")
    fi
    local ckpt config data_dir
    ckpt=$(abs_paths CKPT_FILE "${POSITIONAL[0]:-$ROOT/checkpoints/fsrcnn_x4.ckpt}") || exit 2
    config=$(abs_paths CONFIG_PATH "${POSITIONAL[2]:-$ROOT/configs/fsrcnn/x4.yaml}") || exit 2
    EVAL_SET=${POSITIONAL[1]:-Set5}
    OPTS=(--config_path "$config")  # every step; each also takes only the options of its own (--help)
    EXPORT_OPTS=(--ckpt_file "$ckpt")
    DATA_OPTS=()
    if [[ -n "${DATA_DIR:-}" ]]; then
        data_dir=$(abs_paths DATA_DIR "$DATA_DIR") || exit 2
        DATA_OPTS=(--data_dir "$data_dir")
    fi
    BATCH=${BATCH:-1}
    require_count "$BATCH" BATCH
    WORK=${WORK_DIR:-$ROOT/infer_results/${DEVICE}_$(basename "${EVAL_SET%.h5}")}
    mkdir -p "$WORK" || fail "cannot create WORK_DIR '$WORK'"
    export GLOG_v=3
}

# preprocess [PAD_TO]: the eval set's LR planes into $WORK/lr (padded to PAD_TO: H,W or largest)
preprocess() {
    "$PYTHON" "$ROOT/preprocess.py" "${OPTS[@]}" "${DATA_OPTS[@]}" --eval_sets "$EVAL_SET" --lr_bin_dir "$WORK/lr" --pad_to "${1:-}"
}

# The static input shape BATCH,C,H,W of the planes preprocess padded (preprocess largest, or H,W).
padded_input_shape() {
    "$PYTHON" -c 'import json, sys; m = json.load(open(sys.argv[1])); print(sys.argv[2], m["channels"], *m["shape"], sep=",")' \
        "$WORK/lr/meta.json" "$BATCH"
}

# run_harness MODEL: serve $WORK/lr into $WORK/sr on $DEVICE and print the latency
run_harness() {
    "$ROOT/ascend310_infer/out/fsrcnn_infer" --model_path "$1" --device "$DEVICE" --device_id "${DEVICE_ID:-0}" \
        --input_dir "$WORK/lr" --output_dir "$WORK/sr" --batch_size "$BATCH" --warmup "${WARMUP:-100}" \
        --iters "${ITERS:-1000}" --threads "${THREADS:-0}" "${HARNESS_OPTS[@]}"
}

# postprocess: score $WORK/sr as eval.py does; PNGs in $WORK/png, figures in $WORK/results.json
postprocess() {
    "$PYTHON" "$ROOT/postprocess.py" "${OPTS[@]}" --lr_bin_dir "$WORK/lr" --sr_bin_dir "$WORK/sr" \
        --png_dir "$WORK/png" --json "$WORK/results.json"
}

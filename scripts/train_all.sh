#!/usr/bin/env bash
# The whole training schedule of the shipped models, resumable: x3 first, then x2 and x4 from its conv layers (the
# paper's transfer strategy), for FSRCNN, FSRCNN-s or both. configs/<family>/chain.yaml declares, for each shipped
# model, its stages in training order (tools/results.py reads it): configs/<family>/stages/<name>.yaml, each from the
# checkpoint of the one before, then the shipped configs/<family>/x<scale>.yaml. Each stage trains its config into the
# config's output_dir (continuing from last.ckpt when one is there), then installs best.ckpt (selected on Val20) as
# the config's ckpt_file (checkpoints/stages/<family>_<name>.ckpt for a stage, checkpoints/<family>_x<scale>.ckpt for
# the shipped model) and the log as docs/training/<checkpoint name>_log.csv. Rerun the same command after a stop.
# The two families are independent: on a 2-core CPU, run them at once with --threads 1 each. Then
#   python -m tools.make_results && python -m tools.make_figures
# Single stages can be named instead, as FAMILY/NAME (in the order given): fsrcnn/x4 (configs/fsrcnn/x4.yaml) to
# redo that fine-tune only, fsrcnn/x4_transfer (configs/fsrcnn/stages/x4_transfer.yaml) for one earlier stage.
USAGE="bash scripts/train_all.sh fsrcnn|fsrcnn-s|all|FAMILY/NAME... [train.py options, e.g. --threads 1 --device_target GPU]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 1 6 "$@"
export GLOG_v="${GLOG_v:-3}"
cd "$ROOT" || exit 2

train_stage() {  # train_stage STAGE CONFIG OUTPUT_DIR CKPT_FILE LOG: train (or resume) one stage, install its results
    local stage=$1 config=$2 run_dir=$3 ckpt=$4 log=$5 resume=()
    [[ -f $run_dir/last.ckpt ]] && resume=(--resume true)
    echo "== $stage: python train.py --config_path $config ${resume[*]} ${EXTRA[*]}"
    "$PYTHON" train.py --config_path "$config" --output_dir "$run_dir" "${resume[@]}" "${EXTRA[@]}" || exit $?
    mkdir -p "$(dirname "$ckpt")" "$(dirname "$log")" && cp "$run_dir/best.ckpt" "$ckpt" && cp "$run_dir/log.csv" "$log" \
        || exit 2
}

items=()
for name in "${POSITIONAL[@]}"; do
    case $name in
        all) items+=(fsrcnn fsrcnn-s) ;;
        fsrcnn | fsrcnn-s) items+=("$name") ;;
        *) [[ $name =~ ^[^/.]+/[^/.]+$ && ( -f configs/$name.yaml || -f configs/${name%/*}/stages/${name#*/}.yaml ) ]] \
               || fail "'$name' is neither fsrcnn, fsrcnn-s, all nor a FAMILY/NAME of configs/FAMILY/[stages/]NAME.yaml"
           items+=("$name") ;;
    esac
done
# one line per stage: stage, config, output_dir, ckpt_file, log (tools/results.py print_plan)
plan=$("$PYTHON" -c "import sys; from tools import results; results.print_plan('.', sys.argv[1:])" "${items[@]}") \
    || exit 2
mapfile -t lines <<<"$plan"
for line in "${lines[@]}"; do
    IFS=$'\t' read -r stage config run_dir ckpt log <<<"$line"
    train_stage "$stage" "$config" "$run_dir" "$ckpt" "$log"
done

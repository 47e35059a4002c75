#!/usr/bin/env bash
# The whole training schedule of the shipped models, resumable: x3 first, then x2 and x4 from its conv layers (the
# paper's transfer strategy), for FSRCNN, FSRCNN-s or both. A model with configs/<model>_base.yaml,
# _transfer.yaml, _restart.yaml or _restart2.yaml is trained in stages, in that order (src/results.py schedule),
# each from the checkpoint of the one before, then configs/<model>.yaml from the last one. Each stage trains
# configs/<stage>.yaml into outputs/<stage>/ (continuing from last.ckpt when one is there), then installs best.ckpt
# (selected on Val20) as checkpoints/<stage>.ckpt and the log as docs/training/<stage>_log.csv. Rerun the same
# command after a stop.
# The two families are independent: on a 2-core CPU, run them at once with --threads 1 each. Then
#   python scripts/make_results.py && python scripts/make_figures.py
# Single stages can be named instead (in the order given), e.g. fsrcnn_x4 to redo that fine-tune only.
USAGE="bash scripts/train_all.sh fsrcnn|fsrcnn-s|all|MODEL... [train.py options, e.g. --threads 1 --device_target GPU]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 1 6 "$@"
export GLOG_v="${GLOG_v:-3}"
cd "$ROOT" || exit 2

train_stage() {  # train_stage MODEL: train (or resume) one config and install its selected checkpoint and log
    local model=$1 run_dir="outputs/$1" resume=()
    [[ -f $run_dir/last.ckpt ]] && resume=(--resume true)
    echo "== $model: python train.py --config_path configs/$model.yaml ${resume[*]} ${EXTRA[*]}"
    "$PYTHON" train.py --config_path "configs/$model.yaml" --output_dir "$run_dir" "${resume[@]}" "${EXTRA[@]}" || exit $?
    cp "$run_dir/best.ckpt" "checkpoints/$model.ckpt" && cp "$run_dir/log.csv" "docs/training/${model}_log.csv" || exit 2
}

add_family() {  # add_family FAMILY: x3, then x2 and x4, each after its earlier stages (src.results.schedule)
    local listed more
    listed=$("$PYTHON" -c "import sys; from src import results; print(*[stage for model in sys.argv[1:] \
for stage in results.schedule('.', model)])" "$1_x3" "$1_x2" "$1_x4") || exit 2
    read -ra more <<<"$listed"
    stages+=("${more[@]}")
}

stages=()
for name in "${POSITIONAL[@]}"; do
    case $name in
        all) add_family fsrcnn; add_family fsrcnn-s ;;
        fsrcnn | fsrcnn-s) add_family "$name" ;;
        *) [[ -f configs/$name.yaml ]] || fail "'$name' is neither fsrcnn, fsrcnn-s, all nor a configs/*.yaml model"
           stages+=("$name") ;;
    esac
done
for model in "${stages[@]}"; do
    train_stage "$model"
done

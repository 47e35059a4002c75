#!/usr/bin/env bash
# The whole training schedule of the shipped models, resumable: x3 first, then x2 and x4 from its conv layers (the
# paper's transfer strategy), for FSRCNN, FSRCNN-s or both. Each stage trains configs/<model>.yaml into
# outputs/<model>/ (continuing from last.ckpt when one is there), then installs best.ckpt (selected on Val20) as
# checkpoints/<model>.ckpt and the log as docs/training/<model>_log.csv. Rerun the same command after a stop.
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
    local model=$1 out="outputs/$1" resume=()
    [[ -f $out/last.ckpt ]] && resume=(--resume true)
    echo "== $model: python train.py --config_path configs/$model.yaml ${resume[*]} ${EXTRA[*]}"
    "$PYTHON" train.py --config_path "configs/$model.yaml" --output_dir "$out" "${resume[@]}" "${EXTRA[@]}" || exit $?
    cp "$out/best.ckpt" "checkpoints/$model.ckpt" && cp "$out/log.csv" "docs/training/${model}_log.csv" || exit 2
}

stages=()
for name in "${POSITIONAL[@]}"; do
    case $name in
        all) stages+=(fsrcnn_x3 fsrcnn_x2 fsrcnn_x4 fsrcnn-s_x3 fsrcnn-s_x2 fsrcnn-s_x4) ;;
        fsrcnn | fsrcnn-s) stages+=("${name}_x3" "${name}_x2" "${name}_x4") ;;
        *) [[ -f configs/$name.yaml ]] || fail "'$name' is neither fsrcnn, fsrcnn-s, all nor a configs/*.yaml model"
           stages+=("$name") ;;
    esac
done
for model in "${stages[@]}"; do
    train_stage "$model"
done

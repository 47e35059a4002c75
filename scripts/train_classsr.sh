#!/usr/bin/env bash
# ClassSR x4 in the paper's stages, resumable (REFERENCE section 6; README "ClassSR"):
#   0. scripts/classsr_data.py: training/validation sub-images ranked by FSRCNN(56, 12, 4) into one class per branch
#      (outputs/classsr_x4_data/; skipped when classes.json is there)
#   1. each trainable branch on its class: configs/<config>_branch<k>.yaml (--model fsrcnn)
#   2. the Class-Module with frozen branches: configs/<config>.yaml
# Stages 1 and 2 go through scripts/train_all.sh (resume from outputs/<stage>/last.ckpt, install best.ckpt as
# checkpoints/<stage>.ckpt and the log as docs/training/<stage>_log.csv). Stage 3 (joint fine-tuning) is
# configs/<config>.yaml with --classsr_train joint --init_ckpt checkpoints/<config>.ckpt (not part of the shipped
# recipe: docs/classsr_notes.md). Rerun the same command after a stop.
USAGE="bash scripts/train_classsr.sh classsr_x4|classsr-paper_x4 [train.py options, e.g. --threads 1]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 1 1 "$@"
export GLOG_v="${GLOG_v:-3}"
cd "$ROOT" || exit 2
config=${POSITIONAL[0]}
[[ -f configs/$config.yaml ]] || fail "configs/$config.yaml not found"

data_dir=$("$PYTHON" -c "import sys; from src import config; print(config.get_config('', ['--config_path', sys.argv[1]]).class_data_dir)" "configs/$config.yaml") || exit 2
if [[ ! -f $data_dir/classes.json ]]; then
    echo "== python scripts/classsr_data.py --config_path configs/classsr_x4.yaml ${EXTRA[*]}"
    "$PYTHON" scripts/classsr_data.py --config_path configs/classsr_x4.yaml "${EXTRA[@]}" || exit $?
fi
stages=()
for branch in configs/"${config}"_branch*.yaml; do
    [[ -f $branch ]] && stages+=("$(basename "$branch" .yaml)")
done
bash "$ROOT/scripts/train_all.sh" "${stages[@]}" "$config" "${EXTRA[@]}"

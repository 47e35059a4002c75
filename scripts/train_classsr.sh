#!/usr/bin/env bash
# ClassSR x4 in the paper's stages, resumable (docs/protocol.md section 6; docs/classsr.md):
#   0. python -m tools.classsr_data: training/validation sub-images ranked by FSRCNN(56, 12, 4) into one class per
#      branch (outputs/classsr_x4_data/; skipped when classes.json is there)
#   1. each trainable branch on its class: configs/classsr/stages/<model>_branch<k>.yaml (--model fsrcnn)
#   2. the Class-Module with frozen branches: configs/classsr/<model>.yaml
# configs/classsr/chain.yaml lists each model's stages; they go through scripts/train_all.sh as classsr/<name> (resume
# from the config's output_dir/last.ckpt, install best.ckpt as its ckpt_file, checkpoints/stages/ for a branch and
# checkpoints/ for the model, and the log as docs/training/<checkpoint name>_log.csv). Stage 3 (joint fine-tuning) is
# configs/classsr/<model>.yaml with --classsr_train joint --init_ckpt and the model's checkpoint (not part of the
# shipped recipe: docs/classsr.md). Rerun the same command after a stop.
USAGE="bash scripts/train_classsr.sh x4|paper_x4 [train.py options, e.g. --threads 1]"
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

split_args 1 1 "$@"
export GLOG_v="${GLOG_v:-3}"
cd "$ROOT" || exit 2
model=${POSITIONAL[0]}
[[ $model =~ ^[^/.]+$ && -f configs/classsr/$model.yaml ]] || fail "configs/classsr/$model.yaml not found"

data_dir=$("$PYTHON" -c "import sys; from src import config; print(config.get_config('', ['--config_path', sys.argv[1]]).class_data_dir)" "configs/classsr/$model.yaml") || exit 2
if [[ ! -f $data_dir/classes.json ]]; then
    echo "== python -m tools.classsr_data --config_path configs/classsr/x4.yaml ${EXTRA[*]}"
    "$PYTHON" -m tools.classsr_data --config_path configs/classsr/x4.yaml "${EXTRA[@]}" || exit $?
fi
listed=$("$PYTHON" -c "import sys; from tools import results; print(*results.stages('.', 'classsr', sys.argv[1]))" \
    "$model") || exit 2
read -ra stages <<<"$listed"
(( ${#stages[@]} )) || fail "configs/classsr/chain.yaml has no chain $model"
bash "$ROOT/scripts/train_all.sh" "${stages[@]}" "${EXTRA[@]}"

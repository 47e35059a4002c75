#!/usr/bin/env bash
# Serve on Ascend 310 with the C++ harness: build against MINDSPORE_ROOT (default: the installed mindspore package;
# any package with include/api/model.h and lib/, e.g. MindSpore Lite's runtime/ folder) -> preprocess (LR planes
# padded to the set's largest: the model is static) -> export a MINDIR of that shape -> run -> postprocess.
# Knobs: see scripts/infer_chain.sh.
USAGE="bash scripts/run_infer_310.sh [CKPT_FILE] [EVAL_SET] [CONFIG_PATH]"
# shellcheck source=scripts/infer_chain.sh
source "$(dirname "${BASH_SOURCE[0]}")/infer_chain.sh"

start_chain Ascend310 "$@"
bash "$ROOT/ascend310_infer/build.sh" \
    "${MINDSPORE_ROOT:-$("$PYTHON" -c 'import os, mindspore; print(os.path.dirname(mindspore.__file__))')}"
preprocess largest
"$PYTHON" "$ROOT/export.py" "${OPTS[@]}" "${EXPORT_OPTS[@]}" --file_format MINDIR --fixed_shape "$(padded_input_shape)" \
    --file_name "$WORK/fsrcnn"
run_harness "$WORK/fsrcnn.mindir"
postprocess

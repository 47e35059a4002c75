#!/usr/bin/env bash
# Serve on Ascend 310 with the C++ harness on MindSpore Lite (the ModelZoo cpp_infer pattern): build against the Lite
# runtime (LITE_HOME or MS_LITE_HOME: the unpacked cloud-side Lite tarball with the Ascend backend, of the MindSpore
# version that exports the model; CANN's set_env.sh is sourced when installed) -> preprocess (LR planes padded to the
# set's largest: the model is static) -> export a MINDIR of that shape -> run (Lite precision mode PRECISION_MODE,
# default preferred_fp32) -> postprocess (scores within ~0.05 dB of eval.py's on a device: docs/serving.md).
# The mindspore Python package is refused in one line: it has no C++ inference API since MindSpore 2.2.
# Knobs: see scripts/infer_chain.sh.
USAGE="[MS_LITE_HOME=DIR] [PRECISION_MODE=preferred_fp32] bash scripts/run_infer_310.sh [CKPT_FILE] [EVAL_SET] [CONFIG_PATH] [LITE_HOME]"
# shellcheck source=scripts/infer_chain.sh
source "$(dirname "${BASH_SOURCE[0]}")/infer_chain.sh"

start_chain Ascend310 "$@"
source_cann_env
bash "$ROOT/ascend310_infer/build.sh" "$LITE_RUNTIME"
preprocess largest
"$PYTHON" "$ROOT/export.py" "${OPTS[@]}" "${EXPORT_OPTS[@]}" --file_format MINDIR --fixed_shape "$(padded_input_shape)" \
    --file_name "$WORK/fsrcnn"
run_harness "$WORK/fsrcnn.mindir"
postprocess

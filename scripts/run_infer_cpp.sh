#!/usr/bin/env bash
# Serve on CPU with the C++ harness and MindSpore Lite 2.0 (fetched once into third_party/): build -> preprocess
# (each LR plane at its own size) -> export the repaired ONNX -> convert it with Lite's converter (Lite 2.0 cannot
# read MindSpore 2.10 MINDIR) -> run (Lite resizes the model to each plane) -> postprocess (scores equal eval.py's).
# Knobs: see scripts/infer_chain.sh; PAD_TO=largest (or H,W) pads every plane to one shape and exports the model
# at it: needed for FMEN, whose pixel shuffle MindSpore writes into ONNX as reshapes of fixed sizes, which Lite
# cannot resize (a static model scores within ~0.01 dB of eval.py, src/serving.py).
USAGE="bash scripts/run_infer_cpp.sh [CKPT_FILE] [EVAL_SET] [CONFIG_PATH]"
# shellcheck source=scripts/infer_chain.sh
source "$(dirname "${BASH_SOURCE[0]}")/infer_chain.sh"

start_chain CPU "$@"
# the PyPI Lite 2.0 and its converter, whatever MS_LITE_HOME says (that is the Ascend 310 chain's)
env -u MS_LITE_HOME PYTHON="$PYTHON" bash "$ROOT/ascend310_infer/build.sh"
preprocess "${PAD_TO:-}"
shape=()
[[ -z "${PAD_TO:-}" ]] || shape=(--fixed_shape "$(padded_input_shape)")
"$PYTHON" "$ROOT/export.py" "${OPTS[@]}" "${EXPORT_OPTS[@]}" --file_format ONNX "${shape[@]}" --file_name "$WORK/fsrcnn"
"$ROOT/ascend310_infer/out/convert_model" --onnx_path "$WORK/fsrcnn.onnx" --output_file "$WORK/fsrcnn_lite"
run_harness "$WORK/fsrcnn_lite.mindir"
postprocess

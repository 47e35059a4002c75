#!/usr/bin/env bash
# Device smoke test: proves the GPU (or Ascend) path of this project end to end in minutes, on a machine that has
# one. Run it from anywhere; it works in the repository and writes everything under $OUT. Each step is time-boxed,
# logged to $OUT/<step>.log, and a failing step does not stop the next ones; a summary table ends the run
# (docs/devices.md shows the expected output and how to read it). Exit code: 0 when no step failed.
#
#   bash scripts/device_smoke.sh [GPU|Ascend|CPU]          # default GPU
#   DRY_RUN=1 bash scripts/device_smoke.sh GPU             # print the steps and their commands, run nothing
#
# Steps (STEPS=name,name,... runs a subset):
#   install        GPU: pip-installs mindspore==2.10.0 and the CUDA 11 / cuDNN 8 runtime wheels (pins below) into
#                  $PYTHON's environment (use a fresh venv); Ascend: mindspore==2.10.0 only (CANN is the machine's)
#   plugin         the device plugin loads (else MindSpore's own load error is printed) and ms.run_check() passes
#   eval           eval.py on the device (shipped x4 checkpoint, Set5) against the CPU figure in
#                  docs/results/fsrcnn_x4.json: |delta PSNR| < 0.05 dB
#   train_o0       one epoch of train.py at amp_level O0 on copies of Set5 (named so they are not refused as a test set)
#   train_o2_sink  the same at amp_level O2 with dataset_sink_mode (loss-scaled step, device queue); not on CPU
#   train_msrun1   the launcher with msrun and one worker (scheduler, collective init, DEVICE_ID, rank folder)
#   export         export.py on the device (dynamic MINDIR), reloaded with nn.GraphCell on the device at 2x1x37x53:
#                  shape 2x1x148x212 and max |diff| to the network < 1e-4
#   bench          benchmark.py (mindspore_graph, mindir) on the device, plus one training step (x4, LR patch 18,
#                  batch 16): bench.json, train_step.json
#   torch          GPU with TORCH_PY set: the same FSRCNN in PyTorch on CUDA on the same workloads (with and without
#                  host copies, torch.cuda.synchronize) and training step: torch.json and ratios.txt (ours / PyTorch)
#
# Knobs: OUT (default outputs/device_smoke/<device>-<date>), PYTHON (default python), TORCH_PY (a Python with a
# CUDA PyTorch; run without our LD_LIBRARY_PATH), DEVICE_ID (default 0), STEPS, DRY_RUN.
# The first CUDA call on an sm_89/sm_90 GPU (L4, RTX 40, H100, H200) compiles MindSpore's PTX kernels: the plugin step
# gets 300 s for it and CUDA_CACHE_PATH keeps them under $OUT/cuda_cache for the later steps.
# shellcheck disable=SC2329  # the step functions run as bash -c "step_<name>" (exported with export -f)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
USAGE="[DRY_RUN=1] [STEPS=a,b] [OUT=dir] bash scripts/device_smoke.sh [GPU|Ascend|CPU]"

DEVICE=${1:-GPU}
case $DEVICE in
    GPU|Ascend|CPU) ;;
    -h|--help) echo "usage: $USAGE"; exit 0 ;;
    *) echo "usage: $USAGE" >&2; exit 2 ;;
esac
PYTHON=${PYTHON:-python}
OUT=${OUT:-$ROOT/outputs/device_smoke/$DEVICE-$(date +%Y%m%d-%H%M%S)}
DRY_RUN=${DRY_RUN:-}
export DEVICE PYTHON OUT DRY_RUN ROOT GLOG_v=3 DEVICE_ID=${DEVICE_ID:-0}
CPU_PSNR_JSON=$ROOT/docs/results/fsrcnn_x4.json
CKPT=$ROOT/checkpoints/fsrcnn_x4.ckpt
TOLERANCE_DB=0.05
export CPU_PSNR_JSON CKPT TOLERANCE_DB

# The CUDA 11 runtime wheels whose sonames MindSpore 2.10's GPU plugin (libmindspore_gpu.so.11.6) needs; cuDNN must
# stay 8.x (the newest cu11 cuDNN is 9, libcudnn.so.9). docs/devices.md.
export GPU_WHEELS="nvidia-cuda-runtime-cu11==11.8.89 nvidia-cublas-cu11==11.11.3.6 nvidia-cudnn-cu11==8.9.6.50
nvidia-cufft-cu11==10.9.0.58 nvidia-curand-cu11==10.3.0.86 nvidia-cusolver-cu11==11.4.1.48
nvidia-cusparse-cu11==11.7.5.86 nvidia-cuda-nvrtc-cu11==11.8.89"

# run COMMAND...: run it, or with DRY_RUN print it (shell-quoted)
run() {
    if [[ -n $DRY_RUN ]]; then
        printf '    +'
        printf ' %q' "$@"
        printf '\n'
        return 0
    fi
    "$@"
}

# require FILE WHAT: a file a pass needs (not checked in a dry run)
require() {
    [[ -n $DRY_RUN || -s $1 ]] && return 0
    echo "FAIL: $2 ($1) was not written"
    return 1
}

checks() {  # checks SUBCOMMAND ARG...: the Python checks below, run from the repository
    run env PYTHONPATH="$ROOT" "$PYTHON" "$OUT/smoke_checks.py" "$@"
}

# ---------------------------------------------------------------- the steps
step_install() {
    local wheels=()
    [[ $DEVICE == GPU ]] && read -r -d '' -a wheels <<< "$GPU_WHEELS"
    run "$PYTHON" -m pip install -r "$ROOT/requirements.txt" "${wheels[@]}"
}

step_plugin() {
    checks plugin "$DEVICE"
}

step_eval() {
    run "$PYTHON" "$ROOT/eval.py" --device_target "$DEVICE" --ckpt_file "$CKPT" --config_path "$ROOT/configs/fsrcnn/x4.yaml" \
        --eval_sets Set5 --json "$OUT/eval.json" || return 1
    checks compare_eval "$OUT/eval.json" "$CPU_PSNR_JSON" "$TOLERANCE_DB"
}

# train NAME OPTION...: one epoch on the Set5 copies into $OUT/NAME; passes with best.ckpt and a log.csv row
train() {
    local name=$1
    shift
    run "$PYTHON" "$ROOT/train.py" --device_target "$DEVICE" --train_data "$OUT/data/smoke_train" \
        --val_data "$OUT/data/smoke_val" --epochs 1 --batch_size 16 --output_dir "$OUT/$name" "$@" || return 1
    require "$OUT/$name/best.ckpt" best.ckpt && checks log_rows "$OUT/$name/log.csv" 1
}

step_train_o0() {
    train train_o0 --amp_level O0
}

step_train_o2_sink() {
    train train_o2_sink --amp_level O2 --dataset_sink_mode true
}

step_train_msrun1() {
    local script
    case $DEVICE in
        GPU) script=run_train_gpu.sh ;;
        Ascend) script=run_train_ascend.sh ;;
        CPU) script=run_train_cpu.sh ;;
    esac
    run env LOG_DIR="$OUT/train_msrun1_logs" PYTHON="$PYTHON" bash "$ROOT/scripts/$script" 1 "$OUT/data/smoke_train" \
        "$OUT/data/smoke_val" --epochs 1 --batch_size 16 --output_dir "$OUT/train_msrun1" || return 1
    require "$OUT/train_msrun1/best.ckpt" best.ckpt
}

step_export() {
    run "$PYTHON" "$ROOT/export.py" --device_target "$DEVICE" --ckpt_file "$CKPT" \
        --config_path "$ROOT/configs/fsrcnn/x4.yaml" --file_format MINDIR --file_name "$OUT/fsrcnn_x4" || return 1
    checks export_reload "$DEVICE" "$OUT/fsrcnn_x4.mindir"
}

step_bench() {
    run "$PYTHON" "$ROOT/benchmark.py" --device_target "$DEVICE" --ckpt_file "$CKPT" \
        --config_path "$ROOT/configs/fsrcnn/x4.yaml" --bench_paths mindspore_graph,mindir --warmup 20 --iters 200 \
        --json "$OUT/bench.json" || return 1
    checks train_step "$DEVICE" 18 16 "$OUT/train_step.json"
}

step_torch() {
    # the CUDA 11 libraries on LD_LIBRARY_PATH are MindSpore's: PyTorch brings its own
    run env -u LD_LIBRARY_PATH "$TORCH_PY" "$OUT/smoke_checks.py" torch 18 16 "$OUT/torch.json" || return 1
    checks ratios "$OUT/bench.json" "$OUT/train_step.json" "$OUT/torch.json" "$OUT/ratios.txt"
}

# ---------------------------------------------------------------- which steps, their time limits
ALL_STEPS=(install plugin eval train_o0 train_o2_sink train_msrun1 export bench torch)
declare -A LIMIT=([install]=1200 [plugin]=300 [eval]=300 [train_o0]=600 [train_o2_sink]=600 [train_msrun1]=600
                  [export]=300 [bench]=600 [torch]=600)

# skip_reason STEP: why STEP does not run on this device / with these knobs (empty: it runs)
skip_reason() {
    case $1 in
        install) [[ $DEVICE == CPU ]] && echo "CPU: the project's own requirements.txt is installed" ;;
        train_o2_sink) [[ $DEVICE == CPU ]] && echo "CPU trains in float32 without a device queue" ;;
        torch)
            if [[ $DEVICE != GPU ]]; then echo "the PyTorch reference runs on CUDA only"
            elif [[ -z ${TORCH_PY:-} ]]; then echo "TORCH_PY (a Python with a CUDA PyTorch) is not set"
            fi ;;
    esac
}

STEPS_WANTED=${STEPS:-$(IFS=,; echo "${ALL_STEPS[*]}")}
IFS=',' read -r -a wanted <<< "$STEPS_WANTED"
for name in "${wanted[@]}"; do
    [[ -n ${LIMIT[$name]:-} ]] || { echo "error: STEPS: unknown step '$name' (steps: ${ALL_STEPS[*]})" >&2; exit 2; }
done

if [[ -z $DRY_RUN ]]; then
    if [[ -e $OUT ]] && [[ -n $(ls -A "$OUT" 2> /dev/null) ]]; then
        echo "error: OUT '$OUT' is not empty: choose another OUT" >&2
        exit 2
    fi
    mkdir -p "$OUT/data" || { echo "error: cannot create OUT '$OUT'" >&2; exit 2; }
    OUT=$(cd "$OUT" && pwd)
fi
echo "device smoke test: $DEVICE, results in $OUT${DRY_RUN:+ (dry run: nothing is run)}"

if [[ $DEVICE == GPU ]]; then
    # MindSpore's kernels carry PTX for compute_60/86: sm_89/90 GPUs JIT-compile them once, cached here
    export CUDA_CACHE_PATH="$OUT/cuda_cache" CUDA_CACHE_MAXSIZE=4294967296
fi

# The training data: Set5's images under names no test-set check refuses.
if [[ -z $DRY_RUN ]]; then
    for folder in smoke_train smoke_val; do
        mkdir -p "$OUT/data/$folder" && cp "$ROOT"/data/Set5/*.png "$OUT/data/$folder/"
    done
fi

# The Python checks the steps call (written into $OUT; numbers are printed into each step's log).
write_checks() {
    cat > "$OUT/smoke_checks.py" <<'PY'
"""Checks of scripts/device_smoke.sh: python smoke_checks.py SUBCOMMAND ARG... (from the repository root)."""
import json
import sys
import time


def plugin(device):
    import mindspore as ms
    from src import device as dev
    available = getattr(ms.device_context, device.lower()).is_available()
    print(f"{device} plugin available: {available}")
    if not available:
        print("MindSpore's load error:", dev.plugin_error(device))
        return 1
    ms.set_device(device)
    ms.run_check()
    return 0


def compare_eval(ours, cpu, tolerance):
    got = json.load(open(ours))["sets"]["Set5"]["psnr"]
    want = json.load(open(cpu))["sets"]["Set5"]["psnr"]
    delta = got - want
    print(f"Set5 PSNR on the device {got:.4f} dB, on CPU {want:.4f} dB: delta {delta:+.4f} dB (tolerance {tolerance})")
    return 0 if abs(delta) < float(tolerance) else 1


def log_rows(path, at_least):
    rows = open(path).read().splitlines()[1:]
    print(f"{path}: {len(rows)} epoch row(s): {rows[-1] if rows else ''}")
    return 0 if len(rows) >= int(at_least) else 1


def _setup(device, *argv):
    from src import environment
    environment.prepare()
    from src import device as dev, models
    from src.config import get_config
    cfg = get_config(None, ["--device_target", device, "--config_path", "configs/fsrcnn/x4.yaml", *argv], "benchmark")
    dev.setup(cfg)
    return cfg, models.spec_for(cfg)


def export_reload(device, mindir):
    import mindspore as ms
    import numpy as np
    from src import inference
    _, spec = _setup(device)
    x = ms.Tensor(np.random.default_rng(0).random((2, 1, 37, 53), dtype=np.float32))
    reloaded = ms.nn.GraphCell(ms.load(mindir))(x).asnumpy()
    direct = inference.served_network(spec)(x).asnumpy()
    diff = float(np.abs(reloaded - direct).max())
    print(f"reloaded MINDIR output {reloaded.shape}, max |diff| to the network {diff:.2e} (pass: (2, 1, 148, 212), < 1e-4)")
    return 0 if reloaded.shape == (2, 1, 148, 212) and diff < 1e-4 else 1


def train_step(device, patch, batch, out):
    import tempfile
    from src import benchmark
    _, spec = _setup(device)
    with tempfile.TemporaryDirectory() as work:
        ms_ = benchmark.train_step_ms(spec, int(patch), int(batch), benchmark.Settings(10, 100, 0, work))
    json.dump({"train_step_ms": ms_, "patch": int(patch), "batch": int(batch)}, open(out, "w"), indent=1)
    print(f"one training step (x4, LR patch {patch}, batch {batch}): {ms_:.3f} ms")
    return 0


def torch(patch, batch, out):
    """FSRCNN(56, 12, 4) x4 in PyTorch on CUDA: the bench workloads (Set5 batch 8 at 128x128, one 256x256), with
    and without the host copies, and one Adam step on MSE."""
    import torch as t
    from torch import nn
    dev = t.device("cuda")

    def fsrcnn():
        layers = [nn.Conv2d(1, 56, 5, padding=2), nn.PReLU(56), nn.Conv2d(56, 12, 1), nn.PReLU(12)]
        for _ in range(4):
            layers += [nn.Conv2d(12, 12, 3, padding=1), nn.PReLU(12)]
        layers += [nn.Conv2d(12, 56, 1), nn.PReLU(56), nn.ConvTranspose2d(56, 1, 9, 4, 4, output_padding=3)]
        return nn.Sequential(*layers).to(dev)

    def median_ms(fn, warmup=20, iters=200):
        for _ in range(warmup):
            fn()
        t.cuda.synchronize()
        times = []
        for _ in range(iters):
            start = time.perf_counter()
            fn()
            t.cuda.synchronize()
            times.append((time.perf_counter() - start) * 1000)
        return sorted(times)[len(times) // 2]

    net = fsrcnn().eval()
    result = {"gpu": t.cuda.get_device_name(0), "torch": t.__version__, "workloads": {}}
    with t.no_grad():
        for name, shape in (("set5_x4_b8", (8, 1, 128, 128)), ("single_256_x4", (1, 1, 256, 256))):
            host = t.rand(shape)
            on_device = host.to(dev)
            result["workloads"][name] = {"device_ms": median_ms(lambda: net(on_device)),
                                         "with_copies_ms": median_ms(lambda: net(host.to(dev)).cpu())}
    train_net = fsrcnn().train()
    optimizer = t.optim.Adam(train_net.parameters(), lr=1e-3)
    x = t.rand(int(batch), 1, int(patch), int(patch), device=dev)
    y = t.rand(int(batch), 1, 4 * int(patch), 4 * int(patch), device=dev)

    def step():
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(train_net(x), y)
        loss.backward()
        optimizer.step()

    result["train_step_ms"] = median_ms(step)
    json.dump(result, open(out, "w"), indent=1)
    print(json.dumps(result, indent=1))
    return 0


def ratios(bench, train, torch_json, out):
    ours = json.load(open(bench))["results"]
    ref = json.load(open(torch_json))
    lines = [f"MindSpore / PyTorch on {ref['gpu']} (below 1: MindSpore is faster)"]
    for r in ours:
        prefix = r["workload"].split("_")[0]
        key = "set5_x4_b8" if prefix == "set5" else "single_256_x4"
        torch_ms = ref["workloads"][key]["with_copies_ms"]  # benchmark.py's timing includes the host copies
        lines.append(f"{r['workload']:<16}{r['path']:<17}{r['median_ms']:>9.3f} ms  torch {torch_ms:>9.3f} ms  "
                     f"ratio {r['median_ms'] / torch_ms:.2f}")
    step = json.load(open(train))["train_step_ms"]
    lines.append(f"{'train_step':<33}{step:>9.3f} ms  torch {ref['train_step_ms']:>9.3f} ms  "
                 f"ratio {step / ref['train_step_ms']:.2f}")
    open(out, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
PY
}
[[ -n $DRY_RUN ]] || write_checks

# GPU: the pip CUDA libraries (installed by the install step, or before) on the loader's path for MindSpore
gpu_library_path() {
    local site lib dirs=()
    site=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2> /dev/null) || return 0
    for lib in "$site"/nvidia/*/lib; do
        [[ -d $lib ]] && dirs+=("$lib")
    done
    if (( ${#dirs[@]} > 0 )); then
        LD_LIBRARY_PATH="$(IFS=:; echo "${dirs[*]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        export LD_LIBRARY_PATH
        echo "LD_LIBRARY_PATH: the CUDA libraries of ${#dirs[@]} nvidia-* wheels in $site"
    fi
}

export -f run require checks train step_install step_plugin step_eval step_train_o0 step_train_o2_sink \
    step_train_msrun1 step_export step_bench step_torch
export TORCH_PY=${TORCH_PY:-}

declare -a SUMMARY
FAILED=0
for name in "${ALL_STEPS[@]}"; do
    [[ ",$STEPS_WANTED," == *",$name,"* ]] || continue
    reason=$(skip_reason "$name")
    if [[ -n $reason ]]; then
        SUMMARY+=("$(printf '%-15s %-8s %6s  %s' "$name" skipped - "$reason")")
        continue
    fi
    if [[ -n $DRY_RUN ]]; then
        echo "$name (at most ${LIMIT[$name]} s, log \$OUT/$name.log):"
        "step_$name"
        SUMMARY+=("$(printf '%-15s %-8s %6s  %s' "$name" dry-run - "")")
        continue
    fi
    if [[ $DEVICE == GPU && $name != install && -z ${library_path_set:-} ]]; then
        gpu_library_path  # once, after the install step
        library_path_set=1
    fi
    echo "== $name (at most ${LIMIT[$name]} s): $OUT/$name.log"
    start=$SECONDS
    (cd "$ROOT" && timeout --kill-after=20 "${LIMIT[$name]}" bash -c "step_$name") > "$OUT/$name.log" 2>&1
    code=$?
    seconds=$(( SECONDS - start ))
    if (( code == 0 )); then
        status=pass
    elif (( code == 124 || code == 137 )); then
        status=TIMEOUT
        FAILED=1
    else
        status=FAIL
        FAILED=1
    fi
    last=$(grep -v '^\s*$' "$OUT/$name.log" | tail -n 1 | cut -c1-110)
    SUMMARY+=("$(printf '%-15s %-8s %6s  %s' "$name" "$status" "${seconds}s" "$last")")
    echo "   $status in ${seconds}s"
done

echo
echo "summary ($DEVICE; logs in $OUT/<step>.log):"
printf '%-15s %-8s %6s  %s\n' step status time "last line of the log"
printf '%s\n' "${SUMMARY[@]}"
exit "$FAILED"

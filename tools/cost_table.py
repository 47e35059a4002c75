"""The cost table of docs/performance.md at x4: parameters, multiply-adds at 256x256 LR, CPU latency and forward memory per model.

    python -m tools.cost_table [--configs configs/fsrcnn/x4.yaml,configs/fsrcnn-s/x4.yaml,configs/fmen-s/x4.yaml]
        [--iters 20 --warmup 3] [--graph_kernel true] [--json docs/benchmarks/cost_x4.json]

For each config, in child processes one after the other (never beside a training run):
- benchmark.py --compare_torch true on the 256x256 workload's paths mindspore_graph and onnxruntime, with the
  PyTorch reference of the same network in the same run (median ms; src/benchmark.py), with graph kernel fusion of
  the static MindSpore graph if --graph_kernel true;
- the forward memory: the growth of the peak RSS of a process that runs the served (inference) form with dynamic
  shapes, as eval.py and infer.py do, on a 256x256 LR input after a warm-up on 32x32 (compilation excluded).
Parameters and multiply-adds come from the model (its inference form; the spec's macs_per_lr_pixel).
Then, for each of --step_runs (config options, ';'-separated), the median training step of train.py's own step Cell
(src/benchmark.py train_step_ms: batch 16 of LR 32x32 patches, random data): what a form costs to train.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

from src.paths import ROOT  # noqa: E402
from src import environment, fileio  # noqa: E402

environment.prepare()

SIDE = 256
CONFIGS = "configs/fsrcnn/x4.yaml,configs/fsrcnn-s/x4.yaml,configs/fmen-s/x4.yaml"
STEP_RUNS = ("--config_path configs/fmen-s/x2.yaml --form inference;"
             "--config_path configs/fmen-s/x2.yaml --form training")
STEP_PATCH, STEP_BATCH = 32, 16


def served_network(config_path, threads):
    from src import checkpoint, device, inference, models
    from src.config import get_config
    cfg = get_config("", ["--config_path", config_path, "--threads", str(threads)])
    spec = models.spec_for(cfg)
    device.setup(cfg)
    net = spec.inference_form(checkpoint.network_from_checkpoint(cfg.ckpt_file, spec))
    return spec, inference.make_dynamic(net, spec.channels)


def memory_child(config_path, threads):
    """Print the peak-RSS growth (MB) of one forward at SIDE x SIDE, after a warm-up forward at 32x32."""
    import numpy as np
    from src import inference
    spec, net = served_network(config_path, threads)
    shape = (spec.channels,) if spec.channels > 1 else ()
    inference.forward(net, np.zeros((32, 32) + shape, np.float32))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    inference.forward(net, np.zeros((SIDE, SIDE) + shape, np.float32))
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)


def step_child(options, iters, warmup, threads):
    """Print the median ms of one training step of the configuration `options`."""
    from src import benchmark, device, models
    from src.config import get_config
    cfg = get_config("", options.split() + ["--threads", str(threads)])
    device.setup(cfg)
    spec = models.spec_for(cfg)
    settings = benchmark.Settings(warmup, iters, environment.cpu_threads(threads), "")
    print(benchmark.train_step_ms(spec, STEP_PATCH, STEP_BATCH, settings))


def child(args):
    """stdout of `python args...`; a failure exits with the child's last error line."""
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit(f"error: {' '.join(args[:3])}: {(proc.stderr.strip().splitlines() or ['failed'])[-1]}")
    return proc.stdout


def measure(config_path, iters, warmup, threads, graph_kernel):
    from src import checkpoint, models
    from src.config import get_config
    cfg = get_config("", ["--config_path", config_path])
    spec = models.spec_for(cfg)
    net = spec.inference_form(checkpoint.network_from_checkpoint(cfg.ckpt_file, spec))
    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, "bench.json")
        child(["benchmark.py", "--config_path", config_path, "--bench_paths", "mindspore_graph,onnxruntime",
               "--compare_torch", "true", "--iters", str(iters), "--warmup", str(warmup), "--threads", str(threads),
               "--graph_kernel", graph_kernel, "--json", report])
        with open(report, encoding="utf-8") as f:
            bench = json.load(f)
    single = f"single_{SIDE}_x{cfg.scale}"
    ms_of = {r["path"]: r["median_ms"] for r in bench["results"] if r["workload"] == single}
    torch_ms = next(r["torch_ms"] for r in bench["torch"] if r["workload"] == single)
    memory = float(child(["-m", "tools.cost_table", "--memory_child", config_path,
                          "--threads", str(threads)]).strip().splitlines()[-1])
    return {"config": config_path, "model": spec.describe(), "params": sum(p.size for p in net.trainable_params()),
            "gmacs_256": spec.macs_per_lr_pixel() * SIDE * SIDE / 1e9, "mindspore_ms": ms_of["mindspore_graph"],
            "onnxruntime_ms": ms_of.get("onnxruntime"), "torch_ms": torch_ms, "forward_memory_mb": memory,
            "machine": bench["machine"], "threads": bench["threads"], "graph_kernel": graph_kernel}


def render(rows):
    lines = ["| model | parameters | GMACs at 256x256 LR | MindSpore ms | ONNX Runtime ms | PyTorch ms | "
             "MindSpore / PyTorch | forward memory MB |", "|---" * 8 + "|"]
    for r in rows:
        onnx = f"{r['onnxruntime_ms']:.1f}" if r["onnxruntime_ms"] else "–"
        lines.append(f"| {r['model']} | {r['params']:,} | {r['gmacs_256']:.2f} | {r['mindspore_ms']:.1f} | {onnx} | "
                     f"{r['torch_ms']:.1f} | {r['mindspore_ms'] / r['torch_ms']:.2f} | {r['forward_memory_mb']:.0f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=CONFIGS)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--graph_kernel", default="false", choices=["true", "false"],
                        help="fuse the static MindSpore graph's elementwise ops (benchmark.py --graph_kernel)")
    parser.add_argument("--json", default="")
    parser.add_argument("--step_runs", default=STEP_RUNS)
    parser.add_argument("--memory_child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--step_child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.threads)
        return
    if args.step_child:
        step_child(args.step_child, args.iters, args.warmup, args.threads)
        return
    rows = [measure(c, args.iters, args.warmup, args.threads, args.graph_kernel) for c in args.configs.split(",")]
    steps = []
    for options in filter(None, (o.strip() for o in args.step_runs.split(";"))):
        out = child(["-m", "tools.cost_table", "--step_child", options, "--iters", str(args.iters),
                     "--warmup", str(args.warmup), "--threads", str(args.threads)])
        steps.append({"options": options, "batch": STEP_BATCH, "lr_patch": STEP_PATCH,
                      "median_ms": float(out.strip().splitlines()[-1])})
    print(f"{rows[0]['machine']}, {rows[0]['threads']} threads, graph kernel fusion {args.graph_kernel}")
    print(render(rows))
    for step in steps:
        print(f"training step, batch {STEP_BATCH} of LR {STEP_PATCH}x{STEP_PATCH}, {step['options']}: "
              f"{step['median_ms']:.1f} ms")
    if args.json:
        fileio.write_json(args.json, {"models": rows, "training_steps": steps})


if __name__ == "__main__":
    main()

"""Inference latency: python benchmark.py [--ckpt_file F] [--iters 1000 --warmup 100] [--threads N]
[--bench_paths mindspore_graph,mindir,onnxruntime,cpp] [--compare_torch] [--json FILE].

Two workloads, Set5 x4 LR images in batches of --bench_batch (8) and one 256x256 LR image, on each path: the
MindSpore network (GRAPH_MODE), the exported MINDIR (nn.GraphCell), ONNX Runtime, and the C++ harness once built
(bash ascend310_infer/build.sh). Prints median ms per batch, images/s and GFLOP/s; see src/benchmark.py.
--compare_torch also runs the PyTorch reference script --torch_reference (in --torch_python, a venv with torch) on the
same workloads plus one training step, and prints our time over PyTorch's for each.
ClassSR (--config_path configs/classsr/x4.yaml) times one large image (--bench_image) on the paths classsr (its
router) and fsrcnn_whole (plain FSRCNN(56, 12, 4) on the whole image), in the same run.
"""
import tempfile

from src import environment  # first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "benchmark")
    from src import benchmark, device, inference, models
    spec = models.spec_for(cfg)
    names = benchmark.parse_paths(cfg.bench_paths, spec)
    if cfg.iters < 1 or cfg.warmup < 0 or cfg.bench_batch < 1:
        raise UserError("--iters and --bench_batch must be >= 1, --warmup >= 0")
    from src import evaluate
    evaluate.check_json(cfg.json, [cfg.ckpt_file])
    device.setup(cfg)
    threads = environment.cpu_threads(cfg.threads)
    net = inference.served_network(spec)
    workloads = benchmark.workloads(spec)
    with tempfile.TemporaryDirectory(prefix="fsrcnn-bench-") as workdir:
        settings = benchmark.Settings(cfg.warmup, cfg.iters, threads, workdir)
        results, skipped = benchmark.run(spec, net, workloads, names, settings)
        if not results:
            raise UserError("nothing was timed: " + "; ".join(f"{n}: {why}" for n, why in skipped.items()))
        comparisons = benchmark.compare_torch(spec, workloads, results, settings) if cfg.compare_torch else []
    machine = benchmark.machine()
    print(benchmark.format_table(results, settings, machine))
    if comparisons:
        print(benchmark.format_comparison(comparisons))
    if cfg.json:
        evaluate.write_json(benchmark.to_json(results, skipped, settings, machine, comparisons), cfg.json)


if __name__ == "__main__":
    main()

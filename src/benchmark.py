"""The latency protocol of benchmark.py: workloads x inference paths, median milliseconds per iteration.

Protocol (the one the MindSpore FSRCNN port claims, docs/protocol.md section 4): `warmup` untimed iterations, then
`iters` timed ones; each iteration is one forward pass of one batch, timed until its output is a host array; the
median is reported, with images/s = batch / median and GFLOP/s = 2 x MACs / median, MACs = the model spec's
macs_per_lr_pixel x the LR pixels of the batch (docs/protocol.md section 1).

Workloads:
- set5_x{n}_b{B}: the Set5 LR images of the evaluation protocol, each padded (by mirroring, as preprocess.py does
  for a static model) to the largest, baby's (128x128 at x4); the batch of B cycles through the set
  (B = 8: baby, bird, butterfly, head, woman, baby, bird, butterfly). Padding, not cropping, keeps each image whole;
  it is what the served static model computes, so those pixels are counted.
- single_256_x{n}: one 256x256 image, of the network's channels (seeded uniform noise: the cost does not depend
  on the content).

Paths (PATHS, one function each; a new path is one more `@path(...)` function): the MindSpore network in GRAPH_MODE,
the exported MINDIR through nn.GraphCell, ONNX Runtime on the exported (repaired) ONNX, and the C++ harness
(ascend310_infer/, on the ONNX converted by MindSpore Lite) when it is built. Every path runs with the same number of
CPU threads, and its output is compared with the network's (max_abs_diff), so a fast but wrong path shows. A network
adds paths of its own through its spec (Benchmarkable.extra_bench_paths: ClassSR's router and its main branch).
"""
import os
import platform
import statistics
import subprocess
import tempfile
import time
from typing import NamedTuple

import mindspore as ms
import numpy as np

from src import backends, dataset, environment, export, inference, models, protocol, serving
from src.errors import UserError

SINGLE_SIDE = 256


class Workload(NamedTuple):
    name: str
    x: np.ndarray  # (N, C, H, W) float32 in [0, 1]


class Settings(NamedTuple):
    warmup: int
    iters: int
    threads: int
    workdir: str  # scratch folder for exported models and .bin files

    def time(self, run):
        """time_calls(run, self): what a network's own timing paths (spec.extra_bench_paths) call."""
        return time_calls(run, self)


class Unavailable(Exception):
    """A path that cannot run here (package missing, harness not built): reported as skipped."""


class Result(NamedTuple):
    path: str
    workload: str
    batch: int
    median_ms: float
    images_per_s: float
    gflops: float
    max_abs_diff: float


PATHS = {}


def path(name):
    """Register `fn(net, x, settings) -> (median_ms, output array[, multiply-adds of the call])` as the path
    `name` (without the count, the spec's macs_per_lr_pixel x the LR pixels)."""
    def register(fn):
        PATHS[name] = fn
        return fn
    return register


def time_calls(run, settings):
    """Median milliseconds of `run()` over settings.iters calls after settings.warmup, and the last output."""
    for _ in range(settings.warmup):
        run()
    times = []
    for _ in range(settings.iters):
        start = time.perf_counter()
        out = run()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times), out


def _export(net, x, settings, fmt):
    """The model exported at x's shape, once per format and shape: MindSpore 2.10 fails to export the same network
    to ONNX again at a shape it exported before (RuntimeError 'out of range' on BiasAdd)."""
    path = os.path.join(settings.workdir, f"model_{'x'.join(map(str, x.shape))}{export.EXTENSIONS[fmt]}")
    if not os.path.isfile(path):
        export.export(net, export.Target(fmt, path, x.shape))
    return path


@path("mindspore_graph")
def _mindspore_graph(net, x, settings):
    tensor = ms.Tensor(x)
    return time_calls(lambda: net(tensor).asnumpy(), settings)


@path("mindir")
def _mindir(net, x, settings):
    graph = ms.nn.GraphCell(ms.load(_export(net, x, settings, "MINDIR")))
    tensor = ms.Tensor(x)
    return time_calls(lambda: graph(tensor).asnumpy(), settings)


@path("onnxruntime")
def _onnxruntime(net, x, settings):
    try:
        import onnxruntime as ort
    except ImportError:
        raise Unavailable("onnxruntime is not installed (pip install onnxruntime)") from None
    model = _export(net, x, settings, "ONNX")
    options = backends.session_options(ort, settings.threads)  # infer.py's settings: one home
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: x}
    return time_calls(lambda: session.run(None, feed)[0], settings)


@path("cpp")
def _cpp(net, x, settings):
    if not (os.path.isfile(serving.HARNESS) and os.path.isfile(serving.CONVERTER)):
        raise Unavailable(f"the C++ harness is not built ({serving.BUILD_HINT})")
    onnx_path = _export(net, x, settings, "ONNX")
    lite_model = serving.convert_onnx(onnx_path, os.path.splitext(onnx_path)[0] + "_lite")
    folder = tempfile.mkdtemp(dir=settings.workdir)
    inputs, outputs = os.path.join(folder, "in"), os.path.join(folder, "out")
    names = [f"{i:04d}" for i in range(len(x))]
    image_ndim = 2 if x.shape[1] == 1 else 3
    serving.write_planes([inference.from_nchw(x[i:i + 1], image_ndim) for i in range(len(x))], names, inputs)
    run = serving.run_harness(lite_model, inputs, outputs, batch_size=len(x), warmup=settings.warmup,
                              iters=settings.iters, threads=settings.threads)
    shape = tuple(net.scale * v for v in x.shape[2:])
    return run.median_ms, np.concatenate([inference.to_nchw(serving.read_plane(os.path.join(outputs, f"{n}.bin"),
                                                                             shape, x.shape[1])) for n in names])


# ---------------------------------------------------------------- workloads and the run
def image_workload(name, data_dir, scale):
    """One image (a path, or a path under data_dir such as RealSR16/cam1_03.png) read and degraded by the
    protocol, luma: the large-image workload of sub-image networks."""
    path = name if os.path.isfile(name) else os.path.join(dataset.data_folder(data_dir), name)
    if not os.path.isfile(path):
        raise UserError(f"{name}: bench_image not found (neither a file nor under {dataset.data_folder(data_dir)})")
    _, lr = protocol.degrade(protocol.load_image(path), scale)
    stem = os.path.splitext(os.path.basename(path))[0]
    return Workload(f"{stem}_{lr.shape[1]}x{lr.shape[0]}_x{scale}", inference.to_nchw(inference.network_input(lr)))



def set5_workload(data_dir, scale, batch, mode):
    """Set5 read as the network reads it (`mode`, its protocol.ImageMode)."""
    images = dataset.load_eval_set("Set5", data_dir, scale, mode)
    shape = serving.largest_shape(images)
    planes = [inference.to_nchw(serving.pad_to(inference.network_input(lr), shape)) for _, _, lr in images]
    x = np.concatenate([planes[i % len(planes)] for i in range(batch)])
    return Workload(f"set5_x{scale}_b{batch}", x)


def single_workload(scale, channels):
    x = np.random.default_rng(0).random((1, channels, SINGLE_SIDE, SINGLE_SIDE), dtype=np.float32)
    return Workload(f"single_{SINGLE_SIDE}_x{scale}", x)


WORKLOADS = {  # spec.bench_workload: what is timed
    "set5+single": lambda cfg, spec: [set5_workload(cfg.data_dir, cfg.scale, cfg.bench_batch, spec.image_mode),
                                      single_workload(cfg.scale, spec.channels)],
    "large_image": lambda cfg, spec: [image_workload(cfg.bench_image, cfg.data_dir, cfg.scale)],
}


def workloads(spec):
    """The workloads the network's spec asks for (its bench_workload), for its configuration."""
    return WORKLOADS[spec.bench_workload](spec.cfg, spec)


def paths_for(spec):
    """{name: fn}: every path of PATHS, and the network's own (spec.extra_bench_paths)."""
    if not isinstance(spec, models.Benchmarkable):
        raise UserError(f"{spec.title} does not declare what to benchmark (src/models/__init__.py Benchmarkable)")
    return dict(PATHS, **spec.extra_bench_paths())


def parse_paths(text, spec):
    """The path names of bench_paths, each one of paths_for(spec)."""
    known = paths_for(spec)
    names = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in names if p not in known]
    if unknown or not names:
        raise UserError(f"bench_paths '{text}': choose among {', '.join(known)}")
    return names


def machine():
    """One line describing the CPU, for the JSON and the table."""
    model = platform.processor() or platform.machine()
    if os.path.isfile("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    isa = environment.user_cap(os.environ)
    isa_note = f", {isa[0]}={isa[1]}" if isa else ", no oneDNN ISA cap"
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}{isa_note}"


def run(spec, net, workloads, names, settings, report=print):
    """Every path on every workload. Returns (results, {path: reason skipped}); `report` gets progress lines."""
    macs_per_pixel = spec.macs_per_lr_pixel()
    paths = paths_for(spec)
    results, skipped = [], {}
    for workload in workloads:
        reference = net(ms.Tensor(workload.x)).asnumpy()
        batch, _, height, width = workload.x.shape
        for name in names:
            if name in skipped:
                continue
            try:
                median_ms, out, *macs = paths[name](net, workload.x, settings)
            except Unavailable as why:
                skipped[name] = str(why)
                report(f"{name}: skipped ({why})")
                continue
            flop = 2.0 * (macs[0] if macs else macs_per_pixel * batch * height * width)
            results.append(Result(name, workload.name, batch, median_ms, batch * 1000.0 / median_ms,
                                  flop / median_ms / 1e6, float(np.abs(out - reference).max())))
            report(f"{workload.name} {name}: {median_ms:.2f} ms")
    return results, skipped


def format_table(results, settings, machine_line):
    width = max([16] + [len(r.workload) + 1 for r in results])
    head = (f"{'workload':<{width}}{'path':<17}{'batch':>6}{'median ms':>11}{'images/s':>10}{'GFLOP/s':>9}"
            f"{'max|diff|':>11}")
    lines = [f"{machine_line}; {settings.threads} threads; median of {settings.iters} iterations after "
             f"{settings.warmup} warm-up", head, "-" * len(head)]
    for r in results:
        lines.append(f"{r.workload:<{width}}{r.path:<17}{r.batch:>6}{r.median_ms:>11.2f}{r.images_per_s:>10.2f}"
                     f"{r.gflops:>9.2f}{r.max_abs_diff:>11.1e}")
    return "\n".join(lines)


def to_json(results, skipped, settings, machine_line, comparisons=()):
    report = {"machine": machine_line, "threads": settings.threads, "warmup": settings.warmup, "iters": settings.iters,
              "results": [r._asdict() for r in results], "skipped": skipped}
    if comparisons:
        report["torch"] = [dict(r._asdict(), ratio=r.ratio) for r in comparisons]
    return report


# ---------------------------------------------------------------- training steps and the PyTorch reference
def train_step_ms(spec, patch, batch, settings):
    """Median milliseconds of one step of train.py's own step Cell (its optimizer and parameter groups, its loss) on
    a fixed random batch of LR patch x patch: the per-step cost of training, without data loading."""
    from src import trainer
    cfg = spec.cfg
    ms.set_seed(0)
    net = spec.build()
    # a per-step schedule (lr_schedule cosine) must hold a rate for every timed call
    optimizer = trainer.build_optimizer(spec, net, steps_per_epoch=settings.warmup + settings.iters)
    step = trainer.build_train_step(net, optimizer, spec.loss(patch), "O0", spec.loss_terms)
    step.set_train()
    rng = np.random.default_rng(0)
    c = spec.channels
    x = ms.Tensor(rng.random((batch, c, patch, patch), dtype=np.float32))
    y = ms.Tensor(rng.random((batch, c, patch * cfg.scale, patch * cfg.scale), dtype=np.float32))
    median, _ = time_calls(lambda: step(x, y).asnumpy(), settings)
    return median


class Comparison(NamedTuple):
    workload: str
    path: str
    batch: int
    ours_ms: float
    torch_ms: float

    @property
    def ratio(self):
        """Our time over PyTorch's: below 1 is faster than the reference."""
        return self.ours_ms / self.torch_ms


def compare_torch(spec, workloads, results, settings):
    """The PyTorch reference of the same network (spec.torch_reference_args) on the same workloads (same batch,
    size, iterations and threads) and one training step of batch cfg.batch_size on LR patches of the recipe's size;
    one Comparison per measured path."""
    cfg = spec.cfg
    size_args = ("--scale", cfg.scale, *spec.torch_reference_args(), "--warmup", settings.warmup)
    rows = []
    for workload in workloads:
        batch, _, height, width = workload.x.shape
        if height != width:
            raise UserError(f"{workload.name}: the PyTorch reference only times square inputs, got {height}x{width}")
        ref = torch_reference(cfg, settings, "infer", "--size", height, "--batch", batch, "--iters", settings.iters,
                              *size_args)
        rows += [Comparison(r.workload, r.path, r.batch, r.median_ms, float(ref["median_ms"]))
                 for r in results if r.workload == workload.name]
    if "train" not in spec.torch_reference_modes:
        return rows
    patch, batch = dataset.lr_patch_size(cfg), cfg.batch_size
    ref = torch_reference(cfg, settings, "train", "--patch", patch, "--batch", batch, "--steps", settings.iters,
                          *size_args)
    rows.append(Comparison(f"train_x{cfg.scale}_p{patch}_b{batch}", "train_step", batch,
                           train_step_ms(spec, patch, batch, settings), float(ref["median_step_ms"])))
    return rows


def format_comparison(rows):
    head = f"{'workload':<16}{'path':<17}{'batch':>6}{'ours ms':>10}{'torch ms':>10}{'ours/torch':>12}"
    lines = ["PyTorch reference (--torch_reference) on the same workloads and threads", head,
             "-" * len(head)]
    lines += [f"{r.workload:<16}{r.path:<17}{r.batch:>6}{r.ours_ms:>10.2f}{r.torch_ms:>10.2f}{r.ratio:>12.2f}"
              for r in rows]
    return "\n".join(lines)


def torch_reference(cfg, settings, *args):
    """Run the PyTorch reference script (cfg.torch_reference) in its own interpreter (torch is no project
    dependency) and return the key=value pairs of its result line."""
    python, script = cfg.torch_python, cfg.torch_reference
    if not os.path.isfile(python):
        raise UserError(f"{python}: no Python with torch (python3 -m venv .venv-torch && "
                        f".venv-torch/bin/pip install torch==2.13.0 'numpy<2')")
    if not script:
        raise UserError("--compare_torch needs --torch_reference: the PyTorch timing script of FSRCNN and FMEN-S")
    if not os.path.isfile(script):
        raise UserError(f"{script}: the PyTorch reference script is missing")
    env = dict(environment.user_environment(), OMP_NUM_THREADS=str(settings.threads))
    proc = subprocess.run([python, script, *map(str, args)], capture_output=True, text=True, check=False, env=env)
    lines = [line for line in proc.stdout.splitlines() if "median" in line]
    if proc.returncode != 0 or not lines:
        raise UserError(f"{script} failed: {(proc.stderr.strip().splitlines() or ['no output'])[-1]}")
    return dict(pair.split("=", 1) for pair in lines[-1].split())

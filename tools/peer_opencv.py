"""The project's upscaling against OpenCV's, timed in one run: python -m tools.peer_opencv --models DIR
[--opencv_python .venv-opencv/bin/python] [--threads 0] [--rounds 7] [--folder_rounds 3] [--cli_rounds 5]
[--json FILE]

The CPU peer a user picks for FSRCNN is OpenCV's dnn_superres module with the published FSRCNN TensorFlow graphs
(FSRCNN_x{2,3,4}.pb, FSRCNN-small_x{2,3,4}.pb; --models names their folder). Both sides get the same 8-bit RGB LR
image in memory (OpenCV its BGR copy) and return the 8-bit HR image:
- the project: infer.py's in-process pipeline as infer.py runs it by default (upscale.pick_checkpoint and
  make_upscaler: the shipped FSRCNN and FSRCNN-s of each scale on the default backend, routed among the
  paper-protocol model, the robust one and their mixes where both ship; luma, the routing score, the network, the
  colour stage); the network it picks for the image is timed alone too (the rest is pre- and post-processing);
- OpenCV: DnnSuperResImpl.upsample() in a worker process of a Python that has cv2.dnn_superres (this one, else
  --opencv_python; OpenCV is no project dependency: python3 -m venv .venv-opencv &&
  .venv-opencv/bin/pip install 'opencv-contrib-python-headless<5'; OpenCV 5 dropped the TensorFlow importer).
Rounds are interleaved (each round times every case on both sides, the side that goes first alternating); a case's
figure is the median over rounds of each round's median, its spread the lowest and highest round medians. Both sides
use --threads threads (0: every core this process may use). With --folder_rounds, folder mode: infer.py's run over a
folder of --folder_images 256x256 PNGs (in-process, its models loaded by the run) against OpenCV's script over the
same files (model loaded, each image read, upsampled and written), per image. With --cli_rounds, one 256x256 image
at x4 from the command line, start-up included: `python infer.py` (cached model) against OpenCV's equivalent script
(read, upsample, write a PNG). The CPU (model name, ISA flags) and the load average before and after are printed:
figures taken while other work runs are not comparable. docs/performance.md holds the table of a quiet run.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as infer.py: before numpy loads (its reason there)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from src import environment  # first: the environment MindSpore reads if the pipeline builds its model

environment.prepare()

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from src import backends, config, fileio, paths, protocol, upscale  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402

# network: (the project's config of the scale, OpenCV's graph of the scale)
NETWORKS = {"FSRCNN": ("configs/fsrcnn/x{scale}.yaml", "FSRCNN_x{scale}.pb"),
            "FSRCNN-s": ("configs/fsrcnn-s/x{scale}.yaml", "FSRCNN-small_x{scale}.pb")}
# LR sizes (width x height) and the Set5 image each is cropped from (the cost does not depend on the content)
IMAGES = {(256, 256): "butterfly.png", (480, 320): "baby.png"}
OPENCV_HINT = ("python3 -m venv .venv-opencv && .venv-opencv/bin/pip install 'opencv-contrib-python-headless<5' "
               "(4.x: OpenCV 5 dropped the TensorFlow importer)")
ISA_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")

# The OpenCV side: a worker process reading one JSON job per line, answering with its per-call milliseconds.
_WORKER = r"""
import json, os, sys, time
import cv2, numpy as np
cv2.setNumThreads(int(sys.argv[1]))
models = {}
print(json.dumps({"version": cv2.__version__}), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    if "folder" in job:  # OpenCV's script for a folder: load the model, then read, upsample, write each image
        start = time.perf_counter()
        sr = cv2.dnn_superres.DnnSuperResImpl_create()
        sr.readModel(job["model"])
        sr.setModel("fsrcnn", job["scale"])
        for name in sorted(os.listdir(job["folder"])):
            cv2.imwrite(os.path.join(job["out"], name), sr.upsample(cv2.imread(os.path.join(job["folder"], name))))
        print(json.dumps({"s": time.perf_counter() - start}), flush=True)
        continue
    key = (job["model"], job["scale"])
    if key not in models:
        models[key] = cv2.dnn_superres.DnnSuperResImpl_create()
        models[key].readModel(job["model"])
        models[key].setModel("fsrcnn", job["scale"])
    bgr = np.ascontiguousarray(np.load(job["image"])[..., ::-1])
    for _ in range(job["warmup"]):
        models[key].upsample(bgr)
    times = []
    for _ in range(job["iters"]):
        start = time.perf_counter()
        out = models[key].upsample(bgr)
        times.append((time.perf_counter() - start) * 1000.0)
    print(json.dumps({"ms": times, "shape": list(out.shape)}), flush=True)
"""

# OpenCV's command line equivalent of infer.py for one image
_OPENCV_SCRIPT = r"""
import sys
import cv2
sr = cv2.dnn_superres.DnnSuperResImpl_create()
sr.readModel(sys.argv[1])
sr.setModel("fsrcnn", int(sys.argv[2]))
cv2.imwrite(sys.argv[4], sr.upsample(cv2.imread(sys.argv[3])))
"""


# ---------------------------------------------------------------- the machine
def cpu_line():
    """The CPU as lscpu names it, the cores this process may use, the ISA flags that matter here, the OS."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name") and model in ("", platform.machine(), platform.processor()):
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    isa = ", ".join(flag for flag in ISA_FLAGS if flag in flags) or "none of " + "/".join(ISA_FLAGS)
    return (f"{model}; {len(os.sched_getaffinity(0))} usable of {os.cpu_count()} cores; flags: {isa}; "
            f"{platform.system()} {platform.release()}")


def load_average():
    try:
        return "/".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


# ---------------------------------------------------------------- OpenCV
def opencv_python(requested):
    """A Python with cv2.dnn_superres: this one, else `requested` (relative to the repository root if need be)."""
    try:
        import cv2
        if hasattr(cv2, "dnn_superres"):
            return sys.executable
    except ImportError:
        pass
    path = requested if os.path.isabs(requested) else paths.in_repository(requested)
    if requested and os.path.isfile(path):
        probe = subprocess.run([path, "-c", "import cv2; cv2.dnn_superres.DnnSuperResImpl_create()"],
                               capture_output=True, timeout=120, check=False)
        if probe.returncode == 0:
            return path
    raise UserError(f"OpenCV's dnn_superres is neither here nor at {requested}: {OPENCV_HINT}")


class OpenCVWorker:
    """The worker process of _WORKER."""

    def __init__(self, python, threads):
        self.proc = subprocess.Popen([python, "-c", _WORKER, str(threads)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.version = self._answer()["version"]

    def _answer(self):
        line = self.proc.stdout.readline()
        if not line:
            raise UserError(f"the OpenCV worker stopped: {self.proc.stderr.read().strip().splitlines()[-1:]}")
        return json.loads(line)

    def time(self, model, scale, image_file, warmup, iters):
        job = {"model": model, "scale": scale, "image": image_file, "warmup": warmup, "iters": iters}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def folder(self, model, scale, folder, out):
        """Seconds of OpenCV's script on every image of `folder` (written into `out`), its model load included."""
        self.proc.stdin.write(json.dumps({"model": model, "scale": scale, "folder": folder, "out": out}) + "\n")
        self.proc.stdin.flush()
        return self._answer()["s"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# ---------------------------------------------------------------- the cases
def lr_images(folder):
    """{(width, height): RGB uint8 LR} cropped from Set5 (the project's data/Set5), saved as .npy for the worker."""
    images = {}
    for (width, height), name in IMAGES.items():
        rgb = protocol.load_image(os.path.join(paths.DATA_DIR, "Set5", name), "rgb")
        if rgb.shape[0] < height or rgb.shape[1] < width:
            raise UserError(f"data/Set5/{name} is smaller than {width}x{height}")
        pixels = np.ascontiguousarray(rgb[:height, :width])
        file = os.path.join(folder, f"lr_{width}x{height}.npy")
        np.save(file, pixels)
        images[(width, height)] = (pixels, file)
    return images


def infer_argv(network, scale, threads):
    """infer.py's options for the shipped model of `network` at `scale` (its defaults otherwise: what a user runs)."""
    return ["--scale", str(scale), "--threads", str(threads)] + (["--d", "32", "--s", "5", "--m", "1"]
                                                                 if network == "FSRCNN-s" else [])


def project_upscaler(network, scale, threads, pixels):
    """The upscaler infer.py runs by default for `network` at `scale` (the shipped model, routed among the
    paper-protocol model, the robust one and their mixes where both ship; models built now if they are not cached),
    the network it picks for `pixels`, and the backend's name."""
    argv = infer_argv(network, scale, threads)
    cfg = config.get_config("", argv, "infer")
    upscale.pick_checkpoint(cfg)
    with contextlib.redirect_stdout(io.StringIO()):
        upscaler = upscale.make_upscaler(cfg)
        upscaler.upscale(pixels)  # loads the model the image goes to
        chosen = upscaler.member(upscaler.pick(pixels)[0]) if cfg.route else upscaler
    backend = "onnxruntime" if isinstance(chosen.predict, backends.OnnxNetwork) else "mindspore"
    return upscaler, chosen.predict, backend


def time_calls(fn, warmup, iters):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def summary(round_medians):
    """(median, lowest, highest) of the rounds' medians."""
    return statistics.median(round_medians), min(round_medians), max(round_medians)


def run_pipeline(args, worker, images):
    """{case: {"project": [...], "network": [...], "opencv": [...]}} of round medians, cases interleaved."""
    cases = []
    for network in args.networks:
        for scale in args.scales:
            model = os.path.join(args.models, NETWORKS[network][1].format(scale=scale))
            if not os.path.isfile(model):
                raise UserError(f"{model}: OpenCV's FSRCNN graph is missing (--models: the folder of the .pb files)")
            for size in args.sizes:
                upscaler, network_alone, backend = project_upscaler(network, scale, args.threads, images[size][0])
                cases.append(((network, scale, size), upscaler, network_alone, backend, model))
    rounds = {case[0]: {"project": [], "network": [], "opencv": [], "backend": case[3]} for case in cases}
    for r in range(args.rounds):
        for (key, upscaler, network_alone, _, model) in cases:
            pixels, file = images[key[2]]
            luma = upscale.luma_of(pixels) / np.float32(255.0)

            def ours():
                rounds[key]["project"].append(statistics.median(
                    time_calls(lambda: upscaler.upscale(pixels), args.warmup, args.iters)))
                rounds[key]["network"].append(statistics.median(
                    time_calls(lambda: network_alone(luma), args.warmup, args.iters)))

            def theirs():
                answer = worker.time(model, key[1], file, args.warmup, args.iters)
                if tuple(answer["shape"][:2]) != (key[1] * pixels.shape[0], key[1] * pixels.shape[1]):
                    raise UserError(f"OpenCV's output is {answer['shape']} for {key}")
                rounds[key]["opencv"].append(statistics.median(answer["ms"]))
            for side in ((ours, theirs) if r % 2 == 0 else (theirs, ours)):
                side()
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    return rounds


def folder_images(folder, count):
    """`count` 256x256 RGB PNGs in folder/lr, cropped from the Set5 images that are that large (at other offsets,
    mirrored every other time); returns the folder."""
    lr = os.path.join(folder, "lr")
    os.makedirs(lr)
    sources = [rgb for rgb in (protocol.load_image(f, "rgb") for f in protocol.list_images(os.path.join(
        paths.DATA_DIR, "Set5"))) if min(rgb.shape[:2]) >= 256]
    for i in range(count):
        rgb = sources[i % len(sources)]
        top, left = (i * 37) % (rgb.shape[0] - 255), (i * 53) % (rgb.shape[1] - 255)
        crop = rgb[top:top + 256, left:left + 256]
        Image.fromarray(crop[:, ::-1] if i % 2 else crop).save(os.path.join(lr, f"photo_{i:02d}.png"))
    return lr


def run_folders(args, worker, folder):
    """{(network, scale): {"project": [...], "opencv": [...]}}: per-image seconds (the whole run over the images)
    of infer.py's folder mode in-process (models loaded by the run, as from the command line with the cached
    models) and of OpenCV's script over the same PNG files; rounds interleaved."""
    lr = folder_images(folder, args.folder_images)
    cases = {(network, scale): os.path.join(args.models, NETWORKS[network][1].format(scale=scale))
             for network in args.networks for scale in args.scales}
    times = {key: {"project": [], "opencv": []} for key in cases}
    for r in range(args.folder_rounds):
        for (network, scale), model in cases.items():
            out = os.path.join(folder, f"out_{network}_{scale}")
            os.makedirs(out, exist_ok=True)
            argv = infer_argv(network, scale, args.threads) + ["--input", lr, "--output", out, "--overwrite"]

            def ours():
                start = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    cfg = config.get_config("", argv, "infer")
                    upscale.pick_checkpoint(cfg)
                    upscale.run(cfg)
                times[(network, scale)]["project"].append((time.perf_counter() - start) / args.folder_images)

            def theirs():
                seconds = worker.folder(model, scale, lr, out)
                times[(network, scale)]["opencv"].append(seconds / args.folder_images)
            for side in ((ours, theirs) if r % 2 == 0 else (theirs, ours)):
                side()
        print(f"folder round {r + 1}/{args.folder_rounds} done", file=sys.stderr)
    return times


def run_cli(args, python, folder, images):
    """Round medians (seconds) of one 256x256 image at x4 from the command line: infer.py with the cached model,
    OpenCV's script; interleaved."""
    pixels, _ = images[(256, 256)]
    source = os.path.join(folder, "photo.png")
    Image.fromarray(pixels).save(source)
    model = os.path.join(args.models, NETWORKS["FSRCNN"][1].format(scale=4))
    ours = [sys.executable, os.path.join(paths.ROOT, "infer.py"), "--input", source, "--output",
            os.path.join(folder, "ours.png"), "--scale", "4", "--overwrite", "--threads", str(args.threads)]
    theirs = [python, "-c", _OPENCV_SCRIPT, model, "4", source, os.path.join(folder, "theirs.png")]
    env = dict(environment.user_environment(), OMP_NUM_THREADS=str(args.threads))

    def wall(command):
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=600)
        if proc.returncode != 0:
            raise UserError(f"{' '.join(command[:2])} failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
        return time.perf_counter() - start, proc.stdout
    _, out = wall(ours)  # builds the cached model if need be: untimed
    times = {"project": [], "opencv": [], "backend": "cached ONNX Runtime" if "cached" in out else out.strip()}
    for r in range(args.cli_rounds):
        order = (("project", ours), ("opencv", theirs))
        for name, command in (order if r % 2 == 0 else order[::-1]):
            times[name].append(wall(command)[0])
    return times


# ---------------------------------------------------------------- the report
def folder_table(folders, count):
    head = (f"{'network':<10}{'scale':>6}  {'project ms/image (spread)':<28}{'OpenCV ms/image (spread)':<28}"
            f"{'project/OpenCV':>15}")
    lines = [f"folder mode: {count} 256x256 PNGs in, PNGs out, models loaded by the run", head, "-" * len(head)]
    for (network, scale), got in folders.items():
        ours, theirs = (tuple(1000 * v for v in summary(got[side])) for side in ("project", "opencv"))
        lines.append(f"{network:<10}{'x' + str(scale):>6}  {f'{ours[0]:.1f} ({ours[1]:.1f}-{ours[2]:.1f})':<28}"
                     f"{f'{theirs[0]:.1f} ({theirs[1]:.1f}-{theirs[2]:.1f})':<28}{ours[0] / theirs[0]:>15.2f}")
    return "\n".join(lines)


def table(rounds):
    head = (f"{'network':<10}{'scale':>6}{'LR size':>10}  {'project ms (spread)':<22}{'of which network':<20}"
            f"{'OpenCV ms (spread)':<22}{'project/OpenCV':>15}")
    lines = [head, "-" * len(head)]
    for (network, scale, (width, height)), got in rounds.items():
        ours, net, theirs = summary(got["project"]), summary(got["network"]), summary(got["opencv"])
        lines.append(f"{network:<10}{'x' + str(scale):>6}{f'{width}x{height}':>10}  "
                     f"{f'{ours[0]:.1f} ({ours[1]:.1f}-{ours[2]:.1f})':<22}{f'{net[0]:.1f}':<20}"
                     f"{f'{theirs[0]:.1f} ({theirs[1]:.1f}-{theirs[2]:.1f})':<22}{ours[0] / theirs[0]:>15.2f}")
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--models", required=True, help="folder of OpenCV's FSRCNN_x*.pb and FSRCNN-small_x*.pb")
    parser.add_argument("--opencv_python", default=".venv-opencv/bin/python",
                        help=f"a Python with cv2.dnn_superres when this one has none ({OPENCV_HINT})")
    parser.add_argument("--threads", type=int, default=0, help="threads of both sides; 0 = every usable core")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--iters", type=int, default=5, help="timed calls per case, side and round")
    parser.add_argument("--warmup", type=int, default=2, help="untimed calls before them")
    parser.add_argument("--networks", default="FSRCNN,FSRCNN-s", help=f"among {', '.join(NETWORKS)}")
    parser.add_argument("--scales", default="2,3,4")
    parser.add_argument("--sizes", default="256x256,480x320", help=f"LR sizes among {', '.join(map(str, IMAGES))}")
    parser.add_argument("--cli_rounds", type=int, default=5,
                        help="rounds of the command-line comparison (256x256 at x4, start-up included); 0 = none")
    parser.add_argument("--folder_images", type=int, default=20, help="images of the folder-mode comparison")
    parser.add_argument("--folder_rounds", type=int, default=3, help="rounds of the folder-mode comparison; 0 = none")
    parser.add_argument("--json", default="", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.threads = environment.cpu_threads(args.threads)
    args.networks = [n.strip() for n in args.networks.split(",") if n.strip()]
    args.scales = [int(s) for s in args.scales.split(",")]
    args.sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.sizes.split(",")]
    unknown = [n for n in args.networks if n not in NETWORKS] + [s for s in args.sizes if s not in IMAGES]
    unknown += [s for s in args.scales if s not in (2, 3, 4)]
    if unknown or min(args.rounds, args.iters, args.folder_images) < 1 or min(args.warmup, args.cli_rounds,
                                                                              args.folder_rounds) < 0:
        raise UserError(f"unknown or invalid choices {unknown or ''} (see --help)")
    if not os.path.isdir(args.models):
        raise UserError(f"{args.models}: no such folder (--models: the folder of OpenCV's FSRCNN .pb files)")
    fileio.check_output_file(args.json, "--json")
    return args


@cli_entry
def main(argv=None):
    args = parse_args(argv)
    python = opencv_python(args.opencv_python)
    before = load_average()
    with tempfile.TemporaryDirectory() as folder:
        images = lr_images(folder)
        worker = OpenCVWorker(python, args.threads)
        try:
            rounds = run_pipeline(args, worker, images)
            folders = run_folders(args, worker, folder) if args.folder_rounds else None
        finally:
            worker.close()
        cli = run_cli(args, python, folder, images) if args.cli_rounds else None
    after = load_average()
    import onnxruntime
    backend = sorted({got["backend"] for got in rounds.values()})
    print(f"CPU: {cpu_line()}")
    print(f"{args.threads} threads each; project backend {', '.join(backend)} (onnxruntime {onnxruntime.__version__}), "
          f"OpenCV {worker.version}; {args.rounds} interleaved rounds of {args.iters} calls after {args.warmup} "
          f"warm-up; median of round medians (lowest-highest); load average before {before}, after {after}")
    print(table(rounds))
    if folders:
        print(folder_table(folders, args.folder_images))
    if cli:
        ours, theirs = summary(cli["project"]), summary(cli["opencv"])
        print(f"command line, one 256x256 image at x4 (start-up, read, upscale, write PNG), {args.cli_rounds} rounds: "
              f"infer.py {ours[0]:.2f} s ({ours[1]:.2f}-{ours[2]:.2f}), OpenCV's script {theirs[0]:.2f} s "
              f"({theirs[1]:.2f}-{theirs[2]:.2f}), ratio {ours[0] / theirs[0]:.2f}")
    if args.json:
        report = {"cpu": cpu_line(), "threads": args.threads, "opencv": worker.version, "load_before": before,
                  "load_after": after, "rounds": args.rounds, "iters": args.iters, "cli": cli,
                  "folders": [{"network": k[0], "scale": k[1], "images": args.folder_images, **v}
                              for k, v in (folders or {}).items()],
                  "cases": [{"network": k[0], "scale": k[1], "lr_size": list(k[2]), **v} for k, v in rounds.items()]}
        fileio.write_json(args.json, report)


if __name__ == "__main__":
    main()

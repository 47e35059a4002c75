"""Time and peak memory of infer.py on 480p, 1080p and 4K inputs: python -m tools.benchmark_infer [--scale 4]

Each input is a mosaic of dataset images (Set5, Set14, BSD100 under --data_dir), written to a temporary folder and
upscaled by infer.py in a child process. Printed per size: input and output size, tiles, infer.py's own time, the
child's wall time, seconds per input megapixel, and the child's peak RSS (getrusage of that child alone).
Without --ckpt_file (or when it does not exist) a random FSRCNN is used: speed and memory do not depend on weights.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

from src.paths import ROOT  # noqa: E402
from src.errors import cli_entry  # noqa: E402 - no MindSpore: this parent process only starts and times children
SIZES = "854x480,1920x1080,3840x2160"


def mosaic(width, height, files):
    """An RGB image of the given size tiled with the dataset images, in order, each at its own size."""
    canvas = np.zeros((height, width, 3), np.uint8)
    images = (np.asarray(Image.open(f).convert("RGB")) for f in files * (1 + width * height // (64 * 64)))
    top = 0
    while top < height:
        left, row_h = 0, 0
        while left < width:
            img = next(images)[:height - top, :width - left]
            canvas[top:top + img.shape[0], left:left + img.shape[1]] = img
            left, row_h = left + img.shape[1], max(row_h, img.shape[0])
        top += row_h
    return canvas


def random_checkpoint(path, scale):
    """A random FSRCNN(56, 12, 4) saved as this project's checkpoint (timing and memory only)."""
    from src import environment
    environment.prepare()
    from src import checkpoint
    from src.models.fsrcnn import FSRCNN
    checkpoint.save(FSRCNN(scale), path, {"model": "fsrcnn", "scale": scale, "d": 56, "s": 12, "m": 4})
    return path


def run_child(argv):
    """(stdout, wall seconds, peak RSS in MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=dict(os.environ, GLOG_v="3"))
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"infer.py failed ({proc.returncode}): {' '.join(argv)}")
    return out, time.perf_counter() - start, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data_dir", default="", help="default: FSRCNN_DATA_DIR, else the project's data/")
    parser.add_argument("--ckpt_file", default=os.path.join(ROOT, "checkpoints", "fsrcnn_x4.ckpt"))
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--sizes", default=SIZES, help="comma-separated WxH input sizes")
    parser.add_argument("--max_memory_mb", type=int, default=256)
    args = parser.parse_args()
    from src.dataset import resolve_data  # the datasets' resolution, without MindSpore in this parent process
    folders = [resolve_data(s, args.data_dir) for s in ("Set5", "Set14", "BSD100")]
    files = sorted(os.path.join(folder, f) for folder in folders for f in os.listdir(folder) if f.endswith(".png"))
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = args.ckpt_file if os.path.isfile(args.ckpt_file) else random_checkpoint(
            os.path.join(tmp, "random.ckpt"), args.scale)
        print(f"checkpoint {ckpt}, x{args.scale}, max_memory_mb {args.max_memory_mb}, {os.cpu_count()} CPUs")
        print(f"{'input':>10} {'output':>12} {'tiles':>6} {'infer s':>8} {'wall s':>7} {'s/MP in':>8} "
              f"{'peak RSS MB':>12}")
        for size in args.sizes.split(","):
            width, height = (int(v) for v in size.split("x"))
            src, dst = os.path.join(tmp, f"in_{size}.png"), os.path.join(tmp, f"out_{size}.png")
            Image.fromarray(mosaic(width, height, files)).save(src)
            out, wall, rss = run_child([sys.executable, "infer.py", "--input", src, "--output", dst,
                                        "--scale", str(args.scale), "--ckpt_file", ckpt,
                                        "--max_memory_mb", str(args.max_memory_mb)])
            tiles, secs = re.search(r"(\d+) tiles? .*, ([\d.]+) s ->", out).groups()
            print(f"{size:>10} {width * args.scale}x{height * args.scale:<6} {tiles:>6} {float(secs):>8.2f} "
                  f"{wall:>7.2f} {float(secs) / (width * height / 1e6):>8.2f} {rss:>12.0f}", flush=True)
            os.remove(dst)


if __name__ == "__main__":
    cli_entry(main)()

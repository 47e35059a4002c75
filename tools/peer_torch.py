"""infer.py's whole pipeline against PyTorch's forward of the same network, timed in one run:
python -m tools.peer_torch --torch_reference PATH/torch_reference.py [--torch_python .venv-torch/bin/python]
[--networks FMEN-S,FSRCNN] [--scales 2,3,4] [--size 256] [--threads 0] [--rounds 5] [--json FILE]

The project side is what infer.py runs by default on an RGB 256x256 image in memory (upscale.pick_checkpoint and
make_upscaler: the shipped model of the scale on the default backend, colour handling included). The PyTorch side is
the network's forward alone (the reference script's `infer` mode, random weights of the same shape: the time does
not depend on them) on an input of the same size, in the reference's own interpreter (torch is no project
dependency: python3 -m venv .venv-torch && .venv-torch/bin/pip install torch). Rounds interleaved, the side going
first alternating; figures are medians of the round medians, with the lowest and highest. Same threads both sides.
"""
import argparse
import contextlib
import io
import os
import re
import statistics
import subprocess
import sys

from src import environment

environment.prepare()

import numpy as np  # noqa: E402

from src import config, fileio, paths, protocol, upscale  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402
from tools.peer_opencv import cpu_line, load_average, summary, time_calls  # noqa: E402

FSRCNN_S = ["--d", "32", "--s", "5", "--m", "1"]
# network: (infer.py's options for it, the reference script's)
NETWORKS = {"FMEN-S": (["--model", "fmen"], ["--net", "fmen"]),
            "FSRCNN": ([], ["--net", "fsrcnn"]),
            "FSRCNN-s": (FSRCNN_S, ["--net", "fsrcnn", *FSRCNN_S])}


def project_upscaler(network, scale, threads, pixels):
    """infer.py's default upscaler of `network` at `scale`, its model for `pixels` loaded (models built if they are
    not cached)."""
    argv = NETWORKS[network][0] + ["--scale", str(scale), "--threads", str(threads)]
    cfg = config.get_config("", argv, "infer")
    upscale.pick_checkpoint(cfg)
    with contextlib.redirect_stdout(io.StringIO()):
        upscaler = upscale.make_upscaler(cfg)
        upscaler.upscale(pixels)
    return upscaler


def torch_forward_ms(args, network, scale):
    """The reference's median forward time (ms) in one run of it."""
    command = [args.torch_python, args.torch_reference, "infer", *NETWORKS[network][1], "--scale", str(scale),
               "--size", str(args.size), "--iters", str(args.iters), "--warmup", str(args.warmup)]
    env = dict(environment.user_environment(), OMP_NUM_THREADS=str(args.threads))
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=600)
    found = re.search(r"median_ms=([0-9.]+)", proc.stdout)
    if proc.returncode != 0 or not found:
        raise UserError(f"{args.torch_reference} failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    return float(found.group(1)), re.search(r"framework=(\S+)", proc.stdout).group(1)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--torch_reference", required=True, help="the PyTorch timing script of FSRCNN and FMEN-S")
    parser.add_argument("--torch_python", default=".venv-torch/bin/python", help="a Python with torch")
    parser.add_argument("--networks", default="FMEN-S,FSRCNN", help=f"among {', '.join(NETWORKS)}")
    parser.add_argument("--scales", default="2,3,4")
    parser.add_argument("--size", type=int, default=256, help="LR side (a crop of Set5's baby)")
    parser.add_argument("--threads", type=int, default=0, help="threads of both sides; 0 = every usable core")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iters", type=int, default=10, help="timed calls per case, side and round")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", default="", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.threads = environment.cpu_threads(args.threads)
    args.networks = [n.strip() for n in args.networks.split(",") if n.strip()]
    args.scales = [int(s) for s in args.scales.split(",")]
    bad = [n for n in args.networks if n not in NETWORKS] + [s for s in args.scales if s not in (2, 3, 4)]
    if bad or min(args.rounds, args.iters) < 1 or args.warmup < 0 or not 16 <= args.size <= 512:
        raise UserError(f"unknown or invalid choices {bad or ''} (see --help; --size 16..512)")
    args.torch_python = args.torch_python if os.path.isabs(args.torch_python) else paths.in_repository(
        args.torch_python)
    for path, option in ((args.torch_reference, "--torch_reference"), (args.torch_python, "--torch_python")):
        if not os.path.isfile(path):
            raise UserError(f"{path}: no such file ({option})")
    fileio.check_output_file(args.json, "--json")
    return args


@cli_entry
def main(argv=None):
    args = parse_args(argv)
    pixels = protocol.load_image(os.path.join(paths.DATA_DIR, "Set5", "baby.png"), "rgb")[:args.size, :args.size]
    pixels = np.ascontiguousarray(pixels)
    cases = {(network, scale): project_upscaler(network, scale, args.threads, pixels)
             for network in args.networks for scale in args.scales}
    times = {key: {"project": [], "torch": []} for key in cases}
    before, framework = load_average(), ""
    for r in range(args.rounds):
        for key, upscaler in cases.items():
            def ours():
                times[key]["project"].append(statistics.median(
                    time_calls(lambda: upscaler.upscale(pixels), args.warmup, args.iters)))

            def theirs():
                nonlocal framework
                ms, framework = torch_forward_ms(args, *key)
                times[key]["torch"].append(ms)
            for side in ((ours, theirs) if r % 2 == 0 else (theirs, ours)):
                side()
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"CPU: {cpu_line()}")
    print(f"{args.threads} threads each; {framework}; {args.rounds} interleaved rounds of {args.iters} calls after "
          f"{args.warmup} warm-up; LR {args.size}x{args.size}; load average before {before}, after {load_average()}")
    head = f"{'network':<10}{'scale':>6}  {'infer.py pipeline ms':<24}{'PyTorch forward ms':<24}{'ratio':>7}"
    print(head + "\n" + "-" * len(head))
    for (network, scale), got in times.items():
        ours, theirs = summary(got["project"]), summary(got["torch"])
        print(f"{network:<10}{'x' + str(scale):>6}  {f'{ours[0]:.1f} ({ours[1]:.1f}-{ours[2]:.1f})':<24}"
              f"{f'{theirs[0]:.1f} ({theirs[1]:.1f}-{theirs[2]:.1f})':<24}{ours[0] / theirs[0]:>7.2f}")
    if args.json:
        fileio.write_json(args.json, {"cpu": cpu_line(), "threads": args.threads, "torch": framework,
                                      "size": args.size, "rounds": args.rounds, "iters": args.iters,
                                      "cases": [{"network": k[0], "scale": k[1], **v} for k, v in times.items()]})


if __name__ == "__main__":
    main()

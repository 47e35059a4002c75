"""Set infer.py's choice between a paper-protocol model, its robust model and mixes of the two (src/aliasing.py) on
training images.

    python -m tools.calibrate_router [--family fsrcnn] [--scales 2,3,4] [--sets General-100,BSD200]
        [--val_sets Val20] [--levels 5] [--data_dir D] [--threads 0] [--router checkpoints/router.json]

For each scale where configs/<family>/x<scale>.yaml and x<scale>_robust.yaml both have their checkpoint: every image
of --sets is degraded by each interpolating degradation of src/degradations.py (each weighs the same; not nearest
neighbour, degradations.NEAREST) and upscaled by the networks whose weights are (1 - w) paper + w robust, w = 0, 1 /
levels, .., 1. The detector (aliasing.fit_detector) is fitted to tell the unfiltered downscales from the antialiased
ones by the LR's band energies; then the ramp of its score over which w goes from 0 to 1 that gives the most total
PSNR, while no image that the paper model takes below bicubic, and the robust one does not, ends below bicubic
(aliasing.best_ramp), is written with it into --router for the pair "<family>_x<scale>" (the file's other pairs
stay). --val_sets are then scored the same way, per degradation: bicubic, the paper model, the robust model, the
routed choice, the mean share of the robust model's weights and how many images the routed choice takes below
bicubic; the figures go into the file beside the ramp. Test sets are never read.
"""
import argparse
import json
import os

import numpy as np

from src import environment  # noqa: E402
from src.paths import ROOT  # noqa: E402

environment.prepare()

from src import aliasing, degradations, fileio, paths, protocol  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402


def level_networks(family, scale, levels, threads):
    """The served networks (dynamic shapes, as eval.py) of a pair's levels: weights (1 - k / levels) paper +
    (k / levels) robust for k = 0 .. levels; None if a config or checkpoint is missing."""
    from src import checkpoint, inference, models
    from src.config import get_config
    cfgs = [get_config("", ["--config_path", os.path.join(ROOT, "configs", family, f"x{scale}{suffix}.yaml"),
                            "--threads", str(threads)]) for suffix in ("", "_robust")]
    paper, robust = [os.path.join(ROOT, cfg.ckpt_file) for cfg in cfgs]
    if not (os.path.isfile(paper) and os.path.isfile(robust)):
        return None
    spec = models.spec_for(cfgs[0])
    return [inference.make_dynamic(spec.inference_form(checkpoint.mixed_network(paper, robust, k / levels, spec)),
                                   spec.channels) for k in range(levels + 1)]


def scored(nets, set_names, data_dir, scale):
    """{degradation: {"features" (aliasing.features or None), "bicubic" (Y PSNR, dB): [...], "levels": [[Y PSNR of
    each level's network] per image]}}."""
    from src import dataset, evaluate
    table = {}
    for name in degradations.INTERPOLATING:
        rows = table[name] = {"features": [], "bicubic": [], "levels": []}
        for set_name in set_names:
            images = dataset.load_eval_set(set_name, data_dir, scale, protocol.LUMA, name)
            images = [image for image in images if min(image[1].shape) >= evaluate.smallest_side(scale, False)]
            rows["features"] += [aliasing.features(lr) for _, _, lr in images]
            per_level = [evaluate.score_set(net, images, scale, with_ssim=False, with_bicubic=k == 0)[1]
                         for k, net in enumerate(nets)]
            rows["bicubic"] += [per_level[0][key]["bicubic_psnr"] for key, _, _ in images]
            rows["levels"] += [[found[key]["psnr"] for found in per_level] for key, _, _ in images]
    return table


def scores(rows, detector):
    return np.array([float("-inf") if f is None else detector(f) for f in rows["features"]])


def fit(train, scale):
    """The detector: unfiltered LR (INTER_CUBIC, and INTER_LINEAR at x3/x4, where it samples without filtering)
    against antialiased LR (MATLAB's bicubic, Pillow's bicubic and Lanczos); INTER_AREA, a box filter, and INTER_LINEAR
    at x2 (the same 2x2 mean) sit between the two and are left out of the fit."""
    unfiltered = ["cv2_cubic"] + (["cv2_linear"] if scale > 2 else [])
    x, aliased = [], []
    for name in unfiltered + ["matlab_bicubic", "pil_bicubic", "pil_lanczos"]:
        found = [f for f in train[name]["features"] if f is not None]
        x += found
        aliased += [name in unfiltered] * len(found)
    return aliasing.fit_detector(np.array(x), np.array(aliased))


def routed_summary(table, route):
    """Per degradation: mean PSNR of bicubic, each model and the routed choice, the robust model's mean share of
    the weights, and how many images the routed choice takes below bicubic."""
    summary = {}
    for name, rows in table.items():
        psnr, bicubic = np.array(rows["levels"]), np.array(rows["bicubic"])
        levels = route.levels_of(scores(rows, route.detector))
        chosen = psnr[np.arange(len(psnr)), levels]
        summary[name] = {"bicubic": round(float(bicubic.mean()), 3),
                         "paper": round(float(psnr[:, 0].mean()), 3),
                         "robust": round(float(psnr[:, -1].mean()), 3),
                         "routed": round(float(chosen.mean()), 3),
                         "robust_share": round(float(np.mean(levels) / route.levels), 3),
                         "routed_below_bicubic": int(np.sum(chosen < bicubic))}
    return summary


def calibrate(family, scale, args):
    nets = level_networks(family, scale, args.levels, args.threads)
    if nets is None:
        print(f"{family} x{scale}: no robust model (or no paper model) yet, skipped")
        return None
    train = scored(nets, args.sets.split(","), args.data_dir, scale)
    detector = fit(train, scale)
    every = np.concatenate([scores(rows, detector) for rows in train.values()])
    psnr = np.concatenate([rows["levels"] for rows in train.values()])
    bicubic = np.concatenate([rows["bicubic"] for rows in train.values()])
    low, high = aliasing.best_ramp(every, psnr, bicubic)
    route = aliasing.Route(detector, low, high, args.levels)
    entry = {"ramp": [low, high], "levels": args.levels,
             "detector": {"mean": list(detector.mean), "std": list(detector.std),
                          "weights": list(detector.weights), "bias": detector.bias},
             "calibrated_on": args.sets, "train": routed_summary(train, route)}
    if args.val_sets:
        entry["validated_on"] = args.val_sets
        entry["validation"] = routed_summary(scored(nets, args.val_sets.split(","), args.data_dir, scale), route)
    print(f"{family} x{scale}: ramp {low:.2f} to {high:.2f}, {args.levels} levels")
    for part in ("train", "validation"):
        for name, row in entry.get(part, {}).items():
            print(f"  {part:<10} {name:<15} bicubic {row['bicubic']:.2f}  paper {row['paper']:.2f}  robust "
                  f"{row['robust']:.2f}  routed {row['routed']:.2f}  robust share {100 * row['robust_share']:.0f}%  "
                  f"below bicubic {row['routed_below_bicubic']}", flush=True)
    return entry


def pair_options(parser):
    """The options of the pairs and images that this tool and tools.study_blends read."""
    parser.add_argument("--family", default="fsrcnn", choices=("fsrcnn", "fsrcnn-s"))
    parser.add_argument("--scales", default="2,3,4")
    parser.add_argument("--sets", default="General-100,BSD200")
    parser.add_argument("--val_sets", default="Val20")
    parser.add_argument("--data_dir", default="")
    parser.add_argument("--levels", type=int, default=5, help="mixes from the paper model to the robust one")
    parser.add_argument("--threads", type=int, default=0)


@cli_entry
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    pair_options(parser)
    parser.add_argument("--router", default=os.path.join(ROOT, aliasing.ROUTER_FILE))
    args = parser.parse_args(argv)
    from src import device
    from src.config import get_config
    device.setup(get_config("", ["--threads", str(args.threads)]))
    fileio.check_output_file(args.router, "--router")
    aliasing.read_routes(args.router)  # a broken file is refused before any work
    if not 1 <= args.levels <= aliasing.MAX_LEVELS:
        raise UserError(f"--levels must be from 1 to {aliasing.MAX_LEVELS}, got {args.levels}")
    for scale in (int(s) for s in args.scales.split(",")):
        entry = calibrate(args.family, scale, args)
        if entry is None:
            continue
        data = {"pairs": {}}
        if os.path.isfile(args.router):
            with open(args.router, encoding="utf-8") as f:
                data = json.load(f)
        data["about"] = ("infer.py runs, for an LR image of src/aliasing.py score x, the network whose weights are "
                         "(1 - w) paper-protocol model + w robust model, w going from 0 at ramp[0] to 1 at ramp[1] "
                         "in steps of 1 / levels; set by python -m tools.calibrate_router (docs/robust.md)")
        data["pairs"][f"{args.family}_x{scale}"] = entry
        data["pairs"] = dict(sorted(data["pairs"].items()))
        fileio.write_json(args.router, data)
    print(f"written: {os.path.relpath(args.router, paths.ROOT)}")


if __name__ == "__main__":
    main()

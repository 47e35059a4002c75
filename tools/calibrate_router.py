"""Set infer.py's choice between a paper-protocol model and its robust model (src/aliasing.py) on training images.

    python -m tools.calibrate_router [--family fsrcnn] [--scales 2,3,4] [--sets General-100,BSD200]
        [--val_sets Val20] [--data_dir D] [--threads 0] [--router checkpoints/router.json]

For each scale where configs/<family>/x<scale>.yaml and x<scale>_robust.yaml both have their checkpoint: every image
of --sets is degraded by each degradation of src/degradations.py (each degradation weighs the same) and both models
upscale it. The detector (aliasing.fit_detector) is fitted to tell the unfiltered downscales from the antialiased
ones by the LR's band energies; then the threshold on its score that gives the most total PSNR (the robust model
above it, the paper model below), while sending the robust model every image that the paper model takes below
bicubic and the robust one does not, is written with it into --router for the pair "<family>_x<scale>" (the file's
other pairs stay). --val_sets are then scored the same way, per degradation: bicubic, the paper model, the robust
model, the routed choice, the share of images routed to the robust model and how many the routed choice takes
below bicubic; the figures go into the file beside the threshold. Test sets are never read.
"""
import argparse
import json
import os

import numpy as np

from src import environment  # noqa: E402
from src.paths import ROOT  # noqa: E402

environment.prepare()

from src import aliasing, degradations, fileio, paths, protocol  # noqa: E402
from src.errors import cli_entry  # noqa: E402

MODELS = ("paper", "robust")


def scored(nets, set_names, data_dir, scale):
    """{degradation: {"features" (aliasing.features or None), "paper", "robust", "bicubic" (Y PSNR, dB): [...]}} per
    image of the sets."""
    from src import dataset, evaluate
    table = {}
    for name in degradations.NAMES:
        rows = table[name] = {"features": [], "paper": [], "robust": [], "bicubic": []}
        for set_name in set_names:
            images = dataset.load_eval_set(set_name, data_dir, scale, protocol.LUMA, name)
            images = [image for image in images if min(image[1].shape) >= evaluate.smallest_side(scale, False)]
            rows["features"] += [aliasing.features(lr) for _, _, lr in images]
            for model in MODELS:
                per_image = evaluate.score_set(nets[model], images, scale, with_ssim=False,
                                               with_bicubic=model == "paper")[1]
                rows[model] += [per_image[key]["psnr"] for key, _, _ in images]
                if model == "paper":
                    rows["bicubic"] += [per_image[key]["bicubic_psnr"] for key, _, _ in images]
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
    """Per degradation: mean PSNR of bicubic, each model and the routed choice, the share routed to the robust one,
    and how many images the routed choice takes below bicubic."""
    summary = {}
    for name, rows in table.items():
        robust = scores(rows, route.detector) > route.threshold
        chosen = np.where(robust, rows["robust"], rows["paper"])
        summary[name] = {"bicubic": round(float(np.mean(rows["bicubic"])), 3),
                         "paper": round(float(np.mean(rows["paper"])), 3),
                         "robust": round(float(np.mean(rows["robust"])), 3),
                         "routed": round(float(np.mean(chosen)), 3),
                         "share_robust": round(float(np.mean(robust)), 3),
                         "routed_below_bicubic": int(np.sum(chosen < np.asarray(rows["bicubic"])))}
    return summary


def calibrate(family, scale, args):
    from tools.robust_table import network_of_config
    nets = {model: network_of_config(os.path.join(ROOT, "configs", family, f"x{scale}{suffix}.yaml"), args.threads)
            for model, suffix in (("paper", ""), ("robust", "_robust"))}
    if any(net is None for net in nets.values()):
        print(f"{family} x{scale}: no robust model (or no paper model) yet, skipped")
        return None
    train = scored(nets, args.sets.split(","), args.data_dir, scale)
    detector = fit(train, scale)

    def flat(key):
        return np.array([v for rows in train.values() for v in rows[key]])
    paper, robust, bicubic = flat("paper"), flat("robust"), flat("bicubic")
    every = np.concatenate([scores(rows, detector) for rows in train.values()])
    # never the paper model on an image it takes below bicubic where the robust model does not
    threshold = round(aliasing.best_threshold(every, robust - paper, (paper < bicubic) & (robust >= bicubic)), 4)
    route = aliasing.Route(detector, threshold)
    entry = {"threshold": threshold, "detector": {"mean": list(detector.mean), "std": list(detector.std),
                                                  "weights": list(detector.weights), "bias": detector.bias},
             "calibrated_on": args.sets, "train": routed_summary(train, route)}
    if args.val_sets:
        entry["validated_on"] = args.val_sets
        entry["validation"] = routed_summary(scored(nets, args.val_sets.split(","), args.data_dir, scale), route)
    print(f"{family} x{scale}: threshold {threshold:.4f}")
    for part in ("train", "validation"):
        for name, row in entry.get(part, {}).items():
            print(f"  {part:<10} {name:<15} bicubic {row['bicubic']:.2f}  paper {row['paper']:.2f}  robust "
                  f"{row['robust']:.2f}  routed {row['routed']:.2f}  robust for {100 * row['share_robust']:.0f}%  "
                  f"below bicubic {row['routed_below_bicubic']}", flush=True)
    return entry


@cli_entry
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", default="fsrcnn", choices=("fsrcnn", "fsrcnn-s"))
    parser.add_argument("--scales", default="2,3,4")
    parser.add_argument("--sets", default="General-100,BSD200")
    parser.add_argument("--val_sets", default="Val20")
    parser.add_argument("--data_dir", default="")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--router", default=os.path.join(ROOT, aliasing.ROUTER_FILE))
    args = parser.parse_args(argv)
    from src import device
    from src.config import get_config
    device.setup(get_config("", ["--threads", str(args.threads)]))
    fileio.check_output_file(args.router, "--router")
    aliasing.read_routes(args.router)  # a broken file is refused before any work
    for scale in (int(s) for s in args.scales.split(",")):
        entry = calibrate(args.family, scale, args)
        if entry is None:
            continue
        data = {"pairs": {}}
        if os.path.isfile(args.router):
            with open(args.router, encoding="utf-8") as f:
                data = json.load(f)
        data["about"] = ("infer.py runs the robust model of a pair where src/aliasing.py's score of the LR image "
                         "is above the threshold, else the paper-protocol model; set by python -m "
                         "tools.calibrate_router (docs/robust.md)")
        data["pairs"][f"{args.family}_x{scale}"] = entry
        data["pairs"] = dict(sorted(data["pairs"].items()))
        fileio.write_json(args.router, data)
    print(f"written: {os.path.relpath(args.router, paths.ROOT)}")


if __name__ == "__main__":
    main()

"""Mixing a shipped pair's two models: their outputs against their weights, and either against one or the other
(docs/robust.md).

    python -m tools.study_blends [--family fsrcnn] [--scales 2,3,4] [--sets General-100,BSD200] [--val_sets Val20]
        [--levels 5] [--data_dir D] [--threads 0] [--json FILE]

Each image of --sets and --val_sets, degraded by each interpolating degradation of src/degradations.py, is upscaled
two ways at weights w = 0, 1/levels, ..., 1 between the paper-protocol model (w = 0) and the robust one (w = 1): the
outputs mixed, (1 - w) paper + w robust (both networks run), and the weights mixed, one network whose parameters are
(1 - w) paper + w robust (the robust models are fine-tuned from the paper ones, so the mix stays a working network).
A ramp on the router's score (checkpoints/router.json's detector) sets w per image, fitted on --sets for each kind of
mix as tools.calibrate_router fits infer.py's (aliasing.best_ramp); --val_sets are then scored per degradation with
the best step (one model or the other), the output ramp and the weight ramp. Test sets are never read.
"""
import argparse

import numpy as np

from src import environment  # noqa: E402

environment.prepare()

from src import aliasing, degradations, fileio  # noqa: E402
from src.errors import cli_entry  # noqa: E402
from tools import calibrate_router  # noqa: E402


def scored(nets, route, set_names, data_dir, scale):
    """Rows [degradation index, score, bicubic PSNR, output mixes' PSNR at each level..., weight mixes' ...]."""
    from src import dataset, evaluate, inference, protocol
    levels = len(nets) - 1
    rows = []
    for index, name in enumerate(degradations.INTERPOLATING):
        for set_name in set_names:
            for _, hr, lr in dataset.load_eval_set(set_name, data_dir, scale, protocol.LUMA, name):
                if min(hr.shape) < evaluate.smallest_side(scale, False):
                    continue
                outputs = [inference.predict(net, lr) for net in nets]

                def psnr(sr, bicubic=False):
                    return evaluate.score_image(protocol.round_uint8(sr), hr, lr, scale, False, bicubic)
                first = psnr(outputs[0], bicubic=True)
                mixed = [psnr((1 - k / levels) * outputs[0] + k / levels * outputs[-1])["psnr"]
                         for k in range(levels + 1)]
                rows.append([index, aliasing.score(lr, route.detector), first["bicubic_psnr"]] + mixed
                            + [psnr(sr)["psnr"] for sr in outputs])
    return np.array(rows)


def mixes(rows, levels):
    """{"step" (one model or the other), "outputs", "weights": the PSNR of each level, images x (levels + 1)}."""
    found = {"outputs": rows[:, 3:4 + levels], "weights": rows[:, 4 + levels:]}
    return {"step": found["weights"][:, [0, -1]], **found}


def summary(rows, psnr, ramp):
    """Per degradation: the mean PSNR against the paper model's and bicubic's, and the images below bicubic."""
    result = psnr[np.arange(len(rows)), aliasing.Route(None, *ramp, psnr.shape[1] - 1).levels_of(rows[:, 1])]
    out = {}
    for index, name in enumerate(degradations.INTERPOLATING):
        on = rows[:, 0] == index
        out[name] = {"vs_paper": round(float(result[on].mean() - psnr[on, 0].mean()), 3),
                     "vs_bicubic": round(float(result[on].mean() - rows[on, 2].mean()), 3),
                     "below_bicubic": int(np.sum(result[on] < rows[on, 2]))}
    return out


def study(family, scale, args):
    route = aliasing.read_routes().get(f"{family}_x{scale}")
    nets = calibrate_router.level_networks(family, scale, args.levels, args.threads)
    if route is None or nets is None:
        print(f"{family} x{scale}: no shipped pair, skipped")
        return None
    train = scored(nets, route, args.sets.split(","), args.data_dir, scale)
    val = scored(nets, route, args.val_sets.split(","), args.data_dir, scale)
    entry = {"ramps": {}, "validation": {}}
    print(f"{family} x{scale} on {args.val_sets} (mean PSNR against the paper model's and bicubic's, dB; images "
          f"below bicubic):")
    for (name, fitted), checked in zip(mixes(train, args.levels).items(), mixes(val, args.levels).values()):
        ramp = entry["ramps"][name] = aliasing.best_ramp(train[:, 1], fitted, train[:, 2])
        found = entry["validation"][name] = summary(val, checked, ramp)
        cells = [f"{d} {v['vs_paper']:+.2f} / {v['vs_bicubic']:+.2f} / {v['below_bicubic']}"
                 for d, v in found.items()]
        print(f"  {name:<8} ramp {ramp[0]:6.2f} .. {ramp[1]:6.2f}: " + ", ".join(cells), flush=True)
    return entry


@cli_entry
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    calibrate_router.pair_options(parser)
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    from src import device
    from src.config import get_config
    device.setup(get_config("", ["--threads", str(args.threads)]))
    if args.json:
        fileio.check_output_file(args.json, "--json")
    found = {f"{args.family}_x{scale}": study(args.family, scale, args)
             for scale in (int(s) for s in args.scales.split(","))}
    if args.json:
        fileio.write_json(args.json, {key: entry for key, entry in found.items() if entry})


if __name__ == "__main__":
    main()

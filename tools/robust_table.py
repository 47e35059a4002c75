"""The robustness table of docs/robust.md: Y PSNR of bicubic, the paper-protocol model, the robust model and OpenCV's
FSRCNN, with the LR made by each degradation of src/degradations.py.

    python -m tools.robust_table [--family fsrcnn] [--scales 2,3,4] [--sets Set5,Set14,BSD100] [--data_dir D]
        [--threads 0] [--opencv_python .venv-opencv/bin/python] [--opencv_models DIR]
        [--json docs/results/robust_fsrcnn.json]
        [--render docs/robust.md] [--from_json]

For each scale and set (sets missing from the data folder are left out) and each degradation: the bicubic upscaling
of the LR the networks read (eval.py's bic PSNR), configs/<family>/x<scale>.yaml (the paper-protocol model) and
configs/<family>/x<scale>_robust.yaml (its checkpoint where it exists, else "–"), scored as eval.py --degradation
does (shave = scale), and "auto", what infer.py runs by default: per image the paper model, the robust model or a mix
of their weights, by src/aliasing.py's score of the LR on the pair's ramp in checkpoints/router.json (python -m
tools.calibrate_router). OpenCV's FSRCNN (the published .pb graphs in --opencv_models,
FSRCNN-small for fsrcnn-s, run by cv2.dnn_superres) upscales the 8-bit RGB LR image of the same degradation (for
matlab_bicubic: MATLAB's imresize of the RGB image, rounded) and is scored on the Y of its RGB output; it needs
opencv-contrib-python-headless 4.x, here or in --opencv_python (python3 -m venv .venv-opencv &&
.venv-opencv/bin/pip install 'opencv-contrib-python-headless<5'); without it the column is "–".
--json keeps the figures; --render writes the tables between the markers of that page; --from_json renders the
--json file without computing anything.
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

import numpy as np

from src import environment  # noqa: E402
from src.paths import ROOT  # noqa: E402

environment.prepare()

from src import aliasing, degradations, protocol  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402
from tools import calibrate_router  # noqa: E402

OPENCV_MODEL = {"fsrcnn": "FSRCNN_x{scale}.pb", "fsrcnn-s": "FSRCNN-small_x{scale}.pb"}
TITLE = {"fsrcnn": "FSRCNN(56, 12, 4)", "fsrcnn-s": "FSRCNN-s (32, 5, 1)"}
COLUMNS = ("bicubic", "paper", "robust", "auto", "opencv")
DASH = "–"


def markers(family):
    return (f"<!-- robust table {family}: python -m tools.robust_table --family {family} --render docs/robust.md -->",
            f"<!-- end of robust table {family} -->")


# ---------------------------------------------------------------- OpenCV's FSRCNN, here or in another Python
_OPENCV_RUNNER = r"""
import sys
import cv2
import numpy as np
model, scale, data, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sr = cv2.dnn_superres.DnnSuperResImpl_create()
sr.readModel(model)
sr.setModel("fsrcnn", scale)
lrs = np.load(data)
np.savez(out, **{key: sr.upsample(np.ascontiguousarray(lrs[key][..., ::-1]))[..., ::-1] for key in lrs.files})
"""


def opencv_python(requested):
    """A Python that has cv2.dnn_superres (tools.peer_opencv finds it), or None."""
    from tools import peer_opencv
    try:
        return peer_opencv.opencv_python(requested)
    except UserError:
        return None


def opencv_upscale(python, model, scale, lrs):
    """{name: RGB uint8 output} of OpenCV's FSRCNN on {name: RGB uint8 LR}."""
    with tempfile.TemporaryDirectory() as tmp:
        data, out = os.path.join(tmp, "lr.npz"), os.path.join(tmp, "sr.npz")
        np.savez(data, **lrs)
        subprocess.run([python, "-c", _OPENCV_RUNNER, model, str(scale), data, out], check=True, timeout=3600)
        with np.load(out) as outputs:
            return {key: outputs[key] for key in outputs.files}


def rgb_lr(pixels, scale, name):
    """The 8-bit RGB LR image of a degradation (what OpenCV's FSRCNN reads): the library's own output, or for the
    paper's MATLAB's imresize of the RGB image rounded as a saved file."""
    rgb = degradations.as_colour(pixels, "rgb")
    hr = protocol.modcrop(rgb, scale)
    if name == degradations.PAPER:
        return protocol.round_uint8(protocol.imresize(hr, 1.0 / scale))
    return degradations.downscale(hr, scale, name)


# ---------------------------------------------------------------- the figures
def network_of_config(config_path, threads):
    """The served network of a config's checkpoint (dynamic shapes, as eval.py), or None if there is no such config
    or checkpoint yet."""
    from src import inference, models
    from src.config import get_config
    if not os.path.isfile(config_path):
        return None
    cfg = get_config("", ["--config_path", config_path, "--threads", str(threads)])
    cfg.ckpt_file = os.path.join(ROOT, cfg.ckpt_file)
    if not os.path.isfile(cfg.ckpt_file):
        return None
    spec = models.spec_for(cfg)
    return inference.make_dynamic(inference.served_network(spec), spec.channels)


def routed_psnr(route, mixes, per_image, images, scale):
    """Mean Y PSNR of the images, each upscaled by the network the route gives its LR: the paper and robust models'
    per-image figures, the mixes (calibrate_router.level_networks) scored here on the images they get."""
    from src import evaluate
    levels = {key: route.model_for(lr)[0] for key, _, lr in images}
    known = {0: per_image["paper"], route.levels: per_image["robust"]}
    psnr = {}
    for level in sorted(set(levels.values())):
        group = [image for image in images if levels[image[0]] == level]
        found = known.get(level) or evaluate.score_set(mixes[level], group, scale, with_ssim=False,
                                                       with_bicubic=False)[1]
        psnr.update({key: found[key]["psnr"] for key, _, _ in group})
    return float(np.mean(list(psnr.values())))


def compute(family, scales, sets, data_dir, threads, python, models_dir):
    from src import dataset, device, evaluate, metrics
    from src.config import get_config
    device.setup(get_config("", ["--threads", str(threads)]))
    figures = {"family": family, "degradations": list(degradations.NAMES), "scales": {}}
    for scale in scales:
        route = aliasing.read_routes().get(f"{family}_x{scale}")
        mixes = calibrate_router.level_networks(family, scale, route.levels, threads) if route else None
        if mixes:  # the pair's ends are its paper and robust models (shares 0 and 1: their weights exactly)
            nets = {"paper": mixes[0], "robust": mixes[-1]}
        else:
            nets = {"paper": network_of_config(os.path.join(ROOT, "configs", family, f"x{scale}.yaml"), threads),
                    "robust": network_of_config(os.path.join(ROOT, "configs", family, f"x{scale}_robust.yaml"),
                                                threads)}
        model = os.path.join(models_dir, OPENCV_MODEL[family].format(scale=scale))
        use_opencv = python is not None and os.path.isfile(model)
        per_scale = figures["scales"][str(scale)] = {}
        for set_name in sets:
            rows = per_scale[set_name] = {}
            pixels = {}  # the set's files, read once, for OpenCV's column
            if use_opencv:
                files = protocol.list_images(dataset.resolve_data(set_name, data_dir))
                pixels = {os.path.splitext(os.path.basename(f))[0]: degradations.read_pixels(f) for f in files}
            for name in degradations.NAMES:
                images = dataset.load_eval_set(set_name, data_dir, scale, protocol.LUMA, name)
                row = {"bicubic": float(np.mean([
                    metrics.psnr(protocol.bicubic_upscale(lr, scale), hr, scale) for _, hr, lr in images]))}
                per_image = {column: evaluate.score_set(net, images, scale, with_ssim=False, with_bicubic=False)[1]
                             for column, net in nets.items() if net is not None}
                for column in nets:
                    row[column] = evaluate.mean_scores(per_image[column])["psnr"] if column in per_image else None
                row["auto"] = None  # infer.py's default: each image to the network its LR gets
                if route is not None and len(per_image) == len(nets):
                    row["auto"] = routed_psnr(route, mixes, per_image, images, scale)
                row["opencv"] = None
                if use_opencv:
                    outputs = opencv_upscale(python, model, scale,
                                             {key: rgb_lr(pixels[key], scale, name) for key, _, _ in images})
                    row["opencv"] = float(np.mean([
                        evaluate.score_image(outputs[key], hr, None, scale, False, False)["psnr"]
                        for key, hr, _ in images]))
                rows[name] = row
                shown = "  ".join(f"{c} {row[c]:.2f}" if row[c] is not None else f"{c} {DASH}" for c in COLUMNS)
                print(f"x{scale} {set_name:<8} {name:<15} {shown}", flush=True)
    return figures


# ---------------------------------------------------------------- the tables
def _cell(value, best):
    if value is None:
        return DASH
    text = f"{value:.2f}"
    return f"**{text}**" if best is not None and value == best else text


def render(figures):
    """Markdown: one table per set, rows = degradations, columns = bicubic / paper / robust / OpenCV per scale."""
    family, scales = figures["family"], sorted(figures["scales"], key=int)
    sets = [s for s in ("Set5", "Set14", "BSD100") if any(s in figures["scales"][k] for k in scales)]
    sets += sorted({s for k in scales for s in figures["scales"][k]} - set(sets))
    start, end = markers(family)
    lines = [start, ""]
    for set_name in sets:
        present = [k for k in scales if set_name in figures["scales"][k]]
        lines += [f"{TITLE[family]}, {set_name} (Y PSNR, dB; the best of each scale in bold):", ""]
        head = "| LR made by | " + " | ".join(f"x{k} {c}" for k in present for c in COLUMNS) + " |"
        lines += [head, "|---|" + "---:|" * (len(present) * len(COLUMNS))]
        for name in figures["degradations"]:
            cells = []
            for k in present:
                row = figures["scales"][k][set_name][name]
                known = [row[c] for c in COLUMNS if row.get(c) is not None]
                cells += [_cell(row.get(c), max(known) if known else None) for c in COLUMNS]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += targets(figures, sets) + [end]
    return "\n".join(lines)


def _margins(figures, scale, column, reference, degradation_names, sets):
    """Per set: the smallest of column - reference (dB) over the given degradations; None where a figure is
    missing."""
    out = []
    for set_name in sets:
        rows = figures["scales"][scale].get(set_name, {})
        pairs = [(rows.get(name, {}).get(column), rows.get(name, {}).get(reference)) for name in degradation_names]
        known = all(a is not None and b is not None for a, b in pairs)
        out.append(min(a - b for a, b in pairs) if known else None)
    return out


def targets(figures, sets):
    """The issue's three targets for the robust and auto columns, per scale (margins in dB, per set), and the
    margins over bicubic under nearest neighbour and under JPEG."""
    def cell(margins, bound):
        if not margins or any(m is None for m in margins):
            return DASH
        shown = " / ".join(f"{m:+.2f}" for m in margins)
        return f"{shown} ({'met' if min(round(m, 2) for m in margins) >= bound else 'not met'})"
    listed = ", ".join(sets)
    # the issue's +0.30 dB over bicubic is asked of the downscales that interpolate; of nearest neighbour and of a
    # downscale saved as a JPEG (degradations.COMPRESSED), not being below bicubic
    groups = [[name for name in figures["degradations"] if name in group]
              for group in (degradations.INTERPOLATING, degradations.NEAREST, degradations.COMPRESSED)]
    lines = [f"Targets, margins per set ({listed}; dB, judged at 0.01 dB): the smallest margin over bicubic "
             "under the downscales that interpolate (target +0.30), under nearest neighbour and under a downscale "
             "saved as a JPEG (target >= 0), against OpenCV's FSRCNN under `cv2_cubic` (target >= 0) and against "
             "the paper model under `matlab_bicubic` (target >= -0.30):", "",
             "| scale | model | over bicubic, worst degradation | over bicubic, nearest | over bicubic, JPEG | "
             "vs OpenCV, cv2_cubic | vs paper, matlab_bicubic |",
             "|---|---|---|---|---|---|---|"]
    asked = [("bicubic", groups[0], 0.3), ("bicubic", groups[1], 0.0), ("bicubic", groups[2], 0.0),
             ("opencv", ["cv2_cubic"], 0.0), ("paper", [degradations.PAPER], -0.3)]  # (reference, names, bound)
    for scale in sorted(figures["scales"], key=int):
        for column in ("robust", "auto"):
            cells = [cell(_margins(figures, scale, column, reference, names, sets) if names else [], bound)
                     for reference, names, bound in asked]
            lines.append(f"| x{scale} | {column} | " + " | ".join(cells) + " |")
    return lines + [""]


def summary_markers(family):
    return (f"<!-- robust summary {family}: python -m tools.robust_table --family {family} --from_json --json "
            f"docs/results/robust_{family}.json --render README.md -->", f"<!-- end of robust summary {family} -->")


def render_summary(figures, set_name="Set5"):
    """Markdown for the README: one set, rows = degradations, columns = bicubic / paper / infer.py's default (auto)
    / OpenCV per scale."""
    family, scales = figures["family"], sorted(figures["scales"], key=int)
    columns = ("bicubic", "paper", "auto", "opencv")
    start, end = summary_markers(family)
    lines = [start, "", f"{TITLE[family]} on {set_name}, Y PSNR (dB); `auto` is what infer.py runs for a photo:", "",
             "| LR made by | " + " | ".join(f"x{k} {c}" for k in scales for c in columns) + " |",
             "|---|" + "---:|" * (len(scales) * len(columns))]
    for name in figures["degradations"]:
        rows = [figures["scales"][k][set_name][name] for k in scales]
        lines.append(f"| {name} | " + " | ".join(_cell(row.get(c), None) for row in rows for c in columns) + " |")
    return "\n".join(lines + ["", end])


def replace_block(text, block, family, marks=markers):
    start, end = marks(family)
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"no '{start}' ... '{end}' block to replace")
    return pattern.sub(lambda _: block, text)


@cli_entry
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", default="fsrcnn", choices=sorted(OPENCV_MODEL))
    parser.add_argument("--scales", default="2,3,4")
    parser.add_argument("--sets", default="Set5,Set14,BSD100")
    parser.add_argument("--data_dir", default="")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--opencv_python", default=".venv-opencv/bin/python")
    parser.add_argument("--opencv_models", default="", help="folder of OpenCV's FSRCNN .pb graphs (empty: no column)")
    parser.add_argument("--json", default="")
    parser.add_argument("--render", default="")
    parser.add_argument("--from_json", action="store_true")
    args = parser.parse_args(argv)
    if args.from_json:
        with open(args.json, encoding="utf-8") as f:
            figures = json.load(f)
    else:
        from src import dataset
        sets = [s for s in args.sets.split(",")
                if os.path.isdir(os.path.join(dataset.data_folder(args.data_dir), s)) or os.path.isdir(s)]
        python = opencv_python(args.opencv_python)
        if python is None:
            print(f"OpenCV's dnn_superres is not available (here or at {args.opencv_python}): its column is {DASH}")
        figures = compute(args.family, [int(s) for s in args.scales.split(",")], sets, args.data_dir, args.threads,
                          python, args.opencv_models)
        if args.json:
            from src import fileio
            fileio.write_json(args.json, figures)
    table = render(figures)
    if args.render:  # the page's blocks of this family: the full tables, the README's summary, or both
        with open(args.render, encoding="utf-8") as f:
            text = f.read()
        blocks = [(table, markers), (render_summary(figures), summary_markers)]
        found = [(block, marks) for block, marks in blocks if marks(args.family)[0] in text]
        if not found:
            raise UserError(f"{args.render}: no robust table or summary block of {args.family} to replace")
        for block, marks in found:
            text = replace_block(text, block, args.family, marks)
        from src import fileio
        fileio.write_text(args.render, text)
    else:
        print(table)


if __name__ == "__main__":
    main()

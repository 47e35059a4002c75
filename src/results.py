"""The README results table: rendered from the files `eval.py --json` writes for each shipped config
(scripts/make_results.py), next to bicubic, the paper and the issue's targets.

The published figures live here and nowhere else. FSRCNN: the paper's 91 + General-100 models (BSD100 PSNR and all
SSIM as later papers re-evaluate the official models, REFERENCE section 3). FSRCNN-s: the paper's Set5 figures.
FMEN-S: beside the paper's larger FMEN (769K parameters, not released; REFERENCE section 7).
"""
import csv
import json
import os
import re

from src import checkpoint, config

MODELS = ("fsrcnn_x2", "fsrcnn_x3", "fsrcnn_x4", "fsrcnn-s_x2", "fsrcnn-s_x3", "fsrcnn-s_x4",
          "fmen-s_x2", "fmen-s_x3", "fmen-s_x4")
TITLES = {"fsrcnn": "FSRCNN", "fsrcnn-s": "FSRCNN-s", "fmen-s": "FMEN-S"}
PAPER_TITLES = {"fmen-s": "FMEN (769K) paper"}
SETS = ("Set5", "Set14", "BSD100")
PAPER = {  # (model family, set, scale): (PSNR, SSIM or None)
    ("fsrcnn", "Set5", 2): (37.00, 0.9558), ("fsrcnn", "Set5", 3): (33.16, 0.9140),
    ("fsrcnn", "Set5", 4): (30.71, 0.8657), ("fsrcnn", "Set14", 2): (32.63, 0.9088),
    ("fsrcnn", "Set14", 3): (29.43, 0.8242), ("fsrcnn", "Set14", 4): (27.59, 0.7535),
    ("fsrcnn", "BSD100", 2): (31.53, 0.8920), ("fsrcnn", "BSD100", 3): (28.53, 0.7910),
    ("fsrcnn", "BSD100", 4): (26.98, 0.7150),
    ("fsrcnn-s", "Set5", 3): (32.63, None), ("fsrcnn-s", "Set5", 4): (30.11, None),
    ("fmen-s", "Set5", 2): (38.10, None), ("fmen-s", "Set5", 3): (34.45, None), ("fmen-s", "Set5", 4): (32.24, None),
    ("fmen-s", "Set14", 2): (33.75, None), ("fmen-s", "Set14", 3): (30.40, None),
    ("fmen-s", "Set14", 4): (28.70, None), ("fmen-s", "BSD100", 2): (32.26, None),
    ("fmen-s", "BSD100", 3): (29.17, None), ("fmen-s", "BSD100", 4): (27.63, None),
}
TARGETS = {  # the PSNR issue 3 asks of FSRCNN (FSRCNN-s: its paper figures)
    ("Set5", 2): 37.10, ("Set5", 3): 33.25, ("Set5", 4): 30.80,
    ("Set14", 2): 32.70, ("Set14", 3): 29.50, ("Set14", 4): 27.65,
    ("BSD100", 2): 31.55, ("BSD100", 3): 28.55, ("BSD100", 4): 27.00,
}
BEGIN, END = "<!-- results table: scripts/make_results.py -->", "<!-- end of results table -->"


def family(model):
    return model.rsplit("_x", 1)[0]


def load(results_dir, model):
    with open(os.path.join(results_dir, f"{model}.json"), encoding="utf-8") as f:
        return json.load(f)


def _pair(psnr, ssim, bold=False):
    if psnr is None:
        return "–"
    text = f"**{psnr:.2f}**" if bold else f"{psnr:.2f}"
    return text + (f" / {ssim:.4f}" if ssim is not None else "")


def _delta(ours, reference):
    return "–" if reference is None else f"{ours - reference:+.2f}"


def table(results_dir, fam):
    """Markdown rows, one per (set, scale), for one model family: FSRCNN is also held to the issue's targets."""
    name = TITLES[fam]
    with_target = fam == "fsrcnn"
    head = f"| set | scale | bicubic | {PAPER_TITLES.get(fam, name + ' paper')} | **{name} ours** | ours − paper |"
    lines = [head + (" ours − target |" if with_target else ""), "|---" * (7 if with_target else 6) + "|"]
    for set_name in SETS:
        for scale in (2, 3, 4):
            model = f"{fam}_x{scale}"
            r = load(results_dir, model)["sets"][set_name]
            paper = PAPER.get((fam, set_name, scale), (None, None))
            row = (f"| {set_name} | x{scale} | {_pair(r['bicubic_psnr'], r['bicubic_ssim'])} | {_pair(*paper)} | "
                   f"{_pair(r['psnr'], r['ssim'], bold=True)} | {_delta(r['psnr'], paper[0])} |")
            lines.append(row + (f" {_delta(r['psnr'], TARGETS[(set_name, scale)])} |" if with_target else ""))
    return lines


def training_row(model, checkpoint_info, log_csv):
    """One row of the training summary: selected epoch, Val20 PSNR, epochs run, seconds per epoch, wall time."""
    with open(log_csv, newline="", encoding="utf-8") as f:
        seconds = [float(r["seconds"]) for r in csv.DictReader(f)]
    return (f"| `configs/{model}.yaml` | {int(checkpoint_info['epoch']) + 1} of {len(seconds)} | "
            f"{checkpoint_info['val_psnr']:.2f} | {min(seconds):.0f}–{max(seconds):.0f} | "
            f"{sum(seconds) / 3600:.1f} h |")


STAGE_SUFFIXES = ("_base", "_transfer", "_restart", "_restart2")  # a model's earlier stages, in training order


def schedule(root, model):
    """The configs that train one shipped model, in order (scripts/train_all.sh): <model>_base (an x3 model's
    first run, which the x2/x4 transfers start from), <model>_transfer (the transfer from that x3 model),
    <model>_restart and <model>_restart2 (warm restarts of the cosine schedule) where the model has them, each
    continuing from the checkpoint of the stage before; then configs/<model>.yaml itself."""
    stages = [model + suffix for suffix in STAGE_SUFFIXES] + [model]
    return [stage for stage in stages if os.path.isfile(os.path.join(root, "configs", f"{stage}.yaml"))]


def training_rows(root):
    """The training summary of every stage of every shipped model, from its checkpoint and its committed log."""
    rows = []
    for model in MODELS:
        for stage in schedule(root, model):
            cfg = config.get_config("", ["--config_path", os.path.join(root, "configs", f"{stage}.yaml")])
            _, info = checkpoint.read(os.path.join(root, cfg.ckpt_file))
            if "epoch" not in info:  # converted, not trained here (FMEN-S x4: the authors' weights)
                continue
            rows.append(training_row(stage, info, os.path.join(root, "docs", "training", f"{stage}_log.csv")))
    return rows


def render(results_dir, summary_rows):
    lines = [BEGIN, "", "FSRCNN(56, 12, 4):", ""] + table(results_dir, "fsrcnn")
    lines += ["", "FSRCNN-s (32, 5, 1):", ""] + table(results_dir, "fsrcnn-s")
    lines += ["", "FMEN-S (x4: the authors' weights, converted; x2, x3: their x4 body and a new tail, fine-tuned "
              "here):", ""] + table(results_dir, "fmen-s")
    lines += ["", "| config | selected epoch (Val20) | Val20 PSNR | seconds per epoch | training time |",
              "|---|---|---|---|---|"] + list(summary_rows) + ["", END]
    return "\n".join(lines)


def replace_block(text, block):
    """text with the part between BEGIN and END (markers included) replaced by block."""
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"no '{BEGIN}' ... '{END}' block to replace")
    return pattern.sub(lambda _: block, text)

"""The README results table: rendered from the files `eval.py --json` writes for each shipped config
(python -m tools.make_results), next to bicubic, the paper and the targets set for FSRCNN; and the training chains
that configs/<family>/chain.yaml declares (read here for the table and by scripts/train_all.sh).

The published figures live here and nowhere else. FSRCNN: the paper's 91 + General-100 models (BSD100 PSNR and all
SSIM as later papers re-evaluate the official models, docs/protocol.md section 3). FSRCNN-s: the paper's Set5 figures.
FMEN-S: beside the paper's larger FMEN (769K parameters, not released; docs/protocol.md section 7).
"""
import csv
import json
import os
import re

import yaml

from src import config

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
TARGETS = {  # the PSNR asked of FSRCNN (FSRCNN-s: its paper figures)
    ("Set5", 2): 37.10, ("Set5", 3): 33.25, ("Set5", 4): 30.80,
    ("Set14", 2): 32.70, ("Set14", 3): 29.50, ("Set14", 4): 27.65,
    ("BSD100", 2): 31.55, ("BSD100", 3): 28.55, ("BSD100", 4): 27.00,
}
BEGIN, END = "<!-- results table: python -m tools.make_results -->", "<!-- end of results table -->"


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
    """Markdown rows, one per (set, scale), for one model family: FSRCNN is also held to its targets (TARGETS)."""
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


def training_row(config_file, checkpoint_info, log_csv):
    """One row of the training summary: selected epoch, Val20 PSNR, epochs run, seconds per epoch, wall time."""
    with open(log_csv, newline="", encoding="utf-8") as f:
        seconds = [float(r["seconds"]) for r in csv.DictReader(f)]
    return (f"| `{config_file}` | {int(checkpoint_info['epoch']) + 1} of {len(seconds)} | "
            f"{checkpoint_info['val_psnr']:.2f} | {min(seconds):.0f}–{max(seconds):.0f} | "
            f"{sum(seconds) / 3600:.1f} h |")


def read_chains(root, fam):
    """{model name: [stage, ...]} of configs/<fam>/chain.yaml, in the file's order, each stage as "<fam>/<name>".

    A chain lists the configs that train one shipped model, in training order: each stage starts from the checkpoint
    of the one before; the last is the shipped model itself (configs/<fam>/<model name>.yaml), the others are
    configs/<fam>/stages/<name>.yaml. {} where the family has no chain.yaml."""
    path = os.path.join(root, "configs", fam, "chain.yaml")
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        chains = yaml.safe_load(f) or {}
    if not isinstance(chains, dict):
        raise ValueError(f"{path}: expected a mapping of model name -> list of stage names")
    for key, names in chains.items():
        if (not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names)
                or names[-1] != key or len(set(names)) != len(names)):
            raise ValueError(f"{path}: {key}: expected a list of distinct stage names ending with {key!r}")
    return {key: [f"{fam}/{name}" for name in names] for key, names in chains.items()}


def stages(root, fam, key=None):
    """The stages of one chain of configs/<fam>/chain.yaml (key given), else of all of them, in training order."""
    chains = read_chains(root, fam)
    if key is not None:
        return list(chains.get(key, []))
    return [stage for names in chains.values() for stage in names]


def schedule(root, model):
    """The stages that train one shipped model of MODELS ("fsrcnn_x4": the chain x4 of configs/fsrcnn/chain.yaml),
    in order; [] where its family declares none."""
    fam, scale = model.rsplit("_x", 1)
    return stages(root, fam, f"x{scale}")


def shipped_config(model):
    """The config of a shipped model of MODELS, relative to the root: fsrcnn_x4 -> configs/fsrcnn/x4.yaml."""
    fam, scale = model.rsplit("_x", 1)
    return f"configs/{fam}/x{scale}.yaml"


def config_file(root, stage):
    """The config of a stage "<fam>/<name>", relative to root: configs/<fam>/<name>.yaml (a shipped model) if there is
    one, else configs/<fam>/stages/<name>.yaml."""
    fam, name = stage.split("/")
    shipped = f"configs/{fam}/{name}.yaml"
    return shipped if os.path.isfile(os.path.join(root, shipped)) else f"configs/{fam}/stages/{name}.yaml"


def stage_files(root, stage):
    """What training a stage reads and writes, relative to root: its config, the config's output_dir and ckpt_file
    (where scripts/train_all.sh installs the selected checkpoint) and its log,
    docs/training/<checkpoint name>_log.csv."""
    path = config_file(root, stage)
    cfg = config.get_config("", ["--config_path", os.path.join(root, path)])
    log = f"docs/training/{os.path.splitext(os.path.basename(cfg.ckpt_file))[0]}_log.csv"
    return {"config": path, "output_dir": cfg.output_dir, "ckpt_file": cfg.ckpt_file, "log": log}


def print_plan(root, items):
    """For scripts/train_all.sh: one tab-separated line (stage, config, output_dir, ckpt_file, log) per stage of the
    items, each a family (all its chains, in the order of its chain.yaml) or a single stage "<fam>/<name>"."""
    for item in items:
        for stage in ([item] if "/" in item else stages(root, item)):
            files = stage_files(root, stage)
            print("\t".join([stage, files["config"], files["output_dir"], files["ckpt_file"], files["log"]]))


def training_rows(root):
    """The training summary of every stage of every shipped model, from its checkpoint and its committed log."""
    from src import checkpoint
    rows = []
    for model in MODELS:
        for stage in schedule(root, model):
            files = stage_files(root, stage)
            _, info = checkpoint.read(os.path.join(root, files["ckpt_file"]))
            if "epoch" not in info:  # converted, not trained here (FMEN-S x4: the authors' weights)
                continue
            rows.append(training_row(files["config"], info, os.path.join(root, files["log"])))
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

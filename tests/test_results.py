"""The shipped models and the README results table: every config evaluates its own checkpoint, the table is exactly
what scripts/make_results.py renders from the eval.py --json files, and those files are what eval.py computes."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from src import checkpoint, config, dataset, evaluate, results

FAMILY_ARCH = {"fsrcnn": (56, 12, 4), "fsrcnn-s": (32, 5, 1)}


def _config(model):
    return config.get_config("", ["--config_path", os.path.join(ROOT, "configs", f"{model}.yaml")])


@pytest.mark.parametrize("model", results.MODELS)
def test_config_names_its_checkpoint_at_its_scale(model):
    cfg = _config(model)
    scale = int(model.rsplit("_x", 1)[1])
    assert (cfg.scale, cfg.d, cfg.s, cfg.m) == (scale,) + FAMILY_ARCH[results.family(model)]
    assert cfg.ckpt_file == f"checkpoints/{model}.ckpt" and cfg.output_dir == f"outputs/{model}"
    _, info = checkpoint.read(os.path.join(ROOT, cfg.ckpt_file))
    assert {k: int(info[k]) for k in checkpoint.ARCH_KEYS} == {k: getattr(cfg, k) for k in checkpoint.ARCH_KEYS}
    assert 0 <= info["epoch"] < cfg.epochs and info["val_psnr"] > 0  # selected on Val20 by train.py
    if scale != 3:  # transfer strategy: starts from the x3 model of its family
        assert cfg.init_ckpt == f"checkpoints/{results.family(model)}_x3.ckpt" and cfg.init_convs_only


def test_eval_without_arguments_is_the_shipped_x4_config():
    default, shipped = config.get_config("", []), _config("fsrcnn_x4")
    for key in checkpoint.ARCH_KEYS + ("ckpt_file",):
        assert getattr(default, key) == getattr(shipped, key), key


def test_readme_table_is_rendered_from_the_eval_json_files():
    rows = []
    for model in results.MODELS:
        _, info = checkpoint.read(os.path.join(ROOT, _config(model).ckpt_file))
        rows.append(results.training_row(model, info, os.path.join(ROOT, "docs", "training", f"{model}_log.csv")))
    block = results.render(os.path.join(ROOT, "docs", "results"), rows)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        assert block in f.read(), "README results table is stale: run python scripts/make_results.py"


@pytest.mark.parametrize("model", results.MODELS)
def test_eval_json_is_what_eval_computes(model, data_dir):
    """Set5 rescored here equals the committed file (to rounding noise between CPUs: one uint8 step in a pixel)."""
    cfg = _config(model)
    net = evaluate.make_dynamic(checkpoint.network_from_checkpoint(os.path.join(ROOT, cfg.ckpt_file), cfg))
    means, _ = evaluate.score_set(net, dataset.load_eval_set("Set5", data_dir, cfg.scale), cfg.scale)
    with open(os.path.join(ROOT, "docs", "results", f"{model}.json"), encoding="utf-8") as f:
        stored = json.load(f)
    assert stored["scale"] == cfg.scale and stored["ckpt"] == cfg.ckpt_file
    for key in ("psnr", "ssim", "bicubic_psnr", "bicubic_ssim"):
        assert means[key] == pytest.approx(stored["sets"]["Set5"][key], abs=2e-3), key


def _write_results(folder, psnr):
    for model in results.MODELS:
        scale = int(model[-1])
        sets = {s: {"psnr": psnr, "ssim": 0.9, "bicubic_psnr": 30.0, "bicubic_ssim": 0.8} for s in results.SETS}
        (folder / f"{model}.json").write_text(json.dumps({"scale": scale, "sets": sets}))


def test_table_rows_deltas_and_missing_paper_figures(tmp_path):
    _write_results(tmp_path, 31.0)
    text = results.render(str(tmp_path), ["| row |"])
    lines = text.splitlines()
    assert lines[0] == results.BEGIN and lines[-1] == results.END and "| row |" in lines
    rows = [line for line in lines if line.startswith("| Set5 | x4 |")]
    assert rows[0] == "| Set5 | x4 | 30.00 / 0.8000 | 30.71 / 0.8657 | **31.00** / 0.9000 | +0.29 | +0.20 |"
    assert rows[1] == "| Set5 | x4 | 30.00 / 0.8000 | 30.11 | **31.00** / 0.9000 | +0.89 |"  # FSRCNN-s: no target
    assert "| Set14 | x2 | 30.00 / 0.8000 | – | **31.00** / 0.9000 | – |" in lines  # no FSRCNN-s figure
    assert len([line for line in lines if line.startswith("| BSD100 |")]) == 6


def test_replace_block_needs_the_markers():
    block = f"{results.BEGIN}\nnew\n{results.END}"
    assert results.replace_block(f"a\n{results.BEGIN}\nold\n{results.END}\nb", block) == f"a\n{block}\nb"
    with pytest.raises(ValueError, match="no '<!-- results table"):
        results.replace_block("no markers here", block)


def test_train_all_runs_and_resumes_the_transfer_schedule(image_folder, tmp_path):
    """scripts/train_all.sh on a copy of the project and three tiny images: x3, then x2 and x4 from its convs, each
    installed with its log; a second run resumes every stage and trains nothing."""
    project = tmp_path / "project"
    for name in ("src", "configs", "scripts"):
        shutil.copytree(os.path.join(ROOT, name), project / name)
    for name in ("train.py", "default_config.yaml"):
        shutil.copy(os.path.join(ROOT, name), project / name)
    for name in ("checkpoints", "docs/training"):
        (project / name).mkdir(parents=True)
    for ckpt in (project / "configs").glob("*.yaml"):  # nothing shipped may leak into the copy
        assert not (project / "checkpoints" / (ckpt.stem + ".ckpt")).exists()
    command = ["bash", str(project / "scripts" / "train_all.sh"), "fsrcnn-s", "--train_data", str(image_folder),
               "--val_data", str(image_folder), "--epochs", "1", "--lr_patch_size", "8", "--patch_stride", "8",
               "--threads", "1"]
    env = dict(os.environ, GLOG_v="3", PYTHON=sys.executable)
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.index("== fsrcnn-s_x3") < first.stdout.index("== fsrcnn-s_x2") < \
        first.stdout.index("== fsrcnn-s_x4")
    stamps = {}
    for scale in (2, 3, 4):
        path = project / "checkpoints" / f"fsrcnn-s_x{scale}.ckpt"
        _, info = checkpoint.read(str(path))
        assert (info["scale"], info["d"], info["s"], info["m"]) == (scale, 32, 5, 1)
        assert len((project / "docs" / "training" / f"fsrcnn-s_x{scale}_log.csv").read_text().splitlines()) == 2
        stamps[scale] = path.read_bytes()
    second = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.count("nothing to train") == 3 and second.stdout.count("--resume true") == 3
    assert all((project / "checkpoints" / f"fsrcnn-s_x{s}.ckpt").read_bytes() == stamps[s] for s in stamps)
    # an output_dir left by a longer run of another recipe is refused, not silently taken as finished
    stale = subprocess.run(command[:2] + ["fsrcnn-s_x4"] + command[3:] + ["--epochs", "0"], capture_output=True,
                           text=True, env=env, timeout=600)
    assert stale.returncode == 2, stale.stdout + stale.stderr
    assert "last.ckpt: holds epoch 1 but --epochs is 0: a run of another recipe?" in stale.stderr
    assert (project / "checkpoints" / "fsrcnn-s_x4.ckpt").read_bytes() == stamps[4]


def test_train_all_refuses_an_unknown_stage():
    proc = subprocess.run(["bash", os.path.join(ROOT, "scripts", "train_all.sh"), "fsrcnn_x5"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == "error: 'fsrcnn_x5' is neither fsrcnn, fsrcnn-s, all nor a configs/*.yaml model"

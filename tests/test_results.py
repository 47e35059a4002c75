"""The shipped models and the README results table: every config evaluates its own checkpoint, the training chains of
configs/<family>/chain.yaml hold together, the table is exactly what python -m tools.make_results renders from the
eval.py --json files, and those files are what eval.py computes."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from src import checkpoint, config, dataset, evaluate, inference, models
from tools import results

FAMILY_ARCH = {"fsrcnn": {"d": 56, "s": 12, "m": 4}, "fsrcnn-s": {"d": 32, "s": 5, "m": 1},
               "fmen-s": {"n_feats": 50, "mid_feats": 16, "down_blocks": 4, "form": "inference"}}
ARCH_KEYS = ("scale", "d", "s", "m")
# where a family's x2/x4 (FSRCNN: from its first x3 stage) or x2/x3 (FMEN-S: from the authors' x4) transfer from
CONVERTED = {"fmen-s_x4"}  # weights converted from their authors, not trained here


def _config(model):
    return config.get_config("", ["--config_path", os.path.join(ROOT, results.shipped_config(model))])


STAGES = [stage for model in results.MODELS for stage in results.schedule(ROOT, model)]


def test_every_shipped_model_has_a_chain_ending_with_its_config():
    for model in results.MODELS:
        stages = results.schedule(ROOT, model)
        assert stages and results.config_file(ROOT, stages[-1]) == results.shipped_config(model), model
        assert all(results.config_file(ROOT, s).startswith(f"configs/{results.family(model)}/stages/")
                   for s in stages[:-1]), model
    chained = {results.config_file(ROOT, s) for fam in ("fsrcnn", "fsrcnn-s", "fmen-s", "classsr")
               for s in results.stages(ROOT, fam)}
    on_disk = {os.path.relpath(os.path.join(folder, f), ROOT).replace(os.sep, "/")
               for folder, _, files in os.walk(os.path.join(ROOT, "configs")) for f in files if f != "chain.yaml"}
    assert chained == on_disk  # every config is in a chain, and every stage of a chain has its config


@pytest.mark.parametrize("stage", STAGES)
def test_config_names_its_checkpoint_at_its_scale(stage):
    files = results.stage_files(ROOT, stage)
    cfg = config.get_config("", ["--config_path", os.path.join(ROOT, files["config"])])
    model = next(model for model in results.MODELS if stage in results.schedule(ROOT, model))
    family, scale = results.family(model), int(model.rsplit("_x", 1)[1])
    stages = results.schedule(ROOT, model)
    arch = dict(FAMILY_ARCH[family], scale=scale)
    assert {k: getattr(cfg, k) for k in arch} == arch
    name = stage.replace("/", "_")  # fsrcnn/x4_transfer: checkpoints/stages/fsrcnn_x4_transfer.ckpt
    assert cfg.ckpt_file == (f"checkpoints/{name}.ckpt" if stage == stages[-1] else f"checkpoints/stages/{name}.ckpt")
    _, info = checkpoint.read(os.path.join(ROOT, cfg.ckpt_file))
    assert {k: info[k] for k in arch} == arch and info.get("model", checkpoint.MODEL_OF_OLD_FILES) == cfg.model
    if model in CONVERTED:
        assert len(info["source_sha256"]) == 64 and "epoch" not in info
        return
    assert cfg.output_dir == f"outputs/{name}" and files["log"] == f"docs/training/{name}_log.csv"
    assert os.path.isfile(os.path.join(ROOT, files["log"]))
    assert 0 <= info["epoch"] < cfg.epochs and info["val_psnr"] > 0  # selected on Val20 by train.py
    base_scale = 4 if family == "fmen-s" else 3
    if stage != stages[0]:  # a later stage continues from all the weights of the stage before
        before = results.stage_files(ROOT, stages[stages.index(stage) - 1])["ckpt_file"]
        assert cfg.init_ckpt == before and not cfg.init_convs_only
    elif scale != base_scale:  # transfer strategy: from the first stage of the family's base scale
        base_first = results.schedule(ROOT, f"{family}_x{base_scale}")[0]
        assert cfg.init_ckpt == results.stage_files(ROOT, base_first)["ckpt_file"] and cfg.init_convs_only
    else:
        assert cfg.init_ckpt == ""


def test_schedule_reads_the_chain_of_the_family(tmp_path):
    (tmp_path / "configs" / "fsrcnn" / "stages").mkdir(parents=True)
    assert results.schedule(str(tmp_path), "fsrcnn_x4") == []
    (tmp_path / "configs" / "fsrcnn" / "chain.yaml").write_text(
        "x3: [x3_base, x3]\nx4: [x4_transfer, x4_restart, x4]\n")
    assert results.schedule(str(tmp_path), "fsrcnn_x4") == ["fsrcnn/x4_transfer", "fsrcnn/x4_restart", "fsrcnn/x4"]
    assert results.schedule(str(tmp_path), "fsrcnn_x2") == []
    assert results.schedule(str(tmp_path), "fsrcnn-s_x3") == []
    assert results.stages(str(tmp_path), "fsrcnn") == ["fsrcnn/x3_base", "fsrcnn/x3", "fsrcnn/x4_transfer",
                                                       "fsrcnn/x4_restart", "fsrcnn/x4"]
    (tmp_path / "configs" / "fsrcnn" / "x4.yaml").write_text("scale: 4\n")
    assert results.config_file(str(tmp_path), "fsrcnn/x4") == "configs/fsrcnn/x4.yaml"
    assert results.config_file(str(tmp_path), "fsrcnn/x4_restart") == "configs/fsrcnn/stages/x4_restart.yaml"
    for bad in ("x4: [x4_transfer]\n", "x4: x4\n", "x4: [x4, x4]\n", "[x4]\n"):
        (tmp_path / "configs" / "fsrcnn" / "chain.yaml").write_text(bad)
        with pytest.raises(ValueError, match="chain.yaml"):
            results.schedule(str(tmp_path), "fsrcnn_x4")


def test_eval_without_arguments_is_the_shipped_x4_config():
    default, shipped = config.get_config("", []), _config("fsrcnn_x4")
    for key in ARCH_KEYS + ("model", "ckpt_file"):
        assert getattr(default, key) == getattr(shipped, key), key


def test_readme_table_is_rendered_from_the_eval_json_files():
    block = results.render(os.path.join(ROOT, "docs", "results"), results.training_rows(ROOT))
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        assert block in f.read(), "README results table is stale: run python -m tools.make_results"


@pytest.mark.parametrize("model", results.MODELS)
def test_eval_json_is_what_eval_computes(model, data_dir):
    """Set5 rescored here equals the committed file (to rounding noise between CPUs: one uint8 step in a pixel)."""
    cfg = _config(model)
    spec = models.spec_for(cfg)
    net = inference.make_dynamic(checkpoint.network_from_checkpoint(os.path.join(ROOT, cfg.ckpt_file), spec),
                                spec.channels)
    means, _ = evaluate.score_set(net, dataset.load_eval_set("Set5", data_dir, cfg.scale, spec.image_mode), cfg.scale)
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
    assert rows[2] == "| Set5 | x4 | 30.00 / 0.8000 | 32.24 | **31.00** / 0.9000 | -1.24 |"  # FMEN (769K) paper
    assert len([line for line in lines if line.startswith("| BSD100 |")]) == 9


def test_replace_block_needs_the_markers():
    block = f"{results.BEGIN}\nnew\n{results.END}"
    assert results.replace_block(f"a\n{results.BEGIN}\nold\n{results.END}\nb", block) == f"a\n{block}\nb"
    with pytest.raises(ValueError, match="no '<!-- results table"):
        results.replace_block("no markers here", block)


def test_train_all_runs_and_resumes_the_transfer_schedule(image_folder, tmp_path):
    """scripts/train_all.sh on a copy of the project and three tiny images: the chains of configs/fsrcnn/chain.yaml,
    x3 in stages, then x2 and x4 in stages (the transfer, then continuations from the checkpoint before), each stage
    installed in checkpoints/stages/ and the last of a chain in checkpoints/, each with its log; a second run
    resumes every stage and trains nothing."""
    project = tmp_path / "project"
    for name in ("src", "configs", "scripts", "tools"):
        shutil.copytree(os.path.join(ROOT, name), project / name)
    for name in ("train.py", "default_config.yaml"):
        shutil.copy(os.path.join(ROOT, name), project / name)
    (project / "docs").mkdir()
    (project / "data").mkdir()
    for name in ("sources.yaml", "SHA256SUMS"):  # the tables of the sets (src/dataset.py reads them)
        shutil.copy(os.path.join(ROOT, "data", name), project / "data" / name)
    assert not (project / "checkpoints").exists()  # nothing shipped may leak into the copy
    stages = results.stages(str(project), "fsrcnn")
    assert stages[:6] == ["fsrcnn/x3_base", "fsrcnn/x3_restart", "fsrcnn/x3", "fsrcnn/x2_transfer", "fsrcnn/x2",
                          "fsrcnn/x4_transfer"]
    assert stages[stages.index("fsrcnn/x4"):] == ["fsrcnn/x4", "fsrcnn/x3_robust", "fsrcnn/x2_robust",
                                                  "fsrcnn/x4_robust"]  # fine-tunes of the shipped models
    scales = {stage: int(stage.split("/x")[1][0]) for stage in stages}
    ckpts = {stage: project / results.stage_files(str(project), stage)["ckpt_file"] for stage in stages}
    assert ckpts["fsrcnn/x4_transfer"] == project / "checkpoints" / "stages" / "fsrcnn_x4_transfer.ckpt"
    assert ckpts["fsrcnn/x4"] == project / "checkpoints" / "fsrcnn_x4.ckpt"
    command = ["bash", str(project / "scripts" / "train_all.sh"), "fsrcnn", "--train_data", str(image_folder),
               "--val_data", str(image_folder), "--epochs", "1", "--lr_patch_size", "8", "--patch_stride", "8",
               "--threads", "1"]
    env = dict(os.environ, GLOG_v="3", PYTHON=sys.executable)
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    starts = [first.stdout.index(f"== {stage}:") for stage in stages]
    assert starts == sorted(starts)
    stamps = {}
    for stage in stages:
        _, info = checkpoint.read(str(ckpts[stage]))
        assert (info["scale"], info["d"], info["s"], info["m"]) == (scales[stage], 56, 12, 4)
        log = project / "docs" / "training" / f"{ckpts[stage].stem}_log.csv"
        assert len(log.read_text().splitlines()) == 2
        stamps[stage] = ckpts[stage].read_bytes()
    second = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.count("nothing to train") == len(stages) == second.stdout.count("--resume true")
    assert all(ckpts[s].read_bytes() == stamps[s] for s in stamps)
    # --epochs 0 is refused before the run folder is touched (an output_dir left by a longer run of another
    # recipe: tests/test_reliability.py)
    stale = subprocess.run(command[:2] + ["fsrcnn/x4"] + command[3:] + ["--epochs", "0"], capture_output=True,
                           text=True, env=env, timeout=600)
    assert stale.returncode == 2, stale.stdout + stale.stderr
    assert "--epochs must be at least 1, got 0" in stale.stderr
    assert ckpts["fsrcnn/x4"].read_bytes() == stamps["fsrcnn/x4"]


@pytest.mark.parametrize("name", ["fsrcnn/x5", "fsrcnn_x4", "fsrcnn/stages/x4_transfer", "fsrcnn/../fsrcnn/x4"])
def test_train_all_refuses_an_unknown_stage(name):
    proc = subprocess.run(["bash", os.path.join(ROOT, "scripts", "train_all.sh"), name], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == (f"error: '{name}' is neither fsrcnn, fsrcnn-s, all nor a FAMILY/NAME of "
                                   "configs/FAMILY/[stages/]NAME.yaml")

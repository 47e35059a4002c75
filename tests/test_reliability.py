"""Nothing a user owns is lost: run folders are never written into by another run, two runs never share one, outputs
are checked before the work and written atomically, bad option values and damaged files are one-line errors, and
Ctrl-C ends any command with `interrupted`, exit 130 and its cleanup done (docs/reliability.md)."""
import csv
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, run_script
from src import checkpoint, dataset, fileio
from src.errors import UserError
from src.models.fsrcnn import FSRCNN

# a run of a few seconds on the `image_folder` fixture: 6x6 LR patches, no augmentation
FAST = ["--scale", "4", "--lr_patch_size", "6", "--patch_stride", "6", "--augment", "false", "--batch_size", "8",
        "--seed", "7"]


def _one_line_error(code, err, *fragments):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _train(image_folder, out, capsys, *options):
    return run_script("train", ["--train_data", str(image_folder), "--val_data", str(image_folder),
                                "--output_dir", str(out), *FAST, *options], capsys)


def _snapshot(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A finished 1-epoch run folder (best.ckpt, last.ckpt, log.csv, curve.png) and its image folder; tests copy it."""
    root = tmp_path_factory.mktemp("run")
    images = root / "images"
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (48, 48, 3)).astype(np.uint8)).save(images / f"i{i}.png")
    import importlib.util  # train.py in-process, as run_script does (no capsys at module scope)
    spec = importlib.util.spec_from_file_location("script_train", os.path.join(ROOT, "train.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--train_data", str(images), "--val_data", str(images), "--output_dir", str(root / "run"),
                 "--epochs", "1", *FAST])  # a failure exits (SystemExit): the tests using it error
    return root / "run", images


def _copy_run(trained_run, tmp_path):
    run, images = trained_run
    out = tmp_path / "run"
    shutil.copytree(run, out)
    return out, images


# ---------------------------------------------------------------- never into another run's folder
def test_train_refuses_a_folder_of_another_run_and_changes_nothing(trained_run, tmp_path, capsys):
    out, images = _copy_run(trained_run, tmp_path)
    before = _snapshot(out)
    code, _, err = _train(images, out, capsys, "--epochs", "1")
    _one_line_error(code, err, str(out), "not empty", "--resume true", "--overwrite true")
    assert _snapshot(out) == before


def test_train_refuses_a_folder_of_other_files(image_folder, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, _, err = _train(image_folder, out, capsys, "--epochs", "1")
    _one_line_error(code, err, "notes.txt")
    assert os.listdir(out) == ["notes.txt"]


def test_overwrite_starts_anew_and_keeps_other_files(trained_run, tmp_path, capsys):
    out, images = _copy_run(trained_run, tmp_path)
    (out / "notes.txt").write_text("mine")
    with open(out / "log.csv", "a", encoding="utf-8") as f:
        f.write("2,0.1,1.0,20.0,20.0\r\n")  # a log of two epochs: the new run's must not continue it
    code, stdout, err = _train(images, out, capsys, "--epochs", "1", "--overwrite")
    assert code == 0, err
    assert "removed the previous run's" in stdout
    rows = _rows(out / "log.csv")
    assert [r[0] for r in rows] == ["epoch", "1"]
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(os.listdir(out)) == ["best.ckpt", "curve.png", "last.ckpt", "log.csv", "notes.txt"]


def test_resume_and_overwrite_together_are_refused(trained_run, tmp_path, capsys):
    out, images = _copy_run(trained_run, tmp_path)
    code, _, err = _train(images, out, capsys, "--epochs", "2", "--resume", "true", "--overwrite", "true")
    _one_line_error(code, err, "give one")


# ---------------------------------------------------------------- log.csv of this run only
def test_resume_refuses_a_log_of_other_columns(trained_run, tmp_path, capsys):
    out, images = _copy_run(trained_run, tmp_path)
    (out / "log.csv").write_text("epoch,loss,psnr\n1,0.5,20\n", encoding="utf-8")
    before = _snapshot(out)
    code, _, err = _train(images, out, capsys, "--epochs", "2", "--resume", "true")
    _one_line_error(code, err, str(out / "log.csv"), "columns")
    assert _snapshot(out) == before


def test_resume_drops_a_half_written_last_line(trained_run, tmp_path, capsys):
    out, images = _copy_run(trained_run, tmp_path)
    header = _rows(out / "log.csv")[0]
    with open(out / "log.csv", "a", encoding="utf-8") as f:
        f.write("2,0.0012")  # a kill while the row of epoch 2 was written: last.ckpt still holds epoch 1
    code, stdout, err = _train(images, out, capsys, "--epochs", "2", "--resume", "true")
    assert code == 0, err
    assert "dropped a half-written last line" in stdout
    rows = _rows(out / "log.csv")
    assert rows[0] == header and [r[0] for r in rows[1:]] == ["1", "2"]
    assert all(len(r) == len(header) for r in rows)


def test_resume_drops_rows_after_the_checkpoint(trained_run, tmp_path, capsys):
    """The row of an epoch is written before its checkpoints: a kill between them leaves a row last.ckpt lacks."""
    out, images = _copy_run(trained_run, tmp_path)
    rows = _rows(out / "log.csv")
    with open(out / "log.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(["2"] + rows[1][1:])
    code, _, err = _train(images, out, capsys, "--epochs", "2", "--resume", "true")
    assert code == 0, err
    assert [r[0] for r in _rows(out / "log.csv")] == ["epoch", "1", "2"]


def test_resume_refuses_a_run_of_a_longer_recipe(trained_run, tmp_path, capsys):
    """A last.ckpt past --epochs is another recipe's run, not a finished one."""
    out, images = _copy_run(trained_run, tmp_path)
    params, info = checkpoint.read(str(out / "last.ckpt"))
    checkpoint.save([{"name": k, "data": v} for k, v in params.items()], str(out / "last.ckpt"), dict(info, epoch=3))
    code, _, err = _train(images, out, capsys, "--epochs", "2", "--resume", "true")
    _one_line_error(code, err, "last.ckpt: holds epoch 4 but --epochs is 2: a run of another recipe?")


# ---------------------------------------------------------------- one run per folder, private temporary names
def test_a_locked_run_folder_is_refused(image_folder, tmp_path, capsys):
    out = tmp_path / "run"
    with fileio.FolderLock(str(out)):  # as another train.py on it holds it
        code, _, err = _train(image_folder, out, capsys, "--epochs", "1")
        _one_line_error(code, err, str(out), "another process is using this run folder", f"pid {os.getpid()}")
        assert os.listdir(out) == [fileio.FolderLock.NAME]
    assert not out.exists()  # the lock made the folder and removed it


def test_the_lock_is_exclusive_and_released(tmp_path):
    folder = str(tmp_path / "f")
    first = fileio.FolderLock(folder).acquire()
    with pytest.raises(UserError, match="another process is using"):
        fileio.FolderLock(folder).acquire()
    first.release()
    with fileio.FolderLock(folder):
        pass


def test_checkpoint_temporary_names_are_private_and_never_followed(tmp_path):
    """The former fixed temporary name `<path>.tmp.ckpt`, planted as a link to a file, must not be written through;
    two saves use two names, and none is left."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = tmp_path / "last.ckpt"
    os.symlink(victim, f"{path}.tmp.ckpt")
    names = []
    import mindspore as ms
    real_save = ms.save_checkpoint

    def recording_save(obj, name, **kwargs):
        names.append(name)
        return real_save(obj, name, **kwargs)
    ms.save_checkpoint = recording_save
    try:
        for _ in range(2):
            checkpoint.save(FSRCNN(4, 8, 4, 1), str(path), {"model": "fsrcnn", "scale": 4, "d": 8, "s": 4, "m": 1})
    finally:
        ms.save_checkpoint = real_save
    assert victim.read_text() == "precious"
    assert len(set(names)) == 2 and all(os.path.basename(n).startswith(".last.ckpt.") for n in names)
    assert checkpoint.read(str(path))[1]["d"] == 8
    assert sorted(os.listdir(tmp_path)) == ["last.ckpt", "last.ckpt.tmp.ckpt", "victim.txt"]


# ---------------------------------------------------------------- values no run can train with
@pytest.mark.parametrize("option,value,fragment", [("--epochs", "0", "--epochs must be at least 1"),
                                                   ("--epochs", "-1", "--epochs must be at least 1"),
                                                   ("--batch_size", "0", "--batch_size must be at least 1"),
                                                   ("--batch_size", "-1", "--batch_size must be at least 1"),
                                                   ("--lr", "-1", "--lr must be a number >= 0"),
                                                   ("--deconv_lr", "nan", "--deconv_lr must be a number >= 0")])
def test_bad_training_values_are_refused_before_anything(image_folder, tmp_path, capsys, option, value, fragment):
    out = tmp_path / "new" / "run"
    code, _, err = _train(image_folder, out, capsys, option, value)
    _one_line_error(code, err, fragment)
    assert not (tmp_path / "new").exists()


def test_an_output_dir_that_is_a_file_is_refused(image_folder, tmp_path, capsys):
    out = tmp_path / "file"
    out.write_text("x")
    code, _, err = _train(image_folder, out, capsys, "--epochs", "1")
    _one_line_error(code, err, str(out), "is not a folder")


# ---------------------------------------------------------------- a corrupted (not truncated) HDF5 file
def _corrupted_copy(path, tmp_path, read):
    """A copy of `path` with 8 bytes overwritten where HDF5 still opens it but fails reading it (not an OSError of
    h5py.File: the case a bare open check misses)."""
    data = path.read_bytes()
    bad = tmp_path / f"corrupted_{path.name}"
    for offset in range(0, min(len(data), 8192), 8):
        bad.write_bytes(data[:offset] + b"\xa5" * 8 + data[offset + 8:])
        try:
            with h5py.File(bad, "r") as f:
                read(f)
        except OSError:
            continue
        except Exception:  # pylint: disable=broad-except - what HDF5 raises on damage: RuntimeError, KeyError, ...
            return bad
    pytest.skip("no offset gives a read error past the open with this HDF5 version")


def _read_all(f):
    for key in f:
        item = f[key]
        for name in (item if isinstance(item, h5py.Group) else [None]):
            (item[name] if name else item)[()]


def test_corrupted_h5_in_train_and_eval_is_one_line(image_folder, tmp_path, capsys, random_ckpt):
    train_h5 = tmp_path / "train.h5"
    rng = np.random.default_rng(1)
    dataset.write_train_h5(str(train_h5), rng.random((64, 6, 6)).astype(np.float32) * 255,
                           rng.random((64, 24, 24)).astype(np.float32) * 255)
    bad = _corrupted_copy(train_h5, tmp_path, _read_all)
    code, _, err = run_script("train", ["--train_data", str(bad), "--val_data", str(image_folder), "--output_dir",
                                        str(tmp_path / "run"), "--epochs", "1", *FAST], capsys)
    _one_line_error(code, err, str(bad), "not a readable HDF5 file")
    assert not (tmp_path / "run").exists()

    eval_h5 = tmp_path / "eval.h5"
    hr = rng.integers(0, 256, (48, 40)).astype(np.uint8)
    dataset.write_eval_h5(str(eval_h5), [("a", hr, rng.random((12, 10)) * 255)])
    bad = _corrupted_copy(eval_h5, tmp_path, _read_all)
    code, _, err = run_script("eval", ["--ckpt_file", random_ckpt(), "--eval_sets", str(bad)], capsys)
    _one_line_error(code, err, str(bad), "not a readable HDF5 file")


# ---------------------------------------------------------------- images too small to score
def test_eval_refuses_an_image_too_small_to_score(tmp_path, capsys, random_ckpt):
    folder = tmp_path / "set"
    folder.mkdir()
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 256, (64, 64), dtype=np.uint8)).save(folder / "fine.png")
    Image.fromarray(rng.integers(0, 256, (16, 16), dtype=np.uint8)).save(folder / "small.png")  # 8x8 after shave
    report = tmp_path / "r.json"
    code, out, err = run_script("eval", ["--ckpt_file", random_ckpt(), "--eval_sets", str(folder), "--json",
                                         str(report)], capsys)
    _one_line_error(code, err, "'small'", "16x16", "too small to score at x4")
    assert "PSNR" not in out and not report.exists()


def test_json_is_strict():
    path_nan = {"psnr": float("nan"), "list": [float("inf"), 1.5]}
    assert fileio.finite(path_nan) == {"psnr": None, "list": [None, 1.5]}


# ---------------------------------------------------------------- --json checked before the work
@pytest.mark.parametrize("script", ["eval", "benchmark", "postprocess"])
def test_json_to_a_missing_folder_or_a_folder_is_refused_first(script, tmp_path, capsys, random_ckpt):
    ckpt = random_ckpt()
    extra = {"eval": ["--ckpt_file", ckpt], "benchmark": ["--ckpt_file", ckpt, "--iters", "1", "--warmup", "0"],
             "postprocess": ["--lr_bin_dir", str(tmp_path / "no_meta")]}[script]
    code, out, err = run_script(script, extra + ["--json", str(tmp_path / "missing" / "r.json")], capsys)
    _one_line_error(code, err, "r.json", "does not exist")
    assert out == ""
    folder = tmp_path / "folder"
    folder.mkdir()
    code, out, err = run_script(script, extra + ["--json", str(folder)], capsys)
    _one_line_error(code, err, str(folder), "is a folder")
    assert out == "" and os.listdir(folder) == []
    assert sorted(os.listdir(tmp_path)) == sorted([os.path.basename(ckpt), "folder"])  # no folder.tmp


def test_json_never_replaces_the_checkpoint(tmp_path, capsys, random_ckpt):
    ckpt = random_ckpt()
    before = open(ckpt, "rb").read()
    code, _, err = run_script("eval", ["--ckpt_file", ckpt, "--json", ckpt], capsys)
    _one_line_error(code, err, "never writes over its input")
    assert open(ckpt, "rb").read() == before


def test_atomic_writes_leave_the_old_file_on_failure_and_replace_links_not_targets(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with fileio.atomic_open(str(path)) as f:
            f.write("half")
            raise RuntimeError("disk full")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["out.json"]
    target = tmp_path / "target.txt"
    target.write_text("keep")
    link = tmp_path / "link.json"
    os.symlink(target, link)
    fileio.write_json(str(link), {"a": 1})
    assert target.read_text() == "keep" and not link.is_symlink() and '"a": 1' in link.read_text()


# ---------------------------------------------------------------- Ctrl-C once MindSpore has run a graph
def _start(args, tmp_path):
    return subprocess.Popen([sys.executable] + args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, GLOG_v="3", PYTHONUNBUFFERED="1"),
                            start_new_session=True)


def _interrupt_after(proc, marker, timeout=240, repeat=False):
    """Send SIGINT once stdout shows `marker` (the work has begun: MindSpore has run its first graph), then wait
    (with `repeat`, send it again every second until the process ends); returns (exit code, stdout, stderr)."""
    seen, deadline = [], time.time() + timeout
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            time.sleep(0.3)
            proc.send_signal(signal.SIGINT)
            break
        assert time.time() < deadline, "".join(seen)
    for _ in range(120 if repeat else 0):
        try:
            proc.wait(timeout=1)
            break
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, "".join(seen) + out, err


def test_ctrl_c_during_infer_prints_interrupted_exits_130_and_leaves_no_temporary_file(tmp_path, random_ckpt):
    inputs = tmp_path / "in"
    inputs.mkdir()
    rng = np.random.default_rng(3)
    for i in range(40):
        Image.fromarray(rng.integers(0, 256, (160, 160, 3), dtype=np.uint8)).save(inputs / f"p{i:02d}.png")
    outputs = tmp_path / "out"
    proc = _start([os.path.join(ROOT, "infer.py"), "--ckpt_file", random_ckpt(), "--input", str(inputs), "--output",
                   str(outputs)], tmp_path)
    code, out, err = _interrupt_after(proc, "-> ")
    assert code == 130, (code, out, err)
    assert err.strip().splitlines()[-1] == "interrupted" and "Traceback" not in err, err
    assert 1 <= len(os.listdir(outputs)) < 40
    assert not [name for name in os.listdir(outputs) if name.startswith(".")]


def test_ctrl_c_during_training_releases_the_run_folder(image_folder, tmp_path):
    out = tmp_path / "run"
    proc = _start([os.path.join(ROOT, "train.py"), "--train_data", str(image_folder), "--val_data",
                   str(image_folder), "--output_dir", str(out), "--epochs", "50", "--log_every_steps", "1",
                   "--threads", "1", *FAST], tmp_path)
    # one Ctrl-C can land in the moment MindSpore's own handler is back in place during a step (docs/reliability.md):
    # like a user pressing it again, the test repeats it until the process ends
    code, stdout, err = _interrupt_after(proc, "loss is", repeat=True)
    assert code == 130, (code, stdout, err)
    assert err.strip().splitlines()[-1] == "interrupted" and "Traceback" not in err, err
    left = os.listdir(out) if out.exists() else []
    assert fileio.FolderLock.NAME not in left and not [n for n in left if ".tmp" in n], left

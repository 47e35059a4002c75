"""User mistakes: one line naming the file and the problem, exit code 2, no traceback, nothing half-written."""
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, run_script


def _assert_one_line_error(code, err, *fragments):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_checkpoint_in_a_real_process(tmp_path):
    missing = str(tmp_path / "nope.ckpt")
    proc = subprocess.run([sys.executable, "eval.py", "--ckpt_file", missing], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, GLOG_v="3"), timeout=120)
    _assert_one_line_error(proc.returncode, proc.stderr, missing, "checkpoint not found")


def test_scale_mismatch_names_both(random_ckpt, image_folder, capsys):
    ckpt = random_ckpt(scale=3)
    code, _, err = run_script("eval", ["--ckpt_file", ckpt, "--scale", "4", "--eval_sets", str(image_folder)], capsys)
    _assert_one_line_error(code, err, ckpt, "scale=3", "scale=4")


def test_wrong_architecture_checkpoint(random_ckpt, image_folder, capsys):
    ckpt = random_ckpt(d=32, s=5, m=1, name="plain.ckpt")
    # a checkpoint without recorded architecture (e.g. from another project) is caught by its shapes
    import mindspore as ms
    params = ms.load_checkpoint(ckpt)
    recorded = ("record", "model", "scale", "d", "s", "m")
    ms.save_checkpoint([{"name": k, "data": v} for k, v in params.items() if k not in recorded], ckpt)
    code, _, err = run_script("eval", ["--ckpt_file", ckpt, "--eval_sets", str(image_folder)], capsys)
    _assert_one_line_error(code, err, ckpt, "FSRCNN(d=56, s=12, m=4)", "shape")


def test_not_a_checkpoint(tmp_path, image_folder, capsys):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"\x00garbage" * 10)
    code, _, err = run_script("eval", ["--ckpt_file", str(bad), "--eval_sets", str(image_folder)], capsys)
    _assert_one_line_error(code, err, str(bad), "not a readable MindSpore checkpoint")
    bad.write_bytes(b"")
    code, _, err = run_script("eval", ["--ckpt_file", str(bad), "--eval_sets", str(image_folder)], capsys)
    _assert_one_line_error(code, err, str(bad), "empty file, not a MindSpore checkpoint")


@pytest.mark.parametrize("argv,fragment", [(["--scale", "5"], "scale 5 is not supported"),
                                           (["--device_target", "TPU"], "device_target 'TPU'"),
                                           (["--threads", "-1"], "threads -1: give 0 (every core) up to"),
                                           (["--threads", "100000"], "threads 100000: give 0 (every core) up to"),
                                           (["--epochs", "3"], "unrecognized arguments: --epochs 3 (see"),
                                           (["--eval_sets", ""], "eval_sets '': give set names or paths"),
                                           (["--eval_sets", "Set5,"], "eval_sets 'Set5,': give set names")])
def test_bad_options(argv, fragment, random_ckpt, capsys):
    code, _, err = run_script("eval", ["--ckpt_file", random_ckpt()] + argv, capsys)
    _assert_one_line_error(code, err, fragment)


def test_unknown_key_in_config_file(tmp_path, capsys):
    cfg = tmp_path / "my.yaml"
    cfg.write_text("epoch: 3\n")
    code, _, err = run_script("train", ["--config_path", str(cfg)], capsys)
    _assert_one_line_error(code, err, str(cfg), "unknown config key 'epoch'")


def _bad_images(folder):
    """(file, expected message fragment) for each kind of bad image."""
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3)).astype(np.uint8)
    Image.fromarray(noise).save(folder / "good.png")
    data = (folder / "good.png").read_bytes()
    (folder / "truncated.png").write_bytes(data[: len(data) // 2])
    (folder / "empty.png").write_bytes(b"")
    (folder / "text.png").write_bytes(b"hello, not an image")
    Image.fromarray(np.zeros((20, 20), np.float32), "F").save(folder / "float.tif")
    Image.fromarray(np.zeros((3, 30), np.uint8)).save(folder / "tiny.png")
    return {"truncated.png": "cannot decode image", "empty.png": "not an image Pillow can read",
            "text.png": "not an image Pillow can read", "float.tif": "unsupported image mode 'F'",
            "tiny.png": "smaller than the scale 4"}


@pytest.mark.parametrize("bad", ["truncated.png", "empty.png", "text.png", "float.tif", "tiny.png"])
def test_bad_image_in_eval_set(tmp_path, random_ckpt, capsys, bad):
    folder = tmp_path / "set"
    folder.mkdir()
    expected = _bad_images(folder)
    for name in expected:
        if name != bad:
            os.remove(folder / name)
    code, _, err = run_script("eval", ["--ckpt_file", random_ckpt(), "--eval_sets", str(folder)], capsys)
    _assert_one_line_error(code, err, str(folder / bad), expected[bad])


def test_missing_eval_set_and_bad_h5(tmp_path, random_ckpt, capsys):
    code, _, err = run_script("eval", ["--ckpt_file", random_ckpt(), "--eval_sets", "NoSuchSet",
                                       "--data_dir", str(tmp_path)], capsys)
    _assert_one_line_error(code, err, "NoSuchSet", "not found")
    import h5py
    with h5py.File(tmp_path / "e.h5", "w") as f:
        f.create_dataset("lr", data=np.zeros((2, 3, 3), np.float32))
    code, _, err = run_script("eval", ["--ckpt_file", random_ckpt(), "--eval_sets", str(tmp_path / "e.h5")], capsys)
    _assert_one_line_error(code, err, "e.h5", "expected groups 'lr' and 'hr'")


def test_validation_on_a_test_set_is_refused(capsys, image_folder):
    code, _, err = run_script("train", ["--val_data", "Set5", "--train_data", str(image_folder)], capsys)
    _assert_one_line_error(code, err, "Set5", "test set")


def test_prepare_refuses_missing_output_folder_and_writes_nothing(tmp_path, image_folder, capsys):
    from src import prepare
    target = tmp_path / "missing" / "x.h5"
    with pytest.raises(SystemExit) as exc:
        prepare.main(["--images", str(image_folder), "--h5_file", str(target)])
    _assert_one_line_error(exc.value.code, capsys.readouterr().err, "does not exist")
    assert not target.parent.exists()

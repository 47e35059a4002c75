"""The whole user path on real images: prepare an .h5 -> train 2 epochs -> eval -> export MINDIR and ONNX ->
reload both -> the same outputs as the trained network."""
import json
import os
import shutil
import subprocess
import sys

import mindspore as ms
import numpy as np
from mindspore import nn

from conftest import ROOT
from src import checkpoint, models
from src.config import get_config


def _run(args, cwd):
    proc = subprocess.run([sys.executable] + args, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, GLOG_v="3"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _copy(names, folder):
    folder.mkdir()
    for name in names:
        shutil.copy(name, folder / os.path.basename(name))


def test_prepare_train_eval_export(data_dir, tmp_path):
    """The whole pipeline on three training and three validation images: T91's and Val20's where the datasets are,
    else (a fresh clone) the shipped Set5's, which then only checks that the pipeline runs."""
    if os.path.isdir(os.path.join(data_dir, "T91")) and os.path.isdir(os.path.join(data_dir, "Val20")):
        train = [os.path.join(data_dir, "T91", name) for name in ("t1.bmp", "t2.bmp", "t3.bmp")]
        valid = [os.path.join(data_dir, "Val20", n) for n in sorted(os.listdir(os.path.join(data_dir, "Val20")))[:3]]
    else:
        set5 = sorted(os.path.join(data_dir, "Set5", n) for n in os.listdir(os.path.join(data_dir, "Set5")))
        train, valid = set5[:3], set5[2:]
    images, val = tmp_path / "three", tmp_path / "val"
    _copy(train, images)
    _copy(valid, val)
    h5 = tmp_path / "three_x3.h5"
    _run(["-m", "src.prepare", "--images", str(images), "--h5_file", str(h5), "--scale", "3"], ROOT)

    out = tmp_path / "run"
    log = _run([os.path.join(ROOT, "train.py"), "--scale", "3", "--train_data", str(h5), "--val_data", str(val),
                "--epochs", "2", "--batch_size", "64", "--output_dir", str(out)], tmp_path)
    assert "epoch 2/2" in log
    best = out / "best.ckpt"
    assert best.exists() and (out / "last.ckpt").exists()
    _, info = checkpoint.read(str(best))
    assert info["scale"] == 3 and info["epoch"] in (0, 1)

    report = tmp_path / "eval.json"
    table = _run([os.path.join(ROOT, "eval.py"), "--scale", "3", "--ckpt_file", str(best), "--data_dir", data_dir,
                  "--eval_sets", "Set5", "--json", str(report)], tmp_path)
    results = json.loads(report.read_text())
    set5 = results["sets"]["Set5"]
    assert results["scale"] == 3 and sorted(set5["images"]) == ["baby", "bird", "butterfly", "head", "woman"]
    assert abs(set5["bicubic_psnr"] - 30.39) < 0.01
    assert f"{set5['psnr']:.2f}" in table
    assert abs(np.mean([v["psnr"] for v in set5["images"].values()]) - set5["psnr"]) < 1e-9

    stem = tmp_path / "fsrcnn_x3"
    _run([os.path.join(ROOT, "export.py"), "--scale", "3", "--ckpt_file", str(best), "--file_name", str(stem),
          "--file_format", "MINDIR"], tmp_path)
    _run([os.path.join(ROOT, "export.py"), "--scale", "3", "--ckpt_file", str(best), "--file_name", str(stem),
          "--file_format", "ONNX", "--fixed_shape", "1,1,40,52"], tmp_path)

    cfg = get_config("t", ["--scale", "3"])
    net = checkpoint.network_from_checkpoint(str(best), models.spec_for(cfg))
    x = np.random.default_rng(0).uniform(0, 1, (1, 1, 40, 52)).astype(np.float32)
    expected = net(ms.Tensor(x)).asnumpy()
    mindir = nn.GraphCell(ms.load(f"{stem}.mindir"))
    assert np.abs(mindir(ms.Tensor(x)).asnumpy() - expected).max() < 1e-6
    import onnxruntime as ort
    session = ort.InferenceSession(f"{stem}.onnx", providers=["CPUExecutionProvider"])
    onnx_out = session.run(None, {session.get_inputs()[0].name: x})[0]
    assert onnx_out.shape == (1, 1, 120, 156)
    assert np.abs(onnx_out - expected).max() < 1e-5

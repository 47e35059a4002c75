"""export.py: MINDIR (dynamic and fixed shape) and repaired ONNX equal to the network; user errors and atomic writes."""
import os
import subprocess
import sys

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn
from mindspore.train import mind_ir_pb2

import export as export_cli  # the root script (conftest puts the repo root first on sys.path)
from conftest import ROOT
from src import checkpoint, export, models
from src.config import get_config
from src.errors import UserError
from src.models.fsrcnn import FSRCNN


def random_checkpoint(tmp_path, scale):
    """A random FSRCNN(56, 12, 4) whose every layer shows in the output (per-channel PReLU slopes, non-zero biases,
    a deconv large enough for O(1) outputs), saved as a trained one would be."""
    net = FSRCNN(scale)
    rng = np.random.default_rng(scale)
    for p in net.get_parameters():
        if p.name.endswith(".w"):
            value = rng.uniform(0.0, 0.5, p.shape)
        elif p.name.endswith(".bias"):
            value = rng.normal(0.0, 0.1, p.shape)
        elif p.name.startswith("deconv"):
            value = rng.normal(0.0, 0.05, p.shape)
        else:
            continue
        p.set_data(ms.Tensor(value.astype(np.float32)))
    path = str(tmp_path / f"x{scale}.ckpt")
    checkpoint.save(net, path, {"scale": scale, "d": 56, "s": 12, "m": 4})
    return net, path


def run_export(monkeypatch, capsys, *args):
    """export.py's main() in this process; returns what it printed."""
    monkeypatch.setattr(sys, "argv", ["export.py", *args])
    export_cli.main()
    return capsys.readouterr().out


def mindir_input_dims(path):
    model = mind_ir_pb2.ModelProto()
    with open(path, "rb") as f:
        model.ParseFromString(f.read())
    return list(model.graph.input[0].tensor[0].dims)


def test_mindir_dynamic_runs_any_size_and_batch(tmp_path, monkeypatch, capsys):
    net, ckpt = random_checkpoint(tmp_path, 3)
    out = run_export(monkeypatch, capsys, "--ckpt_file", ckpt, "--scale", "3", "--file_name", str(tmp_path / "m"))
    assert out.strip() == f"wrote {tmp_path / 'm.mindir'} (MINDIR, FSRCNN(d=56, s=12, m=4) x3, input N,1,H,W float32)"
    assert sorted(os.listdir(tmp_path)) == ["m.mindir", "x3.ckpt"]
    assert mindir_input_dims(tmp_path / "m.mindir") == [-1, 1, -1, -1]
    graph = nn.GraphCell(ms.load(str(tmp_path / "m.mindir")))
    rng = np.random.default_rng(0)
    for shape in [(1, 1, 17, 23), (2, 1, 9, 31)]:
        x = ms.Tensor(rng.random(shape, dtype=np.float32))
        got, want = graph(x).asnumpy(), net(x).asnumpy()
        assert got.shape == (shape[0], 1, 3 * shape[2], 3 * shape[3])
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_mindir_fixed_shape(tmp_path, monkeypatch, capsys):
    net, ckpt = random_checkpoint(tmp_path, 2)
    out = run_export(monkeypatch, capsys, "--ckpt_file", ckpt, "--scale", "2", "--file_name", str(tmp_path / "f"),
                     "--fixed_shape", "2,1,11,13")
    assert "input 2,1,11,13 float32" in out
    assert mindir_input_dims(tmp_path / "f.mindir") == [2, 1, 11, 13]
    x = ms.Tensor(np.random.default_rng(1).random((2, 1, 11, 13), dtype=np.float32))
    got = nn.GraphCell(ms.load(str(tmp_path / "f.mindir")))(x).asnumpy()
    np.testing.assert_allclose(got, net(x).asnumpy(), rtol=0, atol=1e-6)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_onnx_is_valid_and_equals_mindspore(tmp_path, monkeypatch, capsys, scale):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    net, ckpt = random_checkpoint(tmp_path, scale)
    run_export(monkeypatch, capsys, "--ckpt_file", ckpt, "--scale", str(scale), "--file_name", str(tmp_path / "o"),
               "--file_format", "ONNX", "--fixed_shape", "1,1,17,23")
    model = onnx.load(str(tmp_path / "o.onnx"))
    onnx.checker.check_model(model, full_check=True)
    deconv = next(n for n in model.graph.node if n.op_type == "ConvTranspose")
    assert {a.name: list(a.ints) for a in deconv.attribute}["pads"] == [4, 4, 5 - scale, 5 - scale]

    session = ort.InferenceSession(str(tmp_path / "o.onnx"), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(scale).random((1, 1, 17, 23), dtype=np.float32)
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    want = net(ms.Tensor(x)).asnumpy()
    assert got.shape == (1, 1, 17 * scale, 23 * scale)
    assert np.abs(want).mean() > 0.05  # outputs large enough for the tolerance below to mean something
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
    np.testing.assert_allclose(got[..., -scale:, :], want[..., -scale:, :], rtol=0, atol=1e-5)
    np.testing.assert_allclose(got[..., -scale:], want[..., -scale:], rtol=0, atol=1e-5)


def run_script(*args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "export.py"), *args], capture_output=True, text=True,
                          env=dict(os.environ, GLOG_v="3"), timeout=120, check=False)


@pytest.mark.parametrize("args, message", [
    (["--file_format", "AIR"], "AIR export needs the Ascend backend"),
    (["--fixed_shape", "1,3,64,64"], "fixed_shape '1,3,64,64' must be N,1,H,W"),
    (["--ckpt_file", "missing.ckpt"], "missing.ckpt: checkpoint not found"),
    (["--file_format", "CKPT", "--subpixel", "true"], "--subpixel changes the exported graph, not the weights"),
])
def test_user_errors_exit_2_with_one_line_and_no_file(tmp_path, args, message):
    _, ckpt = random_checkpoint(tmp_path, 4)
    result = run_script("--ckpt_file", ckpt, "--scale", "4", "--file_name", str(tmp_path / "model"), *args)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == ["x4.ckpt"]


@pytest.mark.parametrize("text", ["1,1,256", "1,1,0,8", "1,1,a,8", "-1,1,8,8", "1;1;8;8"])
def test_bad_fixed_shape_is_a_user_error(text):
    with pytest.raises(UserError, match="must be N,1,H,W"):
        export.parse_fixed_shape(text)


def _plan(argv):
    cfg = get_config("", argv)
    return export.plan(cfg, models.spec_for(cfg))


def test_plan_defaults_and_missing_folder(tmp_path):
    target = _plan(["--file_format", "onnx", "--file_name", str(tmp_path / "a.onnx")])
    assert target == ("ONNX", str(tmp_path / "a.onnx"), (1, 1, 256, 256))
    with pytest.raises(UserError, match="folder .* does not exist"):
        _plan(["--file_name", str(tmp_path / "no" / "model")])


def test_onnx_without_the_onnx_package_is_a_user_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # makes `import onnx` raise ImportError
    with pytest.raises(UserError, match="pip install onnx"):
        _plan(["--file_format", "ONNX", "--file_name", str(tmp_path / "m")])


def test_failed_write_keeps_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")

    def fail(_fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="disk full"):
        export._write_atomically(b"new", str(path))
    assert os.listdir(tmp_path) == ["m.onnx"] and path.read_bytes() == b"old"


def test_subpixel_onnx_has_no_transposed_conv_and_equals_mindspore(tmp_path, monkeypatch, capsys):
    """x3 is the case with an asymmetric sub-pixel kernel (taps -1..2), so the pads reordering matters too."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    net, ckpt = random_checkpoint(tmp_path, 3)
    run_export(monkeypatch, capsys, "--ckpt_file", ckpt, "--scale", "3", "--file_name", str(tmp_path / "sp"),
               "--file_format", "ONNX", "--fixed_shape", "1,1,17,23", "--subpixel", "true")
    model = onnx.load(str(tmp_path / "sp.onnx"))
    assert "ConvTranspose" not in {n.op_type for n in model.graph.node}
    session = ort.InferenceSession(str(tmp_path / "sp.onnx"), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(3).random((1, 1, 17, 23), dtype=np.float32)
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, net(ms.Tensor(x)).asnumpy(), rtol=0, atol=1e-5)

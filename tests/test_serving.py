"""The C++ harness (ascend310_infer/) built against MindSpore Lite 2.0 from PyPI (cached in third_party/):
scripts/run_infer_cpp.sh on Set5 gives MindSpore's outputs and eval.py's PSNR; padding for static models; bad input.

The build fetches Lite itself: with no network and no cached copy, these tests fail (loudly), they do not skip.
"""
import json
import os
import subprocess
import sys

import mindspore as ms
import numpy as np
import pytest

from conftest import ROOT, run_script
from src import checkpoint, export, inference, serving
from src.models.fsrcnn import FSRCNN

ENV = dict(os.environ, GLOG_v="3", PYTHON=sys.executable)


def image_like_checkpoint(path, scale=4):
    """An FSRCNN whose output looks like the image, so PSNR reacts to any misplaced pixel: channel 0 carries the input
    through identity convs to a bilinear deconv (tent kernel), every other weight is small and random, the PReLU
    slopes are not 1 (each layer matters). Returns the network."""
    net = FSRCNN(scale)
    rng = np.random.default_rng(0)
    tent = np.clip(1.0 - np.abs(np.arange(9) - 4.0) / scale, 0.0, None)
    for p in net.get_parameters():
        if p.name.endswith(".w"):  # PReLU slopes
            value = rng.uniform(0.1, 0.5, p.shape)
        elif p.name.endswith(".bias"):
            value = rng.normal(0.0, 0.02, p.shape)
            value[0] = 0.0
        elif p.name == "deconv.weight":
            value = rng.normal(0.0, 0.002, p.shape)
            value[0, 0] = np.outer(tent, tent)
        else:
            value = rng.normal(0.0, 0.02, p.shape)
            value[0, 0, p.shape[2] // 2, p.shape[3] // 2] = 1.0
        p.set_data(ms.Tensor(value.astype(np.float32)))
    checkpoint.save(net, path, {"scale": scale, "d": 56, "s": 12, "m": 4})
    return net


@pytest.fixture(scope="module")
def harness():
    """Build fsrcnn_infer and convert_model (downloading Lite once); any failure fails the test that needs them."""
    result = subprocess.run(["bash", os.path.join(ROOT, "ascend310_infer", "build.sh")], capture_output=True,
                            text=True, env=ENV, timeout=900, check=False)
    if result.returncode != 0:
        pytest.fail(f"ascend310_infer/build.sh failed:\n{(result.stdout + result.stderr)[-4000:]}")
    return serving.HARNESS


@pytest.fixture(scope="module")
def lite_model(harness, tmp_path_factory):
    """(network, its checkpoint, the Lite MindIR of its repaired ONNX export at 1,1,32,32)."""
    folder = tmp_path_factory.mktemp("lite")
    ckpt = str(folder / "x4.ckpt")
    net = image_like_checkpoint(ckpt)
    onnx_path = str(folder / "fsrcnn.onnx")
    export.export(net, export.Target("ONNX", onnx_path, (1, 1, 32, 32)))
    return net, ckpt, serving.convert_onnx(onnx_path, str(folder / "fsrcnn_lite"))


def network_output(net, lr_file):
    """MindSpore's output for one harness input file NAME_HxW.bin."""
    height, width = (int(v) for v in lr_file[:-len(".bin")].rsplit("_", 1)[1].split("x"))
    x = np.fromfile(lr_file, dtype=np.float32).reshape(1, 1, height, width)
    return net(ms.Tensor(x)).asnumpy()[0, 0]


def assert_outputs_equal_mindspore(net, work):
    for file in sorted(os.listdir(work / "lr")):
        if file.endswith(".bin"):
            got = np.fromfile(work / "sr" / (file.rsplit("_", 1)[0] + ".bin"), dtype=np.float32)
            want = network_output(net, str(work / "lr" / file))
            np.testing.assert_allclose(got.reshape(want.shape), want, rtol=0, atol=1e-4)


def eval_psnr(ckpt, data_dir, tmp_path, capsys):
    """eval.py's Set5 results, as its --json writes them."""
    code, _, err = run_script("eval", ["--ckpt_file", ckpt, "--data_dir", data_dir, "--eval_sets", "Set5",
                                       "--json", str(tmp_path / "eval.json")], capsys)
    assert code == 0, err
    return json.loads((tmp_path / "eval.json").read_text())["sets"]["Set5"]


def test_run_infer_cpp_equals_mindspore_and_eval(harness, data_dir, tmp_path, capsys):
    """The CPU chain, each Set5 image at its own size: outputs = MindSpore's, PSNR/SSIM = eval.py's."""
    ckpt = str(tmp_path / "x4.ckpt")
    net = image_like_checkpoint(ckpt)
    work = tmp_path / "work"
    result = subprocess.run(["bash", os.path.join(ROOT, "scripts", "run_infer_cpp.sh"), ckpt, "Set5"],
                            capture_output=True, text=True, timeout=600, check=False,
                            env=dict(ENV, WORK_DIR=str(work), DATA_DIR=data_dir, WARMUP="2", ITERS="5"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "inputs   5 planes (5 shapes) in 5 batches of 1" in result.stdout
    assert "ms per Predict (2 warm-up, 5 timed): median " in result.stdout
    assert_outputs_equal_mindspore(net, work)

    served = json.loads((work / "results.json").read_text())["sets"]["Set5"]
    evaluated = eval_psnr(ckpt, data_dir, tmp_path, capsys)
    assert served["psnr"] > evaluated["bicubic_psnr"] - 5  # an image-like output, not noise
    for name, scores in evaluated["images"].items():
        assert served["images"][name]["psnr"] == pytest.approx(scores["psnr"], abs=0.01)
        assert served["images"][name]["ssim"] == pytest.approx(scores["ssim"], abs=1e-4)
    assert served["psnr"] == pytest.approx(evaluated["psnr"], abs=0.01)
    assert sorted(os.listdir(work / "png")) == [f"{name}.png" for name in sorted(evaluated["images"])]


def test_padded_batches_for_a_static_model(lite_model, data_dir, tmp_path, capsys):
    """Planes padded to one shape, in batches of 2 (the last one partial): outputs = MindSpore's on the padded
    planes; after cropping, the PSNR stays within 0.01 dB of eval.py's (the mirrored border is not the network's
    zero padding, see src/serving.py)."""
    net, ckpt, model = lite_model
    lr, sr = tmp_path / "lr", tmp_path / "sr"
    code, out, err = run_script("preprocess", ["--data_dir", data_dir, "--lr_bin_dir", str(lr),
                                               "--pad_to", "largest"], capsys)
    assert code == 0, err
    assert "padded to 128x128" in out
    run = serving.run_harness(model, str(lr), str(sr), batch_size=2, warmup=1, iters=2)
    assert "inputs   5 planes (1 shape) in 3 batches of 2" in run.text and run.median_ms > 0
    assert_outputs_equal_mindspore(net, tmp_path)

    meta = serving.read_meta(str(lr))
    assert meta["shape"] == [128, 128]
    served = serving.postprocess(meta, serving.load_images(meta), str(sr))["sets"]["Set5"]
    assert served["psnr"] == pytest.approx(eval_psnr(ckpt, data_dir, tmp_path, capsys)["psnr"], abs=0.01)


def run_harness_cli(*args):
    return subprocess.run([serving.HARNESS, *args], capture_output=True, text=True, env=ENV, timeout=120,
                          check=False)


def assert_one_error_line(result, message):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr


def test_harness_bad_input(lite_model, tmp_path):
    model = lite_model[2]
    inputs, out = tmp_path / "in", str(tmp_path / "out")
    inputs.mkdir()
    assert_one_error_line(run_harness_cli("--model_path", str(tmp_path / "missing.mindir"), "--input_dir",
                                          str(inputs), "--output_dir", out), "missing.mindir: model file not found")
    assert_one_error_line(run_harness_cli("--model_path", model, "--input_dir", str(inputs), "--output_dir", out),
                          "contains no .bin files")
    assert_one_error_line(run_harness_cli("--model_path", model, "--input_dir", str(tmp_path / "nowhere"),
                                          "--output_dir", out), "no such directory")
    np.zeros((16, 16), np.float32).tofile(inputs / "a.bin")  # no shape in the name: the model's 32x32 is expected
    assert_one_error_line(run_harness_cli("--model_path", model, "--input_dir", str(inputs), "--output_dir", out),
                          "a.bin: 1024 bytes, but a 1x32x32 float32 input is 4096 bytes")
    os.rename(inputs / "a.bin", inputs / "a_16x15.bin")  # a name that contradicts the file's size
    assert_one_error_line(run_harness_cli("--model_path", model, "--input_dir", str(inputs), "--output_dir", out),
                          "a_16x15.bin: 1024 bytes, but a 1x16x15 float32 input is 960 bytes")
    assert_one_error_line(run_harness_cli("--model_path", model, "--input_dir", str(inputs), "--output_dir", out,
                                          "--iters", "-1"), "--iters '-1' must be an integer >= 0")
    assert_one_error_line(run_harness_cli("--model_path", model, "--input_dir", str(inputs)),
                          "option --output_dir is required")
    assert not os.path.exists(out)


def test_converter_bad_input(harness, tmp_path):
    result = subprocess.run([serving.CONVERTER, "--onnx_path", str(tmp_path / "none.onnx"), "--output_file",
                             str(tmp_path / "m")], capture_output=True, text=True, env=ENV, timeout=120, check=False)
    assert_one_error_line(result, "none.onnx: ONNX model not found")


def test_pre_and_postprocess_user_errors(data_dir, tmp_path, capsys):
    lr = str(tmp_path / "lr")
    code, _, err = run_script("preprocess", ["--data_dir", data_dir, "--lr_bin_dir", lr, "--pad_to", "100,100"],
                              capsys)
    assert code == 2 and "image 'baby': LR 128x128 does not fit 100x100 (pad to 128,128 or more" in err
    code, _, err = run_script("preprocess", ["--data_dir", data_dir, "--lr_bin_dir", lr, "--pad_to", "big"], capsys)
    assert code == 2 and "pad_to 'big' must be H,W" in err
    code, _, err = run_script("postprocess", ["--lr_bin_dir", lr, "--sr_bin_dir", str(tmp_path)], capsys)
    assert code == 2 and "meta.json: not found (run preprocess.py first)" in err
    assert run_script("preprocess", ["--data_dir", data_dir, "--lr_bin_dir", lr], capsys)[0] == 0
    code, _, err = run_script("postprocess", ["--lr_bin_dir", lr, "--sr_bin_dir", str(tmp_path / "sr")], capsys)
    assert code == 2 and "sr/baby.bin: no such file" in err.replace(os.sep, "/")


def test_preprocess_writes_what_eval_feeds_the_network(data_dir, tmp_path, capsys):
    """Each plane is inference.network_input of the protocol's LR, exactly; the metadata names set, scale, shapes."""
    lr = tmp_path / "lr"
    assert run_script("preprocess", ["--data_dir", data_dir, "--lr_bin_dir", str(lr), "--scale", "3"], capsys)[0] == 0
    meta = serving.read_meta(str(lr))
    images = serving.load_images(meta)
    assert meta["scale"] == 3 and meta["shape"] is None and len(images) == 5
    for name, _, lr_plane in images:
        stored = serving.read_plane(str(lr / serving.bin_name(name, lr_plane.shape)), lr_plane.shape)
        np.testing.assert_array_equal(stored, inference.network_input(lr_plane))

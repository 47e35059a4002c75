"""infer.py's fast path: the colour stage in float32 (within one level of the float64 chain), ONNX Runtime equal to
MindSpore on real images for FSRCNN, FSRCNN-s and FMEN-S, its model cache (rebuilt when the checkpoint changes), a
start-up without MindSpore, and the shipped model of the scale asked for, found from any folder."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, assert_same_but_rounding
from src import aliasing, backends, config, paths, protocol, upscale
from src.errors import UserError

SET5 = os.path.join(ROOT, "data", "Set5")


def _set5():
    return [(os.path.basename(f), protocol.load_image(f, "rgb")) for f in sorted(glob.glob(os.path.join(SET5, "*")))]


def _float64_colour(rgb, scale, upscale_y):
    """What infer.py computed before: float64 MATLAB rgb2ycbcr, bicubic chroma, ycbcr2rgb, MATLAB rounding."""
    y, cb, cr = protocol.rgb_to_ycbcr(rgb)
    luma = upscale_y((y / 255.0).astype(np.float32)).astype(np.float64) * 255.0
    chroma = [protocol.imresize(plane, scale) for plane in (cb, cr)]
    return protocol.round_uint8(protocol.ycbcr_to_rgb(luma, *chroma))


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_colour_stage_in_float32_is_within_one_level_of_float64(scale):
    """Every Set5 image, bicubic luma: the float32 colour stage (whole, and in strips of a few rows) against the
    float64 chain: at most one 8-bit level apart, at rounding edges only; the strips equal the whole."""
    def luma(y):
        return protocol.imresize(y, scale).astype(np.float32)
    for name, rgb in _set5():
        old = _float64_colour(rgb, scale, luma)
        new = upscale.upscale_pixels(rgb, scale, luma, 2 ** 28)
        diff = np.abs(new.astype(int) - old)
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-4, (name, diff.max(), (diff > 0).mean())
        strips = upscale.upscale_pixels(rgb, scale, luma, 2 ** 17)
        assert np.array_equal(strips, new), name


@pytest.mark.parametrize("shape", [(2, 2), (2, 7), (9, 3), (31, 45)])
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_bicubic_upscale_is_matlab_imresize(shape, scale):
    """The polyphase float32 bicubic equals protocol.imresize (MATLAB) to float32 rounding, borders included, also
    for a band of rows."""
    planes = np.random.default_rng(scale).random((2,) + shape).astype(np.float32) * 255
    reference = np.stack([protocol.imresize(p.astype(np.float64), scale) for p in planes])
    assert np.abs(upscale.bicubic_upscale(planes, scale) - reference).max() < 2e-4
    rows = slice(shape[0] // 2, shape[0])
    band = upscale.bicubic_upscale(planes, scale, rows)
    assert np.array_equal(band, upscale.bicubic_upscale(planes, scale)[:, scale * rows.start:])


# ---------------------------------------------------------------- the shipped checkpoints, from any folder
@pytest.mark.parametrize("argv,expected,routed_to", [
    (["--scale", "2"], "checkpoints/fsrcnn_x2.ckpt", "checkpoints/fsrcnn_x2_robust.ckpt"),
    (["--scale", "3"], "checkpoints/fsrcnn_x3.ckpt", "checkpoints/fsrcnn_x3_robust.ckpt"),
    ([], "checkpoints/fsrcnn_x4.ckpt", "checkpoints/fsrcnn_x4_robust.ckpt"),  # a robust model ships beside it
    (["--shipped_model", "robust"], "checkpoints/fsrcnn_x4_robust.ckpt", None),
    (["--shipped_model", "paper"], "checkpoints/fsrcnn_x4.ckpt", None),
    (["--d", "32", "--s", "5", "--m", "1"], "checkpoints/fsrcnn-s_x4.ckpt", "checkpoints/fsrcnn-s_x4_robust.ckpt"),
    (["--model", "fmen", "--scale", "3"], "checkpoints/fmen-s_x3.ckpt", None),
    (["--model", "fmen"], "checkpoints/fmen-s_x4.ckpt", None),
    (["--d", "32", "--s", "5", "--m", "1", "--scale", "2"], "checkpoints/fsrcnn-s_x2.ckpt", None),
    (["--config_path", "configs/fsrcnn-s/x3.yaml"], "checkpoints/fsrcnn-s_x3.ckpt", None),
    (["--scale", "2", "--ckpt_file", "mine.ckpt"], "mine.ckpt", None),
])
def test_infer_picks_the_shipped_model_of_the_scale_from_any_folder(argv, expected, routed_to, tmp_path, monkeypatch):
    """No --ckpt_file: the shipped model of that network and scale, found from another working directory; where its
    robust variant ships too, routed to it per image (unless --shipped_model says which); a --ckpt_file (or one in
    --config_path) is kept as given."""
    monkeypatch.chdir(tmp_path)
    argv = ["--input", "a.png", "--output", "b.png"] + argv
    cfg = config.get_config("", argv, "infer")
    upscale.pick_checkpoint(cfg)
    want = expected if expected == "mine.ckpt" else os.path.join(ROOT, expected)
    assert cfg.ckpt_file == want
    if routed_to is None:
        assert cfg.route is None
    else:
        assert cfg.route.robust_ckpt == os.path.join(ROOT, routed_to)
        assert cfg.route.route == aliasing.read_routes()[cfg.route.key]


@pytest.mark.parametrize("command", ["eval", "export", "benchmark", "infer"])
def test_every_entry_point_finds_the_shipped_checkpoints_from_another_folder(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = config.get_config("", [], command)
    assert cfg.ckpt_file == os.path.join(paths.CHECKPOINTS_DIR, "fsrcnn_x4.ckpt")
    cfg = config.get_config("", ["--config_path", "configs/fmen-s/x2.yaml"], command)
    assert cfg.model == "fmen" and cfg.ckpt_file == os.path.join(paths.CHECKPOINTS_DIR, "fmen-s_x2.ckpt")
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "fsrcnn_x4.ckpt").write_bytes(b"")
    assert config.get_config("", [], command).ckpt_file == "checkpoints/fsrcnn_x4.ckpt"  # the folder's own wins


# ---------------------------------------------------------------- the backends
@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private model cache (paths.cache_dir follows XDG_CACHE_HOME); returns its onnx folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "fsrcnn-mindspore" / backends.CACHE_FOLDER


def _cfg(argv):
    argv = ["--input", "a.png", "--output", "b.png"] + argv
    cfg = config.get_config("", argv, "infer")
    upscale.pick_checkpoint(cfg)
    return cfg


def _upscalers(argv, capsys):
    ort = upscale.load_upscaler(_cfg(argv + ["--backend", "onnxruntime"]))
    assert "(ONNX Runtime, built once: " in capsys.readouterr().out
    ms = upscale.load_upscaler(_cfg(argv + ["--backend", "mindspore"]))
    assert isinstance(ort.predict, backends.OnnxNetwork) and not isinstance(ms.predict, backends.OnnxNetwork)
    return ort, ms


@pytest.mark.parametrize("argv", [["--scale", "3"], ["--config_path", "configs/fsrcnn-s/x2.yaml"],
                                  ["--model", "fmen", "--scale", "4"]], ids=["fsrcnn_x3", "fsrcnn-s_x2", "fmen-s_x4"])
def test_onnxruntime_equals_mindspore_on_real_images(argv, cache, capsys):
    """The shipped FSRCNN, FSRCNN-s and FMEN-S: the network's float output of ONNX Runtime equals MindSpore's to
    float32 rounding on Set5 images of other sizes than the export's, the 8-bit images are the same but for
    rounding edges, and ONNX Runtime on tiles equals its whole-image pass the same way."""
    ort, ms = _upscalers(argv, capsys)
    assert (ort.scale, ort.halo, ort.colour, ort.title) == (ms.scale, ms.halo, ms.colour, ms.title)
    for name, rgb in _set5()[1:4]:
        image = rgb[:61, :83]
        x = (image / 255.0).astype(np.float32) if ms.colour == "rgb" else upscale.luma_of(image) / np.float32(255)
        assert np.abs(ort.predict(x) - ms.predict(x)).max() < 1e-5, name
        fast, _ = ort.upscale(rgb)
        assert_same_but_rounding(fast, ms.upscale(rgb)[0])
    tiled = ort._replace(tile=16)
    out, tiles = tiled.upscale(rgb)
    assert tiles.count > 4
    assert_same_but_rounding(out, fast)


def test_prelu_as_max_is_the_same_network_bit_for_bit(tmp_path):
    """The shipped FSRCNN x4 (slopes from -5 to 7: signs folded into its convolutions): every PReLU rewritten as
    max(x, w * x), ONNX Runtime's output identical to the exported graph's, on an image of another size."""
    import onnx
    from src import checkpoint, export, models
    cfg = _cfg(["--scale", "4"])
    spec = models.spec_for(cfg)
    net = spec.inference_form(checkpoint.network_from_checkpoint(cfg.ckpt_file, spec))
    target = export.Target("ONNX", str(tmp_path / "x4.onnx"), (1, 1, 40, 40))
    export.export(net, target)
    exported = backends.make_dynamic(onnx.load(target.path))
    simplified, count = backends.simplify_prelu(onnx.load_from_string(exported.SerializeToString()))
    assert count == 7 and not any(node.op_type in ("Relu", "Neg", "Sub") for node in simplified.graph.node)
    image = upscale.luma_of(protocol.load_image(os.path.join(SET5, "woman.png"), "rgb")[:57, :43]) / np.float32(255)
    before = backends.OnnxNetwork(exported.SerializeToString(), 1)(image)
    assert np.array_equal(backends.OnnxNetwork(simplified.SerializeToString(), 1)(image), before)


def test_the_model_cache_is_rebuilt_when_the_checkpoint_changes(tmp_path, cache, capsys):
    ckpt = tmp_path / "model.ckpt"
    shutil.copy(os.path.join(paths.CHECKPOINTS_DIR, "fsrcnn-s_x2.ckpt"), ckpt)
    argv = ["--config_path", "configs/fsrcnn-s/x2.yaml", "--ckpt_file", str(ckpt)]
    image = protocol.load_image(os.path.join(SET5, "bird.png"), "rgb")[:40, :50]
    first = upscale.load_upscaler(_cfg(argv))
    assert "built once" in capsys.readouterr().out
    [cached] = os.listdir(cache)
    again = upscale.load_upscaler(_cfg(argv))
    assert f"cached {cache / cached}" in capsys.readouterr().out
    assert np.array_equal(again.upscale(image)[0], first.upscale(image)[0])

    # the same name, other weights (the stage before it): a new key, rebuilt, the stale model removed
    shutil.copy(os.path.join(paths.CHECKPOINTS_DIR, "stages", "fsrcnn-s_x2_transfer.ckpt"), ckpt)
    assert backends.load_cached(_cfg(argv))[0] is None
    changed = upscale.load_upscaler(_cfg(argv))
    assert "built once" in capsys.readouterr().out
    [rebuilt] = os.listdir(cache)
    assert rebuilt != cached and rebuilt.startswith("model.")
    assert not np.array_equal(changed.upscale(image)[0], first.upscale(image)[0])

    # a damaged cached model is rebuilt, not used
    (cache / rebuilt).write_bytes(b"not a model")
    assert backends.load_cached(_cfg(argv))[0] is None
    upscale.load_upscaler(_cfg(argv))
    assert "built once" in capsys.readouterr().out and os.path.getsize(cache / rebuilt) > 1000


def test_a_mix_of_two_checkpoints_runs_on_both_backends_and_is_cached_beside_them(tmp_path, cache, capsys):
    """infer.py's mixes of a paper and a robust model (aliasing.Route): every parameter (1 - w) of the one plus w of
    the other; ONNX Runtime's model of it equals MindSpore's to float32 rounding and is cached under its own name,
    one per share, beside the plain checkpoint's model (neither replaces the other)."""
    from src import checkpoint, models
    paper = os.path.join(paths.CHECKPOINTS_DIR, "fsrcnn-s_x2.ckpt")
    other = os.path.join(paths.CHECKPOINTS_DIR, "stages", "fsrcnn-s_x2_transfer.ckpt")
    argv = ["--config_path", "configs/fsrcnn-s/x2.yaml", "--ckpt_file", paper]
    spec = models.spec_for(_cfg(argv))
    ends = [checkpoint.read(path)[0] for path in (paper, other)]
    for p in checkpoint.mixed_network(paper, other, 0.4, spec).get_parameters():
        want = 0.6 * ends[0][p.name].asnumpy() + 0.4 * ends[1][p.name].asnumpy()
        assert np.allclose(p.asnumpy(), want, rtol=1e-6, atol=1e-7), p.name

    def mixed(share, backend):
        cfg = _cfg(argv + ["--backend", backend])
        cfg.mix = (other, share)
        return upscale.load_upscaler(cfg)
    plain = upscale.load_upscaler(_cfg(argv))
    fast, slow = mixed(0.4, "onnxruntime"), mixed(0.4, "mindspore")
    assert "built once" in capsys.readouterr().out
    x = upscale.luma_of(protocol.load_image(os.path.join(SET5, "bird.png"), "rgb")[:45, :38]) / np.float32(255)
    assert np.abs(fast.predict(x) - slow.predict(x)).max() < 1e-5
    assert np.abs(fast.predict(x) - plain.predict(x)).max() > 1e-3  # another network indeed
    mixed(0.8, "onnxruntime")
    assert len(os.listdir(cache)) == 3 and any(name.startswith("fsrcnn-s_x2+fsrcnn-s_x2_transfer.")
                                               for name in os.listdir(cache))
    upscale.load_upscaler(_cfg(argv))
    again = mixed(0.4, "onnxruntime")
    assert capsys.readouterr().out.count("(ONNX Runtime, cached ") == 2
    assert np.array_equal(again.predict(x), fast.predict(x))


def test_an_image_on_the_ramp_gets_the_mix_of_its_level(cache, capsys):
    """infer.py's default for FSRCNN-s x4 with a ramp so wide that a Set5 crop lands inside it: the image runs on the
    mix of its level (ONNX Runtime), which equals MindSpore's network of those mixed weights, and the line says so."""
    from src import checkpoint, inference, models
    cfg = _cfg(["--d", "32", "--s", "5", "--m", "1"])
    route = cfg.route.route._replace(low=-100.0, high=100.0)
    cfg.route = cfg.route._replace(route=route)
    rgb = protocol.load_image(os.path.join(SET5, "bird.png"), "rgb")[:40, :52]
    upscaler = upscale.make_upscaler(cfg)
    level, score = upscaler.pick(rgb)
    assert 0 < level < route.levels
    out, plan = upscaler.upscale(rgb)
    assert plan.describe().startswith(f"{100 * level // route.levels}% robust model (aliasing score {score:.2f}")
    spec = models.spec_for(cfg)
    net = checkpoint.mixed_network(cfg.ckpt_file, cfg.route.robust_ckpt, level / route.levels, spec)
    served = inference.make_dynamic(spec.inference_form(net), spec.channels)
    reference = upscale.Upscaler.for_network(spec, net, 0, 256, served).upscale(rgb)[0]
    assert_same_but_rounding(out, reference)
    assert isinstance(upscaler.member(level).predict, backends.OnnxNetwork)


def test_backend_option(capsys):
    cfg = _cfg(["--backend", "tensorflow"])
    with pytest.raises(UserError, match="backend 'tensorflow' is not one of auto, mindspore, onnxruntime"):
        backends.choose(cfg)
    cfg = _cfg(["--backend", "onnxruntime", "--device_target", "GPU"])
    with pytest.raises(UserError, match="runs on the CPU"):
        backends.choose(cfg)
    assert backends.choose(_cfg(["--device_target", "GPU"])) == "mindspore"
    assert backends.choose(_cfg([])) == "onnxruntime"


def test_classsr_stays_on_mindspore(cache, capsys):
    argv = ["--config_path", "configs/classsr/x4.yaml"]
    with pytest.raises(UserError, match="--backend onnxruntime: ClassSR cannot be exported as one model"):
        upscale.load_upscaler(_cfg(argv + ["--backend", "onnxruntime"]))
    upscaler = upscale.load_upscaler(_cfg(argv))
    assert not isinstance(upscaler.predict, backends.OnnxNetwork)
    assert "note:" not in capsys.readouterr().err and not os.path.exists(cache)


# ---------------------------------------------------------------- the command line
def test_command_line_from_another_folder_starts_without_mindspore(tmp_path):
    """`python infer.py --input photo.png --output big.png --scale 2` from another folder: the x2 model, built once;
    the next run loads the cached model and never imports MindSpore, with the same output."""
    cache = tmp_path / "cache"
    decision = os.path.join(paths.cache_dir(), "onednn_isa.json")  # spare the new cache the oneDNN probe
    if os.path.isfile(decision):
        os.makedirs(cache / "fsrcnn-mindspore")
        shutil.copy(decision, cache / "fsrcnn-mindspore")
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), GLOG_v="3")
    Image.fromarray(protocol.load_image(os.path.join(SET5, "head.png"), "rgb")[:48, :40]).save(tmp_path / "photo.png")
    first = subprocess.run([sys.executable, os.path.join(ROOT, "infer.py"), "--input", "photo.png", "--output",
                            "big.png", "--scale", "2"], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    # the x2 pair: the crop (never downscaled) goes to the model its pixels call for
    assert re.search(r"fsrcnn_x2(_robust)?\.ckpt  \(ONNX Runtime, built once", first.stdout), first.stdout
    assert "40x48 -> 80x96" in first.stdout
    script = tmp_path / "run_infer.py"
    script.write_text(f"import sys\nsys.path.insert(0, {ROOT!r})\nimport infer\ninfer.main(sys.argv[1:])\n"
                      "print('mindspore imported:', 'mindspore' in sys.modules)\n")
    second = subprocess.run([sys.executable, str(script), "--input", "photo.png", "--output", "again.png", "--scale",
                             "2"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "(ONNX Runtime, cached " in second.stdout and "mindspore imported: False" in second.stdout
    assert np.array_equal(np.asarray(Image.open(tmp_path / "again.png")), np.asarray(Image.open(tmp_path / "big.png")))


def test_peer_benchmark_runs_when_opencv_is_there(tmp_path, cache, capsys):
    """python -m tools.peer_opencv: one short round (FSRCNN-s x2, 256x256) when a Python with cv2.dnn_superres and
    OpenCV's graphs are at hand; without OpenCV it says how to get it."""
    from tools import peer_opencv
    try:
        import cv2
        here = hasattr(cv2, "dnn_superres")
    except ImportError:
        here = False
    if not here:
        with pytest.raises(UserError, match="opencv-contrib-python-headless<5"):
            peer_opencv.opencv_python(str(tmp_path / "no_python"))
    models = os.environ.get("FSRCNN_OPENCV_MODELS", os.path.join(ROOT, "..", "shared", "peers", "opencv_fsrcnn"))
    python = os.path.join(ROOT, ".venv-opencv", "bin", "python")
    if not (os.path.isfile(os.path.join(models, "FSRCNN-small_x2.pb")) and os.path.isfile(python)):
        pytest.skip("needs OpenCV's FSRCNN graphs ($FSRCNN_OPENCV_MODELS) and .venv-opencv")
    report = tmp_path / "peer.json"
    with pytest.raises(SystemExit) as done:
        peer_opencv.main(["--models", models, "--networks", "FSRCNN-s", "--scales", "2", "--sizes", "256x256",
                          "--rounds", "1", "--iters", "1", "--warmup", "0", "--cli_rounds", "0",
                          "--folder_rounds", "1", "--folder_images", "2", "--json", str(report)])
        raise SystemExit(0)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "CPU: " in out and "FSRCNN-s" in out and "project/OpenCV" in out
    assert "folder mode: 2 256x256 PNGs" in out
    figures = json.loads(report.read_text())
    assert figures["opencv"] and len(figures["folders"]) == 1 and len(figures["folders"][0]["project"]) == 1


def test_torch_peer_benchmark_runs_when_torch_is_there(tmp_path, cache, capsys):
    """python -m tools.peer_torch: one short round (FSRCNN-s x2 on 64x64) when .venv-torch and the PyTorch
    reference script are at hand; a missing script is one line naming it."""
    from tools import peer_torch
    with pytest.raises(UserError, match="no_script.py: no such file"):
        peer_torch.parse_args(["--torch_reference", str(tmp_path / "no_script.py")])
    script = os.environ.get("FSRCNN_TORCH_REFERENCE", os.path.join(ROOT, "..", "shared", "bench",
                                                                  "torch_reference.py"))
    if not (os.path.isfile(script) and os.path.isfile(os.path.join(ROOT, ".venv-torch", "bin", "python"))):
        pytest.skip("needs the PyTorch reference script ($FSRCNN_TORCH_REFERENCE) and .venv-torch")
    report = tmp_path / "torch.json"
    with pytest.raises(SystemExit) as done:
        peer_torch.main(["--torch_reference", script, "--networks", "FSRCNN-s", "--scales", "2", "--size", "64",
                         "--rounds", "1", "--iters", "1", "--warmup", "0", "--json", str(report)])
        raise SystemExit(0)
    assert done.value.code == 0
    assert "FSRCNN-s" in capsys.readouterr().out
    [case] = json.loads(report.read_text())["cases"]
    assert len(case["project"]) == len(case["torch"]) == 1 and case["torch"][0] > 0

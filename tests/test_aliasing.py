"""infer.py's choice between a paper-protocol model and its robust model: the aliasing score tells LR made by an
antialiased downscale from LR made by an unfiltered one (the degradation known, Set5), the threshold search, the
router file read as untrusted, and infer.py routing real images end to end."""
import glob
import json
import os

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, run_script
from src import aliasing, degradations
from src.errors import UserError

SET5 = sorted(glob.glob(os.path.join(ROOT, "data", "Set5", "*.png")))
ANTIALIASED = ("matlab_bicubic", "pil_bicubic", "pil_lanczos")


def _lr(scale, name):
    return [degradations.degrade(degradations.read_pixels(f), scale, name)[1] for f in SET5]


def _fitted(scale):
    """A detector fitted here on Set5 itself: the same fit the calibration runs on training images."""
    unfiltered = ["cv2_cubic"] + (["cv2_linear"] if scale > 2 else [])
    rows = [(aliasing.features(lr), name in unfiltered) for name in unfiltered + list(ANTIALIASED)
            for lr in _lr(scale, name)]
    return aliasing.fit_detector(np.array([f for f, _ in rows]), np.array([a for _, a in rows]))


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_band_energies_tell_antialiased_from_unfiltered_lr(scale):
    """The detector fitted on the band energies separates, on Set5, every image downscaled by MATLAB's or Pillow's
    antialiased filters from every one downscaled by OpenCV's INTER_CUBIC (and INTER_LINEAR at x3 and x4, where it
    samples without filtering), and so does the top band against the one below it alone (no fit at all)."""
    detector = _fitted(scale)
    unfiltered = ["cv2_cubic"] + (["cv2_linear"] if scale > 2 else [])
    low = [aliasing.features(lr) for name in ANTIALIASED for lr in _lr(scale, name)]
    high = [aliasing.features(lr) for name in unfiltered for lr in _lr(scale, name)]
    assert max(detector(f) for f in low) < min(detector(f) for f in high)
    assert max(f[-1] - f[-3] for f in low) < min(f[-1] - f[-3] for f in high)  # 0.45-0.5 against 0.35-0.4


def test_features_of_flat_and_tiny_planes_are_none_and_score_minus_infinity():
    """Nothing to alias: the paper model."""
    detector = _fitted(4)
    assert aliasing.features(np.full((40, 40), 7.0)) is None
    assert aliasing.features(np.random.default_rng(0).random((15, 90))) is None
    assert aliasing.score(np.full((40, 40), 7.0), detector) == float("-inf")


def test_features_read_the_central_crop_only_and_ignore_contrast():
    rng = np.random.default_rng(1)
    plane = rng.random((600, 700))
    crop = plane[172:428, 222:478]
    assert np.array_equal(aliasing.features(plane), aliasing.features(crop))
    assert np.allclose(aliasing.features(3 * plane + 40), aliasing.features(plane), atol=1e-5)
    assert aliasing.features(plane).shape == (aliasing.FEATURES,) and aliasing.features(plane)[aliasing.REFERENCE] == 0


@pytest.mark.parametrize("scores,gains,expected", [
    ([0.0, 1.0, 2.0, 3.0], [-1.0, -1.0, 2.0, 3.0], 1.5),  # robust above 1.5: +5
    ([3.0, 0.0, 2.0, 1.0], [3.0, -1.0, 2.0, -1.0], 1.5),  # order does not matter
    ([0.0, 1.0, 2.0], [1.0, 0.5, 2.0], -1.0),  # the robust model gains everywhere: below every score
    ([0.0, 1.0, 2.0], [-1.0, -0.5, -2.0], 3.0),  # it loses everywhere: above every score
    ([0.0, 1.0, 2.0, 3.0], [-1.0, 4.0, -2.0, 3.0], 0.5),  # +5 from 0.5, against +1 from 2.5
])
def test_best_threshold_maximises_the_total_gain(scores, gains, expected):
    assert aliasing.best_threshold(scores, gains) == expected


def test_best_threshold_is_finite_when_planes_had_no_features():
    """A plane without band energies scores -inf (the paper model); the threshold stays a number the router file
    can hold."""
    assert aliasing.best_threshold([float("-inf"), 1.0, 2.0], [1.0, 1.0, 1.0]) == -10.0
    assert aliasing.best_threshold([float("-inf"), 1.0, 2.0], [-1.0, 1.0, 1.0]) == -4.0


@pytest.mark.parametrize("must_route,expected", [
    ([False, True, False, False], 0.5),  # the best threshold (1.5) would leave image 1 to the paper model
    ([True, False, False, False], -1.0),  # below every score
    ([False, False, False, True], 1.5),  # already routed: the best threshold stands
    ([False, False, False, False], 1.5),
])
def test_best_threshold_routes_what_must_go_to_the_robust_model(must_route, expected):
    assert aliasing.best_threshold([0.0, 1.0, 2.0, 3.0], [-1.0, -1.0, 2.0, 3.0], must_route) == expected


GOOD_DETECTOR = {"mean": [0.0] * 9, "std": [1.0] * 9, "weights": [0.5] * 9, "bias": 0.1}


@pytest.mark.parametrize("content,problem", [
    (b"\xff\xfe", "not a readable router file"),
    (b"[1, 2]", "no 'pairs' table"),
    ({"fsrcnn_x4": {"threshold": "0.5", "detector": GOOD_DETECTOR}}, "pair 'fsrcnn_x4' has no finite threshold"),
    ({"fsrcnn_x4": {"threshold": True, "detector": GOOD_DETECTOR}}, "pair 'fsrcnn_x4' has no finite threshold"),
    (b'{"pairs": {"fsrcnn_x4": {"threshold": 1e400}}}', "pair 'fsrcnn_x4' has no finite threshold"),
    ({"fsrcnn_x4": 0.5}, "pair 'fsrcnn_x4' has no finite threshold"),
    ({"fsrcnn_x4": {"threshold": 0.5}}, "pair 'fsrcnn_x4' has no detector of 9 finite band weights"),
    ({"fsrcnn_x4": {"threshold": 0.5, "detector": dict(GOOD_DETECTOR, weights=[0.5] * 8)}}, "no detector of 9"),
    ({"fsrcnn_x4": {"threshold": 0.5, "detector": dict(GOOD_DETECTOR, std=[0.0] * 9)}}, "no detector of 9"),
    ({"fsrcnn_x4": {"threshold": 0.5, "detector": dict(GOOD_DETECTOR, bias=None)}}, "no detector of 9"),
])
def test_a_broken_router_file_is_one_line_naming_it(content, problem, tmp_path):
    path = tmp_path / "router.json"
    path.write_bytes(content if isinstance(content, bytes) else json.dumps({"pairs": content}).encode())
    with pytest.raises(UserError, match=problem) as err:
        aliasing.read_routes(str(path))
    assert str(path) in str(err.value)
    assert aliasing.read_routes(str(tmp_path / "absent.json")) == {}
    path.write_text(json.dumps({"pairs": {"fsrcnn_x4": {"threshold": 0.5, "detector": GOOD_DETECTOR}}}))
    route = aliasing.read_routes(str(path))["fsrcnn_x4"]
    assert route.threshold == 0.5 and route.detector(np.ones(9)) == pytest.approx(4.6)


def test_the_shipped_router_sends_unfiltered_set5_lr_to_the_robust_model():
    """The safety the router exists for: the paper model falls below bicubic on LR made by OpenCV's INTER_CUBIC, so
    every such Set5 image goes to the robust model, at every calibrated pair's scale; and each shipped detector
    scores every Set5 image made by MATLAB's bicubic below every one made by INTER_CUBIC."""
    routes = aliasing.read_routes()
    assert {"fsrcnn_x2", "fsrcnn_x3", "fsrcnn_x4", "fsrcnn-s_x4"} <= set(routes)
    for key, route in routes.items():
        scale = int(key.rsplit("_x", 1)[1])
        unfiltered = [aliasing.score(lr, route.detector) for lr in _lr(scale, "cv2_cubic")]
        assert min(unfiltered) > route.threshold, key
        assert max(aliasing.score(lr, route.detector) for lr in _lr(scale, "matlab_bicubic")) < min(unfiltered), key
    with open(os.path.join(ROOT, aliasing.ROUTER_FILE), encoding="utf-8") as f:
        pairs = json.load(f)["pairs"]
    for key, entry in pairs.items():  # calibrated on training images, validated on Val20: never a test set
        assert not {"Set5", "Set14", "BSD100", "Urban100"} & set(entry["calibrated_on"].split(",")), key


def test_infer_routes_each_image_of_a_folder_to_the_model_its_lr_calls_for(tmp_path, capsys, monkeypatch):
    """Two LR images of Set5's butterfly, one made by MATLAB's antialiased bicubic (rounded, as a saved file) and
    one by OpenCV's INTER_CUBIC: infer.py's default sends the first to the paper model and the second to the robust
    one, and each output is the one that model gives alone (--shipped_model)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pixels = degradations.read_pixels(os.path.join(ROOT, "data", "Set5", "butterfly.png"))[:128, :96]
    folder = tmp_path / "lr"
    folder.mkdir()
    from src import protocol
    Image.fromarray(protocol.round_uint8(protocol.imresize(pixels, 0.25))).save(folder / "antialiased.png")
    Image.fromarray(degradations.downscale(pixels, 4, "cv2_cubic")).save(folder / "unfiltered.png")
    code, out, err = run_script("infer", ["--input", str(folder), "--output", str(tmp_path / "auto")], capsys)
    assert code == 0, err
    lines = {line.split(":")[0]: line for line in out.splitlines() if line.startswith(str(folder))}
    assert "paper model" in lines[str(folder / "antialiased.png")]
    assert "robust model" in lines[str(folder / "unfiltered.png")]
    for choice, name in (("paper", "antialiased.png"), ("robust", "unfiltered.png")):
        single = tmp_path / f"{choice}.png"
        code, _, err = run_script("infer", ["--input", str(folder / name), "--output", str(single),
                                            "--shipped_model", choice], capsys)
        assert code == 0, err
        assert np.array_equal(np.asarray(Image.open(single)), np.asarray(Image.open(tmp_path / "auto" / name)))


@pytest.mark.parametrize("argv,problem", [
    (["--shipped_model", "robust", "--model", "fmen"], "no robust model ships for fmen-s x4"),
    (["--shipped_model", "paper", "--ckpt_file", "mine.ckpt"], "--shipped_model chooses among the shipped models"),
    (["--shipped_model", "best"], "--shipped_model must be one of auto, paper, robust, got 'best'"),
])
def test_shipped_model_mistakes_are_one_line(argv, problem, tmp_path, capsys):
    image = tmp_path / "a.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(image)
    code, out, err = run_script("infer", ["--input", str(image), "--output", str(tmp_path / "b.png")] + argv, capsys)
    assert code == 2 and err.startswith("error: ") and problem in err, err
    assert err.count("\n") == 1 and not (tmp_path / "b.png").exists()

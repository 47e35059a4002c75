"""infer.py's choice between a paper-protocol model, its robust model and mixes of the two: the aliasing score tells
LR made by an antialiased downscale from LR made by an unfiltered one (the degradation known, Set5), the ramp and
its search, the router file read as untrusted, and infer.py routing real images end to end."""
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


@pytest.mark.parametrize("low,high,expected", [
    (0.5, 0.5, [0, 0, 0, 0, 4, 4, 4]),  # a step: the robust model above it, as a threshold
    (0.0, 1.0, [0, 0, 1, 2, 4, 4, 4]),  # linear between, rounded to quarters
])
def test_a_route_mixes_the_weights_along_its_ramp(low, high, expected):
    route = aliasing.Route(None, low, high, 4)
    assert route.levels_of([float("-inf"), 0.0, 0.3, 0.5, 0.9, 1.0, 2.0]).tolist() == expected
    assert [route.describe(k) for k in (0, 1, 4)] == ["paper model", "25% robust model", "robust model"]


def _levels(ramp, scores, levels):
    return aliasing.Route(None, *ramp, levels).levels_of(scores).tolist()


def test_best_ramp_gives_each_image_its_best_mix_where_a_ramp_can():
    """Four images along the score, PSNR at robust shares 0, 1/2, 1: the paper model, the half mix, then the robust
    model are best: the ramp gives each its own."""
    psnr = [[30.0, 29.0, 28.0], [30.0, 31.0, 30.0], [28.0, 29.0, 30.0], [27.0, 29.0, 31.0]]
    scores = [0.0, 1.0, 2.0, 3.0]
    assert _levels(aliasing.best_ramp(scores, psnr, [20.0] * 4), scores, 2) == [0, 1, 2, 2]
    # the robust model best everywhere: below every score; nowhere: above every score
    assert _levels(aliasing.best_ramp(scores, [[1.0, 2.0, 3.0]] * 4, [0.0] * 4), scores, 2) == [2, 2, 2, 2]
    assert _levels(aliasing.best_ramp(scores, [[3.0, 2.0, 1.0]] * 4, [0.0] * 4), scores, 2) == [0, 0, 0, 0]


def test_best_ramp_keeps_above_bicubic_what_the_paper_model_takes_below():
    """Image 1 (score 1) is best at the half mix in total, but the paper model and the half mix take it below
    bicubic where the robust model does not: it gets the robust model, and the ramp stays finite with an image that
    has no features (score -inf: the paper model)."""
    psnr = [[30.0, 29.0, 28.0], [25.0, 33.0, 31.0], [28.0, 29.0, 30.0], [27.0, 29.0, 31.0]]
    scores = [0.0, 1.0, 2.0, 3.0]
    assert _levels(aliasing.best_ramp(scores, psnr, [20.0] * 4), scores, 2) == [0, 1, 2, 2]
    bicubic = [20.0, 33.5, 20.0, 20.0]  # paper 25 and the mix 33 below it, robust 31 not: guarded
    psnr[1][2] = 34.0
    assert _levels(aliasing.best_ramp(scores, psnr, bicubic), scores, 2) == [0, 2, 2, 2]
    low, high = aliasing.best_ramp([float("-inf")] + scores[1:], psnr, bicubic)
    assert np.isfinite([low, high]).all() and _levels((low, high), [float("-inf")], 2) == [0]


GOOD_DETECTOR = {"mean": [0.0] * 9, "std": [1.0] * 9, "weights": [0.5] * 9, "bias": 0.1}
GOOD = {"ramp": [0.5, 1.5], "levels": 5, "detector": GOOD_DETECTOR}


@pytest.mark.parametrize("content,problem", [
    (b"\xff\xfe", "not a readable router file"),
    (b"[1, 2]", "no 'pairs' table"),
    ({"fsrcnn_x4": dict(GOOD, ramp=["0", 1])}, "pair 'fsrcnn_x4' has no ramp of two finite scores"),
    ({"fsrcnn_x4": dict(GOOD, ramp=[True, 1])}, "pair 'fsrcnn_x4' has no ramp of two finite scores"),
    ({"fsrcnn_x4": dict(GOOD, ramp=[0.5])}, "pair 'fsrcnn_x4' has no ramp of two finite scores"),
    ({"fsrcnn_x4": dict(GOOD, ramp=[2.0, 1.0])}, "no ramp of two finite scores, low then high"),
    (b'{"pairs": {"fsrcnn_x4": {"ramp": [0, 1e400]}}}', "pair 'fsrcnn_x4' has no ramp of two finite scores"),
    ({"fsrcnn_x4": 0.5}, "pair 'fsrcnn_x4' has no ramp"),
    ({"fsrcnn_x4": dict(GOOD, levels=0)}, "pair 'fsrcnn_x4' has no whole number of levels from 1 to 20"),
    ({"fsrcnn_x4": dict(GOOD, levels=2.0)}, "no whole number of levels"),
    ({"fsrcnn_x4": dict(GOOD, levels=10 ** 6)}, "no whole number of levels"),
    ({"fsrcnn_x4": {"ramp": [0, 1], "levels": 5}}, "pair 'fsrcnn_x4' has no detector of 9 finite band weights"),
    ({"fsrcnn_x4": dict(GOOD, detector=dict(GOOD_DETECTOR, weights=[0.5] * 8))}, "no detector of 9"),
    ({"fsrcnn_x4": dict(GOOD, detector=dict(GOOD_DETECTOR, std=[0.0] * 9))}, "no detector of 9"),
    ({"fsrcnn_x4": dict(GOOD, detector=dict(GOOD_DETECTOR, bias=None))}, "no detector of 9"),
])
def test_a_broken_router_file_is_one_line_naming_it(content, problem, tmp_path):
    path = tmp_path / "router.json"
    path.write_bytes(content if isinstance(content, bytes) else json.dumps({"pairs": content}).encode())
    with pytest.raises(UserError, match=problem) as err:
        aliasing.read_routes(str(path))
    assert str(path) in str(err.value)
    assert aliasing.read_routes(str(tmp_path / "absent.json")) == {}
    path.write_text(json.dumps({"pairs": {"fsrcnn_x4": GOOD}}))
    route = aliasing.read_routes(str(path))["fsrcnn_x4"]
    assert (route.low, route.high, route.levels) == (0.5, 1.5, 5) and route.detector(np.ones(9)) == pytest.approx(4.6)


def test_the_shipped_router_keeps_unfiltered_set5_lr_above_bicubic():
    """The safety the router exists for: the paper model falls below bicubic on LR made by OpenCV's INTER_CUBIC;
    every such Set5 image gets the robust model, or a mix with the paper model's weights that scores it above
    bicubic, at every calibrated pair's scale, though Set5 took no part in the calibration; and each shipped
    detector scores every Set5 image made by MATLAB's bicubic below every one made by INTER_CUBIC."""
    from src import dataset, evaluate, inference, protocol
    from tools import calibrate_router
    routes = aliasing.read_routes()
    assert {"fsrcnn_x2", "fsrcnn_x3", "fsrcnn_x4", "fsrcnn-s_x4"} <= set(routes)
    for key, route in routes.items():
        family, scale = key.rsplit("_x", 1)[0], int(key.rsplit("_x", 1)[1])
        images = dataset.load_eval_set(os.path.dirname(SET5[0]), "", scale, protocol.LUMA, "cv2_cubic")
        unfiltered = [aliasing.score(lr, route.detector) for _, _, lr in images]
        nets = calibrate_router.level_networks(family, scale, route.levels, 1)
        for (name, hr, lr), level in zip(images, route.levels_of(unfiltered)):
            if level < route.levels:  # a mix (x3 here): the paper model's share must not take it below bicubic
                sr = protocol.round_uint8(inference.predict(nets[level], lr))
                scores = evaluate.score_image(sr, hr, lr, scale, with_ssim=False)
                assert scores["psnr"] > scores["bicubic_psnr"], (key, name, level, scores)
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
    assert ", paper model (aliasing score" in lines[str(folder / "antialiased.png")]
    assert ", robust model (aliasing score" in lines[str(folder / "unfiltered.png")]
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


def test_calibrate_router_writes_a_ramp_that_infer_reads(tmp_path, capsys):
    """tools.calibrate_router end to end on a small set (Set5 here, only to be quick): the pair's detector, ramp and
    levels are written into the router file beside the pairs already there, and read back as a Route."""
    from tools import calibrate_router
    router = tmp_path / "router.json"
    other = {"ramp": [0.0, 1.0], "levels": 2, "detector": GOOD_DETECTOR}
    router.write_text(json.dumps({"pairs": {"fsrcnn_x3": other}}))
    calibrate_router.main(["--family", "fsrcnn-s", "--scales", "4", "--sets", os.path.dirname(SET5[0]),
                           "--val_sets", "", "--levels", "2", "--threads", "1", "--router", str(router)])
    assert "fsrcnn-s x4: ramp " in capsys.readouterr().out
    routes = aliasing.read_routes(str(router))
    assert set(routes) == {"fsrcnn_x3", "fsrcnn-s_x4"} and routes["fsrcnn-s_x4"].levels == 2
    entry = json.loads(router.read_text())["pairs"]["fsrcnn-s_x4"]
    assert entry["calibrated_on"] == os.path.dirname(SET5[0]) and set(entry["train"]) == set(degradations.INTERPOLATING)
    with pytest.raises(SystemExit):
        calibrate_router.main(["--levels", "0", "--router", str(router)])
    assert "--levels must be from 1 to 20" in capsys.readouterr().err


def test_study_blends_fits_a_ramp_per_kind_of_mix(tmp_path, capsys):
    """tools.study_blends on a small set (Set5, only to be quick): a step, an output-mix ramp and a weight-mix ramp,
    each scored per degradation; the step is a threshold (low == high), and on the images they were fitted on, each
    ramp keeps the guard and totals at least the step's PSNR (a step is among a ramp's candidates)."""
    from tools import study_blends
    folder, out = os.path.dirname(SET5[0]), tmp_path / "study.json"
    study_blends.main(["--family", "fsrcnn-s", "--scales", "4", "--sets", folder, "--val_sets", folder,
                       "--levels", "2", "--threads", "1", "--json", str(out)])
    assert "fsrcnn-s x4 on " in capsys.readouterr().out
    entry = json.loads(out.read_text())["fsrcnn-s_x4"]
    assert set(entry["ramps"]) == {"step", "outputs", "weights"}
    assert entry["ramps"]["step"][0] == entry["ramps"]["step"][1]
    for name in entry["ramps"]:
        assert set(entry["validation"][name]) == set(degradations.INTERPOLATING)
    nets = study_blends.calibrate_router.level_networks("fsrcnn-s", 4, 2, 1)
    rows = study_blends.scored(nets, aliasing.read_routes()["fsrcnn-s_x4"], [folder], "", 4)
    bicubic, totals = rows[:, 2], {}
    for name, psnr in study_blends.mixes(rows, 2).items():
        route = aliasing.Route(None, *entry["ramps"][name], psnr.shape[1] - 1)
        chosen = psnr[np.arange(len(rows)), route.levels_of(rows[:, 1])]
        totals[name] = chosen.sum()
        guarded = (psnr[:, 0] < bicubic) & (psnr[:, -1] >= bicubic)
        assert not np.any(guarded & (chosen < bicubic)), name
    assert totals["outputs"] >= totals["step"] - 1e-6 and totals["weights"] >= totals["step"] - 1e-6, totals

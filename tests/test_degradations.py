"""The degradations of src/degradations.py against the libraries that define them, eval.py --degradation, and the
training mix (--train_degradations): deterministic, every degradation used, validation under each.

OpenCV is a test-only dependency (requirements-test.txt): its tests are skipped where it is not installed.
Bounds: Pillow's BICUBIC/LANCZOS are reproduced bit for bit at every size tried; OpenCV's INTER_AREA,
INTER_CUBIC and INTER_LINEAR bit for bit at integer factors (the degradations); at other output sizes OpenCV's three
within one 8-bit level (measured: cubic 2.6%, linear 9.8%, area 0.01% of the pixels). A downscale saved as a JPEG
(+jpeg<q>) is the library's resize then OpenCV's JPEG writer and reader (imencode, imdecode; the project calls
Pillow's, which writes the same bytes): bit for bit.
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, run_script
from src import config, dataset, degradations, metrics, protocol, train_data
from src.errors import UserError

SET5 = sorted(glob.glob(os.path.join(ROOT, "data", "Set5", "*.png")))
PIL_FILTERS = {"pil_bicubic": Image.BICUBIC, "pil_lanczos": Image.LANCZOS, "pil_nearest": Image.NEAREST}
LIBRARY = [name for name in degradations.NAMES if name != degradations.PAPER]
RESIZES = [name for name in LIBRARY if degradations.JPEG not in name]


def _cv2_flag(name):
    cv2 = pytest.importorskip("cv2")
    flags = {"cv2_cubic": cv2.INTER_CUBIC, "cv2_linear": cv2.INTER_LINEAR, "cv2_area": cv2.INTER_AREA,
             "cv2_nearest": cv2.INTER_NEAREST}
    return cv2, flags[name]


def opencv_jpeg(img, quality):
    """OpenCV's JPEG writer and reader (cv2.imencode, cv2.imdecode): an encoder other than the Pillow one that
    degradations.jpeg_round_trip calls, which writes the same bytes as Pillow's."""
    cv2 = pytest.importorskip("cv2")
    bgr = img[..., ::-1] if img.ndim == 3 else img
    _, data = cv2.imencode(".jpg", np.ascontiguousarray(bgr), [cv2.IMWRITE_JPEG_QUALITY, quality])
    out = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    return out[..., ::-1] if out.ndim == 3 else out


def library_resize(name, img, out_shape):
    """The library's own calls: cv2.resize(img, (w, h), interpolation) or Image.resize((w, h), filter), and for
    <resize>+jpeg<q> OpenCV's JPEG writer and reader after it (Pillow's and OpenCV's write the same bytes)."""
    base, jpeg, quality = name.partition(degradations.JPEG)
    if jpeg:
        return opencv_jpeg(library_resize(base, img, out_shape), int(quality))
    if name in PIL_FILTERS:
        return np.asarray(Image.fromarray(img).resize(out_shape[::-1], PIL_FILTERS[name]))
    cv2, flag = _cv2_flag(name)
    return cv2.resize(np.ascontiguousarray(img), out_shape[::-1], interpolation=flag)


def _set5_images():
    rgb = [np.asarray(Image.open(path).convert("RGB")) for path in SET5]
    return rgb + [protocol.rgb_to_y(img) for img in rgb]  # the files' colours and luma planes


@pytest.mark.parametrize("name", LIBRARY)
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_each_degradation_is_its_library_on_set5(name, scale):
    for img in _set5_images():
        hr = protocol.modcrop(img, scale)
        ours = degradations.downscale(hr, scale, name)
        assert ours.dtype == np.uint8
        assert np.array_equal(ours, library_resize(name, hr, (hr.shape[0] // scale, hr.shape[1] // scale)))


@pytest.mark.parametrize("name", LIBRARY)
def test_odd_sizes_at_integer_factors_are_exact(name):
    rng = np.random.default_rng(7)
    photo = np.asarray(Image.open(SET5[0]).convert("RGB"))
    for scale in (2, 3, 4):
        for h, w in [(7, 9), (13, 5), (33, 25), (41, 39), (2, 17), (23, 3)]:
            crop = photo[100:100 + h * scale, 60:60 + w * scale]
            for img in (crop, crop[..., 1], rng.integers(0, 256, crop.shape[:2], dtype=np.uint8)):
                img = np.ascontiguousarray(img)
                assert np.array_equal(degradations.downscale(img, scale, name), library_resize(name, img, (h, w))), \
                    (name, scale, img.shape)


@pytest.mark.parametrize("name", RESIZES)
def test_other_output_sizes_within_one_level(name):
    """Non-integer factors (not a degradation of the project, a user's resize to a given size): Pillow and nearest
    exact, OpenCV within one level on at most an eighth of the pixels (OpenCV's float32 and SIMD fixed-point sums)."""
    rng = np.random.default_rng(1)
    photo = np.asarray(Image.open(SET5[1]).convert("RGB"))
    differing, total = 0, 0
    for h, w, oh, ow in [(101, 77, 33, 40), (64, 63, 21, 20), (57, 91, 19, 30), (50, 50, 7, 13), (33, 47, 16, 23)]:
        for img in (np.ascontiguousarray(photo[:h, 50:50 + w]), rng.integers(0, 256, (h, w), dtype=np.uint8)):
            diff = np.abs(degradations.resize(img, (oh, ow), name).astype(int) - library_resize(name, img, (oh, ow)))
            assert diff.max() <= (0 if name in PIL_FILTERS or name == "cv2_nearest" else 1)
            differing, total = differing + int((diff > 0).sum()), total + diff.size
    assert differing <= 0.12 * total


def test_the_paper_degradation_is_the_protocol():
    pixels = degradations.read_pixels(SET5[2])
    for scale in (2, 3, 4):
        hr, lr = degradations.degrade(pixels, scale)
        expected_hr, expected_lr = protocol.degrade(protocol.load_y(SET5[2]), scale)
        assert np.array_equal(hr, expected_hr) and np.array_equal(lr, expected_lr) and lr.dtype == np.float64
        assert np.array_equal(degradations.downscale(protocol.modcrop(pixels, scale), scale, degradations.PAPER),
                              protocol.imresize(protocol.modcrop(pixels, scale), 1.0 / scale))


@pytest.mark.parametrize("name", LIBRARY)
def test_a_library_lr_is_the_luma_of_the_libraries_rgb_lr(name):
    """What a luma network reads under a library's degradation: the Y of the 8-bit RGB image the library writes
    (as infer.py reads a file); an RGB network reads that image itself; grayscale files stay planes."""
    pixels = degradations.read_pixels(SET5[3])
    hr, lr = degradations.degrade(pixels, 3, name)
    rgb_hr = protocol.modcrop(pixels, 3)
    rgb_lr = library_resize(name, rgb_hr, (rgb_hr.shape[0] // 3, rgb_hr.shape[1] // 3))
    assert np.array_equal(hr, protocol.rgb_to_y(rgb_hr)) and np.array_equal(lr, protocol.rgb_to_y(rgb_lr))
    hr_rgb, lr_rgb = degradations.degrade(pixels, 3, name, protocol.ImageMode("rgb", True))
    assert np.array_equal(hr_rgb, rgb_hr) and np.array_equal(lr_rgb, rgb_lr)
    gray = protocol.rgb_to_y(pixels)
    assert np.array_equal(degradations.degrade(gray, 3, name)[1],
                          library_resize(name, protocol.modcrop(gray, 3), lr.shape))


def test_names_and_mixes():
    assert degradations.NAMES == ("matlab_bicubic", "cv2_cubic", "cv2_linear", "cv2_area", "pil_bicubic",
                                  "pil_lanczos", "cv2_nearest", "pil_nearest", "pil_bicubic+jpeg75",
                                  "cv2_linear+jpeg95")
    # calibration reads the first group
    assert degradations.INTERPOLATING + degradations.NEAREST + degradations.COMPRESSED == degradations.NAMES
    assert degradations.parse_mix("cv2_cubic:3, pil_bicubic") == [("cv2_cubic", 0.75), ("pil_bicubic", 0.25)]
    assert degradations.parse_mix("cv2_area+jpeg90:1,pil_lanczos") == [("cv2_area+jpeg90", 0.5), ("pil_lanczos", 0.5)]
    for bad, message in [("cv2_lanczos4", "not one of"), ("cv2_cubic:0", "must be a number > 0"),
                         ("cv2_cubic:x", "must be a number > 0"), ("cv2_area,cv2_area", "listed twice"),
                         ("", "not one of"), ("matlab_bicubic+jpeg75", "but matlab_bicubic followed by"),
                         ("pil_bicubic+jpeg0", "quality from 1 to 100"), ("pil_bicubic+jpeg101", "not one of"),
                         ("pil_bicubic+jpeg075", "not one of"), ("pil_bicubic+jpeg", "not one of"),
                         ("pil_bicubic+jpeg7.5", "not one of"), ("pil_bicubic+jpeg\u00b2", "not one of"),
                         ("pil_bicubic+jpeg+75", "not one of"), ("+jpeg75", "not one of")]:
        with pytest.raises(UserError, match=message):
            degradations.parse_mix(bad)
    with pytest.raises(UserError, match="uint8"):
        degradations.resize(np.zeros((8, 8)), (4, 4), "cv2_cubic")
    with pytest.raises(UserError, match="multiple of the scale"):
        degradations.downscale(np.zeros((9, 8), np.uint8), 2, "cv2_area")


def test_jpeg_keeps_less_of_the_image_at_lower_quality():
    """The JPEG stage is lossy as its quality says: the 8-bit LR drifts from the downscale's own pixels, less at 95
    than at 75, and at 100 by at most a few levels (the colour conversion and 4:2:0 chroma)."""
    pixels = np.asarray(Image.open(SET5[4]).convert("RGB"))
    hr = protocol.modcrop(pixels, 2)
    plain = degradations.downscale(hr, 2, "pil_bicubic").astype(int)
    error = {q: np.abs(degradations.downscale(hr, 2, f"pil_bicubic+jpeg{q}") - plain).mean() for q in (75, 95, 100)}
    assert 0 < error[100] < error[95] < error[75] < 8, error


def test_jpeg_pixels_do_not_depend_on_the_cpu_kind():
    """libjpeg-turbo's SIMD paths (the one this CPU picks, SSE2, none) give the same JPEG pixels."""
    code = ("import hashlib, sys, numpy as np; sys.path.insert(0, sys.argv[1]); from PIL import Image; "
            "from src import degradations, protocol; "
            "px = protocol.modcrop(np.asarray(Image.open(sys.argv[2]).convert('RGB')), 12); "
            "print(hashlib.sha256(b''.join(degradations.downscale(px, s, n).tobytes() for s in (2, 3, 4) "
            "for n in degradations.COMPRESSED)).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code, ROOT, SET5[2]], env=dict(os.environ, **forced),
                              capture_output=True, text=True, check=True).stdout
               for forced in ({}, {"JSIMD_FORCESSE2": "1"}, {"JSIMD_FORCENONE": "1"})}
    assert len(digests) == 1 and digests != {""}


# ---------------------------------------------------------------- eval.py --degradation
def test_eval_scores_a_shipped_model_under_cv2_cubic(tmp_path, capsys):
    """The shipped x4 model on Set5: under cv2_cubic below its paper-protocol score, and the bic PSNR column is the
    bicubic upscaling of that same LR (the Y of OpenCV's RGB LR)."""
    shipped = ["--data_dir", os.path.join(ROOT, "data"), "--eval_sets", "Set5"]
    scores = {}
    for name in ("matlab_bicubic", "cv2_cubic", "pil_bicubic+jpeg75"):
        out = tmp_path / f"{name}.json"
        code, stdout, err = run_script("eval", shipped + ["--degradation", name, "--json", str(out)], capsys)
        assert code == 0, err
        scores[name] = json.loads(out.read_text())
        assert scores[name]["degradation"] == name
        assert ("LR: cv2_cubic, cv2.resize" in stdout) == (name == "cv2_cubic")
    assert ("LR: pil_bicubic+jpeg75, PIL Image.resize((w/s, h/s), Image.BICUBIC), antialiased, then saved as a JPEG "
            "at quality 75") in stdout
    jpeg = scores["pil_bicubic+jpeg75"]["sets"]["Set5"]
    assert jpeg["bicubic_psnr"] < scores["matlab_bicubic"]["sets"]["Set5"]["bicubic_psnr"]  # JPEG loses detail
    paper, cv2_cubic = scores["matlab_bicubic"]["sets"]["Set5"], scores["cv2_cubic"]["sets"]["Set5"]
    assert cv2_cubic["psnr"] < paper["psnr"] - 3.0  # the sharpening learned for antialiased LR amplifies aliasing
    cv2, flag = _cv2_flag("cv2_cubic")
    for path in SET5:
        rgb = protocol.modcrop(np.asarray(Image.open(path).convert("RGB")), 4)
        lr = protocol.rgb_to_y(cv2.resize(rgb, (rgb.shape[1] // 4, rgb.shape[0] // 4), interpolation=flag))
        bic = metrics.psnr(protocol.bicubic_upscale(lr.astype(np.float64), 4), protocol.rgb_to_y(rgb), 4)
        name = os.path.splitext(os.path.basename(path))[0]
        assert cv2_cubic["images"][name]["bicubic_psnr"] == pytest.approx(bic, abs=1e-9)
    code, _, err = run_script("eval", shipped + ["--degradation", "cv2_lanczos4"], capsys)
    assert code == 2 and "degradation 'cv2_lanczos4' is not one of matlab_bicubic, cv2_cubic" in err


def test_an_h5_eval_set_is_refused_under_a_library_degradation(tmp_path):
    path = tmp_path / "set.h5"
    dataset.write_eval_h5(str(path), [("a", np.zeros((8, 8), np.uint8), np.zeros((4, 4)))])
    assert len(dataset.load_eval_set(str(path), "", 2)) == 1
    with pytest.raises(UserError, match="needs the image folder"):
        dataset.load_eval_set(str(path), "", 2, degradation="pil_bicubic")


# ---------------------------------------------------------------- the training mix
def _mix_cfg(folder, mix, **kw):
    argv = ["--train_data", str(folder), "--val_data", str(folder), "--scale", "2", "--lr_patch_size", "8",
            "--batch_size", "8", "--train_degradations", mix]
    for key, value in kw.items():
        argv += [f"--{key}", str(value)]
    return config.get_config("", argv, "train")


def test_the_mix_is_deterministic_and_uses_each_degradation():
    """Member d of each synthetic image has LR values 10 * d: the patches tell which degradation was drawn."""
    rng = np.random.default_rng(0)
    images = []
    for h, w in [(30, 40), (36, 28)]:
        hr = rng.integers(0, 256, (2 * h, 2 * w), dtype=np.uint8)
        images.append([(hr, np.full((h, w), 10.0 * d)) for d in range(3)])
    weights = [0.5, 0.3, 0.2]
    source = train_data.RandomPatches(images, 2, 8, 2, True, batch_size=16, seed=4, mix=weights)
    again = train_data.RandomPatches(images, 2, 8, 2, True, batch_size=16, seed=4, mix=weights)
    drawn = []
    for step in range(40):
        lr, hr = source.batch(3, step)
        assert np.array_equal(lr, again.batch(3, step)[0]) and np.array_equal(hr, again.batch(3, step)[1])
        drawn += [int(round(patch.max() * 255 / 10)) for patch in lr]
    counts = np.bincount(drawn, minlength=3) / len(drawn)
    assert np.all(np.abs(counts - weights) < 0.06), counts
    ranks = [train_data.RandomPatches(images, 2, 8, 2, True, batch_size=8, seed=4, rank=r, group_size=2, mix=weights)
             for r in range(2)]
    assert np.array_equal(np.concatenate([r.batch(3, 5)[0] for r in ranks]), source.batch(3, 5)[0])
    assert not np.array_equal(source.batch(4, 5)[0], source.batch(3, 5)[0])


def test_one_degradation_keeps_the_batches_of_before(image_folder):
    """Without a mix (or a mix of one), the batches are those the source gave before mixes existed."""
    cfg = _mix_cfg(image_folder, "")
    pairs = train_data.load_folder_pairs([str(image_folder)], 2, augment=True)
    plain = train_data.RandomPatches(pairs, 2, 8, 2, True, batch_size=8, seed=cfg.seed)
    single = train_data.RandomPatches([[pair] for pair in pairs], 2, 8, 2, True, batch_size=8, seed=cfg.seed,
                                      mix=[1.0])
    built = train_data.build_source(cfg)
    assert built.mix.tolist() == [1.0]
    for step in range(3):
        for other in (single, built):
            assert all(np.array_equal(a, b) for a, b in zip(plain.batch(0, step), other.batch(0, step)))


def test_folder_mix_members_are_the_degradations_of_each_image(image_folder):
    names = ["matlab_bicubic", "cv2_cubic", "pil_lanczos"]
    cfg = _mix_cfg(image_folder, ",".join(names), augment_scales="1.0,0.8")
    source = train_data.build_source(cfg)
    assert source.mix.tolist() == pytest.approx([1 / 3] * 3)
    files = protocol.list_images(str(image_folder))
    assert len(source.images) == 2 * len(files)  # two augmented copies of each image
    pixels = degradations.read_pixels(files[0])
    paper = dataset.augmented_pairs(protocol.load_y(files[0]), 2, True, (1.0, 0.8))
    for copy, members in enumerate(source.images[:2]):
        assert np.array_equal(members[0][1], paper[copy][1]) and np.array_equal(members[0][0], paper[copy][0])
        hr_pixels = pixels if copy == 0 else protocol.round_uint8(protocol.imresize(pixels, 0.8))
        for name, (hr, lr) in zip(names[1:], members[1:]):
            expected_hr, expected_lr = degradations.degrade(hr_pixels, 2, name)
            assert np.array_equal(hr, expected_hr) and np.array_equal(lr, expected_lr)
            assert lr.shape == members[0][1].shape
    with pytest.raises(UserError, match="not one of"):
        train_data.build_source(_mix_cfg(image_folder, "cv2_cubic,box"))


def test_validation_averages_val_data_under_each_degradation(image_folder):
    plain = train_data.load_validation(_mix_cfg(image_folder, ""))
    mixed = train_data.load_validation(_mix_cfg(image_folder, "cv2_area:3,matlab_bicubic"))
    assert [name for name, _, _ in mixed] == ([f"{n}@cv2_area" for n, _, _ in plain]
                                              + [f"{n}@matlab_bicubic" for n, _, _ in plain])
    for (_, hr, lr), (_, hr_mixed, lr_mixed) in zip(plain, mixed[len(plain):]):
        assert np.array_equal(hr, hr_mixed) and np.array_equal(lr, lr_mixed)


def test_train_runs_an_epoch_on_a_mix(image_folder, tmp_path, capsys):
    out = tmp_path / "run"
    code, stdout, err = run_script("train", ["--train_data", str(image_folder), "--val_data", str(image_folder),
                                             "--scale", "3", "--lr_patch_size", "8", "--patch_stride", "8",
                                             "--epochs", "1", "--threads", "1", "--output_dir", str(out),
                                             "--train_degradations", "cv2_cubic:2,pil_bicubic"], capsys)
    assert code == 0, err
    assert "LR made by cv2_cubic:2,pil_bicubic" in stdout
    assert (out / "best.ckpt").is_file() and len((out / "log.csv").read_text().splitlines()) == 2


def test_robust_table_renders_rows_of_degradations_and_replaces_its_block():
    from tools import robust_table
    row = {"bicubic": 28.0, "paper": 30.0, "robust": None, "opencv": 28.5}  # a file from before the auto column
    figures = {"family": "fsrcnn", "degradations": ["matlab_bicubic", "cv2_cubic"],
               "scales": {"4": {"Set5": {"matlab_bicubic": row,
                                         "cv2_cubic": dict(row, paper=25.0, robust=28.6, auto=28.6)}}}}
    table = robust_table.render(figures)
    assert "| LR made by | x4 bicubic | x4 paper | x4 robust | x4 auto | x4 opencv |" in table
    assert "| matlab_bicubic | 28.00 | **30.00** | – | – | 28.50 |" in table
    assert "| cv2_cubic | 28.00 | 25.00 | **28.60** | **28.60** | 28.50 |" in table
    # the targets: robust and auto are missing under matlab_bicubic, known under cv2_cubic; no nearest row yet
    assert "| x4 | robust | – | – | – | +0.10 (met) | – |" in table
    assert "| x4 | auto | – | – | – | +0.10 (met) | – |" in table
    figures["scales"]["4"]["Set5"]["matlab_bicubic"].update(robust=29.75, auto=30.0)
    table = robust_table.render(figures)
    assert "| x4 | robust | +0.60 (met) | – | – | +0.10 (met) | -0.25 (met) |" in table
    assert "| x4 | auto | +0.60 (met) | – | – | +0.10 (met) | +0.00 (met) |" in table
    figures["scales"]["4"]["Set5"]["cv2_cubic"].update(robust=28.29)
    table = robust_table.render(figures)
    assert "| x4 | robust | +0.29 (not met) | – | – | -0.21 (not met) | -0.25 (met) |" in table
    # nearest neighbour and JPEG are judged against bicubic alone, at >= 0, and leave the worst-degradation column
    figures["degradations"] += ["cv2_nearest", "pil_bicubic+jpeg75"]
    figures["scales"]["4"]["Set5"]["cv2_nearest"] = dict(row, paper=22.0, robust=28.05, auto=27.99)
    figures["scales"]["4"]["Set5"]["pil_bicubic+jpeg75"] = dict(row, paper=27.0, robust=28.2, auto=27.9)
    table = robust_table.render(figures)
    assert "| cv2_nearest | 28.00 | 22.00 | 28.05 | 27.99 | **28.50** |" in table
    assert "| pil_bicubic+jpeg75 | 28.00 | 27.00 | 28.20 | 27.90 | **28.50** |" in table
    assert "| x4 | robust | +0.29 (not met) | +0.05 (met) | +0.20 (met) | -0.21 (not met) | -0.25 (met) |" in table
    assert "| x4 | auto | +0.60 (met) | -0.01 (not met) | -0.10 (not met) | +0.10 (met) | +0.00 (met) |" in table
    start, end = robust_table.markers("fsrcnn")
    page = f"intro\n{start}\nold\n{end}\nrest\n"
    assert robust_table.replace_block(page, table, "fsrcnn") == f"intro\n{table}\nrest\n"
    with pytest.raises(ValueError, match="no '<!-- robust table fsrcnn-s"):
        robust_table.replace_block(page, table, "fsrcnn-s")


def test_readme_robust_summary_is_the_rendering_of_the_stored_figures():
    """The README's FSRCNN summary under every degradation is tools.robust_table's rendering of
    docs/results/robust_fsrcnn.json (regenerate: the command in its marker), and names infer.py's default."""
    from tools import robust_table
    with open(os.path.join(ROOT, "docs", "results", "robust_fsrcnn.json"), encoding="utf-8") as f:
        block = robust_table.render_summary(json.load(f))
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        assert block in f.read(), "README robust summary is stale: run the command in its marker"
    assert "| x4 bicubic | x4 paper | x4 auto | x4 opencv |" in block and "| cv2_cubic |" in block

"""The MATLAB protocol against independent references: known colour values, PIL's float bicubic, the literature."""
import numpy as np
import pytest
from PIL import Image

from conftest import require_sets
from src import dataset, metrics, protocol


def test_rgb_to_y_matches_matlab_values():
    rgb = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 200, 30]]],
                   dtype=np.uint8)
    # MATLAB rgb2ycbcr(uint8): 16 + (65.481 R + 128.553 G + 24.966 B)/255, rounded half away from zero
    assert protocol.rgb_to_y(rgb).tolist() == [[16, 235, 81, 145, 41, 122]]


def test_round_uint8_rounds_half_away_from_zero_and_clips():
    out = protocol.round_uint8(np.array([0.5, 1.5, 2.5, -3.0, 254.5, 300.0]))
    assert out.tolist() == [1, 2, 3, 0, 255, 255]


def test_ycbcr_round_trip():
    rgb = np.random.default_rng(1).integers(0, 256, (9, 7, 3)).astype(np.uint8)
    back = protocol.round_uint8(protocol.ycbcr_to_rgb(*protocol.rgb_to_ycbcr(rgb)))
    assert np.abs(back.astype(int) - rgb).max() <= 1


def test_modcrop_crops_never_resizes():
    img = np.arange(11 * 14).reshape(11, 14)
    out = protocol.modcrop(img, 4)
    assert out.shape == (8, 12)
    assert np.array_equal(out, img[:8, :12])


def _pil_resize(img, shape):
    return np.asarray(Image.fromarray(img.astype(np.float32), "F").resize(shape[::-1], Image.BICUBIC), np.float64)


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("upscale", [False, True])
def test_imresize_equals_pil_on_symmetrically_padded_image(scale, upscale):
    """PIL's float bicubic (a = -0.5, antialiased) only differs at borders: pad the image the MATLAB way (mirror)
    and PIL must then agree with our imresize everywhere, borders included."""
    img = np.random.default_rng(scale).uniform(0, 255, (36, 48))
    pad = 12
    padded = np.pad(img, pad, mode="symmetric")
    factor = scale if upscale else 1 / scale
    ours = protocol.imresize(img, factor)
    big = _pil_resize(padded, (round(padded.shape[0] * factor), round(padded.shape[1] * factor)))
    margin = round(pad * factor)
    theirs = big[margin:margin + ours.shape[0], margin:margin + ours.shape[1]]
    assert ours.shape == (round(36 * factor), round(48 * factor))
    assert np.abs(ours - theirs).max() < 1e-3


def test_imresize_keeps_constants_and_linear_ramps():
    assert np.allclose(protocol.imresize(np.full((12, 15), 77.0), 1 / 3), 77.0)
    ramp = np.tile(np.arange(40, dtype=np.float64), (8, 1))
    up = protocol.imresize(ramp, 2)
    expected = (np.arange(80) + 0.5) / 2 - 0.5  # MATLAB pixel-centre mapping
    assert np.allclose(up[:, 4:-4], expected[4:-4], atol=1e-9)


def test_imresize_output_size_follows_matlab_ceil():
    assert protocol.imresize(np.zeros((10, 13)), 0.9).shape == (9, 12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_imresize_rows_are_bit_identical_to_the_whole_result(dtype):
    img = np.random.default_rng(3).uniform(0, 255, (17, 23)).astype(dtype)
    whole = protocol.imresize(img, 3)
    strips = [protocol.imresize(img, 3, rows=slice(start, start + 7)) for start in range(0, 51, 7)]
    assert np.array_equal(np.concatenate(strips), whole) and whole.dtype == dtype


def test_round_uint16_rounds_half_away_from_zero_and_clips():
    out = protocol.round_uint(np.array([0.5, 2.5, -3.0, 65534.5, 70000.0]), np.uint16)
    assert out.dtype == np.uint16 and out.tolist() == [1, 3, 0, 65535, 65535]


# (Set, scale): bicubic PSNR of the literature (docs/protocol.md section 3); a miss means a protocol bug.
LITERATURE_BICUBIC = {("Set5", 2): 33.66, ("Set5", 3): 30.39, ("Set5", 4): 28.42,
                      ("Set14", 2): 30.24, ("Set14", 3): 27.55, ("Set14", 4): 26.00}


@pytest.mark.parametrize("set_name,scale", sorted(LITERATURE_BICUBIC))
def test_bicubic_baseline_matches_literature(data_dir, set_name, scale):
    require_sets(set_name)
    images = dataset.load_eval_set(set_name, data_dir, scale)
    psnr = np.mean([metrics.psnr(protocol.bicubic_upscale(lr, scale), hr, scale) for _, hr, lr in images])
    assert abs(psnr - LITERATURE_BICUBIC[(set_name, scale)]) <= 0.03


def test_grayscale_image_is_its_own_luma(tmp_path):
    gray = np.random.default_rng(0).integers(0, 256, (20, 30)).astype(np.uint8)
    Image.fromarray(gray).save(tmp_path / "g.png")
    assert np.array_equal(protocol.load_y(str(tmp_path / "g.png")), gray)


def test_palette_image_is_read_as_its_rgb(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (20, 30, 3)).astype(np.uint8)
    pal = Image.fromarray(rgb).quantize(16)
    pal.save(tmp_path / "p.png")
    assert np.array_equal(protocol.load_y(str(tmp_path / "p.png")), protocol.rgb_to_y(np.asarray(pal.convert("RGB"))))

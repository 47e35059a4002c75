"""The comparison pictures: the zoomed region is the most detailed one, every view shows that same region, and
pixels are enlarged without interpolation."""
import numpy as np
from PIL import Image

from src import compare


def _flat_with_detail(size, box, seed):
    """A flat grey RGB image with noise only inside box (left, top, right, bottom)."""
    img = np.full((size[1], size[0], 3), 128, np.uint8)
    left, top, right, bottom = box
    img[top:bottom, left:right] = np.random.default_rng(seed).integers(0, 256, (bottom - top, right - left, 3))
    return img


def test_crop_rows_show_the_same_detailed_region_of_every_view():
    scale, crop_lr, zoom = 2, 8, 3
    hr = _flat_with_detail((64, 48), (32, 16, 48, 32), 0)  # the 16x16 HR (8x8 LR) noisy square
    other = np.roll(hr, 1, axis=1)  # a second view: the same picture shifted by one pixel
    rows = [("img", [("HR", Image.fromarray(hr)), ("bicubic", Image.fromarray(other))])]
    canvas = np.asarray(compare.crop_rows(rows, scale, crop_lr=crop_lr, zoom=zoom))
    side = 16 * zoom
    assert canvas.shape == (compare.GAP + compare.LABEL + side + compare.GAP,
                            2 * (side + compare.GAP) + compare.GAP, 3)
    top = compare.GAP + compare.LABEL
    for i, view in enumerate((hr, other)):
        left = compare.GAP + i * (side + compare.GAP)
        expected = np.kron(view[16:32, 32:48], np.ones((zoom, zoom, 1), np.uint8))
        assert np.array_equal(canvas[top:top + side, left:left + side], expected)


def test_side_by_side_has_a_column_per_view():
    img = Image.fromarray(_flat_with_detail((80, 60), (0, 0, 20, 20), 1))
    two = compare.side_by_side([("a", img), ("b", img)], 2)
    three = compare.side_by_side([("a", img), ("b", img), ("c", img)], 2)
    assert three.height == two.height and three.width - two.width == (two.width - compare.GAP) // 2

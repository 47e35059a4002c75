"""Tiled inference equals whole-image inference up to float rounding, and the halo it needs is exactly the derived
receptive radius."""
import functools

import numpy as np
import pytest

from conftest import TILE_FLOAT_BOUND, assert_same_but_rounding
from src import inference, protocol, tiling
from src.errors import UserError
from src.models import fsrcnn


@pytest.mark.parametrize("length,core,halo", [(37, 9, 8), (45, 9, 7), (10, 4, 3), (50, 50, 8), (7, 3, 8),
                                              (1000, 97, 7), (33, 1, 2)])
def test_spans_cover_the_image_once_with_full_halos_in_equal_windows(length, core, halo):
    tiles = tiling.plan((length, 5), halo, core)
    window = tiles.window[0]
    assert window == min(length, max(s.stop - s.start for s in tiles.rows) + 2 * halo)
    covered = []
    for s in tiles.rows:
        assert 0 <= s.window <= s.start < s.stop <= s.window + window <= length
        assert s.stop - s.start <= core
        assert s.window == 0 or s.start - s.window >= halo  # each window side: image edge or a full halo
        assert s.window + window == length or s.window + window - s.stop >= halo
        covered.extend(range(s.start, s.stop))
    assert covered == list(range(length))


@pytest.mark.parametrize("scale,m,radius", [(2, 4, 8), (3, 4, 8), (4, 4, 7), (2, 1, 5), (3, 1, 5), (4, 1, 4)])
def test_receptive_radius_derived_from_the_layers(spread_net, scale, m, radius):
    assert fsrcnn.receptive_radius(spread_net(scale, *((32, 5, 1) if m == 1 else ()))) == radius


def _tiled_vs_whole(net, lr, core, halo):
    predict = functools.partial(inference.forward, net)
    tiles = tiling.plan(lr.shape, halo, core)
    return tiles, tiling.upscale(predict, lr, net.scale, tiles), predict(lr)


@pytest.mark.parametrize("scale,shape,arch", [(2, (37, 45), ()), (3, (31, 53), ()), (4, (29, 41), ()),
                                              (3, (23, 35), (32, 5, 1))])
def test_tiles_equal_whole_image_and_one_pixel_less_halo_does_not(spread_net, scale, shape, arch):
    net = spread_net(scale, *arch)
    lr = np.random.default_rng(scale).random(shape).astype(np.float32)
    radius = fsrcnn.receptive_radius(net)
    tiles, tiled, whole = _tiled_vs_whole(net, lr, 9, radius)
    assert tiles.count >= 12 and tiled.shape == (scale * shape[0], scale * shape[1])
    assert np.abs(tiled - whole).max() <= TILE_FLOAT_BOUND
    assert_same_but_rounding(protocol.round_uint8(tiled * 255), protocol.round_uint8(whole * 255))
    # the derivation is tight: with a halo one pixel short, interior tile edges show
    _, short, _ = _tiled_vs_whole(net, lr, 9, radius - 1)
    assert np.abs(short - whole).max() > 1e-3


def test_core_from_memory_budget():
    per_pixel = 1000
    assert tiling.core_for_budget((100, 200), 7, 100 * 200 * per_pixel, per_pixel) == 200  # fits: one tile
    core = tiling.core_for_budget((1080, 1920), 7, 256 * 2 ** 20, per_pixel)
    assert (core + 14) ** 2 * per_pixel <= 256 * 2 ** 20 < (core + 15) ** 2 * per_pixel
    with pytest.raises(UserError, match="too small for one tile .give --max_memory_mb 1 or more"):
        tiling.core_for_budget((1080, 1920), 7, 2 ** 16, per_pixel)

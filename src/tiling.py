"""Exact tiled inference: any image size in bounded memory, equal to one pass of the network on the whole image.

A tile is a window of LR pixels: a core, whose HR output is kept, plus a halo of real neighbour pixels at least as
wide as the network's receptive-field radius. Inside the halo, the tile's own zero padding (and, in the
deconvolution, the features missing beyond its edge) change the output; at the core they cannot reach. A window
never reaches past the image: at the image border it stops there, so the network zero-pads exactly as it does on the
whole image. All windows of an image have one size (those at the far edge are shifted inwards, which only widens
their halo), so the network sees one input shape per image. The halo and the memory per pixel come from the model's
spec (receptive_radius, forward_bytes_per_pixel).
"""
import math
from typing import NamedTuple

import numpy as np

from src import models
from src.errors import UserError

MIN_CORE = 8


class Span(NamedTuple):
    """One tile along one axis: the window starts at `window`; its core is start..stop-1 (image coordinates)."""
    window: int
    start: int
    stop: int

    def core_in_window(self, scale):
        """The core's HR rows (or columns) in the tile's output."""
        return slice(scale * (self.start - self.window), scale * (self.stop - self.window))

    def core_in_image(self, scale):
        return slice(scale * self.start, scale * self.stop)


class TilePlan(NamedTuple):
    rows: list
    cols: list
    window: tuple  # (height, width) in LR pixels, the same for every tile
    halo: int

    @property
    def count(self):
        return len(self.rows) * len(self.cols)

    def describe(self):
        if self.count == 1:
            return "1 tile (whole image)"
        return (f"{self.count} tiles ({len(self.cols)}x{len(self.rows)} grid of {self.window[1]}x{self.window[0]} "
                f"LR windows, halo {self.halo})")


def _spans(length, core, halo):
    """Cores of near-equal size covering 0..length-1, and windows of one size, shifted inside the image at its edges.

    Each side of a window is either the image edge or at least `halo` from its core: a window starting at
    start - halo ends at start + core + halo >= stop + halo; one pushed to 0 or to length - window only gains halo.
    """
    core = math.ceil(length / math.ceil(length / core))
    window = min(length, core + 2 * halo)
    spans = [Span(min(max(start - halo, 0), length - window), start, min(start + core, length))
             for start in range(0, length, core)]
    return window, spans


def network_needs(spec, net):
    """(halo, memory per LR pixel) of a network for tiles; (None, 0) when its spec is not models.Tileable: nothing
    bounds what an output pixel depends on, so it runs on whole images only."""
    if isinstance(spec, models.Tileable):
        return spec.receptive_radius(net), spec.forward_bytes_per_pixel(net)
    return None, 0


def plan(shape, halo, core):
    """Tiles for an LR image of `shape` (height, width), cores of at most core x core LR pixels."""
    if core < 1:
        raise UserError(f"tile size must be at least 1 LR pixel, got {core}")
    (win_h, rows), (win_w, cols) = _spans(shape[0], core, halo), _spans(shape[1], core, halo)
    return TilePlan(rows, cols, (win_h, win_w), halo)


def core_for_budget(shape, halo, budget_bytes, bytes_per_pixel):
    """Core side of the largest square window that fits the budget; the whole image if it fits at once."""
    if shape[0] * shape[1] * bytes_per_pixel <= budget_bytes:
        return max(shape)
    core = math.isqrt(int(budget_bytes // bytes_per_pixel)) - 2 * halo
    if core < MIN_CORE:
        least = math.ceil((MIN_CORE + 2 * halo) ** 2 * bytes_per_pixel / 2 ** 20)
        raise UserError(f"a memory budget of {budget_bytes / 2 ** 20:g} MB is too small for one tile "
                        f"(give --max_memory_mb {least} or more)")
    return core


def upscale(predict, lr, scale, tiles):
    """Run `predict` (HxW or HxWxC float32 -> float32 of scale*H x scale*W, same trailing axes) tile by tile and
    stitch the cores' outputs.

    The result equals predict(lr) (to float rounding of the convolution kernels, ~1e-7) for any plan whose halo is at
    least receptive_radius of the network.
    """
    out = np.empty((scale * lr.shape[0], scale * lr.shape[1]) + lr.shape[2:], np.float32)
    win_h, win_w = tiles.window
    for r in tiles.rows:
        for c in tiles.cols:
            hr = predict(lr[r.window:r.window + win_h, c.window:c.window + win_w])
            out[r.core_in_image(scale), c.core_in_image(scale)] = hr[r.core_in_window(scale), c.core_in_window(scale)]
    return out

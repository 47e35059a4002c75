"""infer.py: upscale image files with a network. Image I/O, colour handling, output safety, the file/folder loop.

For a luma network (FSRCNN) colour images are super-resolved on luma (MATLAB YCbCr, as the network was trained);
Cb, Cr and alpha are upscaled by MATLAB bicubic. An RGB network (FMEN) gets RGB and returns it. Memory stays
bounded for huge images: the network runs on exact tiles (src/tiling.py), and the luma network's colour stage
(float32, vectorised: colour_stage) makes its planes in strips of rows, both sized from the memory budget; what grows
with the image is the input, the float32 HR output of the network and the output's own pixels.
The network runs on the backend src/backends.py picks (ONNX Runtime on CPU by default, from a cached model: then
MindSpore is never imported); MindSpore is imported only when the network is loaded: options, paths and images are
checked first, at once. Without --ckpt_file, infer.py takes the shipped model of the network and scale; where a
robust variant ships too, each image gets the one its LR calls for, or a mix of their weights (pick_checkpoint,
RoutedUpscaler).
"""
import concurrent.futures
import copy
import errno
import functools
import io
import os
import re
import stat
import sys
import time
from typing import Callable, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from PIL import Image, ImageOps
from tqdm import tqdm

from src import aliasing, compare, dataset, fileio, paths, png, protocol, threads, tiling
from src.errors import UserError

MIN_SIDE = 2
# Temporaries of the colour stage per HR pixel of a strip: float32 RGB sums (12 bytes, plus the cropped blocks'
# margin), the luma term (4), the column pass at LR height (12 / scale); grayscale and alpha planes (float64) ~40.
COLOUR_BYTES_PER_HR_PIXEL = 48
# Pillow's JPEG/WebP default (75) would blur away the detail just added. 8-bit PNGs are written by src/png.py (zlib
# level 1, OpenCV's default, and one filter for every row: twice as fast as Pillow); 16-bit ones by Pillow at level 1
# (the 1024x1024 x4 output of Set5's butterfly: 68 ms and 1.40 MB, against 105 ms and 1.33 MB at level 3 and 339 ms
# and 1.25 MB at Pillow's default 6, on the 2-core AMD EPYC of docs/performance.md).
SAVE_OPTIONS = {"JPEG": {"quality": 95}, "WEBP": {"quality": 95}, "PNG": {"compress_level": 1}}


# ---------------------------------------------------------------- reading
def _decodes_16bit_colour_as_8bit(path):
    """Pillow has no 16-bit colour mode: it decodes 16-bit RGB (e.g. PNG 'RGB;16B') to 8 bits per channel."""
    with Image.open(path) as probe:
        return probe.getbands()[0] != "I" and any(";16" in str(tile.args) for tile in probe.tile)


def read_image(path):
    """An image file as uint8/uint16 pixels: HxW grayscale, HxWx2 grayscale+alpha, HxWx3 RGB or HxWx4 RGBA.

    EXIF orientation is applied; palette, bilevel, CMYK, ... are converted; 16-bit grayscale stays uint16.
    Returns (pixels, warning or "").
    """
    img = ImageOps.exif_transpose(protocol.open_image(path))
    if min(img.size) < MIN_SIDE:
        raise UserError(f"{path}: image is {img.width}x{img.height}, at least {MIN_SIDE}x{MIN_SIDE} pixels are needed")
    band = img.getbands()[0]
    if band == "I":
        pixels = np.asarray(img)
        if pixels.min() < 0 or pixels.max() > np.iinfo(np.uint16).max:
            raise UserError(f"{path}: 32-bit integer pixels outside 0..65535 are not supported")
        return pixels.astype(np.uint16), ""
    if band == "F":
        raise UserError(f"{path}: unsupported image mode 'F' (floating-point pixels)")
    gray = band in ("1", "L")
    alpha = "A" in img.getbands() or "transparency" in img.info
    pixels = np.asarray(img.convert(("L" if gray else "RGB") + ("A" if alpha else "")))
    warning = ""
    if _decodes_16bit_colour_as_8bit(path):
        warning = f"{path}: 16-bit colour is decoded as 8-bit by Pillow, the output is 8-bit"
    return pixels, warning


# ---------------------------------------------------------------- upscaling
# protocol's colour conversions as matrices: RGB = LUMA_GAIN * (Y - 16) + CHROMA_TO_RGB @ (Cb - 128, Cr - 128);
# rows Y, Cb, Cr of RGB_TO_YCBCR @ RGB (0..255) plus YCBCR_OFFSET
LUMA_GAIN = protocol.LUMA_TO_RGB / 256.0
CHROMA_TO_RGB = np.array(protocol.CHROMA_TO_RGB) / 256.0  # rows R, G, B
RGB_TO_YCBCR = np.array(protocol.RGB_TO_YCBCR) / 255.0
YCBCR_OFFSET = np.array(protocol.YCBCR_OFFSET)
TAP_REACH = 2  # MATLAB bicubic upscaling by an integer factor reads LR pixels -2..2 around each output's own
PARALLEL_PIXELS = 2 ** 17  # HR pixels per thread below which the colour stage stays on one thread
SINGLE_THREAD_STRIP_BYTES = 2 ** 22  # temporaries of a strip of the colour stage when it runs on one thread
BICUBIC_BLOCK = 3  # LR pixels per matrix product of bicubic_upscale (fastest of 2..16 at 256x256 x4, measured here)


@functools.lru_cache(maxsize=None)
def phase_taps(scale):
    """MATLAB imresize(..., scale, 'bicubic') for an integer scale as a polyphase filter: row r of the
    (scale, 2 * TAP_REACH + 1) float64 result weighs LR pixels q - 2 .. q + 2 into output pixel scale * q + r.
    Read off protocol.resize_weights at an interior position, so the weights are MATLAB's own (the border is
    MATLAB's mirror: see bicubic_upscale)."""
    side, q = 4 * TAP_REACH + 1, 2 * TAP_REACH
    weights, indices = protocol.resize_weights(side, side * scale, scale)
    taps = np.zeros((scale, 2 * TAP_REACH + 1))
    for r in range(scale):
        for weight, index in zip(weights[q * scale + r], indices[q * scale + r]):
            taps[r, index - q + TAP_REACH] += weight
    return taps


def _mirror(start, stop, length):
    """Indices start..stop-1 folded into 0..length-1 as MATLAB's imresize mirrors (edge pixel repeated)."""
    period = np.concatenate([np.arange(length), np.arange(length)[::-1]])
    return period[np.mod(np.arange(start, stop), period.size)]


@functools.lru_cache(maxsize=None)
def _band(scale, block):
    """The (block * scale, block + 2 * TAP_REACH) float32 matrix taking `block` LR pixels and the TAP_REACH on each
    side to their block * scale outputs (phase_taps on a band)."""
    taps = phase_taps(scale)
    band = np.zeros((block * scale, block + 2 * TAP_REACH), np.float32)
    for q in range(block):
        band[q * scale:(q + 1) * scale, q:q + 2 * TAP_REACH + 1] = taps
    return band


def bicubic_upscale(planes, scale, lr_rows=slice(None), whole_blocks=False):
    """MATLAB imresize(plane, scale, 'bicubic') of each of C float32 planes (C x H x W) for an integer scale, in
    float32, for the LR rows `lr_rows` only: the C x (scale * rows) x (scale * W) result equals the same rows of the
    whole one. Columns then rows, each as small matrix products (BLAS) on blocks of BICUBIC_BLOCK LR pixels with
    their mirrored neighbours (_band): equal to protocol.imresize to float32 rounding (~5e-5 of 255).
    whole_blocks: return (the contiguous result of whole blocks, a few rows and columns too many; the view of it that
    is the result): element-wise work on a contiguous array is several times faster in numpy than on a view."""
    channels, h, w = planes.shape
    start, stop, _ = lr_rows.indices(h)
    reach, rows, block = TAP_REACH, stop - start, BICUBIC_BLOCK
    row_blocks, col_blocks = -(-rows // block), -(-w // block)
    band = _band(scale, block)
    # the LR rows and columns the blocks read, mirrored at the image's edges (past them: cropped below)
    window = planes[:, _mirror(start - reach, start + row_blocks * block + reach, h)]
    window = window[:, :, _mirror(-reach, col_blocks * block + reach, w)]
    # columns: each block of LR columns with its neighbours, times the band -> block * scale HR columns
    span = block + 2 * reach
    cols = sliding_window_view(window, span, axis=2)[:, :, ::block]  # C x rows' x col_blocks x span
    wide = np.matmul(np.ascontiguousarray(cols), band.T).reshape(channels, window.shape[1], -1)
    # rows: each block of rows with its neighbours (a strided view, no copy), the band times it
    stride = wide.strides
    tall = as_strided(wide, (channels, row_blocks, span, wide.shape[2]),
                      (stride[0], block * stride[1], stride[1], stride[2]), writeable=False)
    out = np.matmul(band, tall).reshape(channels, row_blocks * block * scale, -1)
    view = out[:, :rows * scale, :w * scale]
    return (out, view) if whole_blocks else view


def colour_stage(y_hr, rgb_lr, scale, budget_bytes, out=None):
    """The HR RGB uint8 image of a super-resolved luma plane (float32 in [0, 1]) and the LR RGB uint8 image's
    chroma: MATLAB rgb2ycbcr of the LR, its Cb and Cr upscaled by MATLAB bicubic, ycbcr2rgb with the network's luma,
    rounded as MATLAB's uint8 (clip, half up). All in float32, vectorised, in strips of LR rows sized from
    budget_bytes; within one 8-bit level of the float64 chain of protocol.py (the same formulas).

    Linear maps commute with the bicubic (its weights sum to one), so the chroma is turned into its R, G and B terms
    (offsets and rounding's half included) at LR size, a 3x3 matrix on few pixels, and those three planes are
    upscaled: at HR size the work is the resize, one addition of the luma term per channel and the rounding.
    Written into `out` (HR x W x 3 uint8, a view is fine) if given; returns it."""
    h, w = rgb_lr.shape[:2]
    chroma_terms = CHROMA_TO_RGB @ RGB_TO_YCBCR[1:]  # RGB -> the chroma terms of R, G, B (the 128s cancel)
    constant = 0.5 - 16.0 * LUMA_GAIN  # the luma term's offset, and + 0.5 for rounding half up
    terms = rgb_lr.reshape(-1, 3).astype(np.float32) @ chroma_terms.T.astype(np.float32) + np.float32(constant)
    terms = np.ascontiguousarray(terms.T).reshape(3, h, w)
    if out is None:
        out = np.empty((h * scale, w * scale, 3), np.uint8)
    gain = np.float32(255.0 * LUMA_GAIN)

    def strip_of(start, stop):
        hr_rows = slice(start * scale, stop * scale)
        luma = y_hr[hr_rows] * gain
        blocks, rgb = bicubic_upscale(terms, scale, slice(start, stop), whole_blocks=True)
        for c in range(3):  # plane by plane: numpy is slow on an innermost axis of 3
            np.add(rgb[c], luma, out=rgb[c])
        np.clip(blocks, 0.0, 255.5, out=blocks)
        for c in range(3):
            np.copyto(out[hr_rows, :, c], rgb[c], casting="unsafe")  # truncation of x + 0.5 >= 0: its floor

    # a share of the rows per thread (numpy leaves the GIL in its loops and BLAS), in strips within the thread's part
    # of the memory budget; on one thread, strips of at most SINGLE_THREAD_STRIP_BYTES (measured here at 256x256:
    # 3.1 ms at x2 and 7.7 ms at x4 against 7.8 and 16.8 ms for one strip; two threads with one strip each: 2.5 and
    # 5.7 ms, smaller strips did not help them)
    workers = min(threads.usable_cores(), max(1, h * w * scale * scale // PARALLEL_PIXELS))
    row_bytes = w * scale * scale * COLOUR_BYTES_PER_HR_PIXEL
    limit = budget_bytes // workers if workers > 1 else min(budget_bytes, SINGLE_THREAD_STRIP_BYTES)
    strip = max(1, limit // row_bytes)
    share = -(-h // workers)

    def share_of(first):
        for start in range(first, min(first + share, h), strip):
            strip_of(start, min(start + strip, first + share, h))

    if workers == 1:
        share_of(0)
    else:
        list(threads.pool(workers).map(share_of, range(0, h, share)))
    return out


def luma_of(rgb):
    """MATLAB rgb2ycbcr luma of a uint8 HxWx3 image in float32, 0..255 units (what the network reads, / 255)."""
    h, w = rgb.shape[:2]
    gains = RGB_TO_YCBCR[0].astype(np.float32)
    return (rgb.reshape(-1, 3).astype(np.float32) @ gains).reshape(h, w) + np.float32(YCBCR_OFFSET[0])


def upscale_pixels(pixels, scale, upscale_y, budget_bytes):
    """Pixels of read_image upscaled by `scale`, same layout and dtype.

    upscale_y maps the luma plane in [0, 1] (float32 HxW) to its float32 upscaled plane. RGB: Y is MATLAB rgb2ycbcr;
    Cb and Cr are upscaled by MATLAB bicubic and go back with ycbcr2rgb (colour_stage, float32); alpha is upscaled by
    MATLAB bicubic. Grayscale is its own Y. Colour inputs are 8-bit (Pillow decodes no 16-bit colour); grayscale may
    be 8- or 16-bit (rounded from float64 at its own depth).
    """
    peak = float(np.iinfo(pixels.dtype).max)
    planes = pixels[..., None] if pixels.ndim == 2 else pixels
    colour, alpha = planes.shape[2] >= 3, planes.shape[2] in (2, 4)
    y = luma_of(planes[..., :3]) / np.float32(peak) if colour else (planes[..., 0] / peak).astype(np.float32)
    y_hr = upscale_y(y)
    out = np.empty(y_hr.shape + planes.shape[2:], pixels.dtype)
    if colour:
        colour_stage(y_hr, planes[..., :3], scale, budget_bytes, out[..., :3])
    strip = max(1, budget_bytes // (y_hr.shape[1] * COLOUR_BYTES_PER_HR_PIXEL))
    for start in range(0, y_hr.shape[0], strip):
        rows = slice(start, start + strip)
        if not colour:
            out[rows, :, 0] = protocol.round_uint(y_hr[rows].astype(np.float64) * peak, pixels.dtype)
        if alpha:
            out[rows, :, -1] = protocol.round_uint(protocol.imresize(planes[..., -1], scale, rows=rows), pixels.dtype)
    return out[..., 0] if pixels.ndim == 2 else out


def upscale_rgb_pixels(pixels, scale, upscale_rgb):
    """Pixels of read_image upscaled by `scale` with a network that reads RGB: same layout and dtype.

    upscale_rgb maps an HxWx3 float32 image in [0, 1] to its float32 upscaled image. A grayscale image is given to
    it as R = G = B and comes back as the mean of the three; alpha is upscaled by MATLAB bicubic.
    """
    peak = float(np.iinfo(pixels.dtype).max)
    planes = pixels[..., None] if pixels.ndim == 2 else pixels
    colour, alpha = planes.shape[2] >= 3, planes.shape[2] in (2, 4)
    rgb = planes[..., :3] if colour else np.repeat(planes[..., :1], 3, axis=2)
    hr = upscale_rgb((rgb / peak).astype(np.float32))
    out = np.empty(hr.shape[:2] + planes.shape[2:], pixels.dtype)
    if colour:  # float32, rounded as MATLAB's uint8: clip, then half up (the truncation of x + 0.5 >= 0)
        out[..., :3] = np.clip(hr * np.float32(peak) + np.float32(0.5), 0.0, peak + 0.5)
    else:
        out[..., 0] = protocol.round_uint(hr.mean(axis=2, dtype=np.float64) * peak, pixels.dtype)
    if alpha:
        out[..., -1] = protocol.round_uint(protocol.imresize(planes[..., -1], scale), pixels.dtype)
    return out[..., 0] if pixels.ndim == 2 else out


def bicubic(scale):
    """The bicubic counterpart of the network, for --compare."""
    return lambda image: protocol.imresize(image, scale)


class Upscaler(NamedTuple):
    """The network as an upscaler (of luma, or of RGB for an RGB network) on exact tiles: cores of `tile` LR
    pixels, or sized from the memory budget."""
    predict: Callable
    scale: int
    halo: int
    bytes_per_pixel: int
    tile: int
    budget_bytes: int
    colour: str = "y"
    title: str = "FSRCNN"

    @classmethod
    def for_network(cls, spec, net, tile, max_memory_mb, served=None):
        """`net` as trained (its layers give the halo and the memory per pixel); `served`, the form that runs
        (default: net itself)."""
        from src import inference
        halo, bytes_per_pixel = tiling.network_needs(spec, net)
        return cls(functools.partial(inference.forward, served or net), spec.cfg.scale, halo, bytes_per_pixel, tile,
                   max_memory_mb * 2 ** 20, spec.colour, spec.title)

    def tiles(self, shape):
        if self.halo is None:  # a network that is not Tileable
            if self.tile:
                raise UserError(f"{self.title} runs on whole images only (it declares no receptive radius): "
                                "drop --tile")
            return tiling.plan(shape, 0, max(shape))
        core = self.tile or tiling.core_for_budget(shape, self.halo, self.budget_bytes, self.bytes_per_pixel)
        return tiling.plan(shape, self.halo, core)

    def upscale_with(self, pixels, predict, tiles):
        """pixels upscaled by `predict` (the network's, or bicubic) on `tiles`, in this network's colour mode."""
        fn = functools.partial(tiling.upscale, predict, scale=self.scale, tiles=tiles)
        if tiles.count == 1 and tiles.window == tuple(pixels.shape[:2]):
            fn = predict  # one pass on the whole image: no stitching, no copy of its output
        if self.colour == "rgb":
            return upscale_rgb_pixels(pixels, self.scale, fn)
        return upscale_pixels(pixels, self.scale, fn, self.budget_bytes)

    def upscale(self, pixels):
        """(upscaled pixels, tile plan)."""
        tiles = self.tiles(pixels.shape[:2])
        return self.upscale_with(pixels, self.predict, tiles), tiles


def load_upscaler(cfg):
    """The checkpoint's network as an Upscaler, on the backend cfg.backend picks (src/backends.py): ONNX Runtime
    from its cached model (MindSpore not imported), else built and cached from the checkpoint, else MindSpore
    compiled once for any input size."""
    from src import backends
    backend = backends.choose(cfg)
    if backend == backends.ONNXRUNTIME:
        network, found = backends.load_cached(cfg)
        if network is not None:
            print(f"{network.metadata['describe']}  {_weights(cfg)}  (ONNX Runtime, cached {found})")
            return _onnx_upscaler(network, cfg)
    from src import checkpoint, device, inference, models
    spec = models.spec_for(cfg)
    device.setup(cfg)
    mix = getattr(cfg, "mix", None)
    net = (checkpoint.mixed_network(cfg.ckpt_file, *mix, spec) if mix
           else checkpoint.network_from_checkpoint(cfg.ckpt_file, spec))
    if backend == backends.ONNXRUNTIME:
        try:
            network, cached = backends.build(cfg, spec, net, found)
        except backends.BackendUnavailable as why:
            if cfg.backend == backends.ONNXRUNTIME:
                raise UserError(f"--backend onnxruntime: {why} (use --backend mindspore)") from None
            if not spec.not_exportable:  # ClassSR runs on MindSpore by design: nothing to say
                backends.note(f"running on MindSpore: {why}")
        else:
            print(f"{spec.describe()}  {_weights(cfg)}  (ONNX Runtime, built once: {cached})")
            return _onnx_upscaler(network, cfg)
    served = inference.make_dynamic(spec.inference_form(net), spec.channels)
    print(f"{spec.describe()}  {_weights(cfg)}")
    return Upscaler.for_network(spec, net, cfg.tile, cfg.max_memory_mb, served)


def _weights(cfg):
    """Where the network's weights come from: the checkpoint, or the mix of two (cfg.mix: the other, its share)."""
    mix = getattr(cfg, "mix", None)
    return f"{100 * (1 - mix[1]):.0f}% {cfg.ckpt_file} + {100 * mix[1]:.0f}% {mix[0]}" if mix else cfg.ckpt_file


def _onnx_upscaler(network, cfg):
    meta = network.metadata
    return Upscaler(network, meta["scale"], meta["halo"], meta["bytes_per_pixel"], cfg.tile,
                    cfg.max_memory_mb * 2 ** 20, meta["colour"], meta["title"])


# ---------------------------------------------------------------- the shipped checkpoints
# (model, network keys, family): checkpoints/<family>_x<scale>.ckpt holds that network (configs/<family>/), and
# <family>_x<scale>_robust.ckpt its robust variant where one ships (docs/robust.md)
SHIPPED = (("fsrcnn", {"d": 56, "s": 12, "m": 4}, "fsrcnn"),
           ("fsrcnn", {"d": 32, "s": 5, "m": 1}, "fsrcnn-s"),
           ("fmen", {"n_feats": 50, "mid_feats": 16, "down_blocks": 4}, "fmen-s"),
           ("classsr", {}, "classsr"))
SHIPPED_MODELS = ("auto", "paper", "robust")


class Pair(NamedTuple):
    """Where a robust model ships beside the paper-protocol one: the route says how much of `robust_ckpt`'s weights
    an image gets (checkpoints/router.json names the pair `key`)."""
    key: str
    robust_ckpt: str
    route: aliasing.Route


def shipped_checkpoints(cfg):
    """(family, paper-protocol checkpoint, robust checkpoint) of cfg's network and scale, found from any working
    directory: checkpoints/fsrcnn_x2.ckpt for --scale 2, the FMEN-S of that scale for --model fmen, FSRCNN-s for
    --d 32 --s 5 --m 1; a path is "" where the project ships none."""
    for model, keys, family in SHIPPED:
        if cfg.model == model and all(getattr(cfg, k, None) == v for k, v in keys.items()):
            found = [paths.in_repository(os.path.join("checkpoints", f"{family}_x{cfg.scale}{suffix}.ckpt"))
                     for suffix in ("", "_robust")]
            return (family, *(path if os.path.isfile(path) else "" for path in found))
    return "", "", ""


def pick_checkpoint(cfg):
    """infer.py without --ckpt_file (nor one in its --config_path): the shipped model of the network and scale asked
    for, so that `--scale 2` or `--model fmen --scale 3` alone works. Where a robust model ships too, --shipped_model
    picks: robust, paper, or auto (the default) = per image by how aliased the LR looks (src/aliasing.py, the pair's
    detector and ramp in checkpoints/router.json; the robust model alone if the pair has none). Sets
    cfg.ckpt_file and cfg.route (a Pair, or None: one model for every image)."""
    cfg.route = None
    choice = getattr(cfg, "shipped_model", "auto")
    if choice not in SHIPPED_MODELS:
        raise UserError(f"--shipped_model must be one of {', '.join(SHIPPED_MODELS)}, got '{choice}'")
    if "ckpt_file" in cfg.given:
        if "shipped_model" in cfg.given:
            raise UserError("--shipped_model chooses among the shipped models, --ckpt_file names another: give one")
        return
    family, paper, robust = shipped_checkpoints(cfg)
    if choice == "robust" and not robust:
        raise UserError(f"--shipped_model robust: no robust model ships for {family or cfg.model} x{cfg.scale} "
                        f"(docs/robust.md lists them)")
    if choice == "paper" or not robust:
        cfg.ckpt_file = paper or cfg.ckpt_file
        return
    key = f"{family}_x{cfg.scale}"
    route = aliasing.read_routes().get(key) if choice == "auto" and paper else None
    cfg.ckpt_file = robust if route is None else paper
    if route is not None:
        cfg.route = Pair(key, robust, route)


class RoutedUpscaler:
    """A paper-protocol model and its robust model as one upscaler: each image gets the paper model, the robust one,
    or a mix of their weights, by how aliased its LR looks (aliasing.Route). Each network is loaded when an image
    first needs it (a single image loads one)."""

    def __init__(self, cfg):
        self.cfg, self.route = cfg, cfg.route.route
        self.ckpt = {0: cfg.ckpt_file, self.route.levels: cfg.route.robust_ckpt}
        self.loaded, self.last = {}, None
        self.scale = cfg.scale

    def member(self, level):
        """The upscaler of a level of the route (0: the paper model)."""
        if level not in self.loaded:
            cfg = copy.copy(self.cfg)
            cfg.route = None
            if level in self.ckpt:
                cfg.ckpt_file = self.ckpt[level]
            else:
                cfg.mix = (self.ckpt[self.route.levels], round(level / self.route.levels, 6))
            self.loaded[level] = load_upscaler(cfg)
        return self.loaded[level]

    def pick(self, pixels):
        """(the level of the route, the LR's aliasing score)."""
        crop = aliasing.central_crop(pixels[..., None] if pixels.ndim == 2 else pixels)  # what the score reads
        luma = luma_of(crop[..., :3]) if crop.shape[2] >= 3 else crop[..., 0]
        return self.route.model_for(luma)

    @property
    def title(self):
        return (self.last or self.member(0)).title

    def upscale(self, pixels):
        """(upscaled pixels, the tile plan with the network chosen)."""
        level, score = self.pick(pixels)
        self.last = self.member(level)
        out, tiles = self.last.upscale(pixels)
        return out, RoutedPlan(tiles, f"{self.route.describe(level)} (aliasing score {score:.2f}, ramp "
                                      f"{self.route.low:.2f} to {self.route.high:.2f})")

    def upscale_with(self, pixels, predict, tiles):
        """As Upscaler.upscale_with (--compare's bicubic), through the network that ran last: no other one loaded."""
        return (self.last or self.member(0)).upscale_with(pixels, predict, tiles)


class RoutedPlan(NamedTuple):
    """A tile plan and the model a RoutedUpscaler chose, as upscale_job prints them."""
    tiles: tiling.TilePlan
    choice: str

    def describe(self):
        return f"{self.choice}, {self.tiles.describe()}"


def make_upscaler(cfg):
    """load_upscaler, or a RoutedUpscaler where pick_checkpoint routed between two shipped models."""
    return RoutedUpscaler(cfg) if getattr(cfg, "route", None) else load_upscaler(cfg)


# ---------------------------------------------------------------- checking the paths
def check_input(path):
    """An input that is not there, or is no regular file or folder, named as what it is (a dangling link, a FIFO,
    ...): never read, never waited on."""
    if os.path.islink(path) and not os.path.exists(path):
        raise UserError(f"{path}: a symbolic link to {os.readlink(path)}, which does not exist")
    if not os.path.lexists(path):
        raise UserError(f"{path}: no such file or folder")
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err.strerror or err})") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        kind = {stat.S_ISFIFO: "a FIFO (named pipe)", stat.S_ISSOCK: "a socket", stat.S_ISCHR: "a character device",
                stat.S_ISBLK: "a block device"}
        what = next((name for test, name in kind.items() if test(mode)), "not a regular file")
        raise UserError(f"{path}: is {what}, not an image file or folder")


def output_format(path, overwrite, option="--output", inputs=()):
    """Pillow's format for an output path; a missing or unwritable folder, a folder, an existing file (unless
    overwrite), one of `inputs` (even with overwrite) or an unknown extension is a UserError, found before any work
    is done."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserError(f"{path}: output folder {folder} does not exist")
    if os.path.isdir(path):
        raise UserError(f"{path}: is a folder, not an output file")
    for source in inputs:
        if _same_file(path, source):
            raise UserError(f"{path}: is the input {source}; {option} never replaces its input, even with "
                            f"--overwrite")
    if os.path.lexists(path) and not overwrite:
        raise UserError(f"{path}: already exists (pass --overwrite to replace it)")
    ext = os.path.splitext(path)[1].lower()
    fmt = Image.registered_extensions().get(ext)
    if fmt not in Image.SAVE:
        raise UserError(f"{path}: unknown output image format '{ext}' (use .png, .tif, .jpg, .bmp, .webp, ...)")
    fileio.check_output_file(path, option, inputs)  # writable, and not a special file
    return fmt


def _same_file(a, b):
    """One file (or folder) under two names: the same path, or links to one (samefile), also for a path that does
    not exist yet (its real path)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# ---------------------------------------------------------------- writing


def _encode(image, file, fmt, path):
    """`image` (pixels as read_image returns them, or a Pillow image) in `fmt` into an open file: 8-bit pixels as
    PNG by src/png.py, the rest by Pillow. Pillow's refusal (a mode the format cannot hold, ...) is a UserError, and
    so is the system's (a full disk, an I/O error), told apart: the file's, not the format's."""
    pixels = isinstance(image, np.ndarray)
    try:
        if fmt == "PNG" and pixels and png.writes(image):
            png.write(image, file)
        else:
            image = Image.fromarray(image) if pixels else image
            image.save(file, format=fmt, **SAVE_OPTIONS.get(fmt, {}))
    except OSError as err:
        if err.errno is not None:  # the operating system's error, not Pillow's about the image
            raise UserError(write_error(path, err)) from None
        raise UserError(f"{path}: cannot write a {_kind(image)} image as {fmt} ({err})") from None
    except (ValueError, KeyError) as err:
        raise UserError(f"{path}: cannot write a {_kind(image)} image as {fmt} ({err})") from None


def _kind(image):
    """What _encode's errors call the image: a Pillow image's mode, or the pixels' type."""
    return image.mode if isinstance(image, Image.Image) else str(image.dtype)


def write_error(path, err):
    """One line for an OSError met while writing `path`: a full disk says so."""
    reason = err.strerror or str(err)
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{path}: cannot write, the disk is full ({reason}); nothing was written"
    return f"{path}: cannot write ({reason}); nothing was written"


def check_writable(pixels, path, fmt):
    """Encode 2x2 pixels of the output's kind, so that e.g. 16-bit to JPEG fails before any work is done."""
    _encode(pixels[:2, :2], io.BytesIO(), fmt, path)


def _temp_suffix(pid):
    return f".{pid}{fileio.TMP_SUFFIX}"


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or no process could have that id
        return False
    except OSError:  # it exists, but is not ours to signal
        return True
    return True


def remove_orphan_temps(path):
    """Remove the temporary files of `path` that a killed infer.py left: `.NAME.<random>.<pid>.tmp` (and the older
    `.NAME.<pid>.tmp`) whose process is gone. A live process's file, and anything else, is left alone."""
    folder = os.path.dirname(os.path.abspath(path))
    pattern = re.compile(re.escape(fileio.temp_prefix(path)) + r"(?:[a-z0-9_]{8}\.)?([0-9]+)" +
                         re.escape(fileio.TMP_SUFFIX))
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry)
        if not match or int(match.group(1)) == os.getpid() or _pid_alive(int(match.group(1))):
            continue
        orphan = os.path.join(folder, entry)
        if stat.S_ISREG(os.lstat(orphan).st_mode):
            try:
                os.remove(orphan)
            except OSError:
                pass


def save_atomic(image, path, fmt):
    """Write to a new temporary file in the same folder (named with this process's id), then rename: a failure or
    Ctrl-C never leaves half a file, and the file a kill leaves is removed by the next run that writes `path`."""
    remove_orphan_temps(path)
    try:
        with fileio.atomic_path(path, suffix=_temp_suffix(os.getpid())) as tmp:
            fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW)
            with os.fdopen(fd, "wb") as f:
                _encode(image, f, fmt, path)
    except OSError as err:  # creating, flushing or renaming the file
        raise UserError(write_error(path, err)) from None


# ---------------------------------------------------------------- the command
class Job(NamedTuple):
    """One input checked and decoded, with its output(s) checked: nothing is computed before all of this passes."""
    src: str
    dst: str
    fmt: str
    pixels: np.ndarray
    warning: str


def prepare(src, dst, overwrite):
    check_input(src)
    fmt = output_format(dst, overwrite, inputs=(src,))
    pixels, warning = read_image(src)
    check_writable(pixels, dst, fmt)
    return Job(src, dst, fmt, pixels, warning)


def _size(pixels):
    return f"{pixels.shape[1]}x{pixels.shape[0]}"


def upscaled(job, upscaler):
    """(the output pixels, the tile plan) of a job; what the network refuses about the image names the file."""
    try:
        return upscaler.upscale(job.pixels)
    except UserError as err:  # what the network refuses about this image (ClassSR: smaller than a sub-image)
        raise UserError(f"{job.src}: {err}") from None


def _done(job, out, tiles, start):
    """The line printed for a job written, with the seconds since `start`."""
    return (f"{job.src}: {_size(job.pixels)} -> {_size(out)}, {tiles.describe()}, "
            f"{time.perf_counter() - start:.2f} s -> {job.dst}")


def saved(job, out, tiles, start):
    """Write a job's output; returns its line."""
    save_atomic(out, job.dst, job.fmt)
    return _done(job, out, tiles, start)


def upscale_job(job, upscaler, compare_path="", compare_fmt=""):
    """Upscale and write one image (and its comparison); returns the line to print."""
    start = time.perf_counter()
    out, tiles = upscaled(job, upscaler)
    save_atomic(out, job.dst, job.fmt)
    if compare_path:
        whole = tiling.plan(job.pixels.shape[:2], 0, max(job.pixels.shape[:2]))
        baseline = Image.fromarray(upscaler.upscale_with(job.pixels, bicubic(upscaler.scale), whole))
        picture = compare.side_by_side([("bicubic", baseline), (upscaler.title, Image.fromarray(out))],
                                       upscaler.scale)
        save_atomic(picture, compare_path, compare_fmt)
    return _done(job, out, tiles, start)


def check_options(cfg):
    if not cfg.input or not cfg.output:
        raise UserError("give --input IMAGE_OR_FOLDER and --output PATH")
    if cfg.tile < 0:
        raise UserError(f"--tile must be 0 (from --max_memory_mb) or a positive LR tile side, got {cfg.tile}")
    if cfg.max_memory_mb <= 0:
        raise UserError(f"--max_memory_mb must be positive, got {cfg.max_memory_mb}")
    check_input(cfg.input)


def run_file(cfg):
    compare_fmt = ""
    if cfg.compare:
        compare_fmt = output_format(cfg.compare, cfg.overwrite, "--compare", inputs=(cfg.input,))
        if _same_file(cfg.compare, cfg.output):
            raise UserError(f"{cfg.compare}: --compare and --output are one file")
    job = prepare(cfg.input, cfg.output, cfg.overwrite)
    if job.warning:
        print(f"warning: {job.warning}", file=sys.stderr)
    print(upscale_job(job, make_upscaler(cfg), cfg.compare, compare_fmt))


def run_folder(cfg):
    """Every image of the input folder into the output folder (created if its parent exists), same names.

    A bad image is reported and skipped; the others are written; the failures end in a UserError (exit 2).
    """
    if cfg.compare:
        raise UserError("--compare needs a single input image, not a folder")
    files = protocol.list_images(cfg.input)
    if os.path.exists(cfg.output) and not os.path.isdir(cfg.output):
        raise UserError(f"{cfg.output}: the input is a folder, so the output must be a folder too")
    if _same_file(cfg.output, cfg.input):
        raise UserError(f"{cfg.output}: is the input folder; the outputs would replace the images they are made "
                        f"from (give another --output folder; --overwrite does not allow this)")
    if not os.path.isdir(cfg.output):
        parent = os.path.dirname(os.path.abspath(cfg.output))
        if not os.path.isdir(parent):
            raise UserError(f"{cfg.output}: output folder {parent} does not exist")
    fileio.check_output_folder(cfg.output, "--output")  # writable, before the network loads and the first image
    os.makedirs(cfg.output, exist_ok=True)
    upscaler = make_upscaler(cfg)
    failed = 0

    def fail(err):
        nonlocal failed
        tqdm.write(f"error: {err}", file=sys.stderr)
        failed += 1

    def report(step):
        """Print the line of a finished step (a callable, or a future's result), or its error."""
        try:
            tqdm.write(step())
        except UserError as err:
            fail(err)

    def job_of(src):
        return io_thread.submit(prepare, src, os.path.join(cfg.output, os.path.basename(src)), cfg.overwrite)
    # one I/O thread reads the next image and writes the last output while this one computes (decoding, zlib, fsync
    # leave the GIL); an output larger than the memory budget is written here, so at most that much waits
    io_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="folder-io")
    try:
        upcoming, writing = job_of(files[0]), None
        for i, _ in enumerate(tqdm(files, desc="upscaling", unit="image", disable=None)):
            current = upcoming
            if i + 1 < len(files):
                upcoming = job_of(files[i + 1])
            start, failure = time.perf_counter(), None
            try:
                job = current.result()
                out, tiles = upscaled(job, upscaler)
            except UserError as err:
                failure = err
            if writing is not None:  # the lines stay in the order of the files
                report(writing.result)
                writing = None
            if failure is not None:
                fail(failure)
                continue
            if job.warning:
                tqdm.write(f"warning: {job.warning}", file=sys.stderr)
            step = functools.partial(saved, job, out, tiles, start)
            if out.nbytes <= cfg.max_memory_mb * 2 ** 20:
                writing = io_thread.submit(step)
            else:
                report(step)
        if writing is not None:
            report(writing.result)
    finally:  # Ctrl-C: the file being written is finished (never half a file), nothing more is started
        io_thread.shutdown(wait=True, cancel_futures=True)
    if failed == len(files):
        raise UserError(f"all {len(files)} images failed, nothing was written to {cfg.output}")
    if failed:
        raise UserError(f"{failed} of {len(files)} images failed, the others were written to {cfg.output}")


def run(cfg):
    """infer.py's work: --input is an image file (then --output is one) or a folder (then --output is a folder)."""
    check_options(cfg)
    dataset.check_scale(cfg.scale)
    (run_folder if os.path.isdir(cfg.input) else run_file)(cfg)

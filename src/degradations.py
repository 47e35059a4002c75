"""The downscales that make the low-resolution images users meet, reproduced in numpy (docs/robust.md).

Each degradation is one library call, reproduced without the library (OpenCV is no runtime dependency) and checked
against it by tests/test_degradations.py on Set5 and on odd sizes:

- matlab_bicubic: MATLAB `imresize(hr, 1/s, 'bicubic')`, antialiased: the paper's protocol (src/protocol.py, its LR
  kept in float). Every paper-protocol figure of the project is made with it.
- cv2_cubic, cv2_linear, cv2_area: OpenCV `cv2.resize(hr, (w/s, h/s), interpolation=INTER_CUBIC / INTER_LINEAR /
  INTER_AREA)` on 8-bit images. Cubic (Keys, a = -0.75) and linear sample the image at the output pixel centres
  with no antialiasing (at x3 INTER_LINEAR keeps every third pixel, at x2 it equals INTER_AREA); area averages each
  s x s block. The numpy form follows OpenCV's 8-bit path (11-bit weights, the cubic's float32 vertical pass, its
  rounding): equal to OpenCV at the integer factors the degradations use; at other output sizes cubic and linear
  differ from it by at most one 8-bit level on a few pixels in a hundred (OpenCV's SIMD fixed point).
- cv2_nearest, pil_nearest: OpenCV's `INTER_NEAREST` (each output pixel the input pixel at floor(j * s), as
  numpy's `hr[::s, ::s]` at integer factors) and Pillow's `NEAREST` (the pixel under the output pixel's centre,
  floor((j + 0.5) * s)): no filtering at all, and the LR grid off the centred one (OpenCV's by (s - 1) / 2 HR
  pixels up and left, Pillow's by half a pixel down and right at even s). Reproduced exactly (the libraries' index
  arithmetic, Pillow's running sum included).
- pil_bicubic, pil_lanczos: Pillow `Image.resize((w/s, h/s), BICUBIC / LANCZOS)`: antialiased (the kernel widened by
  the factor, a = -0.5 cubic or Lanczos-3, weights renormalised at the borders), 22-bit fixed-point weights, the
  first pass rounded to 8 bits before the second. Reproduced bit for bit (Pillow 13).
- <downscale>+jpeg<q> (e.g. pil_bicubic+jpeg75): a library downscale, then the LR saved as a baseline JPEG at
  quality q and read back: Pillow's `Image.save(f, "JPEG", quality=q)`, whose bytes are the same as OpenCV's
  `cv2.imwrite(f, lr, [IMWRITE_JPEG_QUALITY, q])` (both libjpeg-turbo at its defaults: the IJG tables scaled by q,
  4:2:0 chroma, the integer DCT; tested against OpenCV's). The photos users have are mostly JPEGs.

The library degradations act on the 8-bit image as a user's file holds it (RGB, or a grayscale plane) and give
8-bit LR pixels, as the library writes them; a luma network then reads the LR's Y as infer.py reads any file. The
paper's degradation keeps the project's protocol: luma first, resized in float (protocol.degrade).
"""
import io
import re
from typing import NamedTuple

import numpy as np
from PIL import Image

from src import protocol
from src.errors import UserError

PAPER = "matlab_bicubic"


class Degradation(NamedTuple):
    name: str
    call: str  # the library call it reproduces
    resize: object  # (uint8 image, (out_h, out_w)) -> uint8 image (float for the paper's)


# ---------------------------------------------------------------- separable resampling by tap tables
def _taps_apply(img, axis, indices, weights):
    """out[j] = sum_t weights[j, t] * img[indices[j, t]] along `axis`, in float64."""
    img = np.moveaxis(np.asarray(img, dtype=np.float64), axis, 0)
    out = np.zeros((indices.shape[0],) + img.shape[1:])
    extra = (1,) * (img.ndim - 1)
    for t in range(indices.shape[1]):
        out += weights[:, t].reshape((-1,) + extra) * img[indices[:, t]]
    return np.moveaxis(out, 0, axis)


def _separable(img, out_shape, taps, rounding=None, axes=(1, 0)):
    """Resize an HxW or HxWxC image with per-axis tap tables taps(in_len, out_len) -> (indices, weights), one axis
    after the other in the order `axes` (1: horizontal); `rounding` (if given) is applied after each pass and a pass
    that keeps its size is skipped (Pillow writes an 8-bit intermediate)."""
    out = img
    for axis in axes:
        if out.shape[axis] == out_shape[axis] and rounding is not None:
            continue
        out = _taps_apply(out, axis, *taps(out.shape[axis], out_shape[axis]))
        if rounding is not None:
            out = rounding(out)
    return out


def _round_half_even_uint8(x):
    """cvRound then saturate to uint8 (OpenCV's float -> uchar conversion: half to even)."""
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- OpenCV (imgproc/src/resize.cpp, 8-bit images)
_CV_COEF_SCALE = 2048.0  # INTER_RESIZE_COEF_SCALE: the 8-bit paths' weights are shorts of 11 fractional bits


def _cv_scale(in_len, out_len):
    """cv::resize's scale when given dsize: 1 / (dsize / ssize), in double."""
    return 1.0 / (out_len / in_len)


def _cv_positions(in_len, out_len):
    """(sx, fx) of cv::resize: the source position of each output pixel centre in float32, its floor and fraction."""
    pos = ((np.arange(out_len) + 0.5) * _cv_scale(in_len, out_len) - 0.5).astype(np.float32)
    sx = np.floor(pos).astype(np.int64)
    return sx, (pos - sx.astype(np.float32)).astype(np.float32)


def _cv_quantise(weights):
    """saturate_cast<short>(w * 2048) / 2048: the weights the 8-bit path really uses."""
    return np.rint(weights.astype(np.float32) * np.float32(_CV_COEF_SCALE)).astype(np.float64) / _CV_COEF_SCALE


def _cv_cubic_taps(in_len, out_len):
    sx, x = _cv_positions(in_len, out_len)
    a, one = np.float32(-0.75), np.float32(1)
    c0 = ((a * (x + one) - 5 * a) * (x + one) + 8 * a) * (x + one) - 4 * a
    c1 = ((a + 2) * x - (a + 3)) * x * x + one
    c2 = ((a + 2) * (one - x) - (a + 3)) * (one - x) * (one - x) + one
    c3 = one - c0 - c1 - c2
    indices = np.clip(sx[:, None] + np.arange(-1, 3)[None, :], 0, in_len - 1)  # the border pixel repeated
    return indices, _cv_quantise(np.stack([c0, c1, c2, c3], axis=1))


def _cv_linear_taps(in_len, out_len):
    sx, fx = _cv_positions(in_len, out_len)
    fx = np.where((sx < 0) | (sx >= in_len - 1), np.float32(0), fx)
    sx = np.clip(sx, 0, in_len - 1)
    indices = np.stack([sx, np.minimum(sx + 1, in_len - 1)], axis=1)
    return indices, _cv_quantise(np.stack([np.float32(1) - fx, fx], axis=1))


def _cv_area_taps(in_len, out_len):
    """computeResizeAreaTab: each output pixel averages the source interval it covers (float32 weights)."""
    scale = _cv_scale(in_len, out_len)
    rows = []
    for dx in range(out_len):
        fsx1 = dx * scale
        fsx2 = fsx1 + scale
        cell = min(scale, in_len - fsx1)
        sx2 = min(int(np.floor(fsx2)), in_len - 1)
        sx1 = min(int(np.ceil(fsx1)), sx2)
        row = []
        if sx1 - fsx1 > 1e-3:
            row.append((sx1 - 1, (sx1 - fsx1) / cell))
        row += [(sx, 1.0 / cell) for sx in range(sx1, sx2)]
        if fsx2 - sx2 > 1e-3:
            row.append((sx2, min(min(fsx2 - sx2, 1.0), cell) / cell))
        rows.append(row)
    width = max(len(r) for r in rows)
    indices = np.zeros((out_len, width), np.int64)
    weights = np.zeros((out_len, width))
    for j, row in enumerate(rows):
        for t, (sx, w) in enumerate(row):
            indices[j, t], weights[j, t] = sx, np.float32(w)
    return indices, weights


def _integer_factor(img, out_shape):
    """The factor s when the image is exactly s times the output along both axes, else None."""
    h, w = img.shape[:2]
    oh, ow = out_shape
    if h % oh == 0 and w % ow == 0 and h // oh == w // ow:
        return h // oh
    return None


def cv2_cubic(img, out_shape):
    """cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_CUBIC) of a uint8 image, as OpenCV computes it: the
    horizontal pass in integers (11-bit weights), the vertical pass in float32 (VResizeCubicVec_32s8u: each row
    times beta / 2048^2, summed from the last tap, rounded half to even)."""
    oh, ow = out_shape
    x_idx, x_w = _cv_cubic_taps(img.shape[1], ow)
    alpha = np.rint(x_w * _CV_COEF_SCALE).astype(np.int64)
    pixels = img.astype(np.int64)
    extra = (1,) * (img.ndim - 2)
    rows = sum(alpha[:, t].reshape((-1,) + extra) * pixels[:, x_idx[:, t]] for t in range(4))  # exact integers
    rows = rows.reshape(img.shape[0], -1)  # (in_h, out_w * channels): the row buffers of the vertical pass
    y_idx, y_w = _cv_cubic_taps(img.shape[0], oh)
    beta = np.rint(y_w * _CV_COEF_SCALE).astype(np.int64)
    scaled = (beta.astype(np.float32) * np.float32(1.0 / (_CV_COEF_SCALE * _CV_COEF_SCALE))).astype(np.float64)
    acc = (rows[y_idx[:, 3]] * scaled[:, 3:4]).astype(np.float32)
    for t in (2, 1, 0):
        acc = (rows[y_idx[:, t]] * scaled[:, t:t + 1] + acc).astype(np.float32)
    return np.clip(np.rint(acc.astype(np.float64)), 0, 255).astype(np.uint8).reshape((oh, ow) + img.shape[2:])


def cv2_area(img, out_shape):
    """cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_AREA) of a uint8 image, downscaling."""
    if out_shape[0] > img.shape[0] or out_shape[1] > img.shape[1]:
        raise UserError("cv2_area is a downscale: the output must not be larger than the image")
    s = _integer_factor(img, out_shape)
    if s is not None:  # the fast path: the mean of each s x s block (2x2: (sum + 2) >> 2, else cvRound)
        h, w = out_shape
        blocks = img[:h * s, :w * s].astype(np.float64).reshape((h, s, w, s) + img.shape[2:])
        mean = blocks.sum(axis=(1, 3)) / (s * s)
        return protocol.round_uint8(mean) if s == 2 else _round_half_even_uint8(mean)
    return _round_half_even_uint8(_separable(img, out_shape, _cv_area_taps))


def cv2_nearest(img, out_shape):
    """cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_NEAREST): resizeNN's source index
    min(cvFloor(j * ssize / dsize), ssize - 1) on each axis."""
    def index(in_len, out_len):
        return np.minimum(np.floor(np.arange(out_len) * _cv_scale(in_len, out_len)).astype(np.int64), in_len - 1)
    return _pick(img, out_shape, index)


def _pick(img, out_shape, index):
    """The image's pixels at index(in_len, out_len) of rows and columns: a nearest-neighbour resize."""
    return np.ascontiguousarray(img[index(img.shape[0], out_shape[0])][:, index(img.shape[1], out_shape[1])])


def cv2_linear(img, out_shape):
    """cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_LINEAR) of a uint8 image (at exactly x2 OpenCV
    takes the INTER_AREA path: the same mean of 2x2 blocks)."""
    if _integer_factor(img, out_shape) == 2:
        return cv2_area(img, out_shape)
    return protocol.round_uint8(_separable(img, out_shape, _cv_linear_taps))


# ---------------------------------------------------------------- Pillow (libImaging/Resample.c, 8-bit images)
_PIL_PRECISION_BITS = 32 - 8 - 2


def _pil_bicubic_filter(x):
    a = -0.5
    x = np.abs(x)
    return np.where(x < 1.0, ((a + 2.0) * x - (a + 3.0)) * x * x + 1,
                    np.where(x < 2.0, (((x - 5) * x + 8) * x - 4) * a, 0.0))


def _sinc(x):
    safe = np.where(x == 0.0, 1.0, x) * np.pi
    return np.where(x == 0.0, 1.0, np.sin(safe) / safe)


def _pil_lanczos_filter(x):
    return np.where((-3.0 <= x) & (x < 3.0), _sinc(x) * _sinc(x / 3.0), 0.0)


def _pil_taps(filter_fn, support):
    def taps(in_len, out_len):
        """precompute_coeffs + normalize_coeffs_8bpc: integer weights of 22 fractional bits, as float64."""
        scale = in_len / out_len
        filterscale = max(scale, 1.0)
        support_px = support * filterscale
        ksize = int(np.ceil(support_px)) * 2 + 1
        center = (np.arange(out_len) + 0.5) * scale
        xmin = np.maximum((center - support_px + 0.5).astype(np.int64), 0)  # C's (int): truncation
        xmax = np.minimum((center + support_px + 0.5).astype(np.int64), in_len) - xmin
        offsets = np.arange(ksize)[None, :]
        w = filter_fn((offsets + xmin[:, None] - center[:, None] + 0.5) / filterscale)
        w = np.where(offsets < xmax[:, None], w, 0.0)
        total = w.sum(axis=1, keepdims=True)
        w = np.where(total != 0.0, w / np.where(total != 0.0, total, 1.0), w)
        fixed = w * (1 << _PIL_PRECISION_BITS)
        fixed = np.trunc(np.where(w < 0, fixed - 0.5, fixed + 0.5))
        return np.minimum(xmin[:, None] + offsets, in_len - 1), fixed
    return taps


def _pil_clip8(acc):
    """Pillow's 8-bit output of a fixed-point sum: (acc + 2^21) >> 22, clipped (exact: acc is an integer)."""
    return np.clip(np.floor((acc + (1 << (_PIL_PRECISION_BITS - 1))) / (1 << _PIL_PRECISION_BITS)), 0, 255)


def _pil_resize(taps):
    def resize(img, out_shape):
        # ImagingResampleInner (Pillow 13) runs the vertical pass first when the height loses more than twice as many
        # pixels as the width
        (h, w), (oh, ow) = img.shape[:2], out_shape
        vertical_first = h - oh > 0 and h - oh > (w - ow) * 2
        return _separable(img, out_shape, taps, _pil_clip8, (0, 1) if vertical_first else (1, 0)).astype(np.uint8)
    return resize


pil_bicubic = _pil_resize(_pil_taps(_pil_bicubic_filter, 2.0))
pil_bicubic.__doc__ = "Image.fromarray(img).resize((out_w, out_h), Image.BICUBIC) of a uint8 image."
pil_lanczos = _pil_resize(_pil_taps(_pil_lanczos_filter, 3.0))
pil_lanczos.__doc__ = "Image.fromarray(img).resize((out_w, out_h), Image.LANCZOS) of a uint8 image."


def pil_nearest(img, out_shape):
    """Image.fromarray(img).resize((out_w, out_h), Image.NEAREST): ImagingScaleAffine's source index, the
    truncation of a running sum that starts at the first pixel's centre (ssize / dsize / 2) and adds ssize / dsize
    per output pixel (in double, added one step at a time as Pillow does)."""
    def index(in_len, out_len):
        step = in_len / out_len
        centres = np.cumsum(np.concatenate([[step * 0.5], np.full(out_len - 1, step)]))  # sequential sums
        return np.minimum(centres.astype(np.int64), in_len - 1)
    return _pick(img, out_shape, index)


# ---------------------------------------------------------------- MATLAB (the paper's)
def matlab_bicubic(img, out_shape):
    """MATLAB imresize(img, [out_h out_w], 'bicubic') (antialiased), in float, not rounded: protocol.imresize."""
    return protocol.imresize(img, out_shape[0] / img.shape[0], output_shape=tuple(out_shape))


DEGRADATIONS = {d.name: d for d in (
    Degradation(PAPER, "MATLAB imresize(hr, 1/s, 'bicubic'), antialiased (the paper's; LR kept in float)",
                matlab_bicubic),
    Degradation("cv2_cubic", "cv2.resize(hr, (w/s, h/s), interpolation=cv2.INTER_CUBIC), no antialiasing",
                cv2_cubic),
    Degradation("cv2_linear", "cv2.resize(hr, (w/s, h/s), interpolation=cv2.INTER_LINEAR), no antialiasing",
                cv2_linear),
    Degradation("cv2_area", "cv2.resize(hr, (w/s, h/s), interpolation=cv2.INTER_AREA): block mean", cv2_area),
    Degradation("pil_bicubic", "PIL Image.resize((w/s, h/s), Image.BICUBIC), antialiased", pil_bicubic),
    Degradation("pil_lanczos", "PIL Image.resize((w/s, h/s), Image.LANCZOS), antialiased", pil_lanczos),
    Degradation("cv2_nearest", "cv2.resize(hr, (w/s, h/s), interpolation=cv2.INTER_NEAREST), as hr[::s, ::s]",
                cv2_nearest),
    Degradation("pil_nearest", "PIL Image.resize((w/s, h/s), Image.NEAREST): the pixel under each centre",
                pil_nearest),
)}
# Nearest neighbour keeps no pixel between its samples and moves the LR grid (at x2 OpenCV's and Pillow's by half a
# pixel each way, which no image tells apart): infer.py's choice is calibrated on the other six, the downscales that
# interpolate (the robust models' training mixes draw on them too); nearest is scored beside them (docs/robust.md)
NEAREST = ("cv2_nearest", "pil_nearest")
INTERPOLATING = tuple(name for name in DEGRADATIONS if name not in NEAREST)
JPEG = "+jpeg"
# A photo resized and saved by each library at its defaults: Pillow's resize(BICUBIC) and save (quality 75);
# cv2.resize (INTER_LINEAR) and cv2.imwrite (quality 95). Scored beside the others, not calibrated on
COMPRESSED = ("pil_bicubic+jpeg75", "cv2_linear+jpeg95")
NAMES = tuple(DEGRADATIONS) + COMPRESSED


def jpeg_round_trip(img, quality):
    """An 8-bit HxW or HxWx3 image saved as a baseline JPEG at `quality` (Pillow's defaults otherwise) and read back."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded)


def check_name(name):
    """The degradation of this name: one of DEGRADATIONS, or one of their 8-bit downscales followed by +jpeg<q>, q
    from 1 to 100 written plainly; an unknown one is a UserError listing them."""
    base, jpeg, quality = name.partition(JPEG)
    if jpeg and base in DEGRADATIONS and base != PAPER and re.fullmatch(r"100|[1-9][0-9]?", quality):
        downscale_of, q = DEGRADATIONS[base], int(quality)
        return Degradation(name, f"{downscale_of.call}, then saved as a JPEG at quality {q}",
                           lambda img, out_shape: jpeg_round_trip(downscale_of.resize(img, out_shape), q))
    if name not in DEGRADATIONS:
        raise UserError(f"degradation '{name}' is not one of {', '.join(DEGRADATIONS)}, nor one of those but "
                        f"{PAPER} followed by {JPEG}<quality from 1 to 100> (e.g. pil_bicubic+jpeg75)")
    return DEGRADATIONS[name]


def resize(img, out_shape, name):
    """Downscale an 8-bit HxW or HxWxC image to out_shape (out_h, out_w) as the library of `name` does: uint8 for
    the libraries' degradations, float64 (not rounded) for the paper's."""
    degradation = check_name(name)
    img = np.asarray(img)
    if name != PAPER and img.dtype != np.uint8:
        raise UserError(f"{name} reproduces the library's 8-bit path: give a uint8 image, got {img.dtype}")
    return degradation.resize(img, tuple(int(n) for n in out_shape))


def downscale(img, scale, name):
    """resize() by an integer factor of an image whose sides are multiples of it (protocol.modcrop)."""
    h, w = img.shape[:2]
    if h % scale or w % scale:
        raise UserError(f"image {w}x{h} is not a multiple of the scale {scale}: modcrop it first")
    return resize(img, (h // scale, w // scale), name)


# ---------------------------------------------------------------- LR images for a network
def as_colour(pixels, colour):
    """A file's uint8 pixels (HxW grayscale or HxWx3 RGB) as a network of `colour` reads them (protocol.load_image):
    "y" the MATLAB luma (a grayscale plane is its own), "rgb" the pixels (grayscale repeated)."""
    if colour == "y":
        return protocol.rgb_to_y(pixels) if pixels.ndim == 3 else pixels
    return pixels if pixels.ndim == 3 else np.repeat(pixels[..., None], 3, axis=2)


def degrade(pixels, scale, name=PAPER, mode=protocol.LUMA):
    """A file's uint8 pixels (HxW grayscale or HxWx3 RGB) -> (modcropped HR uint8, LR float64 0..255) in the colour
    of `mode` (a protocol.ImageMode). The paper's degradation is protocol.degrade of the network's plane; the
    others downscale the file's pixels as the library would and round to 8 bits, and the network reads that LR
    image (its Y for a luma network)."""
    check_name(name)
    if name == PAPER:
        return protocol.degrade(as_colour(pixels, mode.colour), scale, mode.lr_uint8)
    hr = protocol.modcrop(pixels, scale)
    lr = downscale(hr, scale, name)
    return as_colour(hr, mode.colour), as_colour(lr, mode.colour).astype(np.float64)


def read_pixels(path):
    """A file's 8-bit pixels as a user's program sees them: an HxW plane for grayscale, else HxWx3 RGB (the modes
    protocol.load_image reads; others are its UserError)."""
    image = protocol.open_image(path)
    if image.mode == "L":
        return np.asarray(image, dtype=np.uint8)
    return protocol.load_image(path, "rgb") if image.mode not in protocol._RGB_MODES else \
        np.asarray(image.convert("RGB"), dtype=np.uint8)


def parse_mix(text):
    """'a,b:2,c' -> [(name, weight)], weights normalised to sum 1 (a name without weight weighs 1)."""
    mix = []
    for item in (part.strip() for part in text.split(",")):
        name, _, weight = item.partition(":")
        name = name.strip()
        try:
            value = float(weight) if weight.strip() else 1.0
        except ValueError:
            value = -1.0
        if not np.isfinite(value) or value <= 0:
            raise UserError(f"train_degradations '{text}': weight of '{name}' must be a number > 0, got '{weight}'")
        check_name(name)
        if name in (n for n, _ in mix):
            raise UserError(f"train_degradations '{text}': '{name}' is listed twice")
        mix.append((name, value))
    total = sum(w for _, w in mix)
    return [(name, w / total) for name, w in mix]

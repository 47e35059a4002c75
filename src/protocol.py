"""The SRCNN/FSRCNN MATLAB evaluation protocol in numpy (docs/protocol.md section 2).

One home for: reading an image as luma, MATLAB `rgb2ycbcr`, modcrop by cropping, MATLAB `imresize(..., 'bicubic')`
and the uint8 rounding MATLAB applies. Every PSNR in this project goes through these functions.
"""
import os
from typing import NamedTuple

import numpy as np
from PIL import Image, UnidentifiedImageError

from src.errors import UserError


class ImageMode(NamedTuple):
    """How a network's images are read and degraded (its spec's image_mode).

    colour: "y", the MATLAB luma plane (FSRCNN), or "rgb", HxWx3 (FMEN).
    lr_uint8: the LR image rounded to 8 bits, as a saved LR file: what RGB networks of the EDSR framework are
    trained and benchmarked on (FMEN's released weights go astray on a float LR's overshoots: docs/fmen.md).
    FSRCNN's MATLAB code keeps the LR in float (step 3 below).
    """
    colour: str = "y"
    lr_uint8: bool = False


LUMA = ImageMode()
IMAGE_EXTENSIONS = (".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
# Modes we read as 8-bit luma: grayscale is its own Y; palette/alpha/CMYK images are converted to RGB first.
_LUMA_MODES = ("L",)
_RGB_MODES = ("RGB", "RGBA", "P", "PA", "LA", "CMYK", "YCbCr")


def round_uint(x, dtype=np.uint8):
    """MATLAB's uint8()/uint16(): clip to the type's range and round half away from zero (numpy rounds half to even)."""
    return np.floor(np.clip(x, 0, np.iinfo(dtype).max) + 0.5).astype(dtype)


def round_uint8(x):
    """round_uint to uint8: what every 8-bit output and score goes through."""
    return round_uint(x, np.uint8)


# MATLAB rgb2ycbcr (BT.601 studio range): Y, Cb, Cr = offset + (weights . (R, G, B)) / 255, one row each
RGB_TO_YCBCR = ((65.481, 128.553, 24.966), (-37.797, -74.203, 112.0), (112.0, -93.786, -18.214))
YCBCR_OFFSET = (16.0, 128.0, 128.0)
# MATLAB ycbcr2rgb: R, G, B = (LUMA_TO_RGB * (Y - 16) + CHROMA_TO_RGB row . (Cb - 128, Cr - 128)) / 256
LUMA_TO_RGB = 298.082
CHROMA_TO_RGB = ((0.0, 408.583), (-100.291, -208.120), (516.412, 0.0))


def rgb_to_ycbcr(rgb):
    """MATLAB rgb2ycbcr of an HxWx3 uint8 image (BT.601 studio range), returned as float64 Y, Cb, Cr planes."""
    rgb = rgb.astype(np.float64)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return tuple(offset + (wr * r + wg * g + wb * b) / 255.0
                 for (wr, wg, wb), offset in zip(RGB_TO_YCBCR, YCBCR_OFFSET))


def ycbcr_to_rgb(y, cb, cr):
    """MATLAB ycbcr2rgb for float planes in 0..255 units; returns float64 HxWx3 in 0..255 (not rounded)."""
    y, cb, cr = y - 16.0, cb - 128.0, cr - 128.0
    luma = LUMA_TO_RGB * y / 256.0
    return np.stack([luma + wb * cb / 256.0 + wr * cr / 256.0 for wb, wr in CHROMA_TO_RGB], axis=-1)


def rgb_to_y(rgb):
    """MATLAB rgb2ycbcr luma of a uint8 RGB image, as the uint8 MATLAB returns for uint8 input."""
    return round_uint8(rgb_to_ycbcr(rgb)[0])


def modcrop(img, scale):
    """Crop (never resize) the bottom/right so both sides are multiples of `scale`."""
    h, w = img.shape[:2]
    return img[:h - h % scale, :w - w % scale]


def open_image(path):
    """Open and fully decode an image with Pillow; any failure is a UserError naming the file."""
    if not os.path.isfile(path):
        raise UserError(f"{path}: no such file")
    try:
        with Image.open(path) as img:
            img.load()
            return img.copy() if img.mode != "P" else img.convert("RGBA" if "transparency" in img.info else "RGB")
    except UnidentifiedImageError:
        raise UserError(f"{path}: not an image Pillow can read") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise UserError(f"{path}: cannot decode image ({err})") from None


def load_image(path, colour="y"):
    """Read an 8-bit image file as what a network of this colour mode sees: its uint8 luma plane (colour "y",
    docs/protocol.md section 2 step 1) or its uint8 HxWx3 RGB pixels (colour "rgb"; grayscale repeated in R, G and
    B)."""
    img = open_image(path)
    if img.mode in _LUMA_MODES:
        plane = np.asarray(img, dtype=np.uint8)
        return plane if colour == "y" else np.repeat(plane[..., None], 3, axis=2)
    if img.mode in _RGB_MODES:
        rgb = np.asarray(img.convert("RGB"), dtype=np.uint8)
        return rgb_to_y(rgb) if colour == "y" else rgb
    raise UserError(f"{path}: unsupported image mode '{img.mode}' (expected 8-bit grayscale or colour)")


def load_y(path):
    """Read an 8-bit image file as its uint8 luma plane."""
    return load_image(path, "y")


def scored_luma(img):
    """What PSNR and SSIM are computed on: a uint8 plane itself, the MATLAB rgb2ycbcr luma of a uint8 RGB image
    (an RGB network's output is scored on Y, like every figure of the papers)."""
    return rgb_to_y(img) if img.ndim == 3 else img


def list_images(folder):
    """Sorted image files of a folder; a missing or image-less folder is a UserError."""
    if not os.path.isdir(folder):
        raise UserError(f"{folder}: no such directory")
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS))
    if not files:
        raise UserError(f"{folder}: contains no image files ({', '.join(IMAGE_EXTENSIONS)})")
    return [os.path.join(folder, f) for f in files]


def _cubic(x):
    """Keys cubic kernel with a = -0.5, as MATLAB's imresize."""
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    return ((1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1)
            + (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * ((ax > 1) & (ax <= 2)))


def resize_weights(in_len, out_len, scale):
    """Weights and source indices of MATLAB's imresize along one axis (antialiased when downscaling)."""
    kernel_width = 4.0 / scale if scale < 1 else 4.0
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - kernel_width / 2.0)
    taps = int(np.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(taps, dtype=np.float64)[None, :]
    dist = u[:, None] - indices
    weights = scale * _cubic(scale * dist) if scale < 1 else _cubic(dist)
    weights /= weights.sum(axis=1, keepdims=True)
    # symmetric border: MATLAB mirrors the index sequence 1..n, n..1 (1-based)
    mirror = np.concatenate([np.arange(in_len), np.arange(in_len)[::-1]])
    indices = mirror[np.mod(indices.astype(np.int64) - 1, mirror.size)]
    used = np.any(weights != 0, axis=0)
    return weights[:, used], indices[:, used]


def _resize_axis(img, out_len, scale, axis, keep=slice(None)):
    """Resize along `axis` to out_len, computing only the output positions `keep` (a slice)."""
    weights, indices = resize_weights(img.shape[axis], out_len, scale)
    weights, indices = weights[keep].astype(img.dtype), indices[keep]
    shape = [1] * img.ndim
    shape[axis] = len(weights)
    out = np.zeros(img.shape[:axis] + (len(weights),) + img.shape[axis + 1:], dtype=img.dtype)
    for tap in range(weights.shape[1]):
        out += weights[:, tap].reshape(shape) * np.take(img, indices[:, tap], axis=axis)
    return out


def imresize(img, scale, output_shape=None, rows=slice(None)):
    """MATLAB `imresize(img, scale, 'bicubic')` on an HxW or HxWxC array, computed in float.

    Float32 input is resized in float32 (large images), anything else in float64. The output is not rounded.
    The axis with the smaller scale is resized first, as MATLAB does.
    `rows` (a slice of output rows) computes only those rows, bit-identical to the same rows of the whole result:
    a huge output can be made strip by strip in bounded memory.
    """
    img = img.astype(np.float32 if img.dtype == np.float32 else np.float64)
    h, w = img.shape[:2]
    out_h, out_w = output_shape or (int(np.ceil(h * scale)), int(np.ceil(w * scale)))
    scales = (scale, scale) if output_shape is None else (out_h / h, out_w / w)
    for axis in sorted((0, 1), key=lambda a: scales[a]):
        img = _resize_axis(img, (out_h, out_w)[axis], scales[axis], axis, rows if axis == 0 else slice(None))
    return img


def degrade(hr_y, scale, lr_uint8=False):
    """HR uint8 luma (or HxWxC image) -> (modcropped HR uint8, LR float64 in 0..255): steps 2-3 of the protocol
    (an RGB image is resized channel by channel, as MATLAB's imresize does); with lr_uint8 the LR is rounded to
    uint8 values (ImageMode)."""
    hr = modcrop(hr_y, scale)
    lr = imresize(hr, 1.0 / scale)
    return hr, (round_uint8(lr).astype(np.float64) if lr_uint8 else lr)


def bicubic_upscale(lr, scale):
    """Bicubic baseline: MATLAB imresize of the float LR by `scale`, rounded to uint8."""
    return round_uint8(imresize(lr, scale))

"""How an LR image was made, read off the image: infer.py's choice between a paper-protocol model and its robust one.

An antialiased downscale (MATLAB's and Pillow's bicubic, Lanczos) filters out the frequencies near the LR image's
Nyquist limit before it samples; an unfiltered one (OpenCV's INTER_CUBIC, INTER_LINEAR at x3/x4) folds the HR
image's fine detail into them. So the LR spectrum's energy near Nyquist, against the band just below it, tells them
apart (docs/robust.md gives how well).
The paper-protocol model is the better of the two on the first kind (up to 0.6 dB), the robust model on the second
(the paper model falls below bicubic there). checkpoints/router.json holds, per shipped pair, the score above which
the robust model runs; `python -m tools.calibrate_router` sets it on the training images (never a test set).
"""
import functools
import json
import os

import numpy as np

from src import paths
from src.errors import UserError

# cycles per LR pixel, on the larger of the two axes' frequencies. Of the band pairs tried (0.4-0.5 or 0.45-0.5
# against 0.1-0.3, 0.2-0.3 or 0.3-0.4) this pair told antialiased from unfiltered LR best on Val20 and General-100
# at x2, x3 and x4 (the antialiasing filters fall steeply in the top tenth of the band).
HIGH_BAND = (0.45, 0.5)
REF_BAND = (0.3, 0.4)
CROP = 256  # the score reads the central CROP x CROP LR pixels at most: ~1 ms for the FFT on a 2-core CPU
ROUTER_FILE = os.path.join("checkpoints", "router.json")


@functools.lru_cache(maxsize=8)
def _bands(h, w):
    """(Hann window, HIGH_BAND mask, REF_BAND mask) of an h x w real FFT."""
    window = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    fy = np.abs(np.fft.fftfreq(h))[:, None]
    fx = np.abs(np.fft.rfftfreq(w))[None, :]
    f = np.maximum(fy, fx)
    return window, (f >= HIGH_BAND[0]) & (f <= HIGH_BAND[1]), (f >= REF_BAND[0]) & (f < REF_BAND[1])


def score(plane):
    """log10(energy in HIGH_BAND / energy in REF_BAND) of an LR luma plane (any units; the central CROP x CROP at
    most). Higher: more aliased. A plane with no energy in either band (flat, or too small to have bands) scores
    -inf: nothing to alias, the paper model."""
    h, w = plane.shape
    top, left = max(0, (h - CROP) // 2), max(0, (w - CROP) // 2)
    crop = np.asarray(plane[top:top + CROP, left:left + CROP], np.float32)
    if min(crop.shape) < 8:
        return float("-inf")
    window, high, ref = _bands(*crop.shape)
    power = np.abs(np.fft.rfft2((crop - crop.mean()) * window)) ** 2
    high_energy, ref_energy = float(power[high].sum()), float(power[ref].sum())
    if ref_energy <= 0.0 or high_energy <= 0.0:
        return float("-inf")
    return float(np.log10(high_energy / ref_energy))


def read_thresholds(path=None):
    """{"<family>_x<scale>": threshold} of checkpoints/router.json (an untrusted file: every entry checked)."""
    path = path or paths.in_repository(ROUTER_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"{path}: not a readable router file ({err})") from None
    pairs = data.get("pairs") if isinstance(data, dict) else None
    if not isinstance(pairs, dict):
        raise UserError(f"{path}: no 'pairs' table")
    thresholds = {}
    for key, entry in pairs.items():
        value = entry.get("threshold") if isinstance(entry, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value) \
                or abs(value) > 10:
            raise UserError(f"{path}: pair '{key}' has no finite threshold between -10 and 10")
        thresholds[str(key)] = float(value)
    return thresholds


def best_threshold(scores, gains):
    """The threshold t maximising the total gain of running the robust model where score > t: `gains` are what the
    robust model scores above the paper model (dB) on the images of `scores`. Midway between two neighbouring
    scores; below all of them (-inf is never returned: the lowest score minus 1) when the robust model gains
    overall everywhere."""
    order = np.argsort(scores)
    s, g = np.asarray(scores, np.float64)[order], np.asarray(gains, np.float64)[order]
    # total gain when the robust model runs on images i.. (the i highest scores), for i = 0 .. n
    totals = np.concatenate([np.cumsum(g[::-1])[::-1], [0.0]])
    i = int(np.argmax(totals))
    if i == 0:
        return float(s[0] - 1.0)
    if i == len(s):
        return float(s[-1] + 1.0)
    return float((s[i - 1] + s[i]) / 2)

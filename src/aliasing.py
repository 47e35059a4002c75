"""How an LR image was made, read off the image: infer.py's choice between a paper-protocol model and its robust one.

An antialiased downscale (MATLAB's and Pillow's bicubic, Lanczos) filters out the frequencies near the LR image's
Nyquist limit before it samples; an unfiltered one (OpenCV's INTER_CUBIC, INTER_LINEAR at x3/x4) folds the HR
image's fine detail into them. The shape of the top of the LR spectrum tells them apart: the detector reads the
log energy of nine frequency bands (relative to one of them, so the image's contrast drops out) and weighs them
with a logistic regression fitted on training images degraded both ways (docs/robust.md gives how well it does).
The paper-protocol model is the better of the two models on the first kind, the robust model on the second (the
paper model falls below bicubic there); images in between get a mix of the two networks' weights. checkpoints/
router.json holds, per shipped pair, the detector and the ramp of scores over which the mix goes from the paper
model to the robust one; `python -m tools.calibrate_router` sets both on training images (never a test set), so
that no training image that the paper model would take below bicubic, and the robust one would not, ends below it.
"""
import functools
import json
import os
from typing import NamedTuple

import numpy as np

from src import paths
from src.errors import UserError

# Band edges in cycles per LR pixel, on the larger of the two axes' frequencies; energies are the log10 mean power
# per band, minus that of band REFERENCE (0.15-0.2). In a trial on General-100 and BSD200 the nine bands weighed
# together told the two kinds apart better than the best single ratio of two bands (0.45-0.5 against 0.3-0.4).
EDGES = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
REFERENCE = 2
FEATURES = len(EDGES) - 1
CROP = 256  # the detector reads the central CROP x CROP LR pixels at most: ~1 ms for the FFT on a 2-core CPU
MIN_SIDE = 16  # smaller planes have too few frequencies per band: the paper model
ROUTER_FILE = os.path.join("checkpoints", "router.json")
MAX_LEVELS = 20  # the most mixes of a pair (each is a network to build and cache)


class Detector(NamedTuple):
    """A logistic regression on band energies: score = weights . ((features - mean) / std) + bias."""
    mean: tuple
    std: tuple
    weights: tuple
    bias: float

    def __call__(self, features):
        z = (np.asarray(features, np.float64) - self.mean) / self.std
        return float(z @ np.asarray(self.weights) + self.bias)


@functools.lru_cache(maxsize=8)
def _bands(h, w):
    """(Hann window, one mask per band) of an h x w real FFT."""
    window = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    f = np.maximum(np.abs(np.fft.fftfreq(h))[:, None], np.abs(np.fft.rfftfreq(w))[None, :])
    masks = [(f >= low) & (f < high) for low, high in zip(EDGES[:-1], EDGES[1:])]
    masks[-1] |= f >= EDGES[-1]  # Nyquist itself
    return window, masks


def central_crop(image):
    """The central CROP x CROP pixels of an image (its first two axes), all of a smaller one: what features() reads,
    so that a caller converts only those to luma."""
    h, w = image.shape[:2]
    top, left = max(0, (h - CROP) // 2), max(0, (w - CROP) // 2)
    return image[top:top + CROP, left:left + CROP]


def features(plane):
    """The FEATURES band energies of an LR luma plane (any units; its central CROP x CROP at most), or None for a
    plane too small or flat to have them."""
    crop = np.asarray(central_crop(plane), np.float32)
    if min(crop.shape) < MIN_SIDE:
        return None
    window, masks = _bands(*crop.shape)
    power = np.abs(np.fft.rfft2((crop - crop.mean()) * window)) ** 2
    energy = np.array([power[mask].mean() for mask in masks], np.float64)
    if not np.all(energy > 0):
        return None
    logs = np.log10(energy)
    return logs - logs[REFERENCE]


def score(plane, detector):
    """How aliased the LR plane looks to `detector` (its logit; -inf where features() has none: the paper model)."""
    found = features(plane)
    return float("-inf") if found is None else detector(found)


def fit_detector(x, aliased, l2=1.0, steps=50):
    """A Detector fitted by Newton's method (L2-regularised logistic regression, the features standardised) on
    feature rows `x` labelled `aliased` (booleans); the penalty keeps the weights finite on separable rows."""
    x = np.asarray(x, np.float64)
    y = np.asarray(aliased, np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std < 1e-6] = 1.0  # the reference band (always 0) and any other constant feature
    z = np.c_[(x - mean) / std, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 0.5 * (1.0 + np.tanh(0.5 * (z @ w)))  # the logistic function, without overflow
        hessian = (z * (p * (1 - p))[:, None]).T @ z + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, z.T @ (p - y) + l2 * w)
    return Detector(tuple(mean.round(6)), tuple(std.round(6)), tuple(w[:-1].round(6)), round(float(w[-1]), 6))


class Route(NamedTuple):
    """A shipped pair's choice: for an image of score x, the network whose weights are (1 - w) paper + w robust, with
    w = 0 up to `low`, 1 from `high`, linear between, rounded to a multiple of 1 / `levels` (low == high: one
    model or the other). The robust models are fine-tuned from the paper ones, so each mix is a working network; on
    the images between the two kinds it beats both (docs/robust.md)."""
    detector: Detector
    low: float
    high: float
    levels: int

    def levels_of(self, scores):
        """The robust model's share of the weights for each score, in 1 / levels (0: the paper model; -inf too)."""
        s = np.asarray(scores, np.float64)
        if self.high <= self.low:
            return np.where(s > self.low, self.levels, 0)
        return np.clip(np.round((s - self.low) / (self.high - self.low) * self.levels), 0, self.levels).astype(int)

    def model_for(self, plane):
        """(the level, the score) of an LR luma plane."""
        found = score(plane, self.detector)
        return int(self.levels_of(found)), found

    def describe(self, level):
        """What runs at a level, as infer.py prints it."""
        if level in (0, self.levels):
            return "paper model" if level == 0 else "robust model"
        return f"{100 * level // self.levels}% robust model"


def _finite(value, length=None):
    if length is None:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and bool(np.isfinite(value)) \
            and abs(value) < 1e6
    return isinstance(value, list) and len(value) == length and all(_finite(v) for v in value)


def read_routes(path=None):
    """{"<family>_x<scale>": Route} of checkpoints/router.json (an untrusted file: every entry checked)."""
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
    routes = {}
    for key, entry in pairs.items():
        entry = entry if isinstance(entry, dict) else {}
        found = entry.get("detector") if isinstance(entry.get("detector"), dict) else {}
        ramp, levels = entry.get("ramp"), entry.get("levels")
        if not (_finite(ramp, 2) and ramp[0] <= ramp[1]):
            raise UserError(f"{path}: pair '{key}' has no ramp of two finite scores, low then high")
        if not (isinstance(levels, int) and not isinstance(levels, bool) and 1 <= levels <= MAX_LEVELS):
            raise UserError(f"{path}: pair '{key}' has no whole number of levels from 1 to {MAX_LEVELS}")
        if not (all(_finite(found.get(name), FEATURES) for name in ("mean", "std", "weights"))
                and _finite(found.get("bias")) and min(found["std"]) > 0):
            raise UserError(f"{path}: pair '{key}' has no detector of {FEATURES} finite band weights")
        detector = Detector(tuple(found["mean"]), tuple(found["std"]), tuple(found["weights"]), float(found["bias"]))
        routes[str(key)] = Route(detector, float(ramp[0]), float(ramp[1]), levels)
    return routes


def best_ramp(scores, psnr, bicubic, step=0.25):
    """The ramp (low, high) of the most total PSNR over images with these `scores`, `psnr` (images x levels + 1: each
    image's PSNR with the robust model's share of the weights at 0, 1 / levels, .., 1) and `bicubic` PSNR, on a grid
    of `step` over the scores, such that no image that the paper model takes below bicubic, and the robust one does
    not, ends below bicubic. The step low == high (a threshold) is among the candidates."""
    s = np.asarray(scores, np.float64)
    psnr, bicubic = np.asarray(psnr, np.float64), np.asarray(bicubic, np.float64)
    finite = s[np.isfinite(s)]
    s = np.where(np.isneginf(s), (finite.min() if finite.size else 0.0) - 10.0, s)  # planes without features
    levels = psnr.shape[1] - 1
    guarded = (psnr[:, 0] < bicubic) & (psnr[:, levels] >= bicubic)
    grid = np.arange(np.floor(s.min()) - step / 2, np.ceil(s.max()) + step, step)
    best, best_total = (float(grid[-1]), float(grid[-1])), -np.inf
    rows = np.arange(len(s))
    for i, low in enumerate(grid):
        for high in grid[i:] if levels > 1 else [low]:  # one level: a step (any ramp is one, at its middle)
            chosen = psnr[rows, Route(None, low, high, levels).levels_of(s)]
            total = chosen.sum()
            if total > best_total + 1e-9 and not np.any(guarded & (chosen < bicubic)):
                best, best_total = (round(float(low), 4), round(float(high), 4)), total
    return best

"""The classes of training sub-images: each ranked by the PSNR a network reaches on it, split into shares
(tools/classsr_data.py makes stage 1's data with these)."""
import numpy as np

from src import protocol
from src.models.classsr.router import run_batched


def subimage_psnr(net, lr, hr, chunk=64):
    """PSNR (dB, no border shave) `net` reaches on each sub-image on its own: what ranks them into classes."""
    out = np.concatenate(run_batched(net, lr[:, None] / np.float32(255), chunk))[:, 0]
    errors = (protocol.round_uint8(out.astype(np.float64) * 255) - hr.astype(np.float64)) ** 2
    return 10 * np.log10(255.0 ** 2 / np.maximum(errors.mean(axis=(1, 2)), 1e-10))


def class_thresholds(psnr, shares):
    """PSNR limits that split sub-images into classes of the given shares, cheapest (highest PSNR) first: class k
    holds the PSNRs in [limits[k], limits[k-1])."""
    cumulative = np.cumsum(shares)[:-1]
    return [float(np.quantile(psnr, 1 - c)) for c in cumulative]


def assign_classes(psnr, limits):
    """Class of each sub-image by its PSNR and class_thresholds()."""
    return np.searchsorted(-np.asarray(limits), -psnr, side="left")

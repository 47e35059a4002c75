"""PSNR and SSIM against hand-computed values and a direct per-window SSIM."""
import numpy as np
import pytest

from src import metrics


def test_psnr_known_value_and_shave():
    hr = np.full((20, 20), 100, np.uint8)
    sr = hr.copy()
    sr[5:15, 5:15] += 1          # MSE 1 inside the shaved region
    sr[0, :] = 0                 # a border row that the shave of 2 must ignore
    inner = 100 / 256            # 10x10 of 16x16 pixels differ by 1
    assert metrics.psnr(sr, hr, 2) == pytest.approx(10 * np.log10(255 ** 2 / inner), abs=1e-9)
    assert metrics.psnr(hr, hr, 2) == float("inf")


def _ssim_direct(x, y):
    """SSIM by visiting every 11x11 window (Wang et al. 2004), as an independent reference."""
    k = np.exp(-((np.arange(11) - 5.0) ** 2) / (2 * 1.5 ** 2))
    w = np.outer(k, k) / np.outer(k, k).sum()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    vals = []
    for i in range(x.shape[0] - 10):
        for j in range(x.shape[1] - 10):
            a, b = x[i:i + 11, j:j + 11], y[i:i + 11, j:j + 11]
            ma, mb = (w * a).sum(), (w * b).sum()
            va, vb = (w * (a - ma) ** 2).sum(), (w * (b - mb) ** 2).sum()
            cov = (w * (a - ma) * (b - mb)).sum()
            vals.append((2 * ma * mb + c1) * (2 * cov + c2) / ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2)))
    return np.mean(vals)


def test_ssim_equals_direct_windowed_computation():
    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, (30, 26)).astype(np.uint8)
    sr = np.clip(hr.astype(int) + rng.integers(-20, 21, hr.shape), 0, 255).astype(np.uint8)
    ours = metrics.ssim(sr, hr, 3)
    ref = _ssim_direct(sr[3:-3, 3:-3].astype(np.float64), hr[3:-3, 3:-3].astype(np.float64))
    assert ours == pytest.approx(ref, abs=1e-12)
    assert metrics.ssim(hr, hr, 3) == pytest.approx(1.0)


def test_metrics_reject_float_and_mismatched_inputs():
    a = np.zeros((10, 10), np.uint8)
    with pytest.raises(ValueError, match="uint8"):
        metrics.psnr(a.astype(np.float32), a, 1)
    with pytest.raises(ValueError, match="shape"):
        metrics.ssim(a, np.zeros((10, 12), np.uint8), 1)

"""PSNR and SSIM on uint8 luma with a border shave of `scale` pixels (docs/protocol.md section 2, steps 4-6)."""
import numpy as np


def shave(img, border):
    return img[border:-border, border:-border] if border > 0 else img


def _check_pair(sr, hr):
    if sr.shape != hr.shape:
        raise ValueError(f"shape mismatch: output {sr.shape} vs ground truth {hr.shape}")
    if sr.dtype != np.uint8 or hr.dtype != np.uint8:
        raise ValueError("metrics take uint8 images (round the network output first)")


def psnr(sr, hr, border):
    """10*log10(255^2 / MSE) after shaving `border` pixels; inf for identical images."""
    _check_pair(sr, hr)
    diff = shave(sr, border).astype(np.float64) - shave(hr, border).astype(np.float64)
    mse = np.mean(diff * diff)
    return float("inf") if mse == 0 else float(10.0 * np.log10(255.0 ** 2 / mse))


def _gaussian_kernel(size=11, sigma=1.5):
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    k = np.exp(-(x * x) / (2.0 * sigma * sigma))
    return k / k.sum()


def _filter_valid(img, kernel):
    """Separable 'valid' correlation of a 2D array with the outer product kernel x kernel."""
    n = kernel.size
    rows = sum(kernel[i] * img[i:img.shape[0] - n + 1 + i] for i in range(n))
    return sum(kernel[i] * rows[:, i:rows.shape[1] - n + 1 + i] for i in range(n))


def ssim(sr, hr, border):
    """SSIM of Wang et al. 2004 (11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, L 255), mean of the 'valid' map."""
    _check_pair(sr, hr)
    x = shave(sr, border).astype(np.float64)
    y = shave(hr, border).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    k = _gaussian_kernel()
    mu_x, mu_y = _filter_valid(x, k), _filter_valid(y, k)
    sxx = _filter_valid(x * x, k) - mu_x * mu_x
    syy = _filter_valid(y * y, k) - mu_y * mu_y
    sxy = _filter_valid(x * y, k) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * sxy + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (sxx + syy + c2))
    return float(ssim_map.mean())

"""Super-resolve evaluation sets and score them with the protocol (REFERENCE section 2): PSNR/SSIM vs bicubic."""
import json
import os

import numpy as np

from src import dataset, inference, metrics, protocol
from src.errors import UserError


def score_image(sr, hr, lr, scale, with_ssim=True, with_bicubic=True):
    """{"psnr", "ssim", "bicubic_psnr", "bicubic_ssim"} of one uint8 output against its ground truth, on luma
    (protocol.scored_luma: an RGB output is scored on its Y)."""
    sr_y, hr_y = protocol.scored_luma(sr), protocol.scored_luma(hr)
    scores = {"psnr": metrics.psnr(sr_y, hr_y, scale)}
    if with_ssim:
        scores["ssim"] = metrics.ssim(sr_y, hr_y, scale)
    if with_bicubic:
        bic = protocol.scored_luma(protocol.bicubic_upscale(lr, scale))
        scores["bicubic_psnr"] = metrics.psnr(bic, hr_y, scale)
        if with_ssim:
            scores["bicubic_ssim"] = metrics.ssim(bic, hr_y, scale)
    return scores


def mean_scores(per_image):
    """Each score averaged over the images of {name: scores}."""
    return {k: float(np.mean([s[k] for s in per_image.values()])) for k in next(iter(per_image.values()))}


def score_set(net, images, scale, with_ssim=True, with_bicubic=True):
    """Per-image scores {name: {"psnr", "ssim", "bicubic_psnr", "bicubic_ssim"}} and their means over the set."""
    per_image = {}
    for name, hr, lr in images:
        try:
            sr = inference.predict(net, lr)
        except UserError as err:  # what the network refuses about this image (ClassSR: smaller than a sub-image)
            raise UserError(f"{name}: {err}") from None
        per_image[name] = score_image(protocol.round_uint8(sr), hr, lr, scale, with_ssim, with_bicubic)
    return mean_scores(per_image), per_image


def evaluate(net, cfg, mode=protocol.LUMA):
    """Score every set of cfg.eval_sets (read and degraded as `mode`, the network's protocol.ImageMode); returns
    the results dict that --json writes."""
    results = {"scale": cfg.scale, "ckpt": cfg.ckpt_file, "sets": {}}
    for name in cfg.eval_sets.split(","):
        images = dataset.load_eval_set(name.strip(), cfg.data_dir, cfg.scale, mode)
        means, per_image = score_set(net, images, cfg.scale)
        results["sets"][dataset.set_name(name.strip())] = dict(means, images=per_image)
    return results


def format_table(results, verbose=False):
    """The table eval.py prints: set, scale, PSNR, SSIM, bicubic PSNR, bicubic SSIM (and each image if verbose)."""
    head = f"{'set':<12}{'scale':>6}{'PSNR':>9}{'SSIM':>8}{'bic PSNR':>10}{'bic SSIM':>10}"
    lines = [head, "-" * len(head)]
    row = "{:<12}{:>6}{:>9.2f}{:>8.4f}{:>10.2f}{:>10.4f}"
    for set_name, r in results["sets"].items():
        if verbose:
            for image, s in r["images"].items():
                lines.append(row.format("  " + image, f"x{results['scale']}", s["psnr"], s["ssim"],
                                        s["bicubic_psnr"], s["bicubic_ssim"]))
        lines.append(row.format(set_name, f"x{results['scale']}", r["psnr"], r["ssim"],
                                r["bicubic_psnr"], r["bicubic_ssim"]))
    return "\n".join(lines)


def write_json(results, path):
    """Write atomically (temporary name, then rename)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    os.replace(tmp, path)

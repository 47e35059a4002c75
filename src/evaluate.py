"""Super-resolve evaluation sets and score them with the protocol (docs/protocol.md section 2): PSNR/SSIM vs bicubic.

The LR images are made by the paper's protocol, or by another downscale (cfg.degradation, src/degradations.py:
docs/robust.md); the bicubic columns always upscale the same LR the network sees.
"""
import numpy as np

from src import dataset, degradations, fileio, inference, metrics, protocol
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


SSIM_WINDOW = 11  # metrics.ssim: an 11x11 Gaussian window over the shaved image, 'valid' positions only


def smallest_side(scale, with_ssim=True):
    """The smallest HR side that can be scored: metrics shave `scale` pixels off each border, SSIM then needs its
    window (anything smaller would give NaN)."""
    return 2 * scale + (SSIM_WINDOW if with_ssim else 1)


def check_scorable(set_name, images, scale, with_ssim=True):
    """Refuse (UserError naming the image) any image of a set too small for the border shave or the SSIM window."""
    side = smallest_side(scale, with_ssim)
    for name, hr, _ in images:
        height, width = hr.shape[:2]
        if min(height, width) < side:
            need = f"{scale} pixels shaved off each border" + (f" and the {SSIM_WINDOW}x{SSIM_WINDOW} SSIM window"
                                                                if with_ssim else "")
            raise UserError(f"{set_name}: image '{name}' ({width}x{height}) is too small to score at x{scale} "
                            f"({need} need at least {side}x{side}): leave it out of the set")


def mean_scores(per_image):
    """Each score averaged over the images of {name: scores}."""
    return {k: float(np.mean([s[k] for s in per_image.values()])) for k in next(iter(per_image.values()))}


def score_set(net, images, scale, with_ssim=True, with_bicubic=True):
    """Per-image scores {name: {"psnr", "ssim", "bicubic_psnr", "bicubic_ssim"}} and their means over the set."""
    check_scorable("evaluation set", images, scale, with_ssim)
    per_image = {}
    for name, hr, lr in images:
        try:
            sr = inference.predict(net, lr)
        except UserError as err:  # what the network refuses about this image (ClassSR: smaller than a sub-image)
            raise UserError(f"{name}: {err}") from None
        per_image[name] = score_image(protocol.round_uint8(sr), hr, lr, scale, with_ssim, with_bicubic)
    return mean_scores(per_image), per_image


def set_names(text):
    """The names of --eval_sets; an empty one is a UserError (before anything is loaded)."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise UserError(f"eval_sets '{text}': give set names or paths separated by commas (e.g. Set5,Set14)")
    return names


def evaluate(net, cfg, mode=protocol.LUMA):
    """Score every set of cfg.eval_sets (read as `mode`, the network's protocol.ImageMode, its LR made by
    cfg.degradation); returns the results dict that --json writes."""
    degradation = getattr(cfg, "degradation", degradations.PAPER)
    degradations.check_name(degradation)
    results = {"scale": cfg.scale, "ckpt": cfg.ckpt_file, "degradation": degradation, "sets": {}}
    sets = [(name, dataset.load_eval_set(name, cfg.data_dir, cfg.scale, mode, degradation))
            for name in set_names(cfg.eval_sets)]
    for name, images in sets:  # every set read and checked before the first is scored
        check_scorable(name, images, cfg.scale)
    for name, images in sets:
        means, per_image = score_set(net, images, cfg.scale)
        results["sets"][dataset.set_name(name)] = dict(means, images=per_image)
    return results


def format_table(results, verbose=False):
    """The table eval.py prints: set, scale, PSNR, SSIM, bicubic PSNR, bicubic SSIM (and each image if verbose),
    under a line naming the degradation when it is not the paper's."""
    head = f"{'set':<12}{'scale':>6}{'PSNR':>9}{'SSIM':>8}{'bic PSNR':>10}{'bic SSIM':>10}"
    lines = [head, "-" * len(head)]
    degradation = results.get("degradation", degradations.PAPER)
    if degradation != degradations.PAPER:
        lines.insert(0, f"LR: {degradation}, {degradations.check_name(degradation).call}")
    row = "{:<12}{:>6}{:>9.2f}{:>8.4f}{:>10.2f}{:>10.4f}"
    for set_name, r in results["sets"].items():
        if verbose:
            for image, s in r["images"].items():
                lines.append(row.format("  " + image, f"x{results['scale']}", s["psnr"], s["ssim"],
                                        s["bicubic_psnr"], s["bicubic_ssim"]))
        lines.append(row.format(set_name, f"x{results['scale']}", r["psnr"], r["ssim"],
                                r["bicubic_psnr"], r["bicubic_ssim"]))
    return "\n".join(lines)


def check_json(path, inputs=()):
    """Before any work: --json can be written (its folder exists and is writable, it is no folder, none of
    `inputs`)."""
    fileio.check_output_file(path, "--json", inputs)


def write_json(results, path):
    """Strict JSON (a NaN or infinity is written as null), atomically (src/fileio.py)."""
    fileio.write_json(path, results)

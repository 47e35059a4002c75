"""What ClassSR saves on a set of large images, honestly counted (python -m tools.classsr_table; docs/protocol.md
section 6).

For each image, in one run and on the same threads: the ClassSR router; (a) FSRCNN(56, 12, 4) through the same
sub-image pipeline, every sub-image forced to it (the paper's comparison); (b) plain FSRCNN(56, 12, 4) on the whole
image, one static graph for the image's size (the user's alternative, the fastest MindSpore way). Each gets PSNR/SSIM
on Y (protocol of docs/protocol.md section 2), the median wall time of `iters` runs after one warm-up, and its cost
counted two ways: multiply-adds executed, and the paper's FLOPs (2 x multiply-adds, the deconvolution counted per HR
pixel). Class-Module and overlap are included. Also: the routing picture (sub-images tinted by branch over the image).
"""

import mindspore as ms
import numpy as np
from PIL import Image

from src import benchmark, evaluate, fileio, inference, protocol
from src.models import classsr

BRANCH_TINTS = [(70, 150, 255), (80, 220, 120), (255, 200, 60), (255, 80, 80)]


def median_ms(run, iters):
    """Median wall time of run() in ms over `iters` calls, after one untimed call (graph compilation): the
    benchmark's protocol."""
    return benchmark.time_calls(run, benchmark.Settings(warmup=1, iters=iters, threads=0, workdir=""))[0]


def _scores(out, hr, lr, scale):
    return evaluate.score_image(protocol.round_uint8(inference.output_values(out)), hr, lr, scale, with_bicubic=False)


def account_image(router, forced, lr, hr, iters):
    """{method: {psnr, ssim, ms, macs, paper_macs, counts}} of one LR plane (float 0..255) for the three methods."""
    x = inference.network_input(lr)
    plain = router.net.branches[len(router.net.branches) - 1]
    tensor = ms.Tensor(x[None, None])
    rows = {}
    for name, run_fn in (("classsr", router), ("fsrcnn_patches", forced), ("fsrcnn_whole", plain)):
        out = run_fn(tensor).asnumpy()[0, 0]
        row = _scores(out, hr, lr, router.scale)
        row["ms"] = median_ms(lambda fn=run_fn: fn(tensor).asnumpy(), iters)
        if name == "fsrcnn_whole":
            row.update(macs=float(classsr.whole_image_macs(lr.size)),
                       paper_macs=float(classsr.whole_image_macs(lr.size, True)), counts=[])
        else:
            counts = run_fn.last
            row.update(classsr.routing_costs(run_fn, counts), counts=[int(c) for c in counts])
        rows[name] = row
    return rows


def summarise(per_image):
    """Means of PSNR/SSIM, sums of time and cost, shares of sub-images, and each method in % of the two
    baselines (time and both cost conventions)."""
    methods = next(iter(per_image.values())).keys()
    out = {}
    for m in methods:
        rows = [img[m] for img in per_image.values()]
        out[m] = {"psnr": float(np.mean([r["psnr"] for r in rows])), "ssim": float(np.mean([r["ssim"] for r in rows])),
                  **{k: float(sum(r[k] for r in rows)) for k in ("ms", "macs", "paper_macs")}}
        if rows[0]["counts"]:
            counts = np.sum([r["counts"] for r in rows], axis=0)
            out[m]["shares"] = [float(c) for c in counts / counts.sum()]
    for m in methods:
        for base in ("fsrcnn_patches", "fsrcnn_whole"):
            out[m][f"vs_{base}"] = {k: 100.0 * out[m][k] / out[base][k] for k in ("ms", "macs", "paper_macs")}
            out[m][f"vs_{base}"]["psnr_db"] = out[m]["psnr"] - out[base]["psnr"]
    return out


def routing_picture(router, lr, path, width=640):
    """The LR image in grey with every sub-image's pasted part tinted by the branch it went to (PNG, atomic)."""
    _, classes, (rows, cols) = router.route(inference.network_input(lr))
    h, w = lr.shape
    grey = np.repeat(protocol.round_uint8(lr)[..., None], 3, axis=2).astype(np.float32)
    tint = np.zeros_like(grey)
    starts = [(r, c) for r in rows for c in cols]
    for (r, c), k in zip(starts, classes):
        (r0, r1), (c0, c1) = (classsr.kept_span(r, router.patch, h, router.halo),
                              classsr.kept_span(c, router.patch, w, router.halo))
        tint[r0:r1, c0:c1] = BRANCH_TINTS[k % len(BRANCH_TINTS)]
    img = Image.fromarray(protocol.round_uint8(0.55 * grey + 0.45 * tint))
    img = img.resize((width, round(h * width / w)), Image.BICUBIC) if w > width else img
    with fileio.atomic_path(path, suffix=".tmp.png") as tmp:
        img.save(tmp)


def format_table(title, summary, branches):
    """Markdown table of one configuration against both baselines."""
    head = ("| method | PSNR | SSIM | paper FLOPs % of (a) | true MACs % of (a) | time % of (a) | "
            "true MACs % of (b) | time % of (b) | total ms | shares |")
    lines = [f"**{title}**", "", head, "|" + "---|" * 10]
    names = {"classsr": "ClassSR", "fsrcnn_patches": "(a) FSRCNN-56 on the sub-images",
             "fsrcnn_whole": "(b) FSRCNN-56 on the whole image"}
    for m, r in summary.items():
        a, b = r["vs_fsrcnn_patches"], r["vs_fsrcnn_whole"]
        shares = " / ".join(f"{100 * s:.0f}" for s in r.get("shares", [])) or "-"
        lines.append(f"| {names[m]} | {r['psnr']:.2f} | {r['ssim']:.4f} | {a['paper_macs']:.0f} | {a['macs']:.0f} | "
                     f"{a['ms']:.0f} | {b['macs']:.0f} | {b['ms']:.0f} | {r['ms']:.0f} | {shares} |")
    lines.append("")
    lines.append("shares: % of sub-images to " + ", ".join(classsr.describe_branch(b) for b in branches))
    return "\n".join(lines)

"""ClassSR stage 0: the training and validation sub-images, ranked by the PSNR FSRCNN(56, 12, 4) reaches on each and
split into one class per branch (docs/protocol.md section 6).

    python -m tools.classsr_data --config_path configs/classsr/x4.yaml

LR sub-images of class_patch (32) at LR stride patch_stride from class_source_data (T91, General-100, BSD200 with the
paper's downscaled copies) and from val_data (Val20, no copies), scored by the last branch's checkpoint in
branch_ckpts. Classes take class_shares of the training sub-images (equal by default), the highest PSNR to the
cheapest branch; validation sub-images go by the same PSNR limits. Writes, under class_data_dir, train_class<k>.h5
(train layout) and val_class<k>.h5 (eval layout) for stage 1, and classes.json (limits, counts).
"""
import json
import os

import numpy as np

from src import environment  # noqa: E402  first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src import dataset  # noqa: E402
from src.config import get_config  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402


def subimages(pairs, patch, stride, scale):
    """(LR (N, P, P) float32 0..255, HR (N, sP, sP) uint8) sub-images of (HR, LR) pairs on a grid of `stride`."""
    lrs, hrs = [], []
    for hr, lr in pairs:
        if min(lr.shape) >= patch:
            lr_p, hr_p = dataset.extract_patches(hr, lr, scale, patch, stride)
            lrs.append(lr_p)
            hrs.append(hr_p.astype(np.uint8))
    if not lrs:
        raise UserError(f"no image is large enough for sub-images of {patch}x{patch} LR pixels")
    return np.concatenate(lrs), np.concatenate(hrs)


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv)
    from src import checkpoint, device, models, train_data
    from src.models import classsr
    spec = models.spec_for(cfg)
    device.setup(cfg)
    net = spec.build()
    last = len(net.branches) - 1
    checkpoint.load_parts(spec.part_checkpoints(net, which=[last]))
    ranker = net.branches[last]
    ranker.set_train(False)
    folders = [dataset.resolve_data(name.strip(), cfg.data_dir) for name in cfg.class_source_data.split(",")]
    pairs = train_data.load_folder_pairs(folders, cfg.scale, cfg.augment, dataset.augment_factors(cfg))
    lr, hr = subimages(pairs, cfg.class_patch, cfg.patch_stride, cfg.scale)
    psnr = classsr.subimage_psnr(ranker, lr, hr, cfg.class_chunk)
    limits = classsr.class_thresholds(psnr, spec.shares())
    classes = classsr.assign_classes(psnr, limits)
    val_pairs = [(hr_v, lr_v) for _, hr_v, lr_v in dataset.load_eval_set(cfg.val_data, cfg.data_dir, cfg.scale)]
    val_lr, val_hr = subimages(val_pairs, cfg.class_patch, cfg.class_patch, cfg.scale)
    val_classes = classsr.assign_classes(classsr.subimage_psnr(ranker, val_lr, val_hr, cfg.class_chunk), limits)
    os.makedirs(cfg.class_data_dir, exist_ok=True)
    summary = {"limits_db": limits, "train": [], "val": [], "source_data": cfg.class_source_data, "val_data": cfg.val_data,
               "patch": cfg.class_patch, "stride": cfg.patch_stride}
    for k, branch in enumerate(spec.branch_shapes):
        mine, val_mine = classes == k, val_classes == k
        dataset.write_train_h5(os.path.join(cfg.class_data_dir, f"train_class{k}.h5"), lr[mine], hr[mine])
        dataset.write_eval_h5(os.path.join(cfg.class_data_dir, f"val_class{k}.h5"),
                              [(f"sub{i}", val_hr[i], val_lr[i]) for i in map(int, val_mine.nonzero()[0])])
        summary["train"].append(int(mine.sum()))
        summary["val"].append(int(val_mine.sum()))
        print(f"class {k} ({classsr.describe_branch(branch)}): {mine.sum()} training sub-images, "
              f"{val_mine.sum()} validation, PSNR {psnr[mine].min():.2f}..{psnr[mine].max():.2f} dB")
    with open(os.path.join(cfg.class_data_dir, "classes.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()

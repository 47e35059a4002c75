"""Image folder -> HDF5 in the published layout: python -m src.prepare --images DIR --h5_file OUT.h5 --h5_layout train|eval

train: datasets lr (N, p, p) / hr (N, p*n, p*n) of aligned patches (paper augmentation with --augment true);
eval: groups lr / hr with one dataset per image. Float32 luma in 0..255, LR made by the MATLAB protocol.
"""
import os

import numpy as np
from tqdm import tqdm

from src import dataset, fileio, protocol
from src.config import get_config
from src.errors import UserError, cli_entry


def prepare_train(files, cfg):
    patch, stride = dataset.lr_patch_size(cfg), cfg.patch_stride or cfg.scale
    lrs, hrs = [], []
    for file in tqdm(files, desc="patches", disable=None):
        lr, hr = dataset.image_patches(protocol.load_y(file), cfg.scale, patch, stride, cfg.augment,
                                        dataset.augment_factors(cfg))
        lrs.append(lr)
        hrs.append(hr)
    lr, hr = np.concatenate(lrs), np.concatenate(hrs)
    if len(lr) == 0:
        raise UserError(f"{cfg.images}: no image is large enough for LR patches of {patch}x{patch}")
    dataset.write_train_h5(cfg.h5_file, lr, hr)
    return f"{len(lr)} patch pairs lr {lr.shape[1:]} / hr {hr.shape[1:]}"


def prepare_eval(files, cfg):
    images = [(os.path.splitext(os.path.basename(f))[0],) + dataset.load_image_pair(f, cfg.scale)
              for f in tqdm(files, desc="images", disable=None)]
    dataset.write_eval_h5(cfg.h5_file, images)
    return f"{len(images)} images"


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "prepare")
    dataset.check_scale(cfg.scale)
    if not cfg.images or not cfg.h5_file:
        raise UserError("give --images DIR and --h5_file OUT.h5")
    fileio.check_output_file(cfg.h5_file, "--h5_file")  # its folder exists and is writable: before any image is read
    files = protocol.list_images(dataset.resolve_data(cfg.images, cfg.data_dir))
    prepare = {"train": prepare_train, "eval": prepare_eval}.get(cfg.h5_layout)
    if prepare is None:
        raise UserError(f"h5_layout '{cfg.h5_layout}' is not one of train, eval")
    summary = prepare(files, cfg)
    print(f"wrote {cfg.h5_file}: {summary}, x{cfg.scale}, from {len(files)} images of {cfg.images}")


if __name__ == "__main__":
    main()

"""Checkpoints: written atomically, carrying the architecture so a mismatch is a clear error, not garbage output."""
import os

import mindspore as ms

from src.errors import UserError
from src.fsrcnn import FSRCNN

ARCH_KEYS = ("scale", "d", "s", "m")
INFO_KEYS = ARCH_KEYS + ("epoch", "val_psnr", "best_psnr")


def save(obj, path, info):
    """save_checkpoint to a temporary name, fsync, then rename: a kill at any moment leaves the old file or the new."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp.ckpt"
    ms.save_checkpoint(obj, tmp, append_dict=dict(info))
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read(path):
    """(parameters, info) of a checkpoint file; unreadable files are UserErrors."""
    if not os.path.isfile(path):
        raise UserError(f"{path}: checkpoint not found")
    try:
        params = ms.load_checkpoint(path)
    except (ValueError, RuntimeError, OSError) as err:
        raise UserError(f"{path}: not a readable MindSpore checkpoint ({str(err).splitlines()[0]})") from None
    info = {k: params.pop(k).asnumpy().item() for k in INFO_KEYS if k in params}
    return params, info


def describe(cfg):
    return f"FSRCNN(d={cfg.d}, s={cfg.s}, m={cfg.m}) x{cfg.scale}"


def network_from_checkpoint(path, cfg):
    """Build the FSRCNN a checkpoint holds and load it.

    The scale and (d, s, m) come from cfg; a checkpoint written by this project records its own, and any difference
    is a UserError naming both, so x3 weights never silently run at x4.
    """
    params, info = read(path)
    for key in ARCH_KEYS:
        if key in info and int(info[key]) != getattr(cfg, key):
            raise UserError(f"{path}: checkpoint is {key}={int(info[key])} but {key}={getattr(cfg, key)} was asked "
                            f"for (pass --{key} {int(info[key])} or another checkpoint)")
    net = FSRCNN(cfg.scale, cfg.d, cfg.s, cfg.m)
    load_weights(net, params, path, describe(cfg))
    return net


def load_weights(cell, params, path, arch, only=None):
    """Load `params` into `cell` (or only the parameters named in `only`); each must exist with its shape."""
    for p in cell.get_parameters():
        if only is not None and p.name not in only:
            continue
        if p.name not in params:
            raise UserError(f"{path}: checkpoint has no '{p.name}' (not a checkpoint of {arch}?)")
        if tuple(params[p.name].shape) != tuple(p.shape):
            raise UserError(f"{path}: '{p.name}' has shape {tuple(params[p.name].shape)} but {arch} needs "
                            f"{tuple(p.shape)} (wrong --d/--s/--m?)")
        p.set_data(params[p.name].value())

"""Checkpoints: written atomically, carrying the architecture so a mismatch is a clear error, not garbage output."""
import os

import mindspore as ms

from src import models
from src.errors import UserError

RUN_KEYS = ("epoch", "val_psnr", "best_psnr", "best_epoch")
# Files written before the models package have no "model" entry: they all hold FSRCNNs.
MODEL_OF_OLD_FILES = "fsrcnn"


def save(obj, path, info):
    """save_checkpoint to a temporary name, fsync, then rename: a kill at any moment leaves the old file or the new.
    The file is made 0644: MindSpore leaves it owner-read-only, which a later copy over it (train_all.sh installing
    a stage again) cannot overwrite without root."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp.ckpt"
    ms.save_checkpoint(obj, tmp, append_dict=dict(info))
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def read(path):
    """(parameters, info) of a checkpoint file; unreadable files are UserErrors."""
    if not os.path.isfile(path):
        raise UserError(f"{path}: checkpoint not found")
    try:
        params = ms.load_checkpoint(path)
    except (ValueError, RuntimeError, OSError) as err:
        raise UserError(f"{path}: not a readable MindSpore checkpoint ({str(err).splitlines()[0]})") from None
    info = {k: params.pop(k) for k in [k for k, v in params.items() if isinstance(v, str)]}
    keys = {"scale", *RUN_KEYS, *(k for name in models.names() for k in models.spec_class(name).arch_keys)}
    info.update({k: params.pop(k).asnumpy().item() for k in keys if k in params})
    return params, info


def check_architecture(path, info, spec):
    """The model and architecture a checkpoint records must be the ones asked for: x3 weights never silently run at
    x4, nor FSRCNN weights in another network. A difference is a UserError naming both."""
    model = info.get("model", MODEL_OF_OLD_FILES)
    if model != spec.name:
        raise UserError(f"{path}: checkpoint holds model {model} but model {spec.name} was asked for "
                        f"(pass --model {model} or another checkpoint)")
    for key, wanted in spec.arch().items():
        if key in info and key != "model" and info[key] != wanted:
            raise UserError(f"{path}: checkpoint is {key}={info[key]} but {key}={wanted} was asked for "
                            f"(pass --{key} {info[key]} or another checkpoint)")


def network_from_checkpoint(path, spec):
    """Build the network a checkpoint holds (as `spec` describes it) and load its weights."""
    params, info = read(path)
    check_architecture(path, info, spec)
    net = spec.build()
    load_weights(net, params, path, spec)
    return net


def load_weights(cell, params, path, spec, only=None):
    """Load `params` into `cell` (or only the parameters named in `only`); each must exist with its shape."""
    arch = spec.describe()
    options = "/".join(f"--{key}" for key in spec.arch_keys)
    for p in cell.get_parameters():
        if only is not None and p.name not in only:
            continue
        if p.name not in params:
            raise UserError(f"{path}: checkpoint has no '{p.name}' (not a checkpoint of {arch}?)")
        if tuple(params[p.name].shape) != tuple(p.shape):
            raise UserError(f"{path}: '{p.name}' has shape {tuple(params[p.name].shape)} but {arch} needs "
                            f"{tuple(p.shape)} (wrong {options}?)")
        p.set_data(params[p.name].value())

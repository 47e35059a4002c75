"""Checkpoints: written atomically, carrying the architecture so a mismatch is a clear error, not garbage output.

What a checkpoint records besides its parameters (the architecture: model, scale and the network's own keys; the run:
epoch, validation PSNR, source) is one JSON string entry, RECORD, readable without knowing the networks. Older files
hold the same facts as separate entries, read by their fixed names (LEGACY_NUMBERS).
"""
import json
import os

import mindspore as ms

from src import fileio
from src.errors import UserError

RECORD = "record"
RUN_KEYS = ("epoch", "val_psnr", "best_psnr", "best_epoch")
# The numeric entries files written before RECORD can hold: the run, and every architecture key of that time.
LEGACY_NUMBERS = ("scale", *RUN_KEYS, "d", "s", "m", "n_feats", "mid_feats", "down_blocks", "class_width")
# Files written before the models package have no "model" entry: they all hold FSRCNNs.
MODEL_OF_OLD_FILES = "fsrcnn"


def save(obj, path, info):
    """save_checkpoint to a temporary name, fsync, then rename: a kill at any moment leaves the old file or the new.
    The file gets the mode of a new file (0666 less the umask, src/fileio.py): MindSpore leaves it owner-read-only,
    which a later copy over it (train_all.sh installing a stage again) cannot overwrite without root."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with fileio.atomic_path(path, suffix=".tmp.ckpt") as tmp:  # a unique new name: concurrent writers never share it
        ms.save_checkpoint(obj, tmp, append_dict={RECORD: json.dumps(dict(info))})


def read(path):
    """(parameters, info) of a checkpoint file; unreadable files are UserErrors."""
    if not os.path.isfile(path):
        raise UserError(f"{path}: checkpoint not found")
    if os.path.getsize(path) == 0:
        raise UserError(f"{path}: empty file, not a MindSpore checkpoint")
    try:
        params = ms.load_checkpoint(path)
    except (ValueError, RuntimeError, OSError) as err:
        raise UserError(f"{path}: not a readable MindSpore checkpoint ({str(err).splitlines()[0]})") from None
    info = {k: params.pop(k) for k in [k for k, v in params.items() if isinstance(v, str)]}
    if RECORD in info:
        return params, _parse_record(path, info.pop(RECORD))
    info.update({k: params.pop(k).asnumpy().item() for k in LEGACY_NUMBERS if k in params})
    return params, info


def _parse_record(path, text):
    """The RECORD entry as a dict of names to numbers and strings; anything else is a UserError (files come from
    anywhere)."""
    try:
        info = json.loads(text)
    except ValueError:
        info = None
    if not isinstance(info, dict) or not all(isinstance(k, str) and isinstance(v, (int, float, str))
                                             for k, v in info.items()):
        raise UserError(f"{path}: its '{RECORD}' entry is not a mapping of names to numbers and strings")
    return info


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
    net = spec.build()
    load_parts([(path, net, spec, "")])
    return net


def mixed_network(path, other, share, spec):
    """The network whose every parameter is (1 - share) times that of checkpoint `path` plus `share` times that of
    `other`, both checkpoints of `spec`'s architecture (a paper-protocol model and its robust model fine-tuned from
    it: src/aliasing.py Route)."""
    net = network_from_checkpoint(path, spec)
    ends = network_from_checkpoint(other, spec).parameters_dict()
    for p in net.get_parameters():
        p.set_data(ms.Tensor((1.0 - share) * p.asnumpy() + share * ends[p.name].asnumpy(), p.dtype))
    return net


def load_parts(parts):
    """Load each (path, cell, spec, prefix) of spec.part_checkpoints(): the checkpoint, checked against the part's
    spec, into the sub-cell whose parameters are named `prefix` + the checkpoint's names."""
    for path, cell, spec, prefix in parts:
        params, info = read(path)
        check_architecture(path, info, spec)
        load_weights(cell, {prefix + name: value for name, value in params.items()}, path, spec)


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

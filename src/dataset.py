"""Training patches and evaluation images, from image folders or HDF5 files of the published 91-image/Set5 layout.

HDF5 layout (what the MindSpore/PyTorch FSRCNN ports read): a train file holds datasets `lr` (N, p, p) and
`hr` (N, p*n, p*n); an eval file holds groups `lr` and `hr` with one dataset per image, named "0", "1", ...
Values are float32 luma in 0..255 (the files are luma only: RGB networks read image folders). Images and patches
are HxW luma planes or HxWx3 RGB arrays, by the network's colour mode; every LR image here is made by the protocol
of src/protocol.py.
"""
import contextlib
import os

import h5py
import numpy as np

from src import protocol
from src.errors import UserError

PAPER_LR_PATCH = {2: 10, 3: 7, 4: 6}
AUGMENT_SCALES = (1.0, 0.9, 0.8, 0.7, 0.6)
ROTATIONS = (0, 1, 2, 3)  # multiples of 90 degrees
# Sets that are part of another set's folder: name -> (folder, images). RealSR16's large photos are split into four
# for model selection (ClassSR's operating point) and twelve for the tables; RealSR16 itself is then not reported.
SUBSETS = {"RealSR4-val": ("RealSR16", ("cam1_01", "cam1_010", "cam2_01", "cam2_010")),
           "RealSR12": ("RealSR16", ("cam1_02", "cam1_03", "cam1_04", "cam1_05", "cam1_06", "cam1_07", "cam1_09",
                                     "cam2_02", "cam2_04", "cam2_07", "cam2_08", "cam2_09"))}
TEST_SETS = ("Set5", "Set14", "BSD100", "Urban100", "Manga109", "RealSR16", "RealSR12")
PROJECT_DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
DATA_DIR_VARIABLE = "FSRCNN_DATA_DIR"


def lr_patch_size(cfg):
    return cfg.lr_patch_size or PAPER_LR_PATCH[cfg.scale]


def augment_factors(cfg):
    """The HR downscaling factors of cfg.augment_scales, each checked to lie in (0, 1]."""
    try:
        factors = tuple(float(f) for f in cfg.augment_scales.split(","))
    except ValueError:
        factors = ()
    if not factors or not all(0.0 < f <= 1.0 for f in factors):
        raise UserError(f"augment_scales '{cfg.augment_scales}' must be comma-separated factors in (0, 1]")
    return factors


def data_folder(data_dir=""):
    """Where set names are looked up and download.py installs sets: data_dir (--data_dir) if given, else
    $FSRCNN_DATA_DIR, else the project's data/ folder, which ships Set5: a fresh clone needs no flag, and tests and
    CI point the variable at their own copy."""
    return data_dir or os.environ.get(DATA_DIR_VARIABLE) or PROJECT_DATA_DIR


def resolve_data(name, data_dir):
    """A path as given if it exists, else the same name in data_folder(data_dir); missing both is a one-line
    UserError naming both places and, for a set download.py fetches, the command that fetches it."""
    folder = data_folder(data_dir)
    for candidate in (name, os.path.join(folder, name)):
        if os.path.exists(candidate):
            return candidate
    chosen_by = ("--data_dir" if data_dir else DATA_DIR_VARIABLE if os.environ.get(DATA_DIR_VARIABLE)
                 else "the project's data folder")
    from src import download  # here, not at the top: src.download imports this module
    if name in download.SOURCES:
        hint = f"download it with: python download.py {name}" + (f" --data_dir {data_dir}" if data_dir else "")
    else:
        hint = f"python download.py fetches {', '.join(download.SOURCES)}"
    raise UserError(f"{name}: not found, neither as a path from {os.getcwd()} nor in {os.path.abspath(folder)} "
                    f"({chosen_by}); {hint}")


def check_scale(scale):
    if scale not in PAPER_LR_PATCH:
        raise UserError(f"scale {scale} is not supported (choose 2, 3 or 4)")


# ---------------------------------------------------------------- augmentation and patches
def augmented_pairs(hr_y, scale, augment, factors=AUGMENT_SCALES, lr_uint8=False):
    """(HR uint8, LR float 0..255) pairs of one image: its copies downscaled by `factors` (the paper's by default),
    rounded like a saved image; only the image itself without augment."""
    pairs = []
    for factor in (factors if augment else (1.0,)):
        hr = hr_y if factor == 1.0 else protocol.round_uint8(protocol.imresize(hr_y, factor))
        if min(hr.shape[:2]) >= scale:
            pairs.append(protocol.degrade(hr, scale, lr_uint8))
    return pairs


def grid_positions(lr_shape, patch, stride):
    rows = range(0, lr_shape[0] - patch + 1, stride)
    cols = range(0, lr_shape[1] - patch + 1, stride)
    return [(r, c) for r in rows for c in cols]


def extract_patches(hr, lr, scale, patch, stride):
    """All LR patches on a grid of `stride` LR pixels with their aligned HR patches, as float32 0..255."""
    pos = grid_positions(lr.shape, patch, stride)
    lr_p = np.array([lr[r:r + patch, c:c + patch] for r, c in pos],
                    dtype=np.float32).reshape((-1, patch, patch) + lr.shape[2:])
    hp = patch * scale
    hr_p = np.array([hr[r * scale:r * scale + hp, c * scale:c * scale + hp] for r, c in pos],
                    dtype=np.float32).reshape((-1, hp, hp) + hr.shape[2:])
    return lr_p, hr_p


def image_patches(hr_y, scale, patch, stride, augment, factors=AUGMENT_SCALES):
    """The training patches of one image: every augmented scale, rotated by 0/90/180/270 when augmenting."""
    lrs, hrs = [], []
    for hr, lr in augmented_pairs(hr_y, scale, augment, factors):
        for k in (ROTATIONS if augment else (0,)):
            lr_p, hr_p = extract_patches(np.rot90(hr, k), np.rot90(lr, k), scale, patch, stride)
            lrs.append(lr_p)
            hrs.append(hr_p)
    return np.concatenate(lrs), np.concatenate(hrs)


# ---------------------------------------------------------------- HDF5
def write_train_h5(path, lr, hr):
    _atomic_h5(path, lambda f: (f.create_dataset("lr", data=lr), f.create_dataset("hr", data=hr)))


def write_eval_h5(path, images):
    """images: list of (name, hr uint8, lr float). Datasets are numbered as in the published files; the image
    name is kept in the `name` attribute of each lr dataset."""
    def fill(f):
        lr_group, hr_group = f.create_group("lr"), f.create_group("hr")
        for i, (name, hr, lr) in enumerate(images):
            lr_group.create_dataset(str(i), data=lr.astype(np.float32)).attrs["name"] = name
            hr_group.create_dataset(str(i), data=hr.astype(np.float32))
    _atomic_h5(path, fill)


def _atomic_h5(path, fill):
    tmp = f"{path}.tmp"
    try:
        with h5py.File(tmp, "w") as f:
            fill(f)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextlib.contextmanager
def _open_h5(path):
    """The open file; HDF5's errors while opening or reading it (not an HDF5 file, a corrupted one) are UserErrors
    naming it."""
    try:
        with h5py.File(path, "r") as f:
            yield f
    except (OSError, RuntimeError, KeyError, ValueError) as err:
        raise UserError(f"{path}: not a readable HDF5 file ({str(err).splitlines()[0] if str(err) else err!r})") \
            from None


def read_train_h5(path, scale):
    """(lr, hr) float32 arrays of a train file, checked against the layout and the scale."""
    with _open_h5(path) as f:
        if not all(isinstance(f.get(k), h5py.Dataset) for k in ("lr", "hr")):
            raise UserError(f"{path}: expected datasets 'lr' and 'hr' (train layout), found {sorted(f.keys())}")
        lr, hr = f["lr"][()].astype(np.float32), f["hr"][()].astype(np.float32)
    if lr.ndim != 3 or hr.ndim != 3 or len(lr) != len(hr) or len(lr) == 0:
        raise UserError(f"{path}: lr {lr.shape} and hr {hr.shape} must be equal-length stacks of 2-D patches")
    if hr.shape[1:] != (lr.shape[1] * scale, lr.shape[2] * scale):
        raise UserError(f"{path}: hr patches {hr.shape[1:]} are not {scale}x the lr patches {lr.shape[1:]}"
                        f" (is this file for another scale?)")
    return lr, hr


def read_eval_h5(path, scale):
    """[(name, hr uint8, lr float 0..255)] of an eval file."""
    with _open_h5(path) as f:
        if not all(isinstance(f.get(k), h5py.Group) for k in ("lr", "hr")):
            raise UserError(f"{path}: expected groups 'lr' and 'hr' (eval layout), found {sorted(f.keys())}")
        names = sorted(f["lr"].keys(), key=lambda k: (len(k), k))
        if not names or sorted(names) != sorted(f["hr"].keys()):
            raise UserError(f"{path}: groups 'lr' and 'hr' must hold the same non-empty set of images")
        images = []
        for name in names:
            lr, hr = f["lr"][name][()].astype(np.float64), f["hr"][name][()]
            if lr.ndim != 2 or hr.shape != (lr.shape[0] * scale, lr.shape[1] * scale):
                raise UserError(f"{path}: image '{name}' has lr {lr.shape} and hr {hr.shape}, not {scale}x apart")
            images.append((str(f["lr"][name].attrs.get("name", name)), protocol.round_uint8(hr), lr))
    return images


# ---------------------------------------------------------------- evaluation sets
def load_image_pair(path, scale, mode=protocol.LUMA):
    """(modcropped HR uint8, LR float 0..255) of one image file, read and degraded as `mode` (a protocol.ImageMode)
    says; an image smaller than the scale is a UserError."""
    hr = protocol.load_image(path, mode.colour)
    if min(hr.shape[:2]) < scale:
        raise UserError(f"{path}: image {hr.shape[1]}x{hr.shape[0]} is smaller than the scale {scale}")
    return protocol.degrade(hr, scale, mode.lr_uint8)


def check_h5_mode(path, mode):
    if mode != protocol.LUMA:
        raise UserError(f"{path}: .h5 files hold luma with a float LR; this network ({mode.colour.upper()}) reads "
                        "image folders")


def load_eval_set(name, data_dir, scale, mode=protocol.LUMA):
    """[(image name, HR uint8, LR float 0..255)] from an image folder, an eval .h5 file or a SUBSETS name, as luma
    planes or RGB arrays (`mode`, the network's protocol.ImageMode)."""
    folder, members = SUBSETS.get(name, (name, None))
    path = resolve_data(folder, data_dir)
    if os.path.isfile(path):
        check_h5_mode(path, mode)
        return read_eval_h5(path, scale)
    images = []
    files = protocol.list_images(path)
    if members is not None:
        files = [f for f in files if os.path.splitext(os.path.basename(f))[0] in members]
        if len(files) != len(members):
            raise UserError(f"{path}: holds {len(files)} of the {len(members)} images of {name}")
    for file in files:
        hr, lr = load_image_pair(file, scale, mode)
        images.append((os.path.splitext(os.path.basename(file))[0], hr, lr))
    return images


def set_name(name):
    """Display name of an eval set: folder or file name without extension."""
    return os.path.splitext(os.path.basename(os.path.normpath(name)))[0]

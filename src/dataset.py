"""Training patches and evaluation images, from image folders or HDF5 files of the published 91-image/Set5 layout.

HDF5 layout (what the MindSpore/PyTorch FSRCNN ports read): a train file holds datasets `lr` (N, p, p) and
`hr` (N, p*n, p*n); an eval file holds groups `lr` and `hr` with one dataset per image, named "0", "1", ...
Values are float32 luma in 0..255 (the files are luma only: RGB networks read image folders). Images and patches
are HxW luma planes or HxWx3 RGB arrays, by the network's colour mode; every LR image here is made by the protocol
of src/protocol.py.

Sets are known by name from data/sources.yaml (each set's role and pinned source, and the subsets) and
data/SHA256SUMS (the files of each set download.py fetches), both read on first use: a malformed row is a UserError.
Names are looked up in paths.data_folder(): --data_dir, else $FSRCNN_DATA_DIR, else the project's data/.
"""
import contextlib
import functools
import hashlib
import os
import re
from dataclasses import dataclass

import h5py
import numpy as np
import yaml
from PIL import Image

from src import degradations, fileio, paths, protocol
from src.errors import UserError
from src.paths import data_folder  # also read as dataset.data_folder (benchmark.py)

PAPER_LR_PATCH = {2: 10, 3: 7, 4: 6}
AUGMENT_SCALES = (1.0, 0.9, 0.8, 0.7, 0.6)
ROTATIONS = (0, 1, 2, 3)  # multiples of 90 degrees
ROLES = ("train", "val", "test")
NAME = re.compile(r"\w[\w.-]*")  # a set's or a file's name: a plain file name, never a path


# ---------------------------------------------------------------- the sets by name (data/sources.yaml, SHA256SUMS)
@dataclass(frozen=True)
class KnownSet:
    """A row of data/sources.yaml `sets`: the set's role and, for a set download.py fetches, its source: a folder of a
    GitHub repository at a commit."""
    role: str
    repo: str = ""
    commit: str = ""
    folder: str = ""
    from_jpeg: bool = False  # the folder holds JPEGs of the same names, installed as PNGs

    def source_path(self, file):
        """Where the source holds `file`, below the base URL (the JPEG of the same name for from_jpeg)."""
        served = os.path.splitext(file)[0] + ".jpg" if self.from_jpeg else file
        return f"{self.repo}/{self.commit}/{self.folder}/{served}"


@dataclass(frozen=True)
class Subset:
    """A row of data/sources.yaml `subsets`: a set made of some images (names without extension) of another's folder."""
    role: str
    of: str
    images: tuple


def _rows(table, section, fields):
    """The rows of one section of data/sources.yaml as {name: {field: value}}, each checked against fields."""
    rows = table.get(section) if isinstance(table, dict) else None
    if not isinstance(rows, dict) or not rows:
        raise UserError(f"{paths.SOURCES_FILE}: expected a mapping `{section}:` of named rows")
    for name, row in rows.items():
        problem = ("expected a mapping with a role" if not isinstance(row, dict) or "role" not in row
                   else "not a plain name" if not isinstance(name, str) or not NAME.fullmatch(name) else None)
        for key, value in (row.items() if problem is None else ()):
            if key not in fields or not isinstance(value, fields[key]):
                problem = (f"unknown field {key!r} (known: {', '.join(fields)})" if key not in fields
                           else f"{key} must be a {fields[key].__name__}, got {value!r}")
        if problem is None and row["role"] not in ROLES:
            problem = f"role {row['role']!r} is not one of {', '.join(ROLES)}"
        if problem:
            raise UserError(f"{paths.SOURCES_FILE}: {section} row {name!r}: {problem}")
    return rows


@functools.cache
def _table():
    """(sets, subsets) of data/sources.yaml, read on first use, every row checked: a malformed one is a UserError
    naming the file and the row."""
    try:
        with open(paths.SOURCES_FILE, encoding="utf-8") as f:
            table = yaml.safe_load(f)
    except (OSError, ValueError, yaml.YAMLError) as err:
        raise UserError(f"{paths.SOURCES_FILE}: cannot read it ({err})") from None
    fields = {"role": str, "repo": str, "commit": str, "folder": str, "from_jpeg": bool}
    sets = {name: KnownSet(**row) for name, row in _rows(table, "sets", fields).items()}
    for name, known in sets.items():
        source = (known.repo, known.commit, known.folder)
        if (any(source) and not all(source)) or (known.commit and not re.fullmatch(r"[0-9a-f]{40}", known.commit)):
            raise UserError(f"{paths.SOURCES_FILE}: sets row {name!r}: give repo, commit (40 hex digits) and folder, "
                            "or none of them for a set download.py does not fetch")
    parts = {}
    for name, row in _rows(table, "subsets", {"role": str, "of": str, "images": list}).items():
        if row.get("of") not in sets or not row.get("images") or not all(isinstance(i, str) for i in row["images"]):
            raise UserError(f"{paths.SOURCES_FILE}: subsets row {name!r}: needs `of:` one of the sets and `images:` "
                            "a list of image names")
        parts[name] = Subset(row["role"], row["of"], tuple(row["images"]))
    return sets, parts


def known_sets():
    """{name: KnownSet} of every set the project knows by name, in the order of data/sources.yaml."""
    return _table()[0]


def subsets():
    """{name: Subset} of the sets made of some images of another set's folder."""
    return _table()[1]


def fetched_sets():
    """The names of the sets download.py fetches (those with a source), in the table's order."""
    return [name for name, known in known_sets().items() if known.repo]


def role(name):
    """'train', 'val' or 'test' for a set or subset name of the table, else None. A test set is never accepted for
    validation (model selection)."""
    row = known_sets().get(name) or subsets().get(name)
    return row.role if row else None


@functools.cache
def checksums():
    """{set: {file: sha256}} of data/SHA256SUMS (`<sha256>  <set>/<file>` lines) for exactly the sets download.py
    fetches, read on first use; a malformed line is a UserError naming it."""
    sums = {}
    try:
        with open(paths.SHA256SUMS_FILE, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, ValueError) as err:
        raise UserError(f"{paths.SHA256SUMS_FILE}: cannot read it ({err})") from None
    for number, line in enumerate(lines, 1):
        match = re.fullmatch(rf"([0-9a-f]{{64}})  ([^/]+)/({NAME.pattern})", line)
        if not match and line.strip() and not line.startswith("#"):
            raise UserError(f"{paths.SHA256SUMS_FILE}:{number}: expected `<sha256>  <set>/<file>`, got {line!r}")
        if match:
            sums.setdefault(match[2], {})[match[3]] = match[1]
    if sorted(sums) != sorted(fetched_sets()):
        raise UserError(f"{paths.SHA256SUMS_FILE}: lists the sets {', '.join(sums)}, but {paths.SOURCES_FILE} "
                        f"fetches {', '.join(fetched_sets())}")
    return {name: sums[name] for name in fetched_sets()}


def pixel_sha256(image):
    """sha256 of an image's mode, size and decoded pixels: the same for a JPEG and the lossless PNG made from it."""
    header = f"{image.mode} {image.width}x{image.height}\n".encode()
    return hashlib.sha256(header + image.tobytes()).hexdigest()


def installed_sha256(path, name):
    """The hash data/SHA256SUMS pins for a file of set `name`: of its pixels for a set made from JPEGs (PNGs of their
    decoded pixels: PNG bytes would change with the zlib at hand), else of its bytes."""
    if known_sets()[name].from_jpeg:
        with Image.open(path) as image:
            return pixel_sha256(image)
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# ---------------------------------------------------------------- where set names are looked up
def resolve_data(name, data_dir):
    """A path as given if it exists, else the same name in paths.data_folder(data_dir); missing both is a one-line
    UserError naming both places and, for a set download.py fetches, the command that fetches it."""
    if os.path.exists(name):
        return name
    folder = data_folder(data_dir)
    if os.path.exists(os.path.join(folder, name)):
        return os.path.join(folder, name)
    if name in fetched_sets():
        hint = f"download it with: python download.py {name}" + (f" --data_dir {data_dir}" if data_dir else "")
    else:
        hint = f"python download.py fetches {', '.join(fetched_sets())}"
    raise UserError(f"{name}: not found, neither as a path from {os.getcwd()} nor in {os.path.abspath(folder)} "
                    f"({paths.data_folder_origin(data_dir)}); {hint}")


# ---------------------------------------------------------------- training options
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
    with fileio.atomic_path(path, suffix=".tmp.h5") as tmp, h5py.File(tmp, "w") as f:
        fill(f)


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


# A dataset's values may take at most this many times the bytes it occupies in the file (plus H5_SLACK): gzip'd
# image planes shrink a few times, while a crafted dataset of no stored bytes can ask for any size.
H5_EXPANSION = 64
H5_SLACK = 1 << 20


def _member(path, group, key):
    """group[key], a hard link only: a soft or external link (to another file, or elsewhere in this one) is a
    UserError, never followed."""
    link = group.get(key, getlink=True)
    if link is not None and not isinstance(link, h5py.HardLink):
        raise UserError(f"{path}: '{group.name.rstrip('/')}/{key}' is a {type(link).__name__}: only data stored in "
                        "the file itself is read")
    return group.get(key)


def _read_dataset(path, node):
    """The values of an HDF5 dataset, after checking it reads nothing outside the file (no external storage, not a
    virtual dataset) and asks for no more memory than its stored bytes can hold (H5_EXPANSION)."""
    name = node.name
    if node.external or node.is_virtual:
        raise UserError(f"{path}: dataset '{name}' keeps its values outside the file ("
                        f"{'external storage' if node.external else 'virtual dataset'}): not read")
    if node.dtype.kind not in "biuf":
        raise UserError(f"{path}: dataset '{name}' holds {node.dtype}, not numbers")
    wanted = int(np.prod(node.shape, dtype=np.float64)) * node.dtype.itemsize
    stored = node.id.get_storage_size()
    if wanted > H5_EXPANSION * stored + H5_SLACK:
        raise UserError(f"{path}: dataset '{name}' of shape {node.shape} asks for {wanted} bytes but stores "
                        f"{stored}: a damaged or crafted file")
    return node[()]


def read_train_h5(path, scale):
    """(lr, hr) float32 arrays of a train file, checked against the layout and the scale."""
    with _open_h5(path) as f:
        nodes = [_member(path, f, k) for k in ("lr", "hr")]
        if not all(isinstance(node, h5py.Dataset) for node in nodes):
            raise UserError(f"{path}: expected datasets 'lr' and 'hr' (train layout), found {sorted(f.keys())}")
        lr, hr = (_read_dataset(path, node).astype(np.float32) for node in nodes)
    if lr.ndim != 3 or hr.ndim != 3 or len(lr) != len(hr) or len(lr) == 0:
        raise UserError(f"{path}: lr {lr.shape} and hr {hr.shape} must be equal-length stacks of 2-D patches")
    if hr.shape[1:] != (lr.shape[1] * scale, lr.shape[2] * scale):
        raise UserError(f"{path}: hr patches {hr.shape[1:]} are not {scale}x the lr patches {lr.shape[1:]}"
                        f" (is this file for another scale?)")
    return lr, hr


def read_eval_h5(path, scale):
    """[(name, hr uint8, lr float 0..255)] of an eval file."""
    with _open_h5(path) as f:
        if not all(isinstance(_member(path, f, k), h5py.Group) for k in ("lr", "hr")):
            raise UserError(f"{path}: expected groups 'lr' and 'hr' (eval layout), found {sorted(f.keys())}")
        names = sorted(f["lr"].keys(), key=lambda k: (len(k), k))
        if not names or sorted(names) != sorted(f["hr"].keys()):
            raise UserError(f"{path}: groups 'lr' and 'hr' must hold the same non-empty set of images")
        images = []
        for name in names:
            nodes = [_member(path, f[k], name) for k in ("lr", "hr")]
            if not all(isinstance(node, h5py.Dataset) for node in nodes):
                raise UserError(f"{path}: image '{name}' is not a dataset in both groups 'lr' and 'hr'")
            lr, hr = _read_dataset(path, nodes[0]).astype(np.float64), _read_dataset(path, nodes[1])
            if lr.ndim != 2 or hr.shape != (lr.shape[0] * scale, lr.shape[1] * scale):
                raise UserError(f"{path}: image '{name}' has lr {lr.shape} and hr {hr.shape}, not {scale}x apart")
            images.append((str(f["lr"][name].attrs.get("name", name)), protocol.round_uint8(hr), lr))
    return images


# ---------------------------------------------------------------- evaluation sets
def load_image_pair(path, scale, mode=protocol.LUMA, degradation=degradations.PAPER):
    """(modcropped HR uint8, LR float 0..255) of one image file, read and degraded as `mode` (a protocol.ImageMode)
    says, the LR made by `degradation` (src/degradations.py; default the paper's protocol); an image smaller than
    the scale is a UserError."""
    pixels = degradations.read_pixels(path)
    if min(pixels.shape[:2]) < scale:
        raise UserError(f"{path}: image {pixels.shape[1]}x{pixels.shape[0]} is smaller than the scale {scale}")
    return degradations.degrade(pixels, scale, degradation, mode)


def check_h5_mode(path, mode):
    if mode != protocol.LUMA:
        raise UserError(f"{path}: .h5 files hold luma with a float LR; this network ({mode.colour.upper()}) reads "
                        "image folders")


def load_eval_set(name, data_dir, scale, mode=protocol.LUMA, degradation=degradations.PAPER):
    """[(image name, HR uint8, LR float 0..255)] from an image folder, an eval .h5 file or a subset's name, as luma
    planes or RGB arrays (`mode`, the network's protocol.ImageMode), the LR made by `degradation`."""
    degradations.check_name(degradation)
    subset = subsets().get(name)
    folder, members = (subset.of, subset.images) if subset else (name, None)
    path = resolve_data(folder, data_dir)
    if os.path.isfile(path):
        check_h5_mode(path, mode)
        if degradation != degradations.PAPER:
            raise UserError(f"{path}: an .h5 file holds LR made by the paper's protocol; the degradation "
                            f"{degradation} needs the image folder")
        return read_eval_h5(path, scale)
    images = []
    files = protocol.list_images(path)
    if members is not None:
        files = [f for f in files if os.path.splitext(os.path.basename(f))[0] in members]
        if len(files) != len(members):
            raise UserError(f"{path}: holds {len(files)} of the {len(members)} images of {name}")
    for file in files:
        hr, lr = load_image_pair(file, scale, mode, degradation)
        images.append((os.path.splitext(os.path.basename(file))[0], hr, lr))
    return images


def set_name(name):
    """Display name of an eval set: folder or file name without extension."""
    return os.path.splitext(os.path.basename(os.path.normpath(name)))[0]

"""Serving an exported network with the C++ harness (ascend310_infer/): the .bin files around it (preprocess.py,
postprocess.py) and running its two programs from Python (benchmark.py, tests).

Each input is one LR image exactly as eval.py feeds the network (float32 in [0, 1], C x H x W row-major: one luma
plane, or RGB for an RGB network), in a file NAME_HxW.bin that states its size; each output is the network's
float32 C x H' x W' output in NAME.bin. With each plane at its
own size (a dynamic model, or MindSpore Lite, which resizes a static one) the scores equal eval.py's. A static model
(Ascend 310) runs one shape: the planes are then padded at the bottom and right by mirroring their border and the
outputs cropped back. The network zero-pads every layer, which no input padding reproduces exactly; mirroring keeps
a trained network within ~0.01 dB of eval.py's PSNR (x4 on Set5: 0.002 dB mean, 0.007 dB on the worst image; zero
padding: 0.14 dB).
"""
import io
import json
import os
import re
import subprocess
from typing import NamedTuple

import numpy as np
from PIL import Image

from src import dataset, evaluate, fileio, inference, paths, protocol
from src.errors import UserError

META_FILE = "meta.json"
HARNESS_DIR, HARNESS, CONVERTER = paths.HARNESS_DIR, paths.HARNESS, paths.CONVERTER
BUILD_HINT = "build it with: bash ascend310_infer/build.sh"


# ---------------------------------------------------------------- planes and .bin files
def largest_shape(images):
    """(H, W): the largest LR height and width of [(name, hr, lr)]."""
    return tuple(max(lr.shape[axis] for _, _, lr in images) for axis in (0, 1))


def pad_shape(images, pad_to):
    """The shape every plane is padded to: None for '' (each its own size), the set's largest for 'largest', else
    the H,W given, which every image must fit."""
    if not pad_to:
        return None
    if pad_to == "largest":
        return largest_shape(images)
    try:
        shape = tuple(int(v) for v in pad_to.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 2 or min(shape) < 1:
        raise UserError(f"pad_to '{pad_to}' must be H,W (two positive integers), 'largest' or empty")
    for name, _, lr in images:
        if lr.shape[0] > shape[0] or lr.shape[1] > shape[1]:
            height, width = largest_shape(images)
            raise UserError(f"image '{name}': LR {lr.shape[0]}x{lr.shape[1]} does not fit {shape[0]}x{shape[1]} "
                            f"(pad to {height},{width} or more, and export at that shape)")
    return shape


def pad_to(plane, shape):
    """Pad a plane (or HxWxC image) at the bottom/right to `shape` (H, W) by mirroring its border (see the module
    docstring)."""
    pads = ((0, shape[0] - plane.shape[0]), (0, shape[1] - plane.shape[1])) + ((0, 0),) * (plane.ndim - 2)
    return np.pad(plane, pads, mode="symmetric")


def bin_name(name, shape):
    """The harness's input file name, which gives the plane's shape."""
    return f"{name}_{shape[0]}x{shape[1]}.bin"


def write_planes(planes, names, folder):
    """Write each float32 plane (or HxWxC image, as C x H x W) as folder/NAME_HxW.bin."""
    os.makedirs(folder, exist_ok=True)
    for plane, name in zip(planes, names):
        inference.to_nchw(plane).tofile(os.path.join(folder, bin_name(name, plane.shape)))


def read_plane(path, shape, channels=1):
    """A float32 HxW plane (channels 1) or HxWxC image of `shape` (H, W) from a C x H x W .bin file; a missing
    file or another size is a UserError."""
    if not os.path.isfile(path):
        raise UserError(f"{path}: no such file")
    expected = channels * shape[0] * shape[1] * 4
    if os.path.getsize(path) != expected:
        raise UserError(f"{path}: {os.path.getsize(path)} bytes, expected a {channels}x{shape[0]}x{shape[1]} "
                        f"float32 output ({expected} bytes)")
    values = np.fromfile(path, dtype=np.float32).reshape((1, channels, *shape))
    return inference.from_nchw(values, 2 if channels == 1 else 3)


# ---------------------------------------------------------------- preprocess.py, postprocess.py
def plain_name(name, source, what="image name"):
    """A name from a file used as a file name (an HDF5 eval file's `name` attribute, meta.json's names): a plain
    name, so that nothing is read, written or deleted outside the folders given."""
    if (not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name
            or (os.altsep and os.altsep in name)):
        raise UserError(f"{source}: {what} {name!r} is not a plain file name (no folders, '..' or absolute "
                        f"paths)")
    return name


def check_names(images, source):
    """Every image name of a set is a plain file name, and no two are the same (their files would collide)."""
    seen = set()
    for name, _, _ in images:
        if plain_name(name, source) in seen:
            raise UserError(f"{source}: two images are named '{name}'")
        seen.add(name)


def written_files(meta):
    """The files of the folder preprocess.py wrote with this meta.json (meta.json itself aside)."""
    if "files" in meta:
        return list(meta["files"])
    return [bin_name(m["name"], meta["shape"] or m["lr_shape"][:2]) for m in meta["images"]]  # before "files"


def _own_files(folder):
    """The .bin files an earlier preprocess.py wrote in `folder` (its meta.json lists them); any other .bin file
    is the user's, and is refused rather than deleted (the harness would read it as an input)."""
    meta = read_meta(folder, require_complete=False) if os.path.lexists(os.path.join(folder, META_FILE)) else None
    owned = set(written_files(meta)) if meta else set()
    foreign = sorted(f for f in os.listdir(folder) if f.endswith(".bin") and f not in owned)
    if foreign:
        listed = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise UserError(f"{folder}: holds .bin files preprocess.py did not write ({listed}); the harness reads every "
                        f".bin file of its folder: give an empty or new --lr_bin_dir")
    return sorted(f for f in owned if os.path.lexists(os.path.join(folder, f)))


def _write_meta(folder, meta):
    fileio.write_bytes(os.path.join(folder, META_FILE), json.dumps(meta, indent=2).encode("utf-8"))


def preprocess(set_path, images, scale, folder, shape=None, mode=protocol.LUMA):
    """Write the LR planes of an eval set (padded to `shape` if given) and meta.json, what postprocess needs
    (with the network's image mode the set was read in), in place of the files an earlier preprocess.py wrote
    there (and nothing else). Returns the metadata.

    meta.json lists the files before they are written ("complete": false until all are), so an interrupted run
    leaves nothing the next run does not know to be its own."""
    check_names(images, set_path)
    os.makedirs(folder, exist_ok=True)  # preprocess.py checked it can write there before reading the set
    earlier = _own_files(folder)
    planes = [inference.network_input(lr) for _, _, lr in images]
    if shape is not None:
        planes = [pad_to(plane, shape) for plane in planes]
    files = [bin_name(name, plane.shape) for (name, _, _), plane in zip(images, planes)]
    meta = {"set": os.path.abspath(set_path), "scale": scale, "shape": list(shape) if shape else None,
            "colour": mode.colour, "lr_uint8": mode.lr_uint8, "channels": 3 if mode.colour == "rgb" else 1,
            "images": [{"name": name, "lr_shape": list(lr.shape)} for name, _, lr in images]}
    _write_meta(folder, dict(meta, files=sorted(set(earlier) | set(files)), complete=False))
    for stale in set(earlier) - set(files):
        os.remove(os.path.join(folder, stale))
    for plane, file in zip(planes, files):
        fileio.write_bytes(os.path.join(folder, file), inference.to_nchw(plane).tobytes())
    meta = dict(meta, files=files, complete=True)
    _write_meta(folder, meta)
    return meta


def _is_int(value, low=0):
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _meta_problem(meta):
    """What is wrong with a meta.json's content ("" if nothing): it may have been edited by hand."""
    if not isinstance(meta, dict):
        return f"holds a {type(meta).__name__}, not an object"
    missing = [k for k in ("set", "scale", "shape", "images") if k not in meta]
    if missing:
        return f"no {', '.join(missing)}"
    if not isinstance(meta["set"], str) or not meta["set"]:
        return f"set {meta['set']!r} is not a path"
    if not (_is_int(meta["scale"]) and meta["scale"] in dataset.PAPER_LR_PATCH):
        return f"scale {meta['scale']!r} is not 2, 3 or 4"
    shape = meta["shape"]
    if shape is not None and not (isinstance(shape, list) and len(shape) == 2 and all(_is_int(v, 1) for v in shape)):
        return f"shape {shape!r} is not null or [H, W]"
    if meta.get("colour", "y") not in ("y", "rgb") or not isinstance(meta.get("lr_uint8", False), bool):
        return f"colour {meta.get('colour')!r} / lr_uint8 {meta.get('lr_uint8')!r} are not y or rgb / a boolean"
    images = meta["images"]
    if not isinstance(images, list) or not images:
        return "images is not a non-empty list"
    for image in images:
        if not (isinstance(image, dict) and isinstance(image.get("name"), str) and isinstance(image.get("lr_shape"),
                list) and len(image["lr_shape"]) in (2, 3) and all(_is_int(v, 1) for v in image["lr_shape"])):
            return f"image entry {image!r} is not {{name, lr_shape}}"
        plain_name(image["name"], "meta.json")
    files = meta.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) and f.endswith(".bin") for f in files):
        return f"files {files!r} is not a list of .bin file names"
    for file in files:
        plain_name(file, "meta.json", "file name")
    if not isinstance(meta.get("complete", True), bool):
        return f"complete {meta['complete']!r} is not a boolean"
    return ""


def read_meta(folder, require_complete=True):
    """The meta.json preprocess.py wrote in `folder`, checked (it may be damaged or edited by hand): any problem is
    one line naming the file."""
    path = os.path.join(folder, META_FILE)
    if not os.path.isfile(path):
        raise UserError(f"{path}: not found (run preprocess.py first)")
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
        problem = _meta_problem(meta)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        problem = f"not readable JSON ({err})"
    except UserError as err:
        problem = str(err).removeprefix("meta.json: ")
    if problem:
        raise UserError(f"{path}: not a meta.json as preprocess.py writes it ({problem}); run preprocess.py again "
                        f"into an empty folder")
    if require_complete and not meta.get("complete", True):
        raise UserError(f"{path}: preprocess.py did not finish writing this folder (run it again)")
    return meta


def image_mode(meta):
    """The protocol.ImageMode preprocess read the set in (luma for files written before RGB networks)."""
    return protocol.ImageMode(meta.get("colour", "y"), meta.get("lr_uint8", False))


def load_images(meta):
    """The eval set preprocess read, checked to be unchanged: [(name, HR uint8, LR float)]."""
    images = dataset.load_eval_set(meta["set"], "", meta["scale"], image_mode(meta))
    found = [(name, list(lr.shape)) for name, _, lr in images]
    if found != [(m["name"], m["lr_shape"]) for m in meta["images"]]:
        raise UserError(f"{meta['set']}: its images differ from those preprocess.py wrote (run preprocess.py again)")
    return images


def postprocess(meta, images, sr_folder, png_folder=""):
    """Crop and round each output, score it as eval.py does, optionally save it as a PNG (luma or RGB).

    Returns the results dict of src.evaluate (format_table, write_json)."""
    scale = meta["scale"]
    channels = 3 if image_mode(meta).colour == "rgb" else 1
    check_names(images, meta["set"])
    if png_folder:
        os.makedirs(png_folder, exist_ok=True)  # postprocess.py checked it can write there before reading the set
    per_image = {}
    for name, hr, lr in images:
        plane = read_plane(os.path.join(sr_folder, f"{name}.bin"),
                           [scale * v for v in meta["shape"] or lr.shape[:2]], channels)
        sr = protocol.round_uint8(inference.output_values(plane[:scale * lr.shape[0], :scale * lr.shape[1]]))
        per_image[name] = evaluate.score_image(sr, hr, lr, scale)
        if png_folder:
            buffer = io.BytesIO()
            Image.fromarray(sr).save(buffer, format="PNG")
            fileio.write_bytes(os.path.join(png_folder, f"{name}.png"), buffer.getvalue())
    set_name = dataset.set_name(meta["set"])
    return {"scale": scale, "outputs": os.path.abspath(sr_folder),
            "sets": {set_name: dict(evaluate.mean_scores(per_image), images=per_image)}}


# ---------------------------------------------------------------- the C++ programs
class HarnessRun(NamedTuple):
    """What fsrcnn_infer reported: its printed text and the median milliseconds per Predict (None if not timed)."""
    text: str
    median_ms: float


def _run_program(program, args):
    if not os.path.isfile(program):
        raise UserError(f"{program}: not built ({BUILD_HINT})")
    result = subprocess.run([program, *args], capture_output=True, text=True, check=False,
                            env=dict(os.environ, GLOG_v=os.environ.get("GLOG_v", "3")))
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
        raise UserError(f"{os.path.basename(program)}: {last.removeprefix('error: ')}")
    return result.stdout


def convert_onnx(onnx_path, output_name):
    """ONNX -> MindIR for MindSpore Lite (convert_model); returns the written OUTPUT_NAME.mindir."""
    _run_program(CONVERTER, ["--onnx_path", onnx_path, "--output_file", output_name])
    return output_name + ".mindir"


def run_harness(model_path, input_dir, output_dir, batch_size=1, warmup=0, iters=0, threads=0, device="CPU"):
    """Run fsrcnn_infer; returns its report."""
    text = _run_program(HARNESS, ["--model_path", model_path, "--input_dir", input_dir, "--output_dir", output_dir,
                                  "--device", device, "--batch_size", str(batch_size), "--warmup", str(warmup),
                                  "--iters", str(iters), "--threads", str(threads)])
    median = re.search(r"median ([0-9.]+)", text)
    return HarnessRun(text, float(median.group(1)) if median else None)

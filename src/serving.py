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
import json
import os
import re
import subprocess
from typing import NamedTuple

import numpy as np
from PIL import Image

from src import dataset, evaluate, protocol
from src.config import ROOT
from src.errors import UserError

META_FILE = "meta.json"
HARNESS_DIR = os.path.join(ROOT, "ascend310_infer")
HARNESS = os.path.join(HARNESS_DIR, "out", "fsrcnn_infer")
CONVERTER = os.path.join(HARNESS_DIR, "out", "convert_model")
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
        evaluate.to_nchw(plane).tofile(os.path.join(folder, bin_name(name, plane.shape)))


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
    return evaluate.from_nchw(values, 2 if channels == 1 else 3)


# ---------------------------------------------------------------- preprocess.py, postprocess.py
def preprocess(set_path, images, scale, folder, shape=None, mode=protocol.LUMA):
    """Write the LR planes of an eval set (padded to `shape` if given) and meta.json, what postprocess needs
    (with the network's image mode the set was read in), in place of the folder's earlier .bin files. Returns the
    metadata."""
    os.makedirs(folder, exist_ok=True)
    for stale in os.listdir(folder):  # the harness reads every .bin file of the folder
        if stale.endswith(".bin") or stale == META_FILE:
            os.remove(os.path.join(folder, stale))
    planes = [evaluate.network_input(lr) for _, _, lr in images]
    if shape is not None:
        planes = [pad_to(plane, shape) for plane in planes]
    write_planes(planes, [name for name, _, _ in images], folder)
    meta = {"set": os.path.abspath(set_path), "scale": scale, "shape": list(shape) if shape else None,
            "colour": mode.colour, "lr_uint8": mode.lr_uint8, "channels": 3 if mode.colour == "rgb" else 1,
            "images": [{"name": name, "lr_shape": list(lr.shape)} for name, _, lr in images]}
    with open(os.path.join(folder, META_FILE), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
    return meta


def read_meta(folder):
    path = os.path.join(folder, META_FILE)
    if not os.path.isfile(path):
        raise UserError(f"{path}: not found (run preprocess.py first)")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


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
    if png_folder:
        os.makedirs(png_folder, exist_ok=True)
    per_image = {}
    for name, hr, lr in images:
        plane = read_plane(os.path.join(sr_folder, f"{name}.bin"),
                           [scale * v for v in meta["shape"] or lr.shape[:2]], channels)
        sr = protocol.round_uint8(evaluate.output_values(plane[:scale * lr.shape[0], :scale * lr.shape[1]]))
        per_image[name] = evaluate.score_image(sr, hr, lr, scale)
        if png_folder:
            Image.fromarray(sr).save(os.path.join(png_folder, f"{name}.png"))
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

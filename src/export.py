"""Model export for export.py: MINDIR (dynamic batch/height/width by default), AIR (Ascend only), ONNX, and CKPT (the
served form as a checkpoint: FMEN's re-parameterisation, a third of its training form's size).

MindSpore 2.10 writes an invalid ONNX model, so the ONNX path repairs it (repair_onnx) and checks the result.
"""
import errno
import os
import tempfile
from typing import NamedTuple

import mindspore as ms
import numpy as np

from src import checkpoint, fileio
from src.errors import UserError

EXTENSIONS = {"MINDIR": ".mindir", "AIR": ".air", "ONNX": ".onnx", "CKPT": ".ckpt"}
# MindSpore's ONNX writer refuses dynamic shapes; AIR, compiled offline for Ascend 310 by ATC, is static as in ModelZoo.
STATIC_FORMATS = ("AIR", "ONNX")
DEFAULT_STATIC_SIDE = 256


class Target(NamedTuple):
    """What export() writes: format, final path and input shape (None = dynamic axis)."""
    file_format: str
    path: str
    shape: tuple


def parse_fixed_shape(text, channels=1):
    """'N,C,H,W' as a tuple of ints (C: the model's channels), or None for an empty string."""
    if not text.strip():
        return None
    try:
        shape = tuple(int(v) for v in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 4 or min(shape) < 1 or shape[1] != channels:
        raise UserError(f"fixed_shape '{text}' must be N,{channels},H,W: four positive integers with {channels} "
                        f"channel{'s' if channels > 1 else ''} (e.g. 1,{channels},256,256)")
    return shape


def _import_onnx():
    try:
        import onnx
    except ImportError:
        raise UserError("ONNX export needs the onnx package (pip install onnx)") from None
    return onnx


def plan(cfg, spec):
    """Check the request (format, backend, shape, output folder) before MindSpore does any work."""
    if spec.not_exportable:
        raise UserError(f"{spec.title} cannot be exported as one model: {spec.not_exportable}")
    fmt = cfg.file_format.upper()
    if fmt not in EXTENSIONS:
        raise UserError(f"file_format '{cfg.file_format}' is not one of {', '.join(EXTENSIONS)}")
    if fmt == "AIR" and cfg.device_target != "Ascend":
        raise UserError(f"AIR export needs the Ascend backend (--device_target Ascend), not {cfg.device_target}; "
                        f"export MINDIR or ONNX instead")
    if fmt == "ONNX":
        _import_onnx()
    if fmt == "CKPT" and getattr(cfg, "subpixel", False):  # an FSRCNN option (src/models/fsrcnn.yaml)
        raise UserError("--subpixel changes the exported graph, not the weights: a CKPT keeps the checkpoint's "
                        "layers (drop --subpixel)")
    c = spec.channels
    static = (1, c, DEFAULT_STATIC_SIDE, DEFAULT_STATIC_SIDE)
    shape = parse_fixed_shape(cfg.fixed_shape, c) or (static if fmt in STATIC_FORMATS else (None, c, None, None))
    ext = EXTENSIONS[fmt]
    path = cfg.file_name if cfg.file_name.lower().endswith(ext) else cfg.file_name + ext
    check_output(path, cfg.ckpt_file, getattr(cfg, "overwrite", False))
    return Target(fmt, path, shape)


def check_output(path, source, overwrite):
    """The export's file may replace an existing one only with --overwrite, and never the checkpoint it is made
    from (a CKPT export named like its source), whatever the flags; its folder must exist and be writable."""
    if os.path.realpath(path) == os.path.realpath(source) or (
            os.path.exists(path) and os.path.exists(source) and os.path.samefile(path, source)):
        raise UserError(f"{path}: is the checkpoint being exported (--ckpt_file); export.py never writes over its "
                        f"input, even with --overwrite (give another --file_name)")
    fileio.check_output_file(path, "--file_name", (source,))
    if os.path.lexists(path) and not overwrite:
        raise UserError(f"{path}: already exists (pass --overwrite to replace it)")


def export(net, target, spec=None, source=None):
    """Write `net` as `target` atomically. A CKPT also needs `spec` and `source`, the checkpoint `net` was read from:
    it keeps source's record (epoch, validation PSNR) under the inference form's architecture, so that eval.py and
    infer.py read it as any checkpoint of that form. A failing write (a full disk) is a UserError; nothing partial
    is left."""
    try:
        _export(net, target, spec, source)
    except OSError as err:
        full = " (the disk is full)" if err.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        raise UserError(f"{target.path}: cannot write{full}: {err.strerror or err}; nothing was written") from None


def _export(net, target, spec, source):
    if target.file_format == "CKPT":
        _, info = checkpoint.read(source)
        checkpoint.save(net, target.path, {**info, **spec.inference_arch(), "source": os.path.basename(source)})
        return
    if None in target.shape:
        x = ms.Tensor(shape=list(target.shape), dtype=ms.float32)
    else:
        x = ms.Tensor(np.zeros(target.shape, np.float32))
    data = _mindspore_export(net, x, target.file_format)
    if target.file_format == "ONNX":
        onnx = _import_onnx()
        model = repair_onnx(onnx.load_from_string(data))
        onnx.checker.check_model(model, full_check=True)
        data = model.SerializeToString()
    _write_atomically(data, target.path)


def summary(target, spec):
    """The line export.py prints."""
    if target.file_format == "CKPT":
        return f"wrote {target.path} (CKPT, {spec.describe(spec.inference_arch())})"
    shape = ",".join(str(v) if v else axis for v, axis in zip(target.shape, "NCHW"))
    return f"wrote {target.path} ({target.file_format}, {spec.describe()}, input {shape} float32)"


def _mindspore_export(net, x, fmt):
    """The exported model's bytes, written by MindSpore into a private folder: its writers reject paths with spaces,
    add the extension themselves and leave the file owner-read-only.

    ONNX goes through ms.onnx.export: ms.export(file_format='ONNX') is deprecated in 2.10 and chmods its folder to 0700.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model" + EXTENSIONS[fmt])
        if fmt == "ONNX":
            ms.onnx.export(net, x, file_name=path)
        else:
            ms.export(net, x, file_name=path, file_format=fmt)
        with open(path, "rb") as f:
            return f.read()


def _write_atomically(data, path):
    """Temporary file beside `path` (never through a link left there), fsync, rename: a failure leaves the old file
    or none, never half a model."""
    fileio.write_bytes(path, data)


def repair_onnx(model):
    """Fix the ONNX graph MindSpore 2.10 writes for FSRCNN (opset 11); returns the same, repaired, model.

    - ConvTranspose `output_shape` holds 4 values (N, C, H, W) where ONNX wants the spatial ones only: the checker
      and onnxruntime reject the model. It is dropped, not shortened: with an `output_shape` ONNX ignores `pads`
      and re-derives them split evenly, which is not FSRCNN's crop of 4 top/left and 5-n bottom/right; without it,
      the output size follows from the (correct) pads and equals n*H x n*W.
    - Conv and ConvTranspose `pads` come in MindSpore's (top, bottom, left, right) order, while ONNX reads
      (top, left, bottom, right): the deconv's asymmetric crop would be applied 4/4 on rows and (5-n)/(5-n) on
      columns. Reordered (a no-op for the symmetric 'same' convs).
    """
    graph = model.graph
    for node in graph.node:
        if node.op_type not in ("Conv", "ConvTranspose"):
            continue
        for attr in list(node.attribute):
            if attr.name == "output_shape":
                node.attribute.remove(attr)
            elif attr.name == "pads" and len(attr.ints) == 4:
                top, bottom, left, right = attr.ints
                attr.ints[:] = [top, left, bottom, right]
    return model

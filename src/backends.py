"""What runs the network for infer.py: MindSpore, or ONNX Runtime on the exported inference form (`--backend`).

auto (the default) is ONNX Runtime on CPU when the onnxruntime package imports, MindSpore otherwise and on
GPU/Ascend. ONNX Runtime on the exported form is the fastest of the paths measured on CPU (docs/performance.md):
the same network in about a quarter of MindSpore's dynamic-shape time.

The ONNX model is built once per checkpoint: the checkpoint's served network (spec.inference_form) is exported by
src/export.py (MindSpore writes ONNX at one static shape; export.repair_onnx fixes it), its batch, height and width
are made dynamic here (make_dynamic), its PReLUs take two passes instead of five (simplify_prelu), and ONNX
Runtime's output on an image of another, odd size is checked against MindSpore's before the model is kept. It is
cached under paths.cache_dir()/onnx, written atomically (src/fileio.py), named after the checkpoint (or the two
checkpoints of a mix of weights) and keyed by its content (sha256), the network's keys (architecture and options)
and the source of the code that loads, mixes and exports it (this file, src/checkpoint.py, src/export.py, the
network's module): a changed checkpoint or exporter gives another key, so the model is rebuilt, and the stale one
removed. With the cached model, infer.py never imports MindSpore (start-up in a fraction of a second).

A network that cannot be exported as one model (ClassSR: its router runs in Python between static graphs) stays on
MindSpore under auto; --backend onnxruntime refuses it.
"""
import glob
import hashlib
import importlib.util
import json
import os
import sys
import tempfile

import numpy as np

from src import environment, fileio, paths, tiling
from src.errors import UserError

BACKENDS = ("auto", "mindspore", "onnxruntime")
MINDSPORE, ONNXRUNTIME = "mindspore", "onnxruntime"
CACHE_FORMAT = 1  # bump when what is cached changes in a way the hashed sources below do not show
CACHE_FOLDER = "onnx"
EXPORT_SIDE = 48  # LR side of the static shape MindSpore exports at, before height and width are made dynamic
VERIFY_SHAPE = (29, 37)  # an odd LR size unlike EXPORT_SIDE: the check of the dynamic model against MindSpore
VERIFY_BOUND = 1e-4  # largest |ONNX Runtime - MindSpore| accepted on outputs in [0, 1] (float32 rounding: ~1e-6)
MAX_CACHED = 64  # models kept in the cache folder (the least recently used go): the shipped models and their mixes
# make 29 (four mixes per pair, robust.md), tests and trials many more; FSRCNN's take ~50 KB, FMEN-S's 1.3 MB
METADATA_KEY = "fsrcnn_mindspore"  # the ONNX model's metadata entry: what infer.py needs without MindSpore
_HASHED_SOURCES = ("src/backends.py", "src/checkpoint.py", "src/export.py")


class BackendUnavailable(Exception):
    """ONNX Runtime cannot run this network here (a package missing, a model that does not export): auto falls
    back to MindSpore with the reason, --backend onnxruntime reports it."""


# ---------------------------------------------------------------- choosing
def importable(name):
    return importlib.util.find_spec(name) is not None


def choose(cfg):
    """The backend asked for (cfg.backend), as it applies here: "onnxruntime" or "mindspore". A request that
    cannot hold (onnxruntime missing, a GPU) is a UserError; auto picks ONNX Runtime on CPU when it imports."""
    if cfg.backend not in BACKENDS:
        raise UserError(f"backend '{cfg.backend}' is not one of {', '.join(BACKENDS)}")
    if cfg.backend == MINDSPORE:
        return MINDSPORE
    if cfg.device_target != "CPU":
        if cfg.backend == ONNXRUNTIME:
            raise UserError(f"--backend onnxruntime runs on the CPU, not on device_target {cfg.device_target} "
                            f"(use --backend auto or mindspore there, or --device_target CPU)")
        return MINDSPORE
    if not importable("onnxruntime"):
        if cfg.backend == ONNXRUNTIME:
            raise UserError("--backend onnxruntime needs the onnxruntime package (pip install -r requirements.txt)")
        return MINDSPORE
    return ONNXRUNTIME


def session_options(ort, threads, spinning=True):
    """ONNX Runtime's settings measured fastest for these networks (benchmark.py uses them too). spinning=False:
    its threads sleep as soon as a run ends instead of spinning for the next, which leaves the cores to what follows
    (infer.py's colour stage: the pipeline ~10-20% faster on 2 cores, measured here)."""
    options = ort.SessionOptions()
    # 'extended', not 'all': the NCHWc layout pass of 'all' wraps FSRCNN's elementwise PReLU ops in layout
    # reorders and is slower here (python -m tools.profile_ops section 3; docs/performance.md).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    if not spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


# ---------------------------------------------------------------- the cache
def _network_sources(model):
    """The source files of network `model` (its module, or its package), found without importing it."""
    folder = os.path.join(paths.ROOT, "src", "models")
    package = os.path.join(folder, model)
    if os.path.isdir(package):
        return sorted(glob.glob(os.path.join(package, "*.py")))
    return [os.path.join(folder, f"{model}.py"), os.path.join(folder, "__init__.py")]


def _network_keys(cfg):
    """{key: value} of the network's own config keys (its architecture and options) in cfg."""
    from src import config
    return {key: getattr(cfg, key) for key in sorted(config.load_network_keys(cfg.model)[0])}


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def cache_key(cfg):
    """What the cached model depends on, hashed: the checkpoint's content (and, for a mix of two checkpoints'
    weights, cfg.mix = (the other checkpoint, its share), the other's content and the share), the model, scale and
    the network's keys, the source of the code that exports it, CACHE_FORMAT. A checkpoint that is missing or
    unreadable has no key (None): MindSpore's loading reports it."""
    mix = getattr(cfg, "mix", None)
    try:
        checkpoint_hash = _sha256(cfg.ckpt_file)
        mixed = {"checkpoint": _sha256(mix[0]), "share": mix[1]} if mix else None
    except OSError:
        return None
    sources = hashlib.sha256()
    for path in [os.path.join(paths.ROOT, p) for p in _HASHED_SOURCES] + _network_sources(cfg.model):
        try:
            with open(path, "rb") as f:
                sources.update(f.read())
        except OSError:
            sources.update(b"missing " + path.encode())
    fields = {"format": CACHE_FORMAT, "model": cfg.model, "scale": cfg.scale, "network": _network_keys(cfg),
              "checkpoint": checkpoint_hash, "mix": mixed, "code": sources.hexdigest()}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:24]


def _cache_stem(cfg):
    """The start of the cached models' names for one checkpoint file (or one mix of two): the names, and a hash of
    the real paths (and the share)."""
    mix = getattr(cfg, "mix", None)
    files = [cfg.ckpt_file] + ([mix[0]] if mix else [])
    where = "+".join(os.path.realpath(f) for f in files) + (f"@{mix[1]}" if mix else "")
    names = "+".join(os.path.splitext(os.path.basename(f))[0] for f in files)
    return f"{names}.{hashlib.sha256(where.encode()).hexdigest()[:8]}."


def cache_path(cfg, key):
    return os.path.join(paths.cache_dir(), CACHE_FOLDER, f"{_cache_stem(cfg)}{key}.onnx")


def _remove_stale(path):
    """Remove the models cached for the same checkpoint file under other keys (an older content or exporter), and
    the least recently used beyond MAX_CACHED (checkpoints that are gone leave theirs behind)."""
    folder, name = os.path.split(path)
    stem = name[:name.rindex(".", 0, len(name) - len(".onnx")) + 1]
    for other in glob.glob(os.path.join(glob.escape(folder), glob.escape(stem) + "*.onnx")):
        if other != path:
            fileio.remove_quietly(other)
    models = []
    for other in glob.glob(os.path.join(glob.escape(folder), "*.onnx")):
        try:
            models.append((os.stat(other).st_mtime, other))
        except OSError:
            pass
    for _, other in sorted(models, reverse=True)[MAX_CACHED:]:
        if other != path:
            fileio.remove_quietly(other)


# ---------------------------------------------------------------- running
class OnnxNetwork:
    """An ONNX Runtime session as the upscaler's predict: an HxW plane or HxWxC image (float32 in [0, 1]) to its
    float32 upscaled output in the same layout (src/inference.py forward, without MindSpore)."""

    def __init__(self, model, threads):
        import onnxruntime as ort
        self.session = ort.InferenceSession(model, session_options(ort, threads, spinning=False),
                                            providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        self.output = self.session.get_outputs()[0].name
        self.metadata = json.loads(self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY, "{}"))

    def __call__(self, image):
        # inference.to_nchw / from_nchw, which import MindSpore with their module
        batch = image[None, None] if image.ndim == 2 else image.transpose(2, 0, 1)[None]
        out = self.session.run([self.output], {self.input: np.ascontiguousarray(batch, dtype=np.float32)})[0]
        return out[0, 0] if image.ndim == 2 else out[0].transpose(1, 2, 0)


def load_cached(cfg):
    """(OnnxNetwork, path) of the model cached for cfg, or (None, key) when there is none yet (or it is
    unreadable: then it is rebuilt). Imports neither MindSpore nor onnx."""
    key = cache_key(cfg)
    if key is None:
        return None, None
    path = cache_path(cfg, key)
    if not os.path.isfile(path):
        return None, key
    try:
        network = OnnxNetwork(path, environment.cpu_threads(cfg.threads))
    except UserError:
        raise
    except Exception:  # noqa: BLE001 - a truncated or foreign file: rebuilt
        return None, key
    if network.metadata.get("key") != key:
        return None, key
    try:
        os.utime(path)  # recently used: kept when the cache is pruned
    except OSError:
        pass
    return network, path


def build(cfg, spec, net, key):
    """Export `net` (the checkpoint's network, as trained; MindSpore loaded) to ONNX, make it dynamic, check it
    against MindSpore, cache it; returns (OnnxNetwork, where it is cached, or a note why it is not).
    BackendUnavailable when it cannot be done here."""
    if spec.not_exportable:
        raise BackendUnavailable(f"{spec.title} cannot be exported as one model: {spec.not_exportable}")
    if not importable("onnx"):
        raise BackendUnavailable("building the ONNX model needs the onnx package (pip install -r requirements.txt)")
    import onnx
    from src import export
    served = spec.inference_form(net)
    with tempfile.TemporaryDirectory() as folder:
        target = export.Target("ONNX", os.path.join(folder, "model.onnx"), (1, spec.channels, EXPORT_SIDE,
                                                                            EXPORT_SIDE))
        try:
            export.export(served, target)
        except (UserError, RuntimeError, ValueError) as err:
            raise BackendUnavailable(f"the ONNX export failed ({str(err).splitlines()[0]})") from None
        model = onnx.load(target.path)
    make_dynamic(model)
    simplify_prelu(model)
    halo, bytes_per_pixel = tiling.network_needs(spec, net)
    metadata = {"key": key, "scale": spec.cfg.scale, "colour": spec.colour, "title": spec.title,
                "describe": spec.describe(), "halo": halo, "bytes_per_pixel": bytes_per_pixel}
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(metadata)
    data = model.SerializeToString()
    try:
        network = OnnxNetwork(data, environment.cpu_threads(cfg.threads))
    except Exception as err:  # noqa: BLE001 - ONNX Runtime refusing the model
        raise BackendUnavailable(f"ONNX Runtime refuses the exported model ({str(err).splitlines()[0]})") from None
    _verify(network, served, spec.channels)
    path = cache_path(cfg, key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fileio.write_bytes(path, data)
    except OSError as err:
        return network, f"not cached: cannot write {path} ({err.strerror or err})"
    _remove_stale(path)
    return network, path


def verification_image(channels):
    """The image ONNX Runtime and MindSpore are compared on: VERIFY_SHAPE of smooth gradients with a little seeded
    noise, as photos look to a network (on pure noise FMEN's x2/x3 outputs reach +-200 and float32 rounding with
    them)."""
    h, w = VERIFY_SHAPE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    planes = [0.5 + 0.35 * np.sin(xx / 4 + k) * np.cos(yy / 5 - k) for k in range(channels)]
    image = np.stack(planes, -1) + np.random.default_rng(0).normal(0, 0.03, (h, w, channels))
    image = np.clip(image, 0, 1).astype(np.float32)
    return image[..., 0] if channels == 1 else image


def _verify(network, served, channels):
    """ONNX Runtime against MindSpore on verification_image: the dynamic model must be the network (to float32
    rounding, relative to the output's range)."""
    from src import inference
    image = verification_image(channels)
    try:
        ours = network(image)
    except Exception as err:  # noqa: BLE001 - a shape the dynamic model cannot take
        raise BackendUnavailable(f"the ONNX model does not run at other sizes ({str(err).splitlines()[0]})") from None
    reference = inference.forward(served, image)
    bound = VERIFY_BOUND * max(1.0, float(np.abs(reference).max()))
    diff = float(np.abs(ours - reference).max()) if ours.shape == reference.shape else float("inf")
    if not diff <= bound:
        raise BackendUnavailable(f"ONNX Runtime differs from MindSpore by {diff:.2g} (more than {bound:.2g})")


# ---------------------------------------------------------------- the exported graph made dynamic
def _constants(graph):
    """{name: numpy array} of the graph's initializers and Constant nodes."""
    from onnx import numpy_helper
    values = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    values[node.output[0]] = numpy_helper.to_array(attr.t)
    return values


def simplify_prelu(model):
    """MindSpore's static-shape PReLU, relu(x) - w * relu(-x) (five element-wise passes: Relu, Neg, Relu, Mul, Sub;
    src/models/fsrcnn.py PReLU), as max(x, w * x) (two passes): ~25% off FSRCNN's time in ONNX Runtime (its Where
    and PRelu kernels are slower than the five passes). Returns the model and the number of PReLUs rewritten.

    max(x, w * x) is the PReLU of a channel whose slope w is at most 1, bit for bit (x > 0: x - w * 0 = x >= w * x;
    x < 0: 0 - w * (-x) = w * x >= x). A channel of slope above 1 has min(x, w * x) instead, which is
    -max(-x, w * (-x)): its sign is folded into the convolution that makes x (weights and bias times -1) and into
    the input channel of the convolutions that read the PReLU (times -1 again); negation is exact in floating
    point, so the outputs stay the same bit for bit. A PReLU whose neighbours are not such convolutions, with a
    slope above 1, is left as it is."""
    from onnx import helper, numpy_helper
    graph = model.graph
    made_by = {out: node for node in graph.node for out in node.output}
    initializers = {init.name: init for init in graph.initializer}
    readers = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    rewritten = []
    for sub in [n for n in graph.node if n.op_type == "Sub"]:
        pattern = _prelu_pattern(sub, made_by, readers, initializers)
        if pattern is None:
            continue
        x, slope, old = pattern
        flips = slope > 1
        if flips.any() and not _fold_signs(made_by.get(x), sub.output[0], flips, initializers, readers):
            continue
        name = sub.output[0]  # flipped channels: max(-x, w * (-x)) = -min(x, w * x), negated again by the readers
        graph.initializer.append(numpy_helper.from_array(slope.reshape(-1, 1, 1), f"{name}_slope"))
        scaled = helper.make_node("Mul", [x, f"{name}_slope"], [f"{name}_scaled"], name=f"{name}_mul")
        largest = helper.make_node("Max", [x, f"{name}_scaled"], [name], name=f"{name}_max")
        rewritten.append((old, (scaled, largest)))
    for old, new in rewritten:
        at = min(list(graph.node).index(node) for node in old)
        for node in old:
            graph.node.remove(node)
        for offset, node in enumerate(new):
            graph.node.insert(at + offset, node)
    _drop_unused(graph)
    return model, len(rewritten)


def _prelu_pattern(sub, made_by, readers, initializers):
    """(x, slopes, the six nodes) when `sub` ends Sub(Relu(x), Mul(Reshape(w), Relu(Neg(x)))) and nothing else
    reads the values in between; else None."""
    from onnx import numpy_helper
    positive, product = (made_by.get(name) for name in sub.input)
    if positive is None or product is None or positive.op_type != "Relu" or product.op_type != "Mul":
        return None
    x = positive.input[0]
    parts = [made_by.get(name) for name in product.input]
    if None in parts or sorted(p.op_type for p in parts) != ["Relu", "Reshape"]:
        return None
    negative, reshape = sorted(parts, key=lambda p: p.op_type)
    neg = made_by.get(negative.input[0])
    if neg is None or neg.op_type != "Neg" or neg.input[0] != x or reshape.input[0] not in initializers:
        return None
    old = (positive, neg, negative, reshape, product, sub)
    if any(len(readers.get(node.output[0], [])) != 1 for node in old[:-1]):
        return None  # a value in between is read elsewhere too: it must stay
    slope = numpy_helper.to_array(initializers[reshape.input[0]]).astype(np.float32)
    return (x, slope, old) if slope.ndim == 1 else None


def _fold_signs(producer, output, flips, initializers, readers):
    """Negate the output channels `flips` of the Conv `producer` and the same input channels of every reader of
    `output` (the PReLU's): each must be a Conv or ConvTranspose reading it as its data, with weights of its own,
    in one group. False, and nothing changed, when that does not hold."""
    from onnx import numpy_helper

    def own_weights(node):
        return all(name in initializers and len(readers.get(name, [])) == 1 for name in node.input[1:])

    consumers = readers.get(output, [])
    if producer is None or producer.op_type != "Conv" or not own_weights(producer) or not consumers:
        return False
    for node in consumers:
        groups = [a.i for a in node.attribute if a.name == "group"]
        if node.op_type not in ("Conv", "ConvTranspose") or list(node.input).count(output) != 1 or \
                node.input[0] != output or \
                groups not in ([], [1]) or not own_weights(node):
            return False
    sign = np.where(flips, -1.0, 1.0).astype(np.float32)

    def scale(name, axis):
        value = numpy_helper.to_array(initializers[name])
        shape = [1] * value.ndim
        shape[axis] = -1
        initializers[name].CopyFrom(numpy_helper.from_array(value * sign.reshape(shape), name))

    for name in producer.input[1:]:  # weights (C_out, ...) and bias (C_out,)
        scale(name, 0)
    for node in consumers:  # Conv weights (C_out, C_in, ...), ConvTranspose weights (C_in, C_out, ...)
        scale(node.input[1], 1 if node.op_type == "Conv" else 0)
    return True


def _drop_unused(graph):
    """Remove Constant nodes and initializers nothing reads any more."""
    used = {name for node in graph.node for name in node.input} | {out.name for out in graph.output}
    for node in [n for n in graph.node if n.op_type == "Constant" and n.output[0] not in used]:
        graph.node.remove(node)
    for init in [i for i in graph.initializer if i.name not in used]:
        graph.initializer.remove(init)


def make_dynamic(model):
    """Give the model exported at one static shape a dynamic batch, height and width; returns it.

    The inputs' and outputs' N, H, W become named dimensions and the inferred shapes are dropped. A pixel shuffle,
    which MindSpore writes as Reshape (N, C, r, r, H, W) -> Transpose (0, 1, 4, 2, 5, 3) -> Reshape (N, C, rH, rW)
    with the export's sizes, becomes DepthToSpace(r, CRD), the same permutation for any size. Anything else that
    still holds a size (none in FSRCNN or FMEN) shows in the check against MindSpore at another size (build)."""
    from onnx import helper
    graph = model.graph
    for value, names in ((graph.input[0], ("N", None, "H", "W")), (graph.output[0], ("N", None, "OH", "OW"))):
        for dim, name in zip(value.type.tensor_type.shape.dim, names):
            if name:
                dim.ClearField("dim_value")
                dim.dim_param = name
    del graph.value_info[:]
    constants = _constants(graph)
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    replaced = []
    for node in graph.node:
        shape = constants.get(node.input[1]) if node.op_type == "Reshape" and len(node.input) > 1 else None
        if shape is None or shape.size != 6 or shape[2] != shape[3]:
            continue
        follow = consumers.get(node.output[0], [])
        if len(follow) != 1 or follow[0].op_type != "Transpose":
            continue
        transpose = follow[0]
        perm = [list(a.ints) for a in transpose.attribute if a.name == "perm"]
        last = consumers.get(transpose.output[0], [])
        if perm != [[0, 1, 4, 2, 5, 3]] or len(last) != 1 or last[0].op_type != "Reshape":
            continue
        shuffle = helper.make_node("DepthToSpace", [node.input[0]], [last[0].output[0]], mode="CRD",
                                   blocksize=int(shape[2]), name=f"{node.name or 'pixel_shuffle'}_dynamic")
        replaced.append(((node, transpose, last[0]), shuffle))
    for old, new in replaced:
        at = list(graph.node).index(old[0])
        for node in old:
            graph.node.remove(node)
        graph.node.insert(at, new)
    _drop_unused(graph)
    return model


def note(message):
    print(f"note: {message}", file=sys.stderr)

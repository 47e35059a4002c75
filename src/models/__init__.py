"""The networks, one module (or package) each, behind `--model`: a registry of NetworkSpec subclasses.

A module of this package registers its spec with `@register` under the module's own name, and declares its config
keys in `<name>.yaml` beside it (config_file). Every module here is imported on first use, so adding a network is
adding one module and its yaml (and its configs under configs/). The rest of the toolkit (training, evaluation,
export, serving, the benchmark) asks the spec, never the model name. This package is the ground floor: it imports
nothing of training, evaluation, serving or benchmarking.
"""
import importlib
import os
import pkgutil
import sys

from src import protocol
from src.errors import UserError

_REGISTRY = {}


class NetworkSpec:
    """What every part of the toolkit needs to know about one network, for one configuration (`cfg`).

    A network implements build() and param_groups(); loss(), inference_form() and the validation hooks have the
    defaults most networks want. What only some networks support is a capability mixin beside this class
    (Transferable, Tileable, Benchmarkable): tools ask isinstance(spec, ...) and do without it otherwise.
    The network's own config keys (its architecture and options) live in the yaml beside its module
    (config_file()), not in the shared defaults.
    """

    name = ""            # the --model value, recorded in checkpoints
    title = ""           # how tables and messages name it
    arch_keys = ()       # config keys that fix the architecture besides `scale`, recorded in checkpoints
    scales = (2, 3, 4)
    colour = "y"         # "y": one luma channel (MATLAB rgb2ycbcr); "rgb": three channels
    lr_uint8 = False     # the LR input rounded to 8 bits, as the network was trained (protocol.ImageMode)
    loss_terms = ("loss",)  # names of the loss outputs; several: the loss cell returns (total, term, ...)
    not_exportable = ""  # why export.py refuses this network, if it does
    select_on_psnr = True  # best.ckpt: the epoch of highest validation PSNR (False: the last epoch)

    def __init__(self, cfg):
        self.cfg = cfg
        if cfg.scale not in self.scales:
            raise UserError(f"scale {cfg.scale} is not supported by {self.name} "
                            f"(choose {', '.join(map(str, self.scales))})")

    @property
    def image_mode(self):
        """How this network's images are read and degraded (src/protocol.py ImageMode)."""
        return protocol.ImageMode(self.colour, self.lr_uint8)

    @property
    def channels(self):
        return 3 if self.colour == "rgb" else 1

    def arch(self):
        """{key: value} of the architecture, as checkpoints record it."""
        return {"model": self.name, "scale": self.cfg.scale, **{k: getattr(self.cfg, k) for k in self.arch_keys}}

    def inference_arch(self):
        """arch() of inference_form(net): what a checkpoint of the served network records (export.py CKPT)."""
        return self.arch()

    def describe(self, arch=None):
        """The network as messages name it, e.g. FSRCNN(d=56, s=12, m=4) x3 (of `arch`, default arch())."""
        arch = arch or self.arch()
        keys = ", ".join(f"{k}={arch[k]}" for k in self.arch_keys)
        return f"{self.title}({keys}) x{arch['scale']}"

    def build(self):
        """The network in its training form."""
        raise NotImplementedError

    def part_checkpoints(self, net):
        """[(checkpoint path, sub-cell of `net`, spec of that part, parameter-name prefix in `net`)]: the parts a
        fresh `net` loads from checkpoints of other networks before training (init_ckpt comes after)."""
        return []

    def param_groups(self, net):
        """[(group name, parameters, base learning rate)]: what the optimizer trains, each group at its own rate.
        Parameters left out are frozen."""
        raise NotImplementedError

    def loss(self, lr_patch):
        """The training loss Cell(output, target), for LR patches of lr_patch x lr_patch (default: MSE, or on the
        patch centre with loss_border)."""
        from src import losses  # here: it loads MindSpore, which --help and the registry's listing do without
        return losses.pixel_mse(self.cfg, lr_patch)

    def inference_form(self, net):
        """The network exported and served (same outputs as `net`, perhaps a faster structure)."""
        return net

    def validation_form(self, net):
        """What validation scores each epoch (a network, or a callable like one)."""
        return net

    def validation_columns(self):
        """Names of the figures validation_report() adds to each epoch's log row."""
        return ()

    def validation_report(self, validated):
        """{column: value} of one validation pass of validation_form(net), beyond its PSNR."""
        return {}


class Transferable:
    """A network whose training can start from another scale's checkpoint (train.py --init_convs_only)."""

    def transfer_parameters(self, net):
        """The parameters taken from the other checkpoint (the scale-independent layers); the rest is initialised
        by reset_for_transfer()."""
        raise NotImplementedError

    def reset_for_transfer(self, net, source):
        """Initialise what transfer_parameters() leaves out; `source` holds the parameters of the checkpoint
        transferred from, for networks that derive the new layers from it."""
        raise NotImplementedError


class Tileable:
    """A network whose output pixels depend on a bounded neighbourhood, so large images run in exact tiles
    (src/tiling.py); without it infer.py runs whole images."""

    def receptive_radius(self, net):
        """LR pixels around an output pixel's own that it depends on: the halo of exact tiles."""
        raise NotImplementedError

    def forward_bytes_per_pixel(self, net):
        """Memory one forward pass needs per LR input pixel: what sizes the tiles for a memory budget."""
        raise NotImplementedError


class Benchmarkable:
    """A network benchmark.py times (src/benchmark.py owns the workloads and the timing)."""

    bench_workload = "set5+single"  # src/benchmark.py WORKLOADS: Set5 batches and one 256x256 image
    torch_reference_modes = ("infer", "train")  # what the PyTorch reference (--torch_reference) can time of it

    def macs_per_lr_pixel(self):
        """Multiply-adds executed per LR input pixel (the one place cost is computed)."""
        raise NotImplementedError

    def torch_reference_args(self):
        """The options of the PyTorch reference script that select the same network (benchmark.py
        --compare_torch)."""
        raise NotImplementedError

    def extra_bench_paths(self):
        """{name: fn(net, x, settings) -> (median ms, output[, multiply-adds])}: timing paths of this network's own,
        beside src/benchmark.py PATHS (settings.time(run) times a call)."""
        return {}


def register(spec):
    """Class decorator: make `spec` selectable as --model spec.name (the name of its module)."""
    module = spec.__module__.rsplit(".", 1)[-1]
    if spec.name != module:
        raise ValueError(f"{spec.__name__}.name is '{spec.name}' but its module is {module}.py: they must match")
    _REGISTRY[spec.name] = spec
    return spec


def config_file(name):
    """The yaml of network `name`'s own config keys: `<name>.yaml` beside its module, or inside its package (a
    network registered from elsewhere: beside the module that registered it)."""
    if name in _REGISTRY:
        module = sys.modules[_REGISTRY[name].__module__]
        folder = os.path.dirname(os.path.abspath(module.__file__))
    else:
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
        if not os.path.isdir(folder):
            folder = os.path.dirname(folder)
    return os.path.join(folder, f"{name}.yaml")


def module_names():
    """The --model values, without importing the networks (and MindSpore with them): for --help. Networks
    registered from modules elsewhere (already imported) are listed too."""
    return sorted(set(_package_modules()) | set(_REGISTRY))


def _package_modules():
    return [module.name for module in pkgutil.iter_modules(__path__)]


def _import_all():
    for name in _package_modules():
        importlib.import_module(f"{__name__}.{name}")


def names():
    _import_all()
    return sorted(_REGISTRY)


def spec_class(name):
    _import_all()
    if name not in _REGISTRY:
        raise UserError(f"model '{name}' is not one of {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def spec_for(cfg):
    """The NetworkSpec of cfg.model for this configuration."""
    return spec_class(cfg.model)(cfg)

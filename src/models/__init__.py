"""The networks, one module each, behind `--model`: a registry of NetworkSpec subclasses.

A module of this package registers its spec with `@register` under the module's own name; every module here is
imported on first use, so adding a network is adding one file (and its configs). The rest of the toolkit (training, checkpoints, evaluation,
export, serving, the benchmark) asks the spec, never the model name.
"""
import importlib
import pkgutil

from src.errors import UserError

_REGISTRY = {}


class NetworkSpec:
    """What the toolkit needs to know about one network, for one configuration (`cfg`).

    Subclasses set the class attributes and implement every method that raises NotImplementedError here; loss()
    and inference_form() have the defaults most networks want.
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
        from src import protocol
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

    def prepare_for_training(self, net):
        """Whatever a fresh `net` takes from elsewhere before training (init_ckpt comes after)."""

    def param_groups(self, net):
        """[(group name, parameters, base learning rate)]: what the optimizer trains, each group at its own rate.
        Parameters left out are frozen."""
        raise NotImplementedError

    def loss(self, lr_patch):
        """The training loss Cell(output, target), for LR patches of lr_patch x lr_patch (default: MSE, or on the
        patch centre with loss_border)."""
        from src import losses
        return losses.pixel_mse(self.cfg, lr_patch)

    def transfer_parameters(self, net):
        """The parameters `init_convs_only` takes from another checkpoint (the scale-independent layers); the rest
        is re-initialised by reset_for_transfer()."""
        raise NotImplementedError

    def reset_for_transfer(self, net, source):
        """Initialise what transfer_parameters() leaves out; `source` holds the parameters of the checkpoint
        transferred from (another scale's), for networks that derive the new layers from it."""
        raise NotImplementedError

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

    def macs_per_lr_pixel(self):
        """Multiply-adds executed per LR input pixel (the one place cost is computed)."""
        raise NotImplementedError

    torch_reference_modes = ("infer", "train")  # what ../shared/bench/torch_reference.py can time of it

    def torch_reference_args(self):
        """The options of ../shared/bench/torch_reference.py that select the same network (benchmark.py
        --compare_torch)."""
        raise NotImplementedError

    def bench_workloads(self, cfg):
        """What benchmark.py times: Set5 batches and one 256x256 image (src/benchmark.py)."""
        from src import benchmark
        return [benchmark.set5_workload(cfg.data_dir, cfg.scale, cfg.bench_batch, self.image_mode),
                benchmark.single_workload(cfg.scale, self.channels)]

    def receptive_radius(self, net):
        """LR pixels around an output pixel's own that it depends on: the halo of exact tiles (src/tiling.py)."""
        raise NotImplementedError

    def forward_bytes_per_pixel(self, net):
        """Memory one forward pass needs per LR input pixel: what sizes the tiles for a memory budget."""
        raise NotImplementedError


def register(spec):
    """Class decorator: make `spec` selectable as --model spec.name (the name of its module)."""
    module = spec.__module__.rsplit(".", 1)[-1]
    if spec.name != module:
        raise ValueError(f"{spec.__name__}.name is '{spec.name}' but its module is {module}.py: they must match")
    _REGISTRY[spec.name] = spec
    return spec


def module_names():
    """The --model values, without importing the networks (and MindSpore with them): for --help."""
    return sorted(module.name for module in pkgutil.iter_modules(__path__))


def _import_all():
    for name in module_names():
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

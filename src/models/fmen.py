"""FMEN-S of Du et al. (CVPRW 2022, NTIRE 2022 efficient SR), docs/protocol.md section 7, and its spec (`--model fmen`).

Two forms of one network:
- training form (`form: training`): every 3x3 conv of an ERB is an RRRB (1x1 expand, 3x3 with an identity, 1x1
  reduce, outer identity), and each HFAB has three BatchNorms. The expanded map and the BN outputs are padded with
  the value a zero input would give them (the expand bias, BN(0)), which makes the merge exact at image borders.
- inference form (`form: inference`): plain 3x3 convs, what the authors release and what is exported and served.
`reparameterize` turns the first into the second (same outputs in eval mode, to float rounding).
Parameter names of the inference form are those of the authors' state_dict, so their weights load by name.

Like every network here, the Cell reads RGB in [0, 1] and returns RGB in [0, 1]; inside it works in 0..255
(rgb_range, the released model's convention: no mean shift), so the released weights run unchanged.
"""
import numpy as np
from mindspore import Tensor, nn, ops

from src.errors import UserError
from src.models import Benchmarkable, NetworkSpec, Tileable, Transferable, register

SCALES = (2, 3, 4)
LRELU_SLOPE = 0.1
RGB_RANGE = 255.0
FORMS = ("training", "inference")
# HFAB widths: the warm-up HFAB is 4 narrower and holds 2 ERBs; the others hold one (the authors' FMEN-S).
WARMUP_MID_NARROWING = 4
UP_BLOCKS = (2, 1, 1, 1, 1)
EXPAND_RATIO = 2
# Measured on MindSpore 2.10 CPU (dynamic shape, inference form, x4): a forward pass grows the process by 2.67 KB
# per LR pixel at 400x400 LR and 3.25 KB at 256x256 (213 MB, python -m tools.cost_table), about eleven to fourteen
# float32 maps of 50 channels plus the tail's output and its shuffle; fifteen are budgeted.
FLOAT_MAPS_ALIVE = 15


def _conv(in_ch, out_ch, kernel, padding):
    return nn.Conv2d(in_ch, out_ch, kernel, pad_mode="pad", padding=padding, has_bias=True)


def _pad_with(x, values):
    """Pad a (N, C, H, W) map by one pixel on each side, with values[c] on the border of channel c. Built by
    concatenation: with ops.pad, MindSpore 2.10 CPU training hung after a few steps (docs/fmen.md)."""
    v = values.reshape(1, -1, 1, 1)
    column = ops.zeros_like(x[:, :, :, :1]) + v
    x = ops.concat((column, x, column), axis=3)
    row = ops.zeros_like(x[:, :, :1, :]) + v
    return ops.concat((row, x, row), axis=2)


def _bn_of_zero(bn):
    """What an eval-mode BatchNorm2d gives for a zero input: beta - mean * gamma / sqrt(var + eps)."""
    return bn.beta - bn.moving_mean * bn.gamma / ops.sqrt(bn.moving_variance + bn.eps)


class RepConv(nn.Cell):
    """A plain 3x3 conv under the name `rep_conv` (the inference form of an RRRB, named as the released weights)."""

    def __init__(self, channels):
        super().__init__()
        self.rep_conv = _conv(channels, channels, 3, 1)

    def construct(self, x):
        return self.rep_conv(x)


class RRRB(nn.Cell):
    """Residual-in-residual re-parameterisable block: reduce(fea(pad(expand(x))) + expand(x)) + x."""

    def __init__(self, channels, ratio=EXPAND_RATIO):
        super().__init__()
        self.expand_conv = _conv(channels, ratio * channels, 1, 0)
        self.fea_conv = _conv(ratio * channels, ratio * channels, 3, 0)
        self.reduce_conv = _conv(ratio * channels, channels, 1, 0)

    def construct(self, x):
        expanded = self.expand_conv(x)
        out = self.fea_conv(_pad_with(expanded, self.expand_conv.bias)) + expanded
        return self.reduce_conv(out) + x

    def merged(self):
        """(weight (C, C, 3, 3), bias (C,)) of the one 3x3 conv (zero padding) with the same outputs, float64."""
        return _compose(*_numpy(self.expand_conv), *_numpy(self.fea_conv), *_numpy(self.reduce_conv))


def _compose(k0, b0, k1, b1, k2, b2):
    """1x1 (k0, b0) -> 3x3 (k1, b1; the expanded map padded with b0) -> 1x1 (k2, b2), plus the outer identity, as
    one 3x3 conv over the zero-padded input."""
    k1 = k1.copy()
    k1[:, :, 1, 1] += np.eye(k1.shape[0])  # the inner identity: the centre tap
    weight = np.einsum("cm,mnhw,ni->cihw", k2[:, :, 0, 0], k1, k0[:, :, 0, 0])
    bias = k2[:, :, 0, 0] @ (b1 + k1.sum(axis=(2, 3)) @ b0) + b2
    weight[:, :, 1, 1] += np.eye(weight.shape[0])
    return weight, bias


def _numpy(conv):
    return conv.weight.asnumpy().astype(np.float64), conv.bias.asnumpy().astype(np.float64)


class ERB(nn.Cell):
    """Enhanced residual block: conv1 -> LeakyReLU -> conv2, each an RRRB (training) or a plain conv (inference)."""

    def __init__(self, channels, training_form):
        super().__init__()
        block = RRRB if training_form else RepConv
        self.conv1, self.conv2 = block(channels), block(channels)
        self.act = nn.LeakyReLU(LRELU_SLOPE)

    def construct(self, x):
        return self.conv2(self.act(self.conv1(x)))


class HFAB(nn.Cell):
    """High-frequency attention block: x * sigmoid(excitate(act(ERBs(act(squeeze(x)))))); in the training form with
    BatchNorms before squeeze, before excitate and after it (each padding with its BN(0))."""

    def __init__(self, channels, mid, up_blocks, training_form):
        super().__init__()
        self.training_form = training_form
        padding = 0 if training_form else 1
        self.squeeze = _conv(channels, mid, 3, padding)
        self.convs = nn.SequentialCell([ERB(mid, training_form) for _ in range(up_blocks)])
        self.excitate = _conv(mid, channels, 3, padding)
        self.act = nn.LeakyReLU(LRELU_SLOPE)
        if training_form:
            self.bn1, self.bn2, self.bn3 = nn.BatchNorm2d(channels), nn.BatchNorm2d(mid), nn.BatchNorm2d(channels)

    def construct(self, x):
        if self.training_form:
            out = self.act(self.squeeze(_pad_with(self.bn1(x), _bn_of_zero(self.bn1))))
            out = self.act(self.convs(out))
            out = self.bn3(self.excitate(_pad_with(self.bn2(out), _bn_of_zero(self.bn2))))
        else:
            out = self.excitate(self.act(self.convs(self.act(self.squeeze(x)))))
        return ops.sigmoid(out) * x


class FMEN(nn.Cell):
    """FMEN: head conv, warm-up conv + HFAB, blocks x [ERB -> HFAB], conv, global residual to the head, tail conv
    to 3 * scale^2 channels + pixel shuffle. Input (N, 3, H, W) RGB in [0, 1]; output (N, 3, scale*H, scale*W)."""

    def __init__(self, scale, channels=50, mid=16, blocks=4, form="training"):
        super().__init__()
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, got {scale}")
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {form}")
        self.scale, self.channels, self.mid, self.blocks, self.form = scale, channels, mid, blocks, form
        training_form = form == "training"
        self.head = _conv(3, channels, 3, 1)
        self.warmup = nn.SequentialCell([
            _conv(channels, channels, 3, 1),
            HFAB(channels, mid - WARMUP_MID_NARROWING, UP_BLOCKS[0], training_form)])
        self.ERBs = nn.CellList([ERB(channels, training_form) for _ in range(blocks)])
        self.HFABs = nn.CellList([HFAB(channels, mid, UP_BLOCKS[1], training_form) for _ in range(blocks)])
        self.lr_conv = _conv(channels, channels, 3, 1)
        self.tail = nn.SequentialCell([_conv(channels, 3 * scale * scale, 3, 1), nn.PixelShuffle(scale)])

    def construct(self, x):
        x = self.head(x * RGB_RANGE)
        h = self.warmup(x)
        for erb, hfab in zip(self.ERBs, self.HFABs):
            h = hfab(erb(h))
        return self.tail(self.lr_conv(h) + x) / RGB_RANGE

    def tail_parameters(self):
        return list(self.tail.trainable_params())

    def body_parameters(self):
        tail = {id(p) for p in self.tail_parameters()}
        return [p for p in self.trainable_params() if id(p) not in tail]


def _bn_affine(bn):
    """(scale, shift) of an eval-mode BatchNorm2d, float64: y = scale * x + shift per channel."""
    gamma, beta = bn.gamma.asnumpy().astype(np.float64), bn.beta.asnumpy().astype(np.float64)
    mean, var = bn.moving_mean.asnumpy().astype(np.float64), bn.moving_variance.asnumpy().astype(np.float64)
    scale = gamma / np.sqrt(var + bn.eps)
    return scale, beta - mean * scale


def _fold_bn_before(weight, bias, bn):
    """conv(BN(x) padded with BN(0)) as one conv over zero-padded x."""
    scale, shift = _bn_affine(bn)
    return weight * scale[None, :, None, None], bias + weight.sum(axis=(2, 3)) @ shift


def _fold_bn_after(weight, bias, bn):
    """BN(conv(x)) as one conv."""
    scale, shift = _bn_affine(bn)
    return weight * scale[:, None, None, None], bias * scale + shift


def reparameterize(net):
    """The inference form of a training-form FMEN: RRRBs merged into 3x3 convs, BatchNorms (their moving
    statistics, i.e. eval mode) folded into squeeze and excitate. Outputs equal net's in eval mode."""
    plain = FMEN(net.scale, net.channels, net.mid, net.blocks, form="inference")
    merged = {}
    for name, cell in net.cells_and_names():
        if isinstance(cell, RRRB):
            merged[f"{name}.rep_conv"] = cell.merged()
        elif isinstance(cell, HFAB):
            merged[f"{name}.squeeze"] = _fold_bn_before(*_numpy(cell.squeeze), cell.bn1)
            merged[f"{name}.excitate"] = _fold_bn_after(*_fold_bn_before(*_numpy(cell.excitate), cell.bn2), cell.bn3)
    trained = dict(net.cells_and_names())
    for name, cell in plain.cells_and_names():
        if isinstance(cell, nn.Conv2d):
            weight, bias = merged[name] if name in merged else _numpy(trained[name])
            cell.weight.set_data(Tensor(weight.astype(np.float32)))
            cell.bias.set_data(Tensor(bias.astype(np.float32)))
    return plain


def count_macs_per_lr_pixel(scale, channels=50, mid=16, blocks=4):
    """Multiply-adds per LR pixel of the inference form (what is served): 9 * in * out for each 3x3 conv.
    22.28 G at 256x256 x4 for FMEN-S, the figure of the paper and the NTIRE report (docs/protocol.md section 7)."""
    def hfab(width, up_blocks):
        return 9 * (2 * channels * width + up_blocks * 2 * width * width)
    convs = 9 * (3 * channels + channels * channels + blocks * 2 * channels * channels + channels * channels
                 + channels * 3 * scale * scale)
    return convs + hfab(mid - WARMUP_MID_NARROWING, UP_BLOCKS[0]) + blocks * hfab(mid, UP_BLOCKS[1])


def receptive_radius(net):
    """LR pixels around an output pixel's own that it depends on: every conv of FMEN lies on one chain (the HFAB
    branches run beside an identity), so the radius is the sum of the kernel radii, 34 for FMEN-S."""
    return sum(cell.kernel_size[0] // 2 for _, cell in net.cells_and_names() if isinstance(cell, nn.Conv2d))


def phase_map(source_scale, scale):
    """(scale, source_scale) weights: each sub-pixel phase of `scale` averages the phases of `source_scale` whose
    centres ((q + 0.5) / n along an axis) lie nearest its own (x4 -> x2: phases 0,1 -> 0 and 2,3 -> 1)."""
    source = (np.arange(source_scale) + 0.5) / source_scale
    weights = np.zeros((scale, source_scale))
    for r, centre in enumerate((np.arange(scale) + 0.5) / scale):
        distance = np.abs(source - centre)
        nearest = np.isclose(distance, distance.min())
        weights[r, nearest] = 1.0 / nearest.sum()
    return weights


def resampled_tail(weight, bias, scale):
    """A tail conv (3 * n0^2 outputs, pixel-shuffle order c, ry, rx) for another scale: every new phase of every
    colour the mean of the source phases nearest it (phase_map), so the transferred network starts close to a
    nearest-phase upscaling of the source's output instead of from noise."""
    source_scale = int(round(np.sqrt(weight.shape[0] / 3)))
    m = phase_map(source_scale, scale)
    w = weight.reshape(3, source_scale, source_scale, -1)
    new_w = np.einsum("rq,pt,cqtk->crpk", m, m, w).reshape((3 * scale * scale,) + weight.shape[1:])
    new_b = np.einsum("rq,pt,cqt->crp", m, m, bias.reshape(3, source_scale, source_scale)).reshape(-1)
    return new_w.astype(np.float32), new_b.astype(np.float32)


@register
class FMENSpec(NetworkSpec, Transferable, Tileable, Benchmarkable):
    """RGB; trained with L1 (the authors' EDSR framework), one learning rate; x2/x3 by transfer of the body."""

    name = "fmen"
    title = "FMEN"
    arch_keys = ("n_feats", "mid_feats", "down_blocks", "form")
    scales = SCALES
    colour = "rgb"
    lr_uint8 = True

    def __init__(self, cfg):
        super().__init__(cfg)
        if cfg.form not in FORMS:
            raise UserError(f"form '{cfg.form}' is not one of {', '.join(FORMS)}")

    def build(self):
        cfg = self.cfg
        return FMEN(cfg.scale, cfg.n_feats, cfg.mid_feats, cfg.down_blocks, cfg.form)

    def param_groups(self, net):
        """The training form: one rate for all. The inference form: each conv weight at a rate relative to its
        size (lr * rms(weight) / mean rms), biases at lr. Folding the BatchNorms leaves the excitate weights ~5e-6
        against ~0.3 elsewhere (the released x4): one Adam step at a common 2e-4 moves them 40x their size and the
        output diverges to L1 ~1e4 (measured); relative rates move every layer by the same fraction."""
        lr = self.cfg.lr
        if net.form == "training":
            return [("all", net.trainable_params(), lr)]
        weights = [p for p in net.trainable_params() if p.name.endswith(".weight")]
        rms = {p.name: float(np.sqrt(np.mean(np.square(p.asnumpy())))) for p in weights}
        mean_rms = float(np.mean(list(rms.values())))
        groups = [(p.name, [p], lr * rms[p.name] / mean_rms) for p in weights]
        return groups + [("biases", [p for p in net.trainable_params() if not p.name.endswith(".weight")], lr)]

    def loss(self, lr_patch):
        from src import losses  # here: it loads MindSpore (src/models/__init__.py NetworkSpec.loss)
        return losses.pixel_l1(self.cfg, lr_patch)

    def transfer_parameters(self, net):
        return net.body_parameters()

    def reset_for_transfer(self, net, source):
        """The tail resampled from the source checkpoint's (another scale), if it has one: a default-initialised
        tail on the released body's large features starts at an L1 of thousands (measured)."""
        weight, bias = (source.get(f"tail.0.{name}") for name in ("weight", "bias"))
        if weight is None or bias is None:
            raise UserError("init_ckpt has no tail.0 weights to resample for the new scale")
        weight, bias = resampled_tail(weight.asnumpy(), bias.asnumpy(), net.scale)
        net.tail[0].weight.set_data(Tensor(weight))
        net.tail[0].bias.set_data(Tensor(bias))

    def inference_form(self, net):
        return reparameterize(net) if net.form == "training" else net

    def inference_arch(self):
        return dict(self.arch(), form="inference")

    def macs_per_lr_pixel(self):
        cfg = self.cfg
        return count_macs_per_lr_pixel(cfg.scale, cfg.n_feats, cfg.mid_feats, cfg.down_blocks)

    torch_reference_modes = ("infer",)

    def torch_reference_args(self):
        return ("--net", "fmen")

    def receptive_radius(self, net):
        return receptive_radius(net)

    def forward_bytes_per_pixel(self, net):
        return 4 * (FLOAT_MAPS_ALIVE * net.channels + 2 * 3 * net.scale ** 2)


def load_state_dict(net, arrays, path):
    """Load {name: array} of the authors' inference-form state_dict into an inference-form FMEN; every parameter
    must be there with its shape, and nothing else (a UserError naming the file otherwise)."""
    if net.form != "inference":
        raise UserError(f"{path}: released weights are the inference form: convert with --form inference")
    params = {p.name: p for p in net.get_parameters()}
    missing, unknown = sorted(set(params) - set(arrays)), sorted(set(arrays) - set(params))
    if missing or unknown:
        raise UserError(f"{path}: not FMEN x{net.scale} weights of this shape (missing {missing[:3]}, "
                        f"unexpected {unknown[:3]})")
    for name, param in params.items():
        if tuple(arrays[name].shape) != tuple(param.shape):
            raise UserError(f"{path}: '{name}' has shape {tuple(arrays[name].shape)}, FMEN x{net.scale} needs "
                            f"{tuple(param.shape)} (another scale or width?)")
        param.set_data(Tensor(arrays[name].astype(np.float32)))

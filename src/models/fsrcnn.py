"""FSRCNN(d, s, m) of Dong, Loy and Tang (ECCV 2016) as a MindSpore Cell (docs/protocol.md section 1), and its spec
(`--model fsrcnn`; FSRCNN-s is the same model with d=32, s=5, m=1)."""
import math
from types import SimpleNamespace

import mindspore as ms
import numpy as np
from mindspore import nn, ops
from mindspore.common.initializer import Normal, initializer

from src.models import Benchmarkable, NetworkSpec, Tileable, Transferable, register

SCALES = (2, 3, 4)
DECONV_KERNEL = 9
DECONV_PADDING = 4
# Measured on MindSpore 2.10 CPU, FSRCNN(56, 12, 4) at x2..x4, dynamic shape (inference.make_dynamic, MindSpore's
# PReLU kernel): a forward pass grows the process by ~1.0 KB per LR pixel, i.e. about four float32 maps of width d
# alive at once plus the output. Five are budgeted, for margin.
FLOAT_MAPS_ALIVE = 5


def count_macs_per_lr_pixel(d=56, s=12, m=4):
    """Multiply-accumulates per LR pixel; equals the weight count for any scale (docs/protocol.md section 1).

    The deconvolution is counted as executed, 81*d per LR pixel; ClassSR's paper counts it per HR pixel
    (81*d*scale^2), docs/protocol.md section 6."""
    return 25 * d + d * s + 9 * m * s * s + s * d + 81 * d


def _conv(in_ch, out_ch, kernel):
    """Conv with zero padding 'same' and He/MSRA normal init, fan_out as both PyTorch references."""
    conv = nn.Conv2d(in_ch, out_ch, kernel, pad_mode="pad", padding=kernel // 2, has_bias=True,
                     weight_init=Normal(math.sqrt(2.0 / (out_ch * kernel * kernel))), bias_init="zeros")
    return conv


class PReLU(nn.Cell):
    """Per-channel PReLU, as relu(x) - w * relu(-x) in static-shape graphs and with MindSpore's PReLU kernel in
    dynamic-shape ones (`dynamic_shapes = True`, set by inference.make_dynamic).

    Both are bit-identical to nn.PReLU for every slope (x > 0 gives x - w*0, x < 0 gives 0 - w*(-x)). Measured on
    MindSpore 2.10 CPU (python -m tools.profile_ops, 256x256 x4): the relu form makes static graphs faster (forward
    ~73 vs ~114 ms, training step 3.3 vs 4.4 ms) but dynamic-shape ones slower (~154 vs ~78 ms, and ~4x the
    memory). The slope keeps nn.PReLU's name `w` and shape (channels,), so checkpoints are interchangeable.
    """

    def __init__(self, channels, slope=0.25):
        super().__init__()
        self.w = ms.Parameter(ms.Tensor(np.full((channels,), slope, np.float32)), name="w")
        self.dynamic_shapes = False

    def construct(self, x):
        if self.dynamic_shapes:
            return ops.prelu(x, self.w)
        return ops.relu(x) - self.w.reshape(-1, 1, 1) * ops.relu(-x)


class FSRCNN(nn.Cell):
    """Y-channel FSRCNN. Input (N, 1, H, W) in [0, 1]; output (N, 1, scale*H, scale*W).

    The deconvolution has PyTorch `ConvTranspose2d(padding=4, output_padding=scale-1)` semantics, written as an
    asymmetric crop (4 top/left, 5-scale bottom/right) because MindSpore's `output_padding` zeroes the last rows
    (docs/protocol.md section 5).
    """

    def __init__(self, scale, d=56, s=12, m=4, in_channels=1):
        super().__init__()
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, got {scale}")
        self.scale, self.d, self.s, self.m = scale, d, s, m
        layers = [_conv(in_channels, d, 5), PReLU(d), _conv(d, s, 1), PReLU(s)]
        for _ in range(m):
            layers += [_conv(s, s, 3), PReLU(s)]
        layers += [_conv(s, d, 1), PReLU(d)]
        self.features = nn.SequentialCell(layers)
        pad_end = DECONV_KERNEL - DECONV_PADDING - scale
        self.deconv = nn.Conv2dTranspose(d, in_channels, DECONV_KERNEL, stride=scale, pad_mode="pad",
                                         padding=(DECONV_PADDING, pad_end, DECONV_PADDING, pad_end),
                                         has_bias=True, weight_init=Normal(0.001), bias_init="zeros")

    def construct(self, x):
        return self.deconv(self.features(x))

    def deconv_parameters(self):
        return list(self.deconv.trainable_params())

    def conv_parameters(self):
        return list(self.features.trainable_params())


def receptive_radius(net):
    """LR pixels beyond a tile's core that the core's HR output depends on, derived from the layers of `net`.

    Stride-1 convs with 'same' zero padding add k // 2 each: 2 for the 5x5, 0 for the 1x1s, 1 per 3x3 (2 + m in all).
    The deconvolution (kernel K, stride n, output cropped by P at top/left) makes HR row y the full-output row
    y + P, fed by LR feature i through kernel tap y + P - n*i in 0..K-1. For a core of LR rows a..b-1
    (HR rows n*a .. n*b-1) that is features a - (K-1-P)//n .. b-1 + (n-1+P)//n: for FSRCNN (K=9, P=4)
    2 before / 2 after at x2, 1 / 2 at x3, 1 / 1 at x4. Columns alike. Radius: 8, 8, 7 for m = 4.
    """
    convs = sum(cell.kernel_size[0] // 2 for cell in net.features.cells() if hasattr(cell, "kernel_size"))
    kernel, stride, crop = net.deconv.kernel_size[0], net.deconv.stride[0], net.deconv.padding[0]
    return convs + max((kernel - 1 - crop) // stride, (stride - 1 + crop) // stride)


def forward_bytes_per_pixel(net):
    """Memory one forward pass needs per LR input pixel (see FLOAT_MAPS_ALIVE), float32 maps and output."""
    return 4 * (FLOAT_MAPS_ALIVE * net.d + 2 * net.scale ** 2)


def reset_deconv(net):
    """Re-initialise only the deconvolution (transfer strategy: reuse the convs of another scale)."""
    net.deconv.weight.set_data(initializer(Normal(0.001), net.deconv.weight.shape, ms.float32))
    net.deconv.bias.set_data(initializer("zeros", net.deconv.bias.shape, ms.float32))


def subpixel_taps(scale):
    """LR offsets (first, last) that one output phase of the stride-`scale` deconvolution reads.

    Output row n*q + r of the transposed conv is sum_t x[q + t] * w[r + 4 - n*t] over the t that keep the kernel
    index in 0..8, so every phase r is a stride-1 correlation over t in [ceil(-4/n), floor((n - 1 + 4)/n)].
    """
    first = -(DECONV_PADDING // scale)
    last = (scale - 1 + DECONV_PADDING) // scale
    return first, last


def subpixel_weights(deconv_weight, scale):
    """Rearrange a (d, 1, 9, 9) deconv kernel into the (n*n, d, K, K) kernel of the equivalent stride-1 conv,
    output channel ry*n + rx holding phase (ry, rx) as depth-to-space expects. Missing taps are zero."""
    first, last = subpixel_taps(scale)
    size = last - first + 1
    d = deconv_weight.shape[0]
    weight = np.zeros((scale * scale, d, size, size), dtype=deconv_weight.dtype)
    for ry in range(scale):
        for rx in range(scale):
            for a, ty in enumerate(range(first, last + 1)):
                ky = ry + DECONV_PADDING - scale * ty
                for b, tx in enumerate(range(first, last + 1)):
                    kx = rx + DECONV_PADDING - scale * tx
                    if 0 <= ky < DECONV_KERNEL and 0 <= kx < DECONV_KERNEL:
                        weight[ry * scale + rx, :, a, b] = deconv_weight[:, 0, ky, kx]
    return weight


class SubPixelFSRCNN(nn.Cell):
    """Inference form of a trained FSRCNN: the deconvolution becomes a stride-1 conv with scale^2 outputs and a
    pixel shuffle (docs/protocol.md section 4). Same outputs, far faster kernels; built from, and sharing weights with,
    an FSRCNN."""

    def __init__(self, net):
        super().__init__()
        self.scale, self.d, self.s, self.m = net.scale, net.d, net.s, net.m
        self.features = net.features
        first, last = subpixel_taps(net.scale)
        weight = subpixel_weights(net.deconv.weight.asnumpy(), net.scale)
        bias = np.repeat(net.deconv.bias.asnumpy(), net.scale * net.scale)
        self.conv = nn.Conv2d(net.d, net.scale * net.scale, weight.shape[-1], pad_mode="pad",
                              padding=(-first, last, -first, last), has_bias=True,
                              weight_init=ms.Tensor(weight), bias_init=ms.Tensor(bias))
        self.shuffle = nn.PixelShuffle(net.scale)

    def construct(self, x):
        return self.shuffle(self.conv(self.features(x)))


@register
class FSRCNNSpec(NetworkSpec, Transferable, Tileable, Benchmarkable):
    """Y channel; the convolutions and the deconvolution train at their own rates (lr, deconv_lr: the paper)."""

    name = "fsrcnn"
    title = "FSRCNN"
    arch_keys = ("d", "s", "m")
    scales = SCALES

    @classmethod
    def for_arch(cls, scale, d, s, m):
        """The spec of FSRCNN(d, s, m) x`scale` alone, for checking and loading its checkpoints (ClassSR's
        branches)."""
        return cls(SimpleNamespace(model=cls.name, scale=scale, d=d, s=s, m=m, subpixel=False))

    def build(self):
        return FSRCNN(self.cfg.scale, self.cfg.d, self.cfg.s, self.cfg.m)

    def param_groups(self, net):
        return [("convs", net.conv_parameters(), self.cfg.lr), ("deconv", net.deconv_parameters(), self.cfg.deconv_lr)]

    def transfer_parameters(self, net):
        return net.conv_parameters()

    def reset_for_transfer(self, net, source):
        """A fresh deconvolution, as the paper does."""
        reset_deconv(net)

    def inference_form(self, net):
        """The deconvolution, or with --subpixel its exact sub-pixel form (SubPixelFSRCNN)."""
        return SubPixelFSRCNN(net) if self.cfg.subpixel else net

    def macs_per_lr_pixel(self):
        return count_macs_per_lr_pixel(self.cfg.d, self.cfg.s, self.cfg.m)

    def torch_reference_args(self):
        return ("--net", "fsrcnn", "--d", self.cfg.d, "--s", self.cfg.s, "--m", self.cfg.m)

    def receptive_radius(self, net):
        return receptive_radius(net)

    def forward_bytes_per_pixel(self, net):
        return forward_bytes_per_pixel(net)

"""FSRCNN(d, s, m) of Dong, Loy and Tang (ECCV 2016) as a MindSpore Cell (REFERENCE section 1)."""
import math

import mindspore as ms
import numpy as np
from mindspore import nn, ops
from mindspore.common.initializer import Normal, initializer

SCALES = (2, 3, 4)
DECONV_KERNEL = 9
DECONV_PADDING = 4


def count_macs_per_lr_pixel(d=56, s=12, m=4):
    """Multiply-accumulates per LR pixel; equals the weight count for any scale (REFERENCE section 1)."""
    return 25 * d + d * s + 9 * m * s * s + s * d + 81 * d


def _conv(in_ch, out_ch, kernel):
    """Conv with zero padding 'same' and He/MSRA normal init, fan_out as both PyTorch references."""
    conv = nn.Conv2d(in_ch, out_ch, kernel, pad_mode="pad", padding=kernel // 2, has_bias=True,
                     weight_init=Normal(math.sqrt(2.0 / (out_ch * kernel * kernel))), bias_init="zeros")
    return conv


class PReLU(nn.Cell):
    """Per-channel PReLU, as relu(x) - w * relu(-x) in static-shape graphs and with MindSpore's PReLU kernel in
    dynamic-shape ones (`kernel = True`, set by evaluate.make_dynamic).

    Both are bit-identical to nn.PReLU for every slope (x > 0 gives x - w*0, x < 0 gives 0 - w*(-x)). Measured on
    MindSpore 2.10 CPU (scripts/profile_ops.py, 256x256 x4): the relu form makes static graphs faster (forward
    ~73 vs ~114 ms, training step 3.3 vs 4.4 ms) but dynamic-shape ones slower (~154 vs ~78 ms, and ~4x the
    memory). The slope keeps nn.PReLU's name `w` and shape (channels,), so checkpoints are interchangeable.
    """

    def __init__(self, channels, slope=0.25):
        super().__init__()
        self.w = ms.Parameter(ms.Tensor(np.full((channels,), slope, np.float32)), name="w")
        self.kernel = False

    def construct(self, x):
        if self.kernel:
            return ops.prelu(x, self.w)
        return ops.relu(x) - self.w.reshape(-1, 1, 1) * ops.relu(-x)


class FSRCNN(nn.Cell):
    """Y-channel FSRCNN. Input (N, 1, H, W) in [0, 1]; output (N, 1, scale*H, scale*W).

    The deconvolution has PyTorch `ConvTranspose2d(padding=4, output_padding=scale-1)` semantics, written as an
    asymmetric crop (4 top/left, 5-scale bottom/right) because MindSpore's `output_padding` zeroes the last rows
    (REFERENCE section 5).
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
    pixel shuffle (REFERENCE section 4). Same outputs, far faster kernels; built from, and sharing weights with,
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

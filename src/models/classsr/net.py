"""ClassSR's network: the Class-Module, the branches (FSRCNN(d, s, m) or MATLAB bicubic as a fixed convolution) and
the training loss (docs/protocol.md section 6)."""
import mindspore as ms
import numpy as np
from mindspore import nn, ops

from src import protocol
from src.errors import UserError
from src.models import fsrcnn

SCALE = 4
BICUBIC = "bicubic"
BICUBIC_RADIUS = 2  # MATLAB's 4-tap kernel reads LR rows q-2..q+2 for the four phases of an x4 output row
CLASS_FEATURES = 32  # the Class-Module's last 1x1 conv width, before the pooling (the paper's)


def parse_branches(text):
    """"bicubic,16-12-4,56-12-4" -> ["bicubic", (16, 12, 4), (56, 12, 4)], cheapest first."""
    branches = []
    for item in (t.strip() for t in text.split(",")):
        if item == BICUBIC:
            branches.append(BICUBIC)
            continue
        try:
            d, s, m = (int(v) for v in item.split("-"))
        except ValueError:
            raise UserError(f"branches: '{item}' is neither 'bicubic' nor FSRCNN widths 'd-s-m' "
                            "(e.g. bicubic,32-5-1,56-12-4)") from None
        branches.append((d, s, m))
    if len(branches) < 2:
        raise UserError(f"branches '{text}': ClassSR needs at least two branches")
    return branches


def bicubic_phase_kernels(scale):
    """(scale^2, 1, 5, 5) weights of the stride-1 conv whose depth-to-space is MATLAB's bicubic upscaling by `scale`
    of the interior of an image: the weights protocol.imresize uses, read off at one interior LR position."""
    size = 2 * BICUBIC_RADIUS + 1
    length, q = 4 * size, 2 * size
    weights, indices = protocol.resize_weights(length, scale * length, scale)
    taps = np.zeros((scale, size))
    for phase in range(scale):
        for w, i in zip(weights[scale * q + phase], indices[scale * q + phase]):
            taps[phase, i - q + BICUBIC_RADIUS] += w
    kernel = np.einsum("ay,bx->abyx", taps, taps).reshape(scale * scale, 1, size, size)
    return kernel.astype(np.float32)


class BicubicBranch(nn.Cell):
    """MATLAB bicubic x`scale` of a (N, 1, H, W) batch, borders mirrored as imresize does: a fixed 5x5 conv with
    scale^2 outputs and a pixel shuffle. No parameters."""

    def __init__(self, scale=SCALE):
        super().__init__()
        r = BICUBIC_RADIUS
        self.pad = nn.Pad(((0, 0), (0, 0), (r, r), (r, r)), mode="SYMMETRIC")
        self.kernel = ms.Tensor(bicubic_phase_kernels(scale))
        self.shuffle = nn.PixelShuffle(scale)

    def construct(self, x):
        return self.shuffle(ops.conv2d(self.pad(x), self.kernel))


def build_branch(branch, scale=SCALE):
    return BicubicBranch(scale) if branch == BICUBIC else fsrcnn.FSRCNN(scale, *branch)


def describe_branch(branch):
    return BICUBIC if branch == BICUBIC else "FSRCNN({}, {}, {})".format(*branch)


class ClassModule(nn.Cell):
    """The paper's classifier at width `width` (128 in the paper): Conv 4x4 stride 4 + LeakyReLU(0.1), three
    1x1 convs + LeakyReLU(0.1), 1x1 to 32, global average pooling, Linear to one logit per class."""

    def __init__(self, classes, width=128):
        super().__init__()
        layers = [nn.Conv2d(1, width, 4, stride=4, pad_mode="valid", has_bias=True), nn.LeakyReLU(0.1)]
        for _ in range(3):
            layers += [nn.Conv2d(width, width, 1, has_bias=True), nn.LeakyReLU(0.1)]
        layers.append(nn.Conv2d(width, CLASS_FEATURES, 1, has_bias=True))
        self.features = nn.SequentialCell(layers)
        self.linear = nn.Dense(CLASS_FEATURES, classes)

    def construct(self, x):
        return self.linear(self.features(x).mean(axis=(2, 3)))


class ClassSR(nn.Cell):
    """Class-Module + branches. construct (training, soft routing): (sum_i p_i * branch_i(x), p) for a batch of
    sub-images (N, 1, P, P), p the (N, classes) softmax of the Class-Module."""

    def __init__(self, branches, class_width=128, scale=SCALE):
        super().__init__()
        self.branch_shapes = list(branches)
        self.scale, self.class_width = scale, class_width
        self.classifier = ClassModule(len(branches), class_width)
        self.branches = nn.CellList([build_branch(b, scale) for b in branches])
        self.softmax = nn.Softmax(axis=1)

    def construct(self, x):
        p = self.softmax(self.classifier(x))
        out = self.branches[0](x) * p[:, 0].reshape(-1, 1, 1, 1)
        for i in range(1, len(self.branches)):
            out = out + self.branches[i](x) * p[:, i].reshape(-1, 1, 1, 1)
        return out, p


class ClassSRLoss(nn.Cell):
    """(total, l1, class, average) of ((output, p), target); total = w_l1 * L1 + w_class * Class-Loss +
    w_average * Average-Loss (the paper's weights 2000 : 1 : 6).

    Class-Loss per sub-image is (K - 1) - sum_{i<j} |p_i - p_j|: 0 for a one-hot p, its minimum. Average-Loss is
    sum_j |sum_batch p_j - B t_j| / (4 B / K), t_j the target share of class j (1/K in the paper), normalised as the
    released code does. In a data-parallel run the column sums are all-reduced first, so the shares are those of the
    global batch.
    """

    def __init__(self, weights, shares, group_size=1):
        super().__init__()
        self.w_l1, self.w_class, self.w_average = weights
        self.shares = ms.Tensor(np.asarray(shares, np.float32))
        self.classes = len(shares)
        self.l1 = nn.L1Loss()
        self.group_size = group_size
        self.all_reduce = ops.AllReduce() if group_size > 1 else None

    def class_loss(self, p):
        total = ops.zeros((p.shape[0],), p.dtype)
        for i in range(self.classes):
            for j in range(i + 1, self.classes):
                total = total + ops.abs(p[:, i] - p[:, j])
        return (self.classes - 1 - total).mean()

    def average_loss(self, p):
        sums = p.sum(axis=0)
        batch = p.shape[0] * self.group_size
        if self.all_reduce is not None:
            sums = self.all_reduce(sums)
        return ops.abs(sums - batch * self.shares).sum() / (4.0 * batch / self.classes)

    def construct(self, outputs, target):
        out, p = outputs
        l1, cls, avg = self.l1(out, target), self.class_loss(p), self.average_loss(p)
        return self.w_l1 * l1 + self.w_class * cls + self.w_average * avg, l1, cls, avg

"""ClassSR (Kong et al., CVPR 2021; REFERENCE section 6) over FSRCNN branches, and its spec (`--model classsr`).

A Class-Module scores LR sub-images; each goes to one SR branch, the cheapest for the easiest. Training (soft
routing) runs every branch on a batch of sub-images and mixes their outputs by the class probabilities; inference
(SubImageRouter) decomposes an image, classifies every sub-image in one batch, runs each branch once on the batch
of its sub-images and pastes the outputs back.

Branches are FSRCNN(d, s, m) written "d-s-m", or "bicubic" (MATLAB bicubic as a fixed convolution: the zero-cost
class of ARM, ECCV 2022). Costs are counted two ways (branch_macs): multiply-adds executed, and the paper's
convention, which counts the deconvolution per HR pixel.
"""
import math

import mindspore as ms
import numpy as np
from mindspore import nn, ops

from src import dataset, protocol
from src.errors import UserError
from src.models import NetworkSpec, register
from src.models import fsrcnn

SCALE = 4
BICUBIC = "bicubic"
BICUBIC_RADIUS = 2  # MATLAB's 4-tap kernel reads LR rows q-2..q+2 for the four phases of an x4 output row
CLASS_FEATURES = 32  # the Class-Module's last 1x1 conv width, before the pooling (the paper's)


# ---------------------------------------------------------------- branches
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
    weights, indices = protocol._contributions(length, scale * length, scale)  # pylint: disable=protected-access
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


def branch_macs(branch, scale=SCALE, paper=False):
    """Multiply-adds per LR pixel of one branch. paper=True: ClassSR's convention, the 9x9 deconvolution counted per
    HR pixel (81*d*scale^2 instead of the 81*d executed)."""
    if branch == BICUBIC:
        return scale * scale * (2 * BICUBIC_RADIUS + 1) ** 2  # the 5x5 conv as executed, zeros included
    d = branch[0]
    macs = fsrcnn.count_macs_per_lr_pixel(*branch)
    return macs + (fsrcnn.DECONV_KERNEL ** 2 * d * (scale * scale - 1) if paper else 0)


def describe_branch(branch):
    return BICUBIC if branch == BICUBIC else "FSRCNN({}, {}, {})".format(*branch)


# ---------------------------------------------------------------- Class-Module
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


def class_module_macs(width, classes, patch):
    """Multiply-adds per LR pixel of the Class-Module on a patch x patch sub-image."""
    per_output = 16 * width + 3 * width * width + width * CLASS_FEATURES  # at 1/16 of the LR pixels
    return per_output / 16 + CLASS_FEATURES * classes / (patch * patch)


# ---------------------------------------------------------------- the network and its losses
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


# ---------------------------------------------------------------- inference
MIN_BATCH = 8


def batch_sizes(count, chunk):
    """Batch sizes that cover `count` sub-images: as many `chunk`s as fit, then halves of it down to MIN_BATCH, the
    last one padded. Each size is one static graph; the padding wasted is under MIN_BATCH sub-images (a single size
    wastes up to chunk - 1, as much work as the branch's share on a small image)."""
    sizes, left, size = [], count, chunk
    while left > 0:
        if left >= size or size <= MIN_BATCH:
            sizes.append(size)
            left -= size
        else:
            size //= 2
    return sizes


def run_batched(cell, windows, chunk):
    """cell over `windows` (N, 1, P, P) in the batches of batch_sizes (the last one zero-filled), as a list of numpy
    outputs, one per batch."""
    outs, begin = [], 0
    for size in batch_sizes(len(windows), chunk):
        part = windows[begin:begin + size]
        padded = np.zeros((size,) + part.shape[1:], np.float32)
        padded[:len(part)] = part
        outs.append(cell(ms.Tensor(padded)).asnumpy()[:len(part)])
        begin += size
    return outs


def window_starts(length, patch, stride, name="image"):
    """Sub-image starts along one axis: every `stride`, the last one flush with the far edge."""
    if length < patch:
        raise UserError(f"{name}: {length} LR pixels is smaller than one sub-image of {patch} (ClassSR needs "
                        f"images of at least {patch}x{patch} LR pixels; use --model fsrcnn for small images)")
    starts = list(range(0, length - patch + 1, stride))
    if starts[-1] != length - patch:
        starts.append(length - patch)
    return starts


def kept_span(start, patch, length, halo):
    """LR range of a sub-image's output that is pasted: all of it but `halo` on each side inside the image."""
    return start + (halo if start > 0 else 0), start + patch - (halo if start + patch < length else 0)


def coverage(starts, patch, length, halo, scale):
    """How many pasted sub-image outputs cover each HR row (or column): the divisor of overlap averaging."""
    count = np.zeros(length * scale, np.float32)
    for start in starts:
        lo, hi = kept_span(start, patch, length, halo)
        count[lo * scale:hi * scale] += 1
    return count


class SubImageRouter:
    """ClassSR inference on whole (1, 1, H, W) images: called like the network, returns the (1, 1, 4H, 4W) output.

    Sub-images of `patch` LR pixels at `stride`; each output keeps all but `halo` LR pixels on its inner sides, and
    overlapping kept parts are averaged (halo 0, stride < patch: the paper's overlap averaging; stride = patch - 2 halo:
    abutting cores with halos). Every Cell runs on batches of `chunk` sub-images and its halves (batch_sizes), each
    a static graph compiled once. `force` routes every sub-image to that branch without classifying (the "same patch
    pipeline" baseline). `bias` is added to the Class-Module's logits before the argmax: the operating point
    (more sub-images to cheaper or to costlier branches) chosen on validation images without retraining. After each
    call, `last` holds the sub-image count of each branch.
    """

    def __init__(self, net, patch, stride, halo=0, chunk=64, force=None, bias=None):
        if halo < 0 or stride < 1 or stride > patch - 2 * halo:
            raise UserError(f"class_stride {stride} with class_halo {halo} leaves gaps between sub-images of "
                            f"{patch}: give 1 <= class_stride <= class_patch - 2 * class_halo")
        self.net, self.patch, self.stride, self.halo, self.chunk, self.force = net, patch, stride, halo, chunk, force
        self.bias = np.zeros(len(net.branches), np.float32) if bias is None else np.asarray(bias, np.float32)
        self.scale = net.scale
        self.last = None
        self.reset_totals()
        net.set_train(False)

    def reset_totals(self):
        """Start counting anew: sub-images per branch and LR pixels over the calls since."""
        self.total_counts = np.zeros(len(self.net.branches), np.int64)
        self.total_pixels = 0

    def classify(self, windows):
        """Branch index of each sub-image (argmax of the Class-Module)."""
        if self.force is not None:
            return np.full(len(windows), self.force, np.int64)
        return (np.concatenate(run_batched(self.net.classifier, windows, self.chunk)) + self.bias).argmax(axis=1)

    def route(self, lr):
        """(output HxW float32, branch of each sub-image, the starts of rows and columns) for one LR plane."""
        h, w = lr.shape
        p, n = self.patch, self.scale
        rows, cols = window_starts(h, p, self.stride, "image height"), window_starts(w, p, self.stride, "image width")
        starts = [(r, c) for r in rows for c in cols]
        windows = np.stack([lr[r:r + p, c:c + p] for r, c in starts])[:, None]
        classes = self.classify(windows)
        out = np.zeros((h * n, w * n), np.float32)
        for k, branch in enumerate(self.net.branches):
            picked = np.flatnonzero(classes == k)
            if not len(picked):
                continue
            done = 0
            for result in run_batched(branch, windows[picked], self.chunk):
                for i, sr in zip(picked[done:done + len(result)], result):
                    r, c = starts[i]
                    (r0, r1), (c0, c1) = kept_span(r, p, h, self.halo), kept_span(c, p, w, self.halo)
                    out[r0 * n:r1 * n, c0 * n:c1 * n] += sr[0, (r0 - r) * n:(r1 - r) * n, (c0 - c) * n:(c1 - c) * n]
                done += len(result)
        out /= coverage(rows, p, h, self.halo, n)[:, None]
        out /= coverage(cols, p, w, self.halo, n)[None, :]
        return out, classes, (rows, cols)

    def __call__(self, x):
        batch = x.asnumpy()
        if batch.shape[:2] != (1, 1):
            raise UserError(f"ClassSR upscales one luma plane at a time, got a batch of shape {batch.shape}")
        out, classes, _ = self.route(batch[0, 0])
        self.last = np.bincount(classes, minlength=len(self.net.branches))
        self.total_counts += self.last
        self.total_pixels += batch.shape[2] * batch.shape[3]
        return ms.Tensor(out[None, None])


def routing_costs(router, counts):
    """{"macs", "paper_macs"}: the multiply-adds of `router`'s sub-images when `counts` of them go to each branch,
    executed and in the paper's convention; the Class-Module is included unless the router is forced (then no
    classifier runs)."""
    net, area = router.net, router.patch ** 2
    total = {}
    for key, paper in (("macs", False), ("paper_macs", True)):
        total[key] = sum(float(c) * area * branch_macs(b, net.scale, paper) for c, b in zip(counts, net.branch_shapes))
        if router.force is None:
            total[key] += sum(counts) * area * class_module_macs(net.class_width, len(counts), router.patch)
    return total


def whole_image_macs(pixels, paper=False):
    """Multiply-adds of plain FSRCNN(56, 12, 4) on `pixels` LR pixels (the user's alternative)."""
    return pixels * branch_macs((56, 12, 4), SCALE, paper)


# ---------------------------------------------------------------- training sub-images and their classes
def subimages(pairs, patch, stride, scale=SCALE):
    """(LR (N, P, P) float32 0..255, HR (N, sP, sP) uint8) sub-images of (HR, LR) pairs on a grid of `stride`."""
    lrs, hrs = [], []
    for hr, lr in pairs:
        if min(lr.shape) >= patch:
            lr_p, hr_p = dataset.extract_patches(hr, lr, scale, patch, stride)
            lrs.append(lr_p)
            hrs.append(hr_p.astype(np.uint8))
    if not lrs:
        raise UserError(f"no image is large enough for sub-images of {patch}x{patch} LR pixels")
    return np.concatenate(lrs), np.concatenate(hrs)


def subimage_psnr(net, lr, hr, chunk=64):
    """PSNR (dB, no border shave) `net` reaches on each sub-image on its own: what ranks them into classes."""
    out = np.concatenate(run_batched(net, lr[:, None] / np.float32(255), chunk))[:, 0]
    errors = (protocol.round_uint8(out.astype(np.float64) * 255) - hr.astype(np.float64)) ** 2
    return 10 * np.log10(255.0 ** 2 / np.maximum(errors.mean(axis=(1, 2)), 1e-10))


def class_thresholds(psnr, shares):
    """PSNR limits that split sub-images into classes of the given shares, cheapest (highest PSNR) first: class k
    holds the PSNRs in [limits[k], limits[k-1])."""
    cumulative = np.cumsum(shares)[:-1]
    return [float(np.quantile(psnr, 1 - c)) for c in cumulative]


def assign_classes(psnr, limits):
    """Class of each sub-image by its PSNR and class_thresholds()."""
    return np.searchsorted(-np.asarray(limits), -psnr, side="left")


# ---------------------------------------------------------------- spec
@register
class ClassSRSpec(NetworkSpec):
    """Y channel, x4. Stage 2 (classsr_train classifier) trains the Class-Module with frozen branches; stage 3
    (joint) the branches too, except FSRCNN(56, 12, 4), which stays the shipped FSRCNN. Stage 1 trains each branch
    as a plain --model fsrcnn on its class of sub-images (scripts/classsr_data.py makes them)."""

    name = "classsr"
    title = "ClassSR"
    arch_keys = ("branches", "class_width")
    scales = (SCALE,)
    loss_terms = ("loss", "l1", "class", "average")
    torch_reference_modes = ()
    # Validation PSNR alone would pick the routing of everything to the costliest branch: best.ckpt is the end of
    # the schedule, and the operating point is chosen afterwards on Val20 (scripts/classsr_sweep.py, class_bias).
    select_on_psnr = False
    not_exportable = ("its routing runs in Python between static graphs (src/models/classsr.py SubImageRouter); "
                      "export each branch with --model fsrcnn and its checkpoint")

    def __init__(self, cfg):
        super().__init__(cfg)
        self.branch_shapes = parse_branches(cfg.branches)
        self._routers = {}

    def _per_branch(self, key, default):
        """Config key `key` as one float per branch (comma-separated), or `default` for every branch when empty."""
        text, k = getattr(self.cfg, key), len(self.branch_shapes)
        if not text:
            return [default] * k
        try:
            values = [float(v) for v in text.split(",")]
        except ValueError:
            values = []
        if len(values) != k:
            raise UserError(f"{key} '{text}': give {k} numbers, one per branch ({self.cfg.branches})")
        return values

    def shares(self):
        """Target share of each class (Average-Loss): class_shares, or equal."""
        shares = self._per_branch("class_shares", 1.0 / len(self.branch_shapes))
        if min(shares) < 0 or abs(sum(shares) - 1) > 1e-6:
            raise UserError(f"class_shares '{self.cfg.class_shares}': the shares must be >= 0 and sum to 1")
        return shares

    def logit_bias(self):
        """class_bias, added to the Class-Module's logits at inference (zeros when empty)."""
        return self._per_branch("class_bias", 0.0)

    def build(self):
        return ClassSR(self.branch_shapes, self.cfg.class_width)

    def prepare_for_training(self, net):
        """The branches from branch_ckpts."""
        self.load_branches(net)

    def load_branches(self, net, which=None):
        """Each FSRCNN branch (or those numbered in `which`) from its checkpoint in branch_ckpts (stage 1's, or the
        shipped FSRCNN), checked against its shape; an empty entry (and every bicubic branch) loads nothing."""
        from src import checkpoint, models
        paths = self.cfg.branch_ckpts.split(",")
        if len(paths) != len(self.branch_shapes):
            raise UserError(f"branch_ckpts names {len(paths)} files for {len(self.branch_shapes)} branches "
                            f"({self.cfg.branches})")
        for k, (branch, cell, path) in enumerate(zip(self.branch_shapes, net.branches, (p.strip() for p in paths))):
            if branch == BICUBIC or not path or (which is not None and k not in which):
                continue
            cfg = type(self.cfg)(**dict(self.cfg.as_dict(), model="fsrcnn", d=branch[0], s=branch[1], m=branch[2]))
            spec = models.spec_for(cfg)
            params, info = checkpoint.read(path)
            checkpoint.check_architecture(path, info, spec)
            checkpoint.load_weights(cell, {f"branches.{k}.{name}": v for name, v in params.items()}, path, spec)

    def _fixed(self, k):
        """The main FSRCNN branch stays the shipped network in every stage."""
        return self.branch_shapes[k] == (56, 12, 4)

    def param_groups(self, net):
        groups = [("classifier", list(net.classifier.trainable_params()), self.cfg.lr)]
        if self.cfg.classsr_train == "joint":
            for k, cell in enumerate(net.branches):
                if self.branch_shapes[k] != BICUBIC and not self._fixed(k):
                    groups += [(f"branch{k} convs", cell.conv_parameters(), self.cfg.lr),
                               (f"branch{k} deconv", cell.deconv_parameters(), self.cfg.deconv_lr)]
        elif self.cfg.classsr_train != "classifier":
            raise UserError(f"classsr_train '{self.cfg.classsr_train}' is not one of classifier, joint")
        return groups

    def loss(self, lr_patch):
        from mindspore.communication import get_group_size
        weights = [float(v) for v in self.cfg.class_loss_weights.split(",")]
        if len(weights) != 3:
            raise UserError(f"class_loss_weights '{self.cfg.class_loss_weights}': give three weights "
                            "(L1, Class-Loss, Average-Loss)")
        distributed = ms.get_auto_parallel_context("parallel_mode") == ms.ParallelMode.DATA_PARALLEL
        return ClassSRLoss(weights, self.shares(), get_group_size() if distributed else 1)

    def transfer_parameters(self, net):
        raise UserError("ClassSR has no transfer between scales (x4 only): drop --init_convs_only")

    def router(self, net, force=None):
        """The SubImageRouter of `net` with the configured sub-images (one per net and force: compiled graphs
        are kept)."""
        key = (id(net), force)
        if key not in self._routers:
            cfg = self.cfg
            self._routers[key] = SubImageRouter(net, cfg.class_patch, cfg.class_stride, cfg.class_halo,
                                                cfg.class_chunk, force, self.logit_bias())
        return self._routers[key]

    def inference_form(self, net):
        return self.router(net)

    def validation_form(self, net):
        router = self.router(net)
        router.reset_totals()
        return router

    def validation_columns(self):
        return tuple(f"share_{k}" for k in range(len(self.branch_shapes))) + ("macs_pct",)

    def validation_report(self, router):
        """Class shares of the validation images' sub-images, and their true cost in % of plain
        FSRCNN(56, 12, 4) on the whole images."""
        counts = router.total_counts
        report = {f"share_{k}": float(v) for k, v in enumerate(counts / max(1, counts.sum()))}
        report["macs_pct"] = 100 * routing_costs(router, counts)["macs"] / whole_image_macs(router.total_pixels)
        return report

    def macs_per_lr_pixel(self):
        """Worst case: every sub-image classified and sent to the costliest branch, overlap included."""
        cfg = self.cfg
        overlap = (cfg.class_patch / cfg.class_stride) ** 2
        worst = max(branch_macs(b) for b in self.branch_shapes)
        return overlap * (worst + class_module_macs(cfg.class_width, len(self.branch_shapes), cfg.class_patch))

    def bench_workloads(self, cfg):
        """One large image (bench_image): sub-image routing is for large images."""
        from src import benchmark
        return [benchmark.image_workload(cfg.bench_image, cfg.data_dir, cfg.scale)]

    def receptive_radius(self, net):
        """Tiles of the tiler (infer.py, huge images) need a halo of a whole sub-image: inside it the windows of a
        tile are placed as they would be on the whole image, up to the alignment of the stride grid."""
        return self.cfg.class_patch

    def forward_bytes_per_pixel(self, net):
        """The router holds the LR plane, its sub-images (overlap included) and the float32 output sum."""
        return 4 * (1 + math.ceil((self.cfg.class_patch / self.cfg.class_stride) ** 2) + self.cfg.scale ** 2)

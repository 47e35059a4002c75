"""ClassSR inference on whole images: sub-images classified in batches, each branch run once on the batch of its
sub-images, the outputs pasted back and overlaps averaged."""
import mindspore as ms
import numpy as np

from src.errors import UserError

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

"""Training batches for a `mindspore.dataset` pipeline, identical on every device count.

A source yields whole batches: batch(e, step) is a pure function of (seed, e, step), so a resumed run sees the same
batches as an uninterrupted one, and N data-parallel ranks each take their slice of the same global batch that a
single device would see (what makes 1-device and N-device runs comparable).
"""
import functools
import os

import mindspore.dataset as ds
import numpy as np

from src import dataset, protocol
from src.errors import UserError


class _BatchSource:
    """Random access to batch(epoch, step); len() is the number of steps of one epoch."""

    def __init__(self, batch_size, seed, rank=0, group_size=1):
        self.batch_size, self.seed, self.rank, self.group_size = batch_size, seed, rank, group_size

    @property
    def global_batch(self):
        return self.batch_size * self.group_size

    def __len__(self):
        return self.num_patches // self.global_batch

    def _rank_slice(self, items):
        return items[self.rank * self.batch_size:(self.rank + 1) * self.batch_size]

    @staticmethod
    def _to_batch(lr, hr):
        """uint8-range float patches (B, p, p) or (B, p, p, C) -> (B, C, p, p) float32 in [0, 1]."""
        def layout(x):
            x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)
            return np.ascontiguousarray(x, dtype=np.float32) / 255.0
        return layout(lr), layout(hr)


class ArrayPatches(_BatchSource):
    """Patches held in memory (a train .h5 file), visited in a new random order every epoch."""

    def __init__(self, lr, hr, batch_size, seed, rank=0, group_size=1):
        super().__init__(batch_size, seed, rank, group_size)
        self.lr, self.hr = lr, hr
        self.num_patches, self.patch = len(lr), lr.shape[1]

    @functools.lru_cache(maxsize=2)  # worker threads near an epoch boundary ask for two epochs
    def _order(self, epoch):
        return np.random.default_rng([self.seed, epoch]).permutation(self.num_patches)

    def batch(self, epoch, step):
        idx = self._rank_slice(self._order(epoch)[step * self.global_batch:(step + 1) * self.global_batch])
        return self._to_batch(self.lr[idx], self.hr[idx])


class RandomPatches(_BatchSource):
    """Random aligned LR/HR crops of image folders, made on the fly with the paper's augmentation.

    An epoch has as many patches as the grid (stride `stride`) over the augmented images would give, so epochs are
    comparable with an .h5 made by src.prepare; positions are uniform over all valid crops of all augmented images.
    """

    def __init__(self, pairs, scale, patch, stride, augment, batch_size, seed, rank=0, group_size=1):
        super().__init__(batch_size, seed, rank, group_size)
        self.pairs = [(hr, lr.astype(np.float32)) for hr, lr in pairs if min(lr.shape[:2]) >= patch]
        if not self.pairs:
            raise UserError(f"no training image is large enough for LR patches of {patch}x{patch}")
        self.scale, self.patch, self.augment = scale, patch, augment
        rotations = len(dataset.ROTATIONS) if augment else 1
        self.num_patches = rotations * sum(len(dataset.grid_positions(lr.shape, patch, stride))
                                           for _, lr in self.pairs)
        counts = np.array([(lr.shape[0] - patch + 1) * (lr.shape[1] - patch + 1) for _, lr in self.pairs], float)
        self.weights = counts / counts.sum()

    def batch(self, epoch, step):
        rng = np.random.default_rng([self.seed, epoch, step])
        p, n = self.patch, self.scale
        picks = rng.choice(len(self.pairs), size=self.global_batch, p=self.weights)
        lrs, hrs = [], []
        for i in self._rank_slice(picks):
            hr, lr = self.pairs[i]
            r, c = rng.integers(lr.shape[0] - p + 1), rng.integers(lr.shape[1] - p + 1)
            k = rng.integers(4) if self.augment else 0
            lrs.append(np.rot90(lr[r:r + p, c:c + p], k))
            hrs.append(np.rot90(hr[r * n:(r + p) * n, c * n:(c + p) * n], k))
        return self._to_batch(np.stack(lrs), np.stack(hrs))


def load_folder_pairs(folders, scale, augment, factors=dataset.AUGMENT_SCALES, progress=None, mode=protocol.LUMA):
    """Augmented (HR, LR) pairs of every image in the given folders, read and degraded as `mode` says."""
    files = [f for folder in folders for f in protocol.list_images(folder)]
    pairs = []
    for file in (progress(files, desc="loading images") if progress else files):
        pairs.extend(dataset.augmented_pairs(protocol.load_image(file, mode.colour), scale, augment, factors,
                                              mode.lr_uint8))
    return pairs


def build_source(cfg, rank=0, group_size=1, progress=None, mode=protocol.LUMA):
    """The training source named by cfg.train_data: .h5 files -> ArrayPatches, image folders -> RandomPatches
    (`mode`: the network's protocol.ImageMode)."""
    paths = [dataset.resolve_data(name.strip(), cfg.data_dir) for name in cfg.train_data.split(",")]
    common = dict(batch_size=cfg.batch_size, seed=cfg.seed, rank=rank, group_size=group_size)
    if all(os.path.isfile(p) for p in paths):
        dataset.check_h5_mode(paths[0], mode)
        arrays = [dataset.read_train_h5(p, cfg.scale) for p in paths]
        shapes = {a[0].shape[1:] for a in arrays}
        if len(shapes) > 1:
            raise UserError(f"{cfg.train_data}: the files hold different patch sizes {sorted(shapes)}")
        source = ArrayPatches(np.concatenate([a[0] for a in arrays]), np.concatenate([a[1] for a in arrays]),
                              **common)
    elif all(os.path.isdir(p) for p in paths):
        stride = cfg.patch_stride or cfg.scale
        pairs = load_folder_pairs(paths, cfg.scale, cfg.augment, dataset.augment_factors(cfg), progress, mode)
        source = RandomPatches(pairs, cfg.scale, dataset.lr_patch_size(cfg), stride, cfg.augment, **common)
    else:
        raise UserError(f"{cfg.train_data}: give either .h5 files or image folders, not a mix")
    if len(source) == 0:
        raise UserError(f"{cfg.train_data}: {source.num_patches} patches are fewer than one global batch "
                        f"of {source.global_batch}")
    return source


class EpochBatches:
    """All batches of a run as one random-access sequence: index epoch * steps + step is source.batch(epoch, step)."""

    def __init__(self, source, epochs):
        self.source, self.epochs = source, epochs

    def __len__(self):
        return len(self.source) * self.epochs

    def __getitem__(self, index):
        return self.source.batch(*divmod(index, len(self.source)))


class EpochSampler(ds.Sampler):
    """Each pass of the pipeline (one Model.train epoch) visits the next epoch's batches, from `first_epoch` on.

    Model.train iterates the dataset once per epoch without telling it which; the pipeline asks the sampler for a
    new pass in order, so counting passes here gives epoch e the batches of epoch e, also after a resume.
    """

    def __init__(self, steps_per_epoch, first_epoch):
        super().__init__(num_samples=steps_per_epoch)
        self.steps, self.next_epoch = steps_per_epoch, first_epoch

    def __iter__(self):
        epoch, self.next_epoch = self.next_epoch, self.next_epoch + 1
        return iter(range(epoch * self.steps, (epoch + 1) * self.steps))

    def __len__(self):
        return self.steps


def make_dataset(source, first_epoch, epochs, num_workers):
    """The GeneratorDataset Model.train reads: one epoch of `source` per pass, starting at `first_epoch` (thread
    workers, order preserved, clamped to the CPU count)."""
    workers = max(1, min(num_workers, os.cpu_count() or 1))
    return ds.GeneratorDataset(EpochBatches(source, epochs), column_names=["lr", "hr"],
                               sampler=EpochSampler(len(source), first_epoch),
                               num_parallel_workers=workers, python_multiprocessing=False)

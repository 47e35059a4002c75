"""Training batches for a `mindspore.dataset` pipeline, identical on every device count.

A source yields whole batches: batch(e, step) is a pure function of (seed, e, step), so a resumed run sees the same
batches as an uninterrupted one, and N data-parallel ranks each take their slice of the same global batch that a
single device would see (what makes 1-device and N-device runs comparable).
"""
import functools
import os

import mindspore.dataset as ds
import numpy as np

from src import dataset, degradations, protocol
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
    With `mix` (weights of degradations, src/degradations.py), each element of `pairs` is a list of (HR, LR) pairs
    of one augmented image, one per degradation in the mix's order, and each patch takes its LR from a degradation
    drawn with those weights (the batches stay a pure function of seed, epoch and step).
    """

    def __init__(self, pairs, scale, patch, stride, augment, batch_size, seed, rank=0, group_size=1, mix=None):
        super().__init__(batch_size, seed, rank, group_size)
        members = pairs if mix is not None else [[pair] for pair in pairs]
        self.images = [[(hr, lr.astype(np.float32)) for hr, lr in image] for image in members
                       if min(image[0][1].shape[:2]) >= patch]
        if not self.images:
            raise UserError(f"no training image is large enough for LR patches of {patch}x{patch}")
        self.mix = np.asarray(mix if mix is not None else [1.0], dtype=np.float64)
        self.scale, self.patch, self.augment = scale, patch, augment
        rotations = len(dataset.ROTATIONS) if augment else 1
        shapes = [image[0][1].shape for image in self.images]
        self.num_patches = rotations * sum(len(dataset.grid_positions(shape, patch, stride)) for shape in shapes)
        counts = np.array([(shape[0] - patch + 1) * (shape[1] - patch + 1) for shape in shapes], float)
        self.weights = counts / counts.sum()

    @property
    def pairs(self):
        """The (HR, LR) pairs of the first degradation (the only one without a mix)."""
        return [image[0] for image in self.images]

    def batch(self, epoch, step):
        rng = np.random.default_rng([self.seed, epoch, step])
        p, n = self.patch, self.scale
        picks = rng.choice(len(self.images), size=self.global_batch, p=self.weights)
        # one draw more only with a mix: a single degradation's batches are those of the runs before mixes existed
        kinds = (rng.choice(len(self.mix), size=self.global_batch, p=self.mix) if len(self.mix) > 1
                 else np.zeros(self.global_batch, np.int64))
        lrs, hrs = [], []
        for i, d in zip(self._rank_slice(picks), self._rank_slice(kinds)):
            hr, lr = self.images[i][d]
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


def augmented_mix(pixels, scale, augment, factors, mode, names):
    """The augmented copies of one image's pixels, each as [(HR, LR) per degradation of `names`]: the paper's
    pair as dataset.augmented_pairs makes it (luma first), the libraries' from the copy downscaled in the file's
    colours (a smaller photo) and degraded as the library would (src/degradations.py)."""
    paper = dataset.augmented_pairs(degradations.as_colour(pixels, mode.colour), scale, augment, factors,
                                    mode.lr_uint8) if degradations.PAPER in names else None
    copies = []
    for factor in (factors if augment else (1.0,)):
        if factor == 1.0:
            copy = pixels
        else:
            copy = protocol.round_uint8(protocol.imresize(pixels, factor))
        if min(copy.shape[:2]) < scale:
            continue
        hr = protocol.modcrop(copy, scale)
        hr_seen = degradations.as_colour(hr, mode.colour)
        copies.append({name: (hr_seen, degradations.as_colour(degradations.downscale(hr, scale, name),
                                                              mode.colour).astype(np.float64))
                       for name in names if name != degradations.PAPER})
    if paper is not None:
        for members, pair in zip(copies, paper):
            members[degradations.PAPER] = pair
    return [[members[name] for name in names] for members in copies]


def load_folder_mix(folders, scale, augment, factors, mix, progress=None, mode=protocol.LUMA):
    """The augmented images of the folders for a mix of degradations ([(name, weight)], degradations.parse_mix):
    a list of [(HR, LR) per degradation] (RandomPatches with mix)."""
    names = [name for name, _ in mix]
    files = [f for folder in folders for f in protocol.list_images(folder)]
    images = []
    for file in (progress(files, desc="loading images") if progress else files):
        images.extend(augmented_mix(degradations.read_pixels(file), scale, augment, factors, mode, names))
    return images


def training_mix(cfg):
    """cfg.train_degradations as [(name, weight)]: empty = the paper's protocol alone."""
    return degradations.parse_mix(getattr(cfg, "train_degradations", "") or degradations.PAPER)


def load_validation(cfg, mode=protocol.LUMA):
    """The validation images: cfg.val_data degraded by each degradation of the training mix (one copy per
    degradation, named image@degradation), so that the mean PSNR is the average over the mix's degradations."""
    names = [name for name, _ in training_mix(cfg)]
    if names == [degradations.PAPER]:
        return dataset.load_eval_set(cfg.val_data, cfg.data_dir, cfg.scale, mode)
    return [(f"{image}@{name}", hr, lr) for name in names
            for image, hr, lr in dataset.load_eval_set(cfg.val_data, cfg.data_dir, cfg.scale, mode, name)]


def build_source(cfg, rank=0, group_size=1, progress=None, mode=protocol.LUMA):
    """The training source named by cfg.train_data: .h5 files -> ArrayPatches, image folders -> RandomPatches
    (`mode`: the network's protocol.ImageMode), their LR made by cfg.train_degradations (image folders only)."""
    paths = [dataset.resolve_data(name.strip(), cfg.data_dir) for name in cfg.train_data.split(",")]
    mix = training_mix(cfg)
    common = dict(batch_size=cfg.batch_size, seed=cfg.seed, rank=rank, group_size=group_size)
    if all(os.path.isfile(p) for p in paths):
        dataset.check_h5_mode(paths[0], mode)
        if mix != [(degradations.PAPER, 1.0)]:
            raise UserError(f"{cfg.train_data}: .h5 files hold patches of the paper's protocol; train_degradations "
                            f"'{cfg.train_degradations}' needs image folders")
        arrays = [dataset.read_train_h5(p, cfg.scale) for p in paths]
        shapes = {a[0].shape[1:] for a in arrays}
        if len(shapes) > 1:
            raise UserError(f"{cfg.train_data}: the files hold different patch sizes {sorted(shapes)}")
        source = ArrayPatches(np.concatenate([a[0] for a in arrays]), np.concatenate([a[1] for a in arrays]),
                              **common)
    elif all(os.path.isdir(p) for p in paths):
        stride = cfg.patch_stride or cfg.scale
        if mix == [(degradations.PAPER, 1.0)]:
            pairs = load_folder_pairs(paths, cfg.scale, cfg.augment, dataset.augment_factors(cfg), progress, mode)
            source = RandomPatches(pairs, cfg.scale, dataset.lr_patch_size(cfg), stride, cfg.augment, **common)
        else:
            images = load_folder_mix(paths, cfg.scale, cfg.augment, dataset.augment_factors(cfg), mix, progress,
                                     mode)
            source = RandomPatches(images, cfg.scale, dataset.lr_patch_size(cfg), stride, cfg.augment, **common,
                                   mix=[weight for _, weight in mix])
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

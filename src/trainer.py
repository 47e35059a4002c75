"""The training loop: one TrainOneStepCell per step, validation PSNR per epoch, best/last checkpoints, resume."""
import csv
import math
import os
import time

import mindspore as ms
import numpy as np
from mindspore import nn, ops
from tqdm import tqdm

from src import checkpoint, dataset, device, evaluate, train_data
from src.errors import UserError
from src.fsrcnn import FSRCNN, reset_deconv


def _learning_rates(base_lr, cfg, steps_per_epoch):
    """A constant rate, or per-step cosine decay to 0 over all epochs."""
    if cfg.lr_schedule == "constant":
        return base_lr
    if cfg.lr_schedule == "cosine":
        total = cfg.epochs * steps_per_epoch
        return [0.5 * base_lr * (1.0 + math.cos(math.pi * step / total)) for step in range(total)]
    raise UserError(f"lr_schedule '{cfg.lr_schedule}' is not one of constant, cosine")


def build_optimizer(net, cfg, steps_per_epoch, lr_factor=1):
    """Adam (default) or SGD+momentum, with the deconvolution on its own, lower learning rate (paper).

    Both rates are multiplied by lr_factor (the device count, with lr_scale_with_batch).
    """
    groups = [{"params": net.conv_parameters(), "lr": _learning_rates(cfg.lr * lr_factor, cfg, steps_per_epoch)},
              {"params": net.deconv_parameters(),
               "lr": _learning_rates(cfg.deconv_lr * lr_factor, cfg, steps_per_epoch)}]
    if cfg.optimizer == "adam":
        return nn.Adam(groups, learning_rate=cfg.lr)
    if cfg.optimizer == "sgd":
        return nn.Momentum(groups, learning_rate=cfg.lr, momentum=cfg.momentum)
    raise UserError(f"optimizer '{cfg.optimizer}' is not one of adam, sgd")


def _init_from(net, cfg):
    """Start from cfg.init_ckpt: all weights, or only the convs with a fresh deconv (transfer strategy)."""
    params, _ = checkpoint.read(cfg.init_ckpt)
    only = {p.name for p in net.conv_parameters()} if cfg.init_convs_only else None
    checkpoint.load_weights(net, params, cfg.init_ckpt, checkpoint.describe(cfg), only=only)
    if cfg.init_convs_only:
        reset_deconv(net)


def _loss_value(output):
    """The loss of one step's output (O2's loss-scaled step returns (loss, overflow, scale))."""
    return float((output[0] if isinstance(output, tuple) else output).asnumpy())


class CentreMSELoss(nn.Cell):
    """MSE over the centre of the output patch, `border` HR pixels in from each side.

    Near a patch's edge the network sees its zero padding; on whole test images almost no pixel does. Leaving the
    edge out of the loss (with a patch larger by the same margin) trains every counted pixel on real context.
    """

    def __init__(self, border):
        super().__init__()
        self.border = border

    def construct(self, output, target):
        b = self.border
        return ops.mean(ops.square(output[:, :, b:-b, b:-b] - target[:, :, b:-b, b:-b]))


def build_loss(cfg, lr_patch):
    """nn.MSELoss over whole patches, or over their centre with cfg.loss_border LR pixels left out on each side."""
    if cfg.loss_border == 0:
        return nn.MSELoss()
    if cfg.loss_border < 0 or 2 * cfg.loss_border >= lr_patch:
        raise UserError(f"loss_border {cfg.loss_border} leaves nothing of LR patches of {lr_patch}x{lr_patch} "
                        "(give 0 <= loss_border < lr_patch_size / 2)")
    return CentreMSELoss(cfg.loss_border * cfg.scale)


def _check_validation_set(name):
    if dataset.set_name(name) in dataset.TEST_SETS:
        raise UserError(f"val_data '{name}' is a test set: select checkpoints on a validation set (default Val20)")


class Trainer:
    """Owns the network, optimizer, data and output files of one training run."""

    def __init__(self, cfg):
        dataset.check_scale(cfg.scale)
        _check_validation_set(cfg.val_data)
        self.cfg = cfg
        self.rank, self.group_size = device.setup(cfg)
        self.is_main = self.rank == 0
        ms.set_seed(cfg.seed)  # same seed on every rank: identical initial weights
        self.source = train_data.build_source(cfg, self.rank, self.group_size, progress=self._progress)
        self.net = FSRCNN(cfg.scale, cfg.d, cfg.s, cfg.m)
        if cfg.init_ckpt:
            _init_from(self.net, cfg)
        self.lr_factor = self.group_size if cfg.lr_scale_with_batch else 1
        self.optimizer = build_optimizer(self.net, cfg, len(self.source), self.lr_factor)
        self.train_step = device.build_train_step(self.net, self.optimizer, build_loss(cfg, self.source.patch),
                                                  cfg.amp_level)
        self.train_step.set_train()
        self.val_images = dataset.load_eval_set(cfg.val_data, cfg.data_dir, cfg.scale) if self.is_main else []
        self.start_epoch, self.best_psnr = 0, -1.0
        self.last_path = os.path.join(cfg.output_dir, "last.ckpt")
        self.best_path = os.path.join(cfg.output_dir, "best.ckpt")
        if cfg.resume:
            self._resume()

    def _progress(self, items, **kwargs):
        return tqdm(items, disable=None if self.is_main else True, leave=False, **kwargs)

    def _info(self, **extra):
        return dict({k: getattr(self.cfg, k) for k in checkpoint.ARCH_KEYS}, **extra)

    def _resume(self):
        if not os.path.isfile(self.last_path):
            raise UserError(f"{self.last_path}: nothing to resume (no last.ckpt in output_dir)")
        params, info = checkpoint.read(self.last_path)
        checkpoint.load_weights(self.train_step, params, self.last_path, checkpoint.describe(self.cfg),
                                only={p.name for p in self._train_state()})
        self.start_epoch = int(info["epoch"]) + 1
        if self.start_epoch > self.cfg.epochs:
            raise UserError(f"{self.last_path}: holds epoch {self.start_epoch} but --epochs is {self.cfg.epochs}: "
                            "a run of another recipe? (use another output_dir)")
        self.best_psnr = float(info["best_psnr"])
        if self.is_main:
            print(f"resumed from {self.last_path}: epoch {self.start_epoch}, best val PSNR {self.best_psnr:.3f}")

    def _train_state(self):
        """What last.ckpt holds and resume restores: weights, optimizer moments, beta powers and global_step. Not the
        learning rates: they come from the current options (and per-step schedules would make the file ~3 MB)."""
        return [p for p in self.train_step.get_parameters() if not p.name.startswith("learning_rate")]

    def validate(self):
        """Mean PSNR on the validation images (protocol of section 2, no SSIM: it only ranks epochs). Static graphs,
        compiled once per image size (Val20 has two): make_dynamic would switch the training net's PReLU form."""
        self.net.set_train(False)
        means, _ = evaluate.score_set(self.net, self.val_images, self.cfg.scale,
                                      with_ssim=False, with_bicubic=False)
        self.net.set_train(True)
        return means["psnr"]

    def _step_runner(self):
        """A function running one training step on the next batch of the remaining epochs: batches come from the
        device queue with dataset_sink_mode (GPU/Ascend), else from a host iterator."""
        data = train_data.make_dataset(train_data.EpochRange(self.source, self.start_epoch, self.cfg.epochs),
                                       self.cfg.num_workers)
        if self.cfg.dataset_sink_mode:
            return device.sink_steps(self.train_step, data)
        batches = data.create_tuple_iterator(num_epochs=1)
        return lambda: self.train_step(*next(batches))

    def train_epoch(self, epoch, run_step):
        losses = []
        bar = self._progress(range(len(self.source)), desc=f"epoch {epoch + 1}/{self.cfg.epochs}")
        for _ in bar:
            losses.append(_loss_value(run_step()))
            if len(losses) % 50 == 0:
                bar.set_postfix(loss=f"{np.mean(losses[-50:]):.6f}")
        return float(np.mean(losses))

    def _describe_run(self):
        cfg, factor = self.cfg, self.lr_factor
        lr = f"lr {cfg.lr * factor:g} / deconv {cfg.deconv_lr * factor:g}"
        if self.group_size > 1:
            lr += (f" (x{factor} for {self.group_size} devices: lr_scale_with_batch)" if factor > 1
                   else " (not scaled with the devices: lr_scale_with_batch false)")
        return (f"training FSRCNN(d={cfg.d}, s={cfg.s}, m={cfg.m}) x{cfg.scale} on {cfg.train_data}: "
                f"{self.source.num_patches} patches/epoch, {len(self.source)} steps of global batch "
                f"{self.source.global_batch} = {self.group_size} device(s) x {cfg.batch_size}, {lr}, "
                f"{cfg.device_target} amp {cfg.amp_level}{', dataset sink' if cfg.dataset_sink_mode else ''}, "
                f"validating on {cfg.val_data}")

    def fit(self):
        cfg = self.cfg
        if self.is_main:
            os.makedirs(cfg.output_dir, exist_ok=True)
            print(self._describe_run(), flush=True)
        if self.start_epoch >= cfg.epochs:
            if self.is_main:
                print(f"nothing to train: {self.last_path} already holds epoch {self.start_epoch}/{cfg.epochs}")
            return self.best_psnr
        run_step = self._step_runner()
        for epoch in range(self.start_epoch, cfg.epochs):
            start = time.time()
            loss = self.train_epoch(epoch, run_step)
            seconds = time.time() - start
            if cfg.save_all_ranks:
                checkpoint.save(self.net, os.path.join(cfg.output_dir, f"last_rank{self.rank}.ckpt"),
                                self._info(epoch=epoch))
            if not self.is_main:
                continue
            val_psnr = self.validate()
            if val_psnr > self.best_psnr:
                self.best_psnr = val_psnr
                checkpoint.save(self.net, self.best_path, self._info(epoch=epoch, val_psnr=val_psnr))
            checkpoint.save([{"name": p.name, "data": p} for p in self._train_state()], self.last_path,
                            self._info(epoch=epoch, best_psnr=self.best_psnr))
            self._log(epoch, loss, seconds, val_psnr)
        return self.best_psnr

    def _log(self, epoch, loss, seconds, val_psnr):
        # data parallel: the loss is the mean over rank 0's slice of each global batch
        label = "loss" if self.group_size == 1 else "rank-0 loss"
        print(f"epoch {epoch + 1}/{self.cfg.epochs}  {label} {loss:.6f}  {seconds:.1f} s  "
              f"val PSNR {val_psnr:.3f} dB  (best {self.best_psnr:.3f})", flush=True)
        path = os.path.join(self.cfg.output_dir, "log.csv")
        new = not os.path.exists(path)
        with open(path, "a", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            if new:
                writer.writerow(["epoch", "loss", "seconds", "val_psnr", "best_psnr"])
            writer.writerow([epoch + 1, f"{loss:.8f}", f"{seconds:.2f}", f"{val_psnr:.4f}", f"{self.best_psnr:.4f}"])

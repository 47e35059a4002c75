"""Training on mindspore.train.Model: the step Cell, optimizer and schedule built from the model's spec, the
callbacks of src/callbacks.py (validation, best/last checkpoints, log, progress, early stop), resume."""
import fnmatch
import math
import os

import mindspore as ms
from mindspore import nn, ops
from mindspore.train import LossMonitor, Model
from tqdm import tqdm

from src import callbacks, checkpoint, dataset, device, evaluate, fileio, models, train_data
from src.errors import UserError


def _learning_rates(base_lr, cfg, steps_per_epoch):
    """A constant rate, or per-step cosine decay to 0 over all epochs."""
    if cfg.lr_schedule == "constant":
        return base_lr
    if cfg.lr_schedule == "cosine":
        total = cfg.epochs * steps_per_epoch
        return [0.5 * base_lr * (1.0 + math.cos(math.pi * step / total)) for step in range(total)]
    raise UserError(f"lr_schedule '{cfg.lr_schedule}' is not one of constant, cosine")


# amp_level O3 runs the whole network in float16, where the gradients of SR's small MSE losses underflow: it trains
# with a fixed loss scale, the one ModelZoo's EDSR pairs with O3 (loss_scale 1000.0, FixedLossScaleManager without
# dropping overflowing steps, the optimizer dividing the gradients by the same scale). O2 uses MindSpore's dynamic one.
O3_LOSS_SCALE = 1000.0
AMP_NOTES = {"O2": " (dynamic loss scale)", "O3": f" (fixed loss scale {O3_LOSS_SCALE:g})"}


def optimizer_loss_scale(amp_level):
    """The loss scale the optimizer divides the gradients by: O3's fixed scale, else 1 (O2's dynamic scale is undone
    by its step cell)."""
    return O3_LOSS_SCALE if amp_level == "O3" else 1.0


def build_optimizer(spec, net, steps_per_epoch, lr_factor=1, loss_scale=1.0):
    """Adam (default) or SGD+momentum over the spec's parameter groups, each at its own rate (FSRCNN: the
    deconvolution lower, as in the paper); parameters in no group stay frozen.

    Every rate is multiplied by lr_factor (the device count, with lr_scale_with_batch); loss_scale is
    optimizer_loss_scale(amp_level).
    """
    cfg = spec.cfg
    groups = [{"params": params, "lr": _learning_rates(lr * lr_factor, cfg, steps_per_epoch)}
              for _, params, lr in spec.param_groups(net)]
    if cfg.optimizer == "adam":
        return nn.Adam(groups, learning_rate=cfg.lr, loss_scale=loss_scale)
    if cfg.optimizer == "sgd":
        return nn.Momentum(groups, learning_rate=cfg.lr, momentum=cfg.momentum, loss_scale=loss_scale)
    raise UserError(f"optimizer '{cfg.optimizer}' is not one of adam, sgd")


class MultiTermTrainStep(nn.TrainOneStepCell):
    """TrainOneStepCell for a loss returning (total, term, ...): gradients of the total only (sens 1 for it, 0 for
    the terms, which are reported), averaged across devices like the standard step."""

    def construct(self, *inputs):
        outputs = self.network(*inputs)
        sens = (ops.fill(outputs[0].dtype, outputs[0].shape, self.sens),) + tuple(ops.zeros_like(t)
                                                                                  for t in outputs[1:])
        grads = self.grad_reducer(self.grad(self.network, self.weights)(*inputs, sens))
        return ops.depend(outputs, self.optimizer(grads))


def build_train_step(net, optimizer, loss_fn, amp_level, loss_terms):
    """One training step as a Cell. One loss: amp.build_train_network gives the plain TrainOneStepCell at O0,
    float16 casts at O1-O3, a dynamic loss scale at O2 (then the step returns (loss, overflow, scale)) and the fixed
    O3_LOSS_SCALE at O3 (a TrainOneStepCell whose sens is the scale). Several loss terms: MultiTermTrainStep, with
    O1/O3 casts and O3's fixed scale; O2's dynamic scale is not offered for it. At O3 the optimizer must divide by
    the same scale (build_optimizer(..., loss_scale=optimizer_loss_scale("O3")))."""
    scale = optimizer_loss_scale(amp_level)
    if optimizer is not None and float(optimizer.loss_scale) != scale:
        raise ValueError(f"amp_level {amp_level} needs an optimizer of loss_scale {scale}, got {optimizer.loss_scale}")
    if len(loss_terms) == 1:
        manager = {}
        if amp_level == "O3":
            manager = {"loss_scale_manager": ms.amp.FixedLossScaleManager(scale, drop_overflow_update=False)}
        return ms.amp.build_train_network(net, optimizer, loss_fn, level=amp_level, **manager)
    if amp_level == "O2":
        raise UserError(f"amp_level O2 (dynamic loss scale) is not supported for losses of several terms "
                        f"({', '.join(loss_terms)}): use O1 or O3")
    if amp_level != "O0":
        net = ms.amp.auto_mixed_precision(net, amp_level)
    return MultiTermTrainStep(nn.WithLossCell(net, loss_fn), optimizer, sens=scale)


def _init_from(spec, net):
    """Start from cfg.init_ckpt: all weights, or with init_convs_only only the scale-independent layers and the rest
    re-initialised (the paper's transfer strategy), or with init_matching_shapes those of the same name and shape
    (a narrower network started from a wider one's mapping layers: ClassSR's branches)."""
    cfg = spec.cfg
    params, info = checkpoint.read(cfg.init_ckpt)
    if "model" in info and info["model"] != spec.name:
        raise UserError(f"{cfg.init_ckpt}: init_ckpt holds model {info['model']}, not {spec.name}")
    if cfg.init_convs_only and not isinstance(spec, models.Transferable):
        raise UserError(f"{spec.title} has no transfer between scales: drop --init_convs_only")
    only = {p.name for p in spec.transfer_parameters(net)} if cfg.init_convs_only else None
    if cfg.init_matching_shapes:
        only = {p.name for p in net.get_parameters() if p.name in params and params[p.name].shape == p.shape}
        print(f"{cfg.init_ckpt}: initialised {len(only)} of {len(list(net.get_parameters()))} parameters "
              "(those of matching name and shape)")
    checkpoint.load_weights(net, params, cfg.init_ckpt, spec, only=only)
    if cfg.init_convs_only:
        spec.reset_for_transfer(net, params)


def check_values(cfg):
    """Refuse, before anything is read, built or created, the option values no run can train with."""
    if cfg.epochs < 1:
        raise UserError(f"--epochs must be at least 1, got {cfg.epochs}")
    if cfg.batch_size < 1:
        raise UserError(f"--batch_size must be at least 1, got {cfg.batch_size}")
    for key in ("lr", "deconv_lr"):
        value = getattr(cfg, key)
        if not (math.isfinite(value) and value >= 0):  # 0: the weights stay (a baseline run)
            raise UserError(f"--{key} must be a number >= 0, got {value}")
    if not (math.isfinite(cfg.momentum) and cfg.momentum >= 0):
        raise UserError(f"--momentum must be >= 0, got {cfg.momentum}")
    if cfg.early_stop < 0 or cfg.log_every_steps < 0:
        raise UserError(f"early_stop {cfg.early_stop} and log_every_steps {cfg.log_every_steps} must be >= 0 "
                        "(0 = off)")
    if cfg.resume and cfg.overwrite:
        raise UserError("--resume true continues the run in output_dir, --overwrite true replaces it: give one")


# What train.py writes in a run folder (src/callbacks.py): a run folder holding any of them, or anything else, is
# another run's (or not a run folder at all) and is never written into without --resume or --overwrite.
RUN_FILES = ("best.ckpt", "last.ckpt", "log.csv", "curve.png", "last_rank*.ckpt")


def _is_run_file(entry):
    return any(fnmatch.fnmatchcase(entry, name) for name in RUN_FILES)


def _is_leftover(entry):
    """The lock file and the temporary files of a killed run: not what makes a run folder "not empty"."""
    return entry == fileio.FolderLock.NAME or fileio.is_temp_of(entry, RUN_FILES)


def check_run_folder(cfg):
    """output_dir is a folder this run may write in: a new or empty folder, or with --resume one holding last.ckpt,
    or with --overwrite any folder (only train.py's own files in it are replaced). Nothing is created here."""
    folder = cfg.output_dir
    fileio.check_output_folder(folder, "--output_dir")
    last = os.path.join(folder, "last.ckpt")
    if cfg.resume:
        if not os.path.isfile(last):
            raise UserError(f"{last}: nothing to resume (no last.ckpt in output_dir)")
        return
    entries = sorted(e for e in os.listdir(folder) if not _is_leftover(e)) if os.path.isdir(folder) else []
    if entries and not cfg.overwrite:
        shown = ", ".join(entries[:4]) + (", ..." if len(entries) > 4 else "")
        raise UserError(f"{folder}: output_dir is not empty ({shown}): pass --resume true to continue its run, "
                        "--overwrite true to start anew there (replacing its checkpoints and log), or choose "
                        "another --output_dir")


def check_amp_level(path, info, params, amp_level):
    """A run resumes at the amp_level it was trained at: O2's step holds a loss-scale state and O3's optimizer another
    scale, so last.ckpt of one level does not fit the step of another. Files before the record held it: O2 is
    recognised by its loss-scale state, anything else resumes at any level but O2 (as before)."""
    recorded = info.get("amp_level") or ("O2" if "scale_sense" in params else None)
    if recorded == amp_level or (recorded is None and amp_level != "O2"):
        return
    raise UserError(f"{path}: this run was trained at amp_level {recorded or 'O0, O1 or O3'} but --amp_level is "
                    f"{amp_level}: resume it with --amp_level {recorded or 'O0'} (the steps of different levels keep "
                    "different loss-scale state), or start a new run in another --output_dir")


def _test_set_folders(data_dir):
    """The real paths of the test sets' folders (and .h5 files) in the data folder."""
    folder = dataset.data_folder(data_dir)
    return {os.path.realpath(os.path.join(folder, name)) for name in [*dataset.known_sets(), *dataset.subsets()]
            if dataset.role(name) == "test"}


def check_validation_set(name, data_dir=""):
    """A test set is never the validation set: refused by its name ('Set5', a subset's name), as a path to a folder
    of that name ('<data_dir>/Set5', 'Set5/'), or as a path (a link, another spelling) to a test set's folder of the
    data folder."""
    real = os.path.realpath(name) if os.path.exists(name) else None
    if (dataset.role(dataset.set_name(name)) == "test"
            or (real and (dataset.role(dataset.set_name(real)) == "test" or real in _test_set_folders(data_dir)))):
        raise UserError(f"val_data '{name}' is a test set: select checkpoints on a validation set (default Val20)")


class Trainer:
    """Owns the network, optimizer, data, callbacks and output files of one training run."""

    def __init__(self, cfg):
        """Everything is checked and built here, before any training step; rank 0 holds the run folder's lock from
        here until close() (`with Trainer(cfg) as trainer: trainer.fit()`)."""
        check_values(cfg)
        self.spec = models.spec_for(cfg)
        check_validation_set(cfg.val_data, cfg.data_dir)
        check_run_folder(cfg)
        self.cfg, self.lock = cfg, None
        self.rank, self.group_size = device.setup(cfg)
        if cfg.early_stop and self.group_size > 1:
            raise UserError("early_stop is not supported in data-parallel runs (only rank 0 validates, the other "
                            "ranks would wait for it): drop --early_stop")
        self.is_main = self.rank == 0
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    def _lock_run_folder(self):
        """Rank 0 locks output_dir (a second train.py on it is refused), checks it again under the lock and removes
        what a killed run left there."""
        self.lock = fileio.FolderLock(self.cfg.output_dir, "run folder").acquire()
        check_run_folder(self.cfg)
        fileio.remove_stale_temps(self.cfg.output_dir, RUN_FILES)

    def close(self):
        """Release the run folder (also when the run failed or was interrupted)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _build(self):
        cfg = self.cfg
        if self.is_main:
            self._lock_run_folder()
        ms.set_seed(cfg.seed)  # same seed on every rank: identical initial weights
        self.source = train_data.build_source(cfg, self.rank, self.group_size, progress=self._progress,
                                             mode=self.spec.image_mode)
        self.net = self.spec.build()
        checkpoint.load_parts(self.spec.part_checkpoints(self.net))
        if cfg.init_ckpt:
            _init_from(self.spec, self.net)
        self.lr_factor = self.group_size if cfg.lr_scale_with_batch else 1
        self.optimizer = build_optimizer(self.spec, self.net, len(self.source), self.lr_factor,
                                         optimizer_loss_scale(cfg.amp_level))
        self.train_step = build_train_step(self.net, self.optimizer, self.spec.loss(self.source.patch),
                                           cfg.amp_level, self.spec.loss_terms)
        self.train_step.set_train()
        # O1-O3 cast self.net to float16 in place: validation (and so the best epoch) scores a float32 twin that
        # receives the trained weights before each validation, as eval.py would score the checkpoint
        self.val_net = self.net if cfg.amp_level == "O0" else self.spec.build()
        self.val_images = train_data.load_validation(cfg, self.spec.image_mode) if self.is_main else []
        evaluate.check_scorable(cfg.val_data, self.val_images, cfg.scale, with_ssim=False)
        self.state = callbacks.RunState(cfg.epochs, self.spec.loss_terms, self.spec.validation_columns())
        self.start_epoch = 0
        self.last_path = os.path.join(cfg.output_dir, "last.ckpt")
        self.best_path = os.path.join(cfg.output_dir, "best.ckpt")
        if cfg.resume:
            self._resume()

    def _progress(self, items, **kwargs):
        return tqdm(items, disable=None if self.is_main else True, leave=False, **kwargs)

    def _info(self, **extra):
        return dict(self.spec.arch(), best_epoch=self.state.best_epoch, amp_level=self.cfg.amp_level, **extra)

    def _resume(self):
        params, info = checkpoint.read(self.last_path)
        checkpoint.check_architecture(self.last_path, info, self.spec)
        check_amp_level(self.last_path, info, params, self.cfg.amp_level)
        checkpoint.load_weights(self.train_step, params, self.last_path, self.spec,
                                only={p.name for p in self._train_state()})
        self.start_epoch = int(info["epoch"]) + 1
        if self.start_epoch > self.cfg.epochs:
            raise UserError(f"{self.last_path}: holds epoch {self.start_epoch} but --epochs is {self.cfg.epochs}: "
                            "a run of another recipe? (use another output_dir)")
        self.state.best_psnr = float(info["best_psnr"])
        self.state.best_epoch = int(info.get("best_epoch", info["epoch"]))  # files before early_stop lack it
        if self.is_main:
            note = callbacks.check_log(os.path.join(self.cfg.output_dir, "log.csv"), callbacks.log_header(self.state),
                                       self.start_epoch)
            if note:
                print(note)
            print(f"resumed from {self.last_path}: epoch {self.start_epoch}, best val PSNR {self.state.best_psnr:.3f}")

    def _train_state(self):
        """What last.ckpt holds and resume restores: weights, optimizer moments, beta powers and global_step. Not the
        learning rates: they come from the current options (and per-step schedules would make the file ~3 MB)."""
        return [p for p in self.train_step.get_parameters() if not p.name.startswith("learning_rate")]

    def validate(self):
        """(mean PSNR on the validation images, the spec's validation_report) (protocol of section 2, no SSIM: it
        only ranks epochs), in float32 (under AMP on the twin val_net, given the current weights first). Static
        graphs, compiled once per image size (Val20 has two): make_dynamic would switch the training net's PReLU
        form."""
        if self.val_net is not self.net:
            weights = {p.name: p for p in self.net.get_parameters()}
            checkpoint.load_weights(self.val_net, weights, "the trained network", self.spec)
        self.val_net.set_train(False)
        validated = self.spec.validation_form(self.val_net)
        means, _ = evaluate.score_set(validated, self.val_images, self.cfg.scale,
                                      with_ssim=False, with_bicubic=False)
        self.val_net.set_train(True)
        return means["psnr"], self.spec.validation_report(validated)

    def callbacks(self):
        """The callbacks of this rank, in the order they run after each step and epoch."""
        cfg, state = self.cfg, self.state
        found = [callbacks.InterruptHandlers(), callbacks.EpochLoss(state)]
        if cfg.save_all_ranks:
            found.append(callbacks.LastCheckpoint(state, self.net.get_parameters,
                                                  os.path.join(cfg.output_dir, f"last_rank{self.rank}.ckpt"),
                                                  self._info))
        if not self.is_main:
            return found
        found.append(callbacks.ProgressBar(state, len(self.source)))
        if cfg.log_every_steps:
            found.append(LossMonitor(per_print_times=cfg.log_every_steps))
        # data parallel: the loss is the mean over rank 0's slice of each global batch
        label = "loss" if self.group_size == 1 else "rank-0 loss"
        found += [callbacks.Validation(state, self.validate, self.spec.select_on_psnr),
                  callbacks.TrainingLog(state, cfg.output_dir),
                  callbacks.BestCheckpoint(state, self.net, self.best_path, self._info),
                  callbacks.LastCheckpoint(state, self._train_state, self.last_path, self._info),
                  callbacks.EpochReport(state, label)]
        if cfg.early_stop:
            found.append(callbacks.EarlyStop(state, cfg.early_stop))
        return found

    def _describe_run(self):
        cfg, factor = self.cfg, self.lr_factor
        groups = self.spec.param_groups(self.net)
        if len(groups) <= 3:
            lr = ", ".join(f"lr {name} {rate * factor:g}" for name, _, rate in groups)
        else:  # one rate per layer (FMEN's inference form)
            rates = [rate * factor for _, _, rate in groups]
            lr = f"lr {min(rates):g} to {max(rates):g} over {len(groups)} parameter groups"
        if self.group_size > 1:
            lr += (f" (x{factor} for {self.group_size} devices: lr_scale_with_batch)" if factor > 1
                   else " (not scaled with the devices: lr_scale_with_batch false)")
        return (f"training {self.spec.describe()} on {cfg.train_data}: "
                f"{self.source.num_patches} patches/epoch, {len(self.source)} steps of global batch "
                f"{self.source.global_batch} = {self.group_size} device(s) x {cfg.batch_size}, {lr}, "
                f"{cfg.device_target} amp {cfg.amp_level}{AMP_NOTES.get(cfg.amp_level, '')}"
                f"{', dataset sink' if cfg.dataset_sink_mode else ''}, "
                f"validating on {cfg.val_data}"
                + (f", LR made by {cfg.train_degradations}" if getattr(cfg, "train_degradations", "") else ""))

    def _remove_previous_run(self):
        """--overwrite: train.py's files of the run that was in output_dir (other files stay)."""
        removed = [e for e in sorted(os.listdir(self.cfg.output_dir)) if _is_run_file(e)]
        for entry in removed:
            os.remove(os.path.join(self.cfg.output_dir, entry))
        if removed:
            print(f"{self.cfg.output_dir}: removed the previous run's {', '.join(removed)} (--overwrite)")

    def fit(self):
        """Model.train over the remaining epochs; returns the best validation PSNR."""
        cfg = self.cfg
        if self.is_main:
            if cfg.overwrite:
                self._remove_previous_run()
            print(self._describe_run(), flush=True)
        else:
            os.makedirs(cfg.output_dir, exist_ok=True)
        if self.start_epoch >= cfg.epochs:
            if self.is_main:
                print(f"nothing to train: {self.last_path} already holds epoch {self.start_epoch}/{cfg.epochs}")
            return self.state.best_psnr
        if cfg.early_stop and self.start_epoch - 1 - self.state.best_epoch >= cfg.early_stop:
            print(f"nothing to train: {self.last_path} stopped early (best validation PSNR at epoch "
                  f"{self.state.best_epoch + 1}, none better in the {cfg.early_stop} after it)")
            return self.state.best_psnr
        data = train_data.make_dataset(self.source, self.start_epoch, cfg.epochs, cfg.num_workers)
        Model(self.train_step).train(cfg.epochs, data, callbacks=self.callbacks(),
                                     dataset_sink_mode=cfg.dataset_sink_mode, initial_epoch=self.start_epoch)
        return self.state.best_psnr

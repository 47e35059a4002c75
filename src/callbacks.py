"""The training callbacks (mindspore.train.Callback) that Model.train runs, in the order src/trainer.py lists them.

They share one RunState: EpochLoss fills in the epoch's loss terms and seconds, Validation the validation PSNR and
the best so far; the checkpoint, log and early-stop callbacks read it. Epochs are counted from 0 here and printed
from 1, as in log.csv.
"""
import csv
import os
import time

import numpy as np
from mindspore.train import Callback
from tqdm import tqdm

from src import checkpoint, compare


class RunState:
    """What the callbacks of one run know about the current epoch and the run so far."""

    def __init__(self, epochs, loss_terms, report_columns=(), best_psnr=-1.0, best_epoch=-1):
        self.epochs, self.loss_terms, self.report_columns = epochs, loss_terms, report_columns
        self.best_psnr, self.best_epoch = best_psnr, best_epoch
        self.epoch, self.step_losses, self.losses, self.seconds = 0, [], {}, 0.0
        self.val_psnr, self.val_report, self.improved = None, {}, False


def loss_values(outputs, terms):
    """The loss terms of one step's outputs as floats: (total, term, ...) for several terms; one loss is the output
    itself, or the first of O2's loss-scaled (loss, overflow, scale)."""
    if len(terms) > 1:
        return [float(value.asnumpy()) for value in outputs[:len(terms)]]
    return [float((outputs[0] if isinstance(outputs, (tuple, list)) else outputs).asnumpy())]


class EpochLoss(Callback):
    """Each step's loss terms, and per epoch their means and the wall seconds (data pipeline and step). With
    dataset_sink_mode MindSpore calls step_end once per sunk epoch: the mean is then the epoch's last step."""

    def __init__(self, state):
        super().__init__()
        self.state, self.start = state, 0.0

    def on_train_epoch_begin(self, run_context):
        self.state.epoch = run_context.original_args().cur_epoch_num - 1
        self.state.step_losses = []
        self.start = time.time()

    def on_train_step_end(self, run_context):
        self.state.step_losses.append(loss_values(run_context.original_args().net_outputs, self.state.loss_terms))

    def on_train_epoch_end(self, run_context):
        self.state.seconds = time.time() - self.start
        means = np.mean(self.state.step_losses, axis=0)
        self.state.losses = dict(zip(self.state.loss_terms, (float(v) for v in means)))


class ProgressBar(Callback):
    """A tqdm bar per epoch with the running mean of the last 50 losses (off when stderr is not a terminal)."""

    def __init__(self, state, steps_per_epoch, every=50):
        super().__init__()
        self.state, self.steps, self.every, self.bar = state, steps_per_epoch, every, None

    def on_train_epoch_begin(self, run_context):
        self.bar = tqdm(total=self.steps, desc=f"epoch {self.state.epoch + 1}/{self.state.epochs}", leave=False,
                        disable=None)

    def on_train_step_end(self, run_context):
        done = (run_context.original_args().cur_step_num - 1) % self.steps + 1  # a sunk epoch ends at once
        self.bar.update(done - self.bar.n)
        if len(self.state.step_losses) % self.every == 0:
            self.bar.set_postfix(loss=f"{np.mean([s[0] for s in self.state.step_losses[-self.every:]]):.6f}")

    def on_train_epoch_end(self, run_context):
        self.bar.close()


class Validation(Callback):
    """Scores the network on the validation set after each epoch (`validate()` returns the mean PSNR and a dict of
    the spec's further figures). The best epoch is the one of highest PSNR, or with select_on_psnr False the latest
    (then "best" is the end of the schedule)."""

    def __init__(self, state, validate, select_on_psnr=True):
        super().__init__()
        self.state, self.validate, self.select_on_psnr = state, validate, select_on_psnr

    def on_train_epoch_end(self, run_context):
        state = self.state
        state.val_psnr, state.val_report = self.validate()
        state.improved = state.val_psnr > state.best_psnr or not self.select_on_psnr
        if state.improved:
            state.best_psnr, state.best_epoch = state.val_psnr, state.epoch


class BestCheckpoint(Callback):
    """best.ckpt: the weights of the epoch with the best validation PSNR (the weights to ship)."""

    def __init__(self, state, net, path, info):
        super().__init__()
        self.state, self.net, self.path, self.info = state, net, path, info

    def on_train_epoch_end(self, run_context):
        if self.state.improved:
            checkpoint.save(self.net, self.path, self.info(epoch=self.state.epoch, val_psnr=self.state.best_psnr))


class LastCheckpoint(Callback):
    """A checkpoint of `parameters()` after every epoch (last.ckpt: what --resume restores)."""

    def __init__(self, state, parameters, path, info):
        super().__init__()
        self.state, self.parameters, self.path, self.info = state, parameters, path, info

    def on_train_epoch_end(self, run_context):
        checkpoint.save([{"name": p.name, "data": p} for p in self.parameters()], self.path,
                        self.info(epoch=self.state.epoch, best_psnr=self.state.best_psnr))


class TrainingLog(Callback):
    """The epoch line on stdout, a row of log.csv (one column per loss term) and the validation curve beside it."""

    def __init__(self, state, output_dir, loss_label="loss"):
        super().__init__()
        self.state, self.loss_label = state, loss_label
        self.csv_path = os.path.join(output_dir, "log.csv")
        self.curve_path = os.path.join(output_dir, "curve.png")

    def on_train_epoch_end(self, run_context):
        state = self.state
        losses = "  ".join(f"{self.loss_label if name == 'loss' else name} {value:.6f}"
                           for name, value in state.losses.items())
        report = "".join(f"  {name} {state.val_report[name]:.3f}" for name in state.report_columns)
        print(f"epoch {state.epoch + 1}/{state.epochs}  {losses}  {state.seconds:.1f} s  "
              f"val PSNR {state.val_psnr:.3f} dB  (best {state.best_psnr:.3f}){report}", flush=True)
        new = not os.path.exists(self.csv_path)
        with open(self.csv_path, "a", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            if new:
                writer.writerow(["epoch", *state.loss_terms, "seconds", "val_psnr", "best_psnr",
                                 *state.report_columns])
            writer.writerow([state.epoch + 1, *(f"{state.losses[t]:.8f}" for t in state.loss_terms),
                             f"{state.seconds:.2f}", f"{state.val_psnr:.4f}", f"{state.best_psnr:.4f}",
                             *(f"{state.val_report[name]:.4f}" for name in state.report_columns)])
        compare.training_curve(self.csv_path, self.curve_path)


class EarlyStop(Callback):
    """Stops the run once `patience` epochs in a row have not improved the best validation PSNR."""

    def __init__(self, state, patience):
        super().__init__()
        self.state, self.patience = state, patience

    def on_train_epoch_end(self, run_context):
        if self.state.epoch - self.state.best_epoch >= self.patience:
            print(f"early stop: no better validation PSNR for {self.patience} epochs "
                  f"(best {self.state.best_psnr:.3f} at epoch {self.state.best_epoch + 1})", flush=True)
            run_context.request_stop()

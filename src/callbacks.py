"""The training callbacks (mindspore.train.Callback) that Model.train runs, in the order src/trainer.py lists them.

They share one RunState: EpochLoss fills in the epoch's loss terms and seconds, Validation the validation PSNR and
the best so far; the checkpoint, log and early-stop callbacks read it. Epochs are counted from 0 here and printed
from 1, as in log.csv.
"""
import csv
import io
import os
import time

import numpy as np
from mindspore.train import Callback
from tqdm import tqdm

from src import checkpoint, compare, fileio
from src.errors import UserError, reinstall_handlers


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


class InterruptHandlers(Callback):
    """Keeps Ctrl-C a KeyboardInterrupt during training (src/errors.py): MindSpore's dataset pipeline installs its
    own SIGTERM handler once training starts, and each graph run its SIGINT handler; ours go back at every step."""

    def on_train_step_begin(self, run_context):
        reinstall_handlers()

    def on_train_step_end(self, run_context):
        reinstall_handlers()


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


def log_header(state):
    """The columns of log.csv: epoch, one per loss term, seconds, validation PSNR, best PSNR, the spec's figures."""
    return ["epoch", *state.loss_terms, "seconds", "val_psnr", "best_psnr", *state.report_columns]


def check_log(path, header, epochs_done):
    """Before a run resumes: the log.csv it will append to must be one of this run. Its header must be `header` (a
    UserError otherwise: a log of another model or version would get rows of other columns). A half-written last
    line (a kill while writing it) and rows of epochs after `epochs_done` (the epoch whose row was written before
    a kill took its checkpoint: it is trained again) are dropped, the file rewritten atomically. Returns a note on
    what was dropped, or ""."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return ""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read this run's log ({err})") from None
    complete, _, partial = text.rpartition("\n")
    rows = list(csv.reader(io.StringIO(complete + "\n" if complete else "")))
    if not rows or rows[0] != header:
        found = ",".join(rows[0]) if rows else partial
        raise UserError(f"{path}: its columns ({found[:120]}) are not this run's ({','.join(header)}): a log of "
                        "another model or version? Move it away (a new log is started) or use another --output_dir")
    kept = [rows[0]]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header) or not row[0].isdigit():
            raise UserError(f"{path}: line {number} is not a row of {len(header)} columns starting with an epoch "
                            "number: repair or move the log")
        if int(row[0]) <= epochs_done:
            kept.append(row)
    dropped = []
    if partial:
        dropped.append("a half-written last line")
    if len(kept) < len(rows):
        dropped.append(f"the rows of epochs after {epochs_done} (trained again)")
    if not dropped:
        return ""
    out = io.StringIO()
    csv.writer(out).writerows(kept)
    fileio.write_text(path, out.getvalue())
    return f"{path}: dropped {' and '.join(dropped)}"


class TrainingLog(Callback):
    """A row of log.csv (one column per loss term) and the validation curve beside it. It runs before the epoch's
    checkpoints: the log never lacks an epoch that last.ckpt holds (a resume drops rows after it, src/trainer.py)."""

    def __init__(self, state, output_dir):
        super().__init__()
        self.state = state
        self.csv_path = os.path.join(output_dir, "log.csv")
        self.curve_path = os.path.join(output_dir, "curve.png")

    def on_train_epoch_end(self, run_context):
        state = self.state
        out = io.StringIO()
        writer = csv.writer(out)
        if not os.path.exists(self.csv_path) or os.path.getsize(self.csv_path) == 0:
            writer.writerow(log_header(state))
        writer.writerow([state.epoch + 1, *(f"{state.losses[t]:.8f}" for t in state.loss_terms),
                         f"{state.seconds:.2f}", f"{state.val_psnr:.4f}", f"{state.best_psnr:.4f}",
                         *(f"{state.val_report[name]:.4f}" for name in state.report_columns)])
        with open(self.csv_path, "a", newline="", encoding="utf-8") as f:
            f.write(out.getvalue())  # one write of whole lines
            f.flush()
            os.fsync(f.fileno())
        compare.training_curve(self.csv_path, self.curve_path)


class EpochReport(Callback):
    """The epoch line on stdout, once the epoch's checkpoints are written."""

    def __init__(self, state, loss_label="loss"):
        super().__init__()
        self.state, self.loss_label = state, loss_label

    def on_train_epoch_end(self, run_context):
        state = self.state
        losses = "  ".join(f"{self.loss_label if name == 'loss' else name} {value:.6f}"
                           for name, value in state.losses.items())
        report = "".join(f"  {name} {state.val_report[name]:.3f}" for name in state.report_columns)
        print(f"epoch {state.epoch + 1}/{state.epochs}  {losses}  {state.seconds:.1f} s  "
              f"val PSNR {state.val_psnr:.3f} dB  (best {state.best_psnr:.3f}){report}", flush=True)


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

"""ClassSR (Kong et al., CVPR 2021; docs/protocol.md section 6) over FSRCNN branches, and its spec (`--model classsr`).

A Class-Module scores LR sub-images; each goes to one SR branch, the cheapest for the easiest. Training (soft
routing) runs every branch on a batch of sub-images and mixes their outputs by the class probabilities; inference
(SubImageRouter) decomposes an image, classifies every sub-image in one batch, runs each branch once on the batch
of its sub-images and pastes the outputs back.

Branches are FSRCNN(d, s, m) written "d-s-m", or "bicubic" (MATLAB bicubic as a fixed convolution: the zero-cost
class of ARM, ECCV 2022). Costs are counted two ways (branch_macs): multiply-adds executed, and the paper's
convention, which counts the deconvolution per HR pixel.

The package: net.py (the Cells and the loss), router.py (inference on whole images), costs.py (multiply-adds),
classes.py (ranking training sub-images into classes), bench.py (its timing paths for benchmark.py).
"""
import math

import mindspore as ms

from src.errors import UserError
from src.models import Benchmarkable, NetworkSpec, Tileable, register
from src.models.classsr import bench
from src.models.classsr.classes import assign_classes, class_thresholds, subimage_psnr
from src.models.classsr.costs import branch_macs, class_module_macs, routing_costs, whole_image_macs
from src.models.classsr.net import (BICUBIC, SCALE, BicubicBranch, ClassModule, ClassSR, ClassSRLoss,
                                    bicubic_phase_kernels, build_branch, describe_branch, parse_branches)
from src.models.classsr.router import MIN_BATCH, SubImageRouter, batch_sizes, kept_span, run_batched
from src.models.fsrcnn import FSRCNNSpec

__all__ = [  # the package's public names, used by the tools and tests as classsr.<name>
    "BICUBIC", "SCALE", "BicubicBranch", "ClassModule", "ClassSR", "ClassSRLoss", "ClassSRSpec", "MIN_BATCH",
    "SubImageRouter", "assign_classes", "batch_sizes", "bicubic_phase_kernels", "branch_macs", "build_branch",
    "class_module_macs", "class_thresholds", "describe_branch", "kept_span", "parse_branches", "routing_costs",
    "run_batched", "subimage_psnr", "whole_image_macs"]


@register
class ClassSRSpec(NetworkSpec, Tileable, Benchmarkable):
    """Y channel, x4. Stage 2 (classsr_train classifier) trains the Class-Module with frozen branches; stage 3
    (joint) the branches too, except FSRCNN(56, 12, 4), which stays the shipped FSRCNN. Stage 1 trains each branch
    as a plain --model fsrcnn on its class of sub-images (python -m tools.classsr_data makes them)."""

    name = "classsr"
    title = "ClassSR"
    arch_keys = ("branches", "class_width")
    scales = (SCALE,)
    loss_terms = ("loss", "l1", "class", "average")
    torch_reference_modes = ()
    # Validation PSNR alone would pick the routing of everything to the costliest branch: best.ckpt is the end of
    # the schedule, and the operating point is chosen afterwards on Val20 (python -m tools.classsr_sweep, class_bias).
    select_on_psnr = False
    bench_workload = "large_image"  # sub-image routing is for large images
    not_exportable = ("its routing runs in Python between static graphs (src/models/classsr/router.py); "
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

    def part_checkpoints(self, net, which=None):
        """Each FSRCNN branch (or those numbered in `which`) with its checkpoint in branch_ckpts (stage 1's, or the
        shipped FSRCNN); an empty entry (and every bicubic branch) loads nothing."""
        paths = self.cfg.branch_ckpts.split(",")
        if len(paths) != len(self.branch_shapes):
            raise UserError(f"branch_ckpts names {len(paths)} files for {len(self.branch_shapes)} branches "
                            f"({self.cfg.branches})")
        paths = [p.strip() for p in paths]
        return [(path, cell, FSRCNNSpec.for_arch(self.cfg.scale, *branch), f"branches.{k}.")
                for k, (branch, cell, path) in enumerate(zip(self.branch_shapes, net.branches, paths))
                if branch != BICUBIC and path and (which is None or k in which)]

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

    def extra_bench_paths(self):
        return dict(bench.PATHS)

    def receptive_radius(self, net):
        """Tiles of the tiler (infer.py, huge images) need a halo of a whole sub-image: inside it the windows of a
        tile are placed as they would be on the whole image, up to the alignment of the stride grid."""
        return self.cfg.class_patch

    def forward_bytes_per_pixel(self, net):
        """The router holds the LR plane, its sub-images (overlap included) and the float32 output sum."""
        return 4 * (1 + math.ceil((self.cfg.class_patch / self.cfg.class_stride) ** 2) + self.cfg.scale ** 2)

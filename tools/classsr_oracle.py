"""The best any ClassSR router could do with a configuration's branches: an oracle that knows each sub-image's error.

    python -m tools.classsr_oracle --config_path configs/classsr/x4.yaml [--val_data Val20]

Each branch (from branch_ckpts) upscales the whole validation images (no seams: the oracle's quality is an upper
bound); each core of class_stride x class_stride LR pixels of the sub-image grid then takes the branch that minimises
squared error + lambda x cost. Over a sweep of lambda, prints the least multiply-adds (in % of plain
FSRCNN(56, 12, 4) on the whole image, the sub-image overlap (class_patch / class_stride)^2 and the Class-Module
included) that keeps the mean-squared error within 0.02 / 0.05 / 0.1 dB of FSRCNN(56, 12, 4)'s, with the shares.
"""
from src import environment  # noqa: E402  first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv)
    import numpy as np
    from src import checkpoint, dataset, device, inference, models, trainer
    from src.models import classsr
    trainer.check_validation_set(cfg.val_data)
    spec = models.spec_for(cfg)
    device.setup(cfg)
    net = spec.build()
    checkpoint.load_parts(spec.part_checkpoints(net))
    core = cfg.class_stride
    errors = []  # per core: squared error of each branch
    for _, hr, lr in dataset.load_eval_set(cfg.val_data, cfg.data_dir, cfg.scale):
        outs = [np.clip(inference.predict(branch, lr), 0, 255) for branch in net.branches]
        n = cfg.scale * core
        for r in range(0, hr.shape[0] - n + 1, n):
            for c in range(0, hr.shape[1] - n + 1, n):
                target = hr[r:r + n, c:c + n].astype(np.float64)
                errors.append([((o[r:r + n, c:c + n] - target) ** 2).sum() for o in outs])
    errors = np.array(errors)
    overlap = (cfg.class_patch / core) ** 2
    costs = np.array([classsr.branch_macs(b) for b in spec.branch_shapes]) * overlap
    classifier = classsr.class_module_macs(cfg.class_width, len(costs), cfg.class_patch) * overlap
    full = classsr.branch_macs((56, 12, 4))
    reference = errors[:, -1].sum()
    worse = ", ".join(f"{classsr.describe_branch(b)} {10 * np.log10(errors[:, i].sum() / reference):.2f} dB"
                      for i, b in enumerate(spec.branch_shapes[:-1]))
    print(f"{len(errors)} cores of {core}x{core} LR pixels on {cfg.val_data}; every core to one branch, worse "
          f"than the last by: {worse}")
    for budget in (0.02, 0.05, 0.1):
        best = None
        for lam in np.logspace(-3, 3, 400) * reference / len(errors) / full:
            choice = (errors + lam * costs[None, :]).argmin(axis=1)
            drop = 10 * np.log10(errors[np.arange(len(errors)), choice].sum() / reference)
            pct = 100 * (costs[choice].mean() + classifier) / full
            if drop <= budget and (best is None or pct < best[0]):
                best = (pct, np.bincount(choice, minlength=len(costs)) / len(choice))
        shares = " / ".join(f"{100 * s:.0f}" for s in best[1])
        print(f"within {budget} dB: {best[0]:.1f}% of plain FSRCNN's multiply-adds, shares {shares}")


if __name__ == "__main__":
    main()

"""Choose ClassSR's operating point on validation images: PSNR and true cost for a range of logit biases.

    python -m tools.classsr_sweep --config_path configs/classsr/x4.yaml --ckpt_file outputs/classsr_x4/best.ckpt

Bias t adds t * (-1 ... +1) (a ramp over the branches, cheapest first) to the Class-Module's logits: t > 0 sends
sub-images to costlier branches; an item a:b:c gives the whole vector. For each t: mean PSNR on val_data (Val20; a test set is refused) minus that of plain
FSRCNN(56, 12, 4) on the whole images, the branch shares and the multiply-adds in % of plain FSRCNN. The last line
names the cheapest t within --max_psnr_drop dB; put it in the config as class_bias.

--geometries "32/28/0,32/28/2,36/32/2" instead measures the pasting: every sub-image forced to FSRCNN(56, 12, 4),
for each patch/stride/halo, the PSNR against the same network on the whole images (the seams) and the pixels computed
((patch / stride)^2 on a large image).
"""
from src import environment  # noqa: E402  first: it prepares the environment MindSpore reads when it loads

environment.prepare()

import argparse  # noqa: E402

from src.config import get_config  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--biases", default="-2,-1,-0.5,0,0.5,1,1.5,2,3,4")
    pre.add_argument("--max_psnr_drop", type=float, default=0.05)
    pre.add_argument("--geometries", default="")
    extra, rest = pre.parse_known_args(argv)
    cfg = get_config(__doc__, rest)
    from src import checkpoint, dataset, device, evaluate, models, trainer
    from src.models import classsr
    trainer.check_validation_set(cfg.val_data)
    spec = models.spec_for(cfg)
    device.setup(cfg)
    net = checkpoint.network_from_checkpoint(cfg.ckpt_file, spec)
    images = dataset.load_eval_set(cfg.val_data, cfg.data_dir, cfg.scale)
    plain = evaluate.score_set(net.branches[len(net.branches) - 1], images, cfg.scale, False, False)[0]["psnr"]
    k = len(spec.branch_shapes)
    if extra.geometries:
        print(f"{'patch':>6}{'stride':>7}{'halo':>5}{'pixels':>8}{'dPSNR':>8}")
        for item in extra.geometries.split(","):
            patch, stride, halo = (int(v) for v in item.split("/"))
            router = classsr.SubImageRouter(net, patch, stride, halo, cfg.class_chunk, force=k - 1)
            drop = evaluate.score_set(router, images, cfg.scale, False, False)[0]["psnr"] - plain
            print(f"{patch:>6}{stride:>7}{halo:>5}{(patch / stride) ** 2:>7.2f}x{drop:>8.3f}", flush=True)
        return
    best = None
    print(f"{'bias':>12}{'dPSNR':>8}{'MACs %':>8}  shares")
    for item in extra.biases.split(","):
        if ":" in item:  # a whole vector, one bias per branch
            bias = [float(v) for v in item.split(":")]
        else:
            bias = [float(item) * (2 * i / (k - 1) - 1) + 0.0 for i in range(k)]
        t = ":".join(f"{b:g}" for b in bias)
        router = classsr.SubImageRouter(net, cfg.class_patch, cfg.class_stride, cfg.class_halo, cfg.class_chunk,
                                        bias=bias)
        drop = evaluate.score_set(router, images, cfg.scale, False, False)[0]["psnr"] - plain
        report = spec.validation_report(router)
        shares = " / ".join(f"{100 * report[f'share_{i}']:.0f}" for i in range(k))
        print(f"{t:>12}{drop:>8.3f}{report['macs_pct']:>8.1f}  {shares}", flush=True)
        if drop >= -extra.max_psnr_drop and (best is None or report["macs_pct"] < best[1]):
            best = (bias, report["macs_pct"])
    if best:
        print(f"cheapest within {extra.max_psnr_drop} dB of plain FSRCNN: class_bias "
              f"\"{','.join(f'{b:g}' for b in best[0])}\" ({best[1]:.1f}% of its MACs on {cfg.val_data})")
    else:
        print(f"no bias tried stays within {extra.max_psnr_drop} dB of plain FSRCNN on {cfg.val_data}")


if __name__ == "__main__":
    main()

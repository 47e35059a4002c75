"""ClassSR accounting on large images: shares, cost in both conventions, wall time and PSNR/SSIM against FSRCNN-56
through the same sub-images (a) and on the whole image (b), all in one run (tools/classsr_accounting.py).

    python -m tools.classsr_table --config_path configs/classsr/x4.yaml --eval_sets RealSR16 --iters 3 \
        --threads 2 --json docs/results/classsr_x4_realsr16.json [--png_dir docs/assets]

--png_dir also writes the routing pictures of the first two images (classsr_routing_<config>_<image>.png).
Run it with nothing else on the CPU: it times.
"""
import os

from src import environment  # noqa: E402  first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv)
    from src import benchmark, checkpoint, dataset, device, evaluate, models
    from tools import classsr_accounting
    spec = models.spec_for(cfg)
    if spec.name != "classsr":
        raise UserError(f"--model is {spec.name}: this script accounts for ClassSR (--model classsr)")
    device.setup(cfg)
    net = checkpoint.network_from_checkpoint(cfg.ckpt_file, spec)
    router, forced = spec.router(net), spec.router(net, force=len(spec.branch_shapes) - 1)
    tag = os.path.splitext(os.path.basename(cfg.ckpt_file))[0]
    results = {"config": spec.describe(), "ckpt": cfg.ckpt_file, "machine": benchmark.machine(),
               "threads": environment.cpu_threads(cfg.threads), "iters": cfg.iters, "patch": cfg.class_patch,
               "stride": cfg.class_stride, "halo": cfg.class_halo, "sets": {}}
    for set_name in cfg.eval_sets.split(","):
        images = dataset.load_eval_set(set_name.strip(), cfg.data_dir, cfg.scale)
        per_image = {}
        for i, (name, hr, lr) in enumerate(images):
            per_image[name] = classsr_accounting.account_image(router, forced, lr, hr, cfg.iters)
            row = per_image[name]["classsr"]
            print(f"{name}: {lr.shape[1]}x{lr.shape[0]} LR  ClassSR {row['psnr']:.2f} dB {row['ms']:.0f} ms  "
                  f"whole FSRCNN {per_image[name]['fsrcnn_whole']['psnr']:.2f} dB "
                  f"{per_image[name]['fsrcnn_whole']['ms']:.0f} ms  counts {row['counts']}", flush=True)
            if cfg.png_dir and i < 2:
                classsr_accounting.routing_picture(router, lr, os.path.join(cfg.png_dir,
                                                                            f"classsr_routing_{tag}_{name}.png"))
        summary = classsr_accounting.summarise(per_image)
        results["sets"][dataset.set_name(set_name.strip())] = {"summary": summary, "images": per_image}
        print(classsr_accounting.format_table(f"{spec.describe()} on {set_name} ({results['machine']}, "
                                              f"{results['threads']} threads)", summary, spec.branch_shapes))
    if cfg.json:
        evaluate.write_json(results, cfg.json)


if __name__ == "__main__":
    main()

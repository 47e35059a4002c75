"""Evaluate a checkpoint with the MATLAB protocol: python eval.py [--ckpt_file F --scale N --eval_sets Set5,Set14].

With no arguments: the shipped x4 checkpoint on Set5 from data_dir. Prints PSNR/SSIM of the network and of bicubic.
"""
from src import environment  # first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "eval")
    from src import device, evaluate, inference, models
    evaluate.check_json(cfg.json, [cfg.ckpt_file])
    evaluate.set_names(cfg.eval_sets)
    spec = models.spec_for(cfg)
    device.setup(cfg)
    net = inference.served_network(spec)
    net = inference.make_dynamic(net, spec.channels)
    results = evaluate.evaluate(net, cfg, spec.image_mode)
    print(f"{spec.describe()}  {cfg.ckpt_file}")
    print(evaluate.format_table(results, cfg.verbose))
    if cfg.json:
        evaluate.write_json(results, cfg.json)


if __name__ == "__main__":
    main()

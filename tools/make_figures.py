"""README pictures: python -m tools.make_figures [--config configs/fsrcnn/x4.yaml]
[--images Set5/butterfly.png,Set14/comic.png,BSD100/253027.png] [--curves LOG.csv,...]

Each HR test image (path under --data_dir) is modcropped and shrunk by MATLAB bicubic on every RGB channel (the LR
input a user would have), then upscaled by bicubic and by the config's shipped checkpoint (infer.py's code: FSRCNN on
Y, bicubic chroma). One picture, docs/assets/compare_<checkpoint name>.png, shows for each image the same most
detailed region of HR | bicubic | FSRCNN. Each training log (log.csv of train.py; default:
docs/training/fsrcnn*_log.csv, the shipped models' and their stages', and docs/training/ablations/fsrcnn*_log.csv,
the earlier x3 bases) becomes docs/assets/curve_<log name>.png: validation PSNR per epoch.
"""
import argparse
import glob
import os

import numpy as np
from PIL import Image

from src.paths import ROOT  # noqa: E402
from src import environment  # noqa: E402

environment.prepare()
from src import compare, config, dataset, protocol, upscale  # noqa: E402
from src.errors import cli_entry  # noqa: E402


def comparison_rows(cfg, data_dir, images):
    """[(image name, [("HR", ...), ("bicubic", ...), ("FSRCNN", ...)])] for compare.crop_rows."""
    upscaler = upscale.load_upscaler(cfg)
    rows = []
    for rel in images:
        # the protocol's degradation (modcrop, MATLAB bicubic) on every RGB channel, rounded as an image file is
        path = dataset.resolve_data(rel, data_dir)  # a missing set: one line naming the download command
        hr, lr = protocol.degrade(np.asarray(Image.open(path).convert("RGB")), cfg.scale)
        lr = protocol.round_uint8(lr)
        bicubic = upscale.upscale_pixels(lr, cfg.scale, upscale.bicubic(cfg.scale), upscaler.budget_bytes)
        ours, _ = upscaler.upscale(lr)
        name = f"{os.path.splitext(os.path.basename(rel))[0]} x{cfg.scale}"
        rows.append((name, [("HR", Image.fromarray(hr)), ("bicubic", Image.fromarray(bicubic)),
                            ("FSRCNN (ours)", Image.fromarray(ours))]))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=os.path.join(ROOT, "configs", "fsrcnn", "x4.yaml"),
                        help="a shipped config: its checkpoint and scale make the comparison")
    parser.add_argument("--images", default="Set5/butterfly.png,Set14/comic.png,BSD100/253027.png")
    parser.add_argument("--data_dir", default="", help="default: FSRCNN_DATA_DIR, else the project's data/")
    parser.add_argument("--curves", default=",".join(sorted(
        glob.glob(os.path.join(ROOT, "docs", "training", "fsrcnn*_log.csv"))
        + glob.glob(os.path.join(ROOT, "docs", "training", "ablations", "fsrcnn*_log.csv")))))
    parser.add_argument("--out_dir", default=os.path.join(ROOT, "docs", "assets"))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for log_csv in filter(None, args.curves.split(",")):
        png = os.path.join(args.out_dir, f"curve_{os.path.splitext(os.path.basename(log_csv))[0]}.png")
        compare.training_curve(log_csv, png)
        print(f"wrote {png}")
    cfg = config.get_config("", ["--config_path", args.config])
    rows = comparison_rows(cfg, args.data_dir, args.images.split(","))
    figure = os.path.join(args.out_dir, f"compare_{os.path.splitext(os.path.basename(cfg.ckpt_file))[0]}.png")
    compare.crop_rows(rows, cfg.scale).save(figure)
    print(f"wrote {figure}")


if __name__ == "__main__":
    cli_entry(main)()

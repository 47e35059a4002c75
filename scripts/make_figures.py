"""README pictures: python scripts/make_figures.py [--config configs/fsrcnn_x4.yaml]
[--images Set5/butterfly.png,Set14/comic.png,BSD100/253027.png] [--curves LOG.csv,...]

Each HR test image (path under --data_dir) is modcropped and shrunk by MATLAB bicubic on every RGB channel (the LR
input a user would have), then upscaled by bicubic and by the config's shipped checkpoint (infer.py's code: FSRCNN on
Y, bicubic chroma). One picture, docs/assets/compare_<config name>.png, shows for each image the same most detailed
region of HR | bicubic | FSRCNN. Each training log (log.csv of train.py; default: the shipped models',
docs/training/fsrcnn*_log.csv) becomes docs/assets/curve_<log name>.png: validation PSNR per epoch.
"""
import argparse
import csv
import glob
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from src import environment  # noqa: E402

environment.prepare()
from src import compare, config, protocol, upscale  # noqa: E402


def comparison_rows(cfg, data_dir, images):
    """[(image name, [("HR", ...), ("bicubic", ...), ("FSRCNN", ...)])] for compare.crop_rows."""
    upscaler = upscale.load_upscaler(cfg)
    rows = []
    for rel in images:
        # the protocol's degradation (modcrop, MATLAB bicubic) on every RGB channel, rounded as an image file is
        hr, lr = protocol.degrade(np.asarray(Image.open(os.path.join(data_dir, rel)).convert("RGB")), cfg.scale)
        lr = protocol.round_uint8(lr)
        bicubic = upscale.upscale_pixels(lr, cfg.scale, upscale.bicubic_y(cfg.scale), upscaler.budget_bytes)
        ours, _ = upscaler.upscale(lr)
        name = f"{os.path.splitext(os.path.basename(rel))[0]} x{cfg.scale}"
        rows.append((name, [("HR", Image.fromarray(hr)), ("bicubic", Image.fromarray(bicubic)),
                            ("FSRCNN (ours)", Image.fromarray(ours))]))
    return rows


def curve(log_csv, png, size=(640, 360), margin=48):
    """Validation PSNR per epoch of a train.py log, as a line chart (Pillow only: no plotting dependency)."""
    with open(log_csv, newline="", encoding="utf-8") as f:
        rows = [(int(r["epoch"]), float(r["val_psnr"])) for r in csv.DictReader(f)]
    epochs, psnr = zip(*rows)
    low, high = np.floor(min(psnr) * 4) / 4, np.ceil(max(psnr) * 4) / 4
    width, height = size
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)

    def point(epoch, value):
        x = margin + (epoch - 1) / max(1, epochs[-1] - 1) * (width - 2 * margin)
        return x, height - margin - (value - low) / (high - low) * (height - 2 * margin)
    for value in np.arange(low, high + 1e-9, 0.25):
        y = point(1, value)[1]
        draw.line([(margin, y), (width - margin, y)], fill=(225, 225, 225))
        draw.text((4, y - 6), f"{value:.2f}", fill="black")
    for epoch in epochs:
        if epoch == 1 or epoch % 5 == 0:
            draw.text((point(epoch, low)[0] - 4, height - margin + 6), str(epoch), fill="black")
    draw.line([point(e, v) for e, v in rows], fill=(200, 40, 40), width=2)
    best = max(rows, key=lambda r: r[1])
    draw.ellipse([point(*best)[0] - 4, point(*best)[1] - 4, point(*best)[0] + 4, point(*best)[1] + 4],
                 outline=(200, 40, 40), width=2)
    draw.text((margin, 8), f"validation PSNR (dB) per epoch, {os.path.basename(log_csv)}; "
              f"best {best[1]:.2f} dB at epoch {best[0]}", fill="black")
    img.save(png)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=os.path.join(ROOT, "configs", "fsrcnn_x4.yaml"),
                        help="a shipped config: its checkpoint and scale make the comparison")
    parser.add_argument("--images", default="Set5/butterfly.png,Set14/comic.png,BSD100/253027.png")
    parser.add_argument("--data_dir", default=os.path.join(ROOT, "..", "shared", "datasets"))
    parser.add_argument("--curves", default=",".join(sorted(glob.glob(os.path.join(ROOT, "docs", "training",
                                                                         "fsrcnn*_log.csv")))))
    parser.add_argument("--out_dir", default=os.path.join(ROOT, "docs", "assets"))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for log_csv in filter(None, args.curves.split(",")):
        png = os.path.join(args.out_dir, f"curve_{os.path.splitext(os.path.basename(log_csv))[0]}.png")
        curve(log_csv, png)
        print(f"wrote {png}")
    cfg = config.get_config("", ["--config_path", args.config])
    rows = comparison_rows(cfg, args.data_dir, args.images.split(","))
    figure = os.path.join(args.out_dir, f"compare_{os.path.splitext(os.path.basename(args.config))[0]}.png")
    compare.crop_rows(rows, cfg.scale).save(figure)
    print(f"wrote {figure}")


if __name__ == "__main__":
    main()

"""README pictures: python scripts/make_figures.py [--images Set5/butterfly.png,Set14/zebra.png] [--scale 4]
[--curves docs/training/fsrcnn_x4_log.csv]

Each HR image (path under --data_dir) is shrunk by MATLAB bicubic (src.protocol.imresize, per RGB channel) to make
the LR input a user would have, then upscaled by `infer.py --compare`, which writes bicubic | FSRCNN side by side
to docs/assets/compare_<name>_x<scale>.png. Uses the shipped checkpoint of the scale unless --ckpt_file is given.
Each training log (log.csv of train.py) becomes docs/assets/curve_<log name>.png: validation PSNR per epoch.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import csv

import numpy as np
from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from src import protocol  # noqa: E402


def shrink(hr_path, scale, lr_path):
    """HR RGB image -> modcropped, bicubic-downscaled RGB PNG (the protocol's degradation on every channel)."""
    rgb = protocol.modcrop(np.asarray(Image.open(hr_path).convert("RGB")), scale)
    Image.fromarray(protocol.round_uint8(protocol.imresize(rgb.astype(np.float64), 1.0 / scale))).save(lr_path)


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
    parser.add_argument("--images", default="Set5/butterfly.png")
    parser.add_argument("--data_dir", default=os.path.join(ROOT, "..", "shared", "datasets"))
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--ckpt_file", default="")
    parser.add_argument("--curves", default=os.path.join(ROOT, "docs", "training", "fsrcnn_x4_log.csv"))
    parser.add_argument("--out_dir", default=os.path.join(ROOT, "docs", "assets"))
    args = parser.parse_args()
    for log_csv in filter(None, args.curves.split(",")):
        png = os.path.join(args.out_dir, f"curve_{os.path.splitext(os.path.basename(log_csv))[0]}.png")
        curve(log_csv, png)
        print(f"wrote {png}")
    ckpt = args.ckpt_file or os.path.join(ROOT, "checkpoints", f"fsrcnn_x{args.scale}.ckpt")
    with tempfile.TemporaryDirectory() as tmp:
        for rel in args.images.split(","):
            name = os.path.splitext(os.path.basename(rel))[0]
            lr = os.path.join(tmp, f"{name}_lr.png")
            shrink(os.path.join(args.data_dir, rel), args.scale, lr)
            figure = os.path.join(args.out_dir, f"compare_{name}_x{args.scale}.png")
            subprocess.run([sys.executable, os.path.join(ROOT, "infer.py"), "--input", lr, "--output",
                            os.path.join(tmp, f"{name}_sr.png"), "--scale", str(args.scale), "--ckpt_file", ckpt,
                            "--compare", figure, "--overwrite"], check=True)
            print(f"wrote {figure}")


if __name__ == "__main__":
    main()

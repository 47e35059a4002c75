"""README pictures: python scripts/make_figures.py [--images Set5/butterfly.png,Set14/zebra.png] [--scale 4]

Each HR image (path under --data_dir) is shrunk by MATLAB bicubic (src.protocol.imresize, per RGB channel) to make
the LR input a user would have, then upscaled by `infer.py --compare`, which writes bicubic | FSRCNN side by side
to docs/assets/compare_<name>_x<scale>.png. Uses the shipped checkpoint of the scale unless --ckpt_file is given.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from src import protocol  # noqa: E402


def shrink(hr_path, scale, lr_path):
    """HR RGB image -> modcropped, bicubic-downscaled RGB PNG (the protocol's degradation on every channel)."""
    rgb = protocol.modcrop(np.asarray(Image.open(hr_path).convert("RGB")), scale)
    Image.fromarray(protocol.round_uint8(protocol.imresize(rgb.astype(np.float64), 1.0 / scale))).save(lr_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", default="Set5/butterfly.png")
    parser.add_argument("--data_dir", default=os.path.join(ROOT, "..", "shared", "datasets"))
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--ckpt_file", default="")
    parser.add_argument("--out_dir", default=os.path.join(ROOT, "docs", "assets"))
    args = parser.parse_args()
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

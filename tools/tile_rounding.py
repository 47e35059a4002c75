"""How far tiled inference is from one whole-image pass on this CPU: python -m tools.tile_rounding
[--image BSD100/101085.png] [--crop 301,321] [--scale 4] [--tile 64]

The shipped FSRCNN of the scale on MindSpore (infer.py --backend mindspore), the image (a path, or a path under the
data folder) cropped to H,W, upscaled once in tiles of --tile LR pixels and once whole; prints the CPU, the 8-bit
values that differ and by how much. oneDNN picks its convolution kernels by input shape, so the two can differ in
the last float bits (docs/performance.md, AMD EPYC with AVX-512).
"""
import argparse

from src import environment  # noqa: E402  first: it prepares the environment MindSpore reads when it loads

environment.prepare()

import numpy as np  # noqa: E402

from src import benchmark, config, dataset, device, inference, models, protocol, upscale  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", default="BSD100/101085.png")
    parser.add_argument("--crop", default="301,321", help="H,W of the top-left crop")
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--tile", type=int, default=64)
    parser.add_argument("--data_dir", default="")
    args = parser.parse_args(argv)
    cfg = config.get_config("", ["--scale", str(args.scale), "--ckpt_file", f"checkpoints/fsrcnn_x{args.scale}.ckpt"])
    spec = models.spec_for(cfg)
    device.setup(cfg)
    net = inference.make_dynamic(inference.served_network(spec))
    height, width = (int(v) for v in args.crop.split(","))
    pixels = np.asarray(protocol.open_image(dataset.resolve_data(args.image, args.data_dir)).convert("RGB"))
    pixels = pixels[:height, :width]
    tiled, tiles = upscale.Upscaler.for_network(spec, net, args.tile, 256).upscale(pixels)
    whole, _ = upscale.Upscaler.for_network(spec, net, 0, 2 ** 20).upscale(pixels)
    diff = np.abs(tiled.astype(np.int64) - whole.astype(np.int64))
    print(benchmark.machine())
    print(f"{args.image} {pixels.shape[1]}x{pixels.shape[0]} x{args.scale}, {tiles.count} tiles of {args.tile}: "
          f"{np.count_nonzero(diff)} of {diff.size} 8-bit values differ, by at most {diff.max()}")


if __name__ == "__main__":
    main()

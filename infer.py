"""Upscale images with FSRCNN: python infer.py --input IMAGE_OR_FOLDER --output PATH [--scale 2|3|4] [--model fmen].

Without --ckpt_file the shipped model of that network and scale is used (checkpoints/fsrcnn_x2.ckpt for --scale 2,
the FMEN-S of the scale for --model fmen), from any working directory. On CPU the network runs in ONNX Runtime
(--backend auto): its model is built from the checkpoint once and cached, later runs start without MindSpore.

Colour images are super-resolved on luma (Y of MATLAB YCbCr, what the network was trained on); chroma (Cb, Cr) and
an alpha channel are upscaled by bicubic interpolation. Grayscale stays grayscale, 16-bit grayscale stays 16-bit,
EXIF orientation is applied, palette images are converted. Large images run in tiles sized from --max_memory_mb
(exact: the same output as one pass). A folder input upscales every image into the --output folder.
"""
import os

# before numpy loads: one OpenBLAS thread. The colour stage runs its strips on a thread per core itself; OpenBLAS's
# own threads, asleep between its small products, cost more to wake than they save (its time 8 -> 5 ms at 256x256 x4
# on 2 cores, docs/performance.md). A value the user set stands.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from src import environment  # noqa: E402 - first of ours: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "infer")
    from src import upscale
    upscale.pick_checkpoint(cfg)
    upscale.run(cfg)


if __name__ == "__main__":
    main()

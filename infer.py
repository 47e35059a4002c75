"""Upscale images with FSRCNN: python infer.py --input IMAGE_OR_FOLDER --output PATH [--scale 4 --ckpt_file F].

Colour images are super-resolved on luma (Y of MATLAB YCbCr, what the network was trained on); chroma (Cb, Cr) and
an alpha channel are upscaled by bicubic interpolation. Grayscale stays grayscale, 16-bit grayscale stays 16-bit,
EXIF orientation is applied, palette images are converted. Large images run in tiles sized from --max_memory_mb
(exact: the same output as one pass). A folder input upscales every image into the --output folder.
"""
from src import environment  # first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "infer")
    from src import upscale
    upscale.run(cfg)


if __name__ == "__main__":
    main()

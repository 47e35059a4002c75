"""Score the C++ harness's outputs as eval.py does: python postprocess.py [--lr_bin_dir DIR --sr_bin_dir DIR]
[--png_dir DIR] [--json FILE].

Reads DIR/meta.json (preprocess.py), crops each output to its image, rounds it and prints PSNR/SSIM against the
ground truth with the bicubic baseline: the table and figures of eval.py. --png_dir also saves each output luma.
"""
from src import environment  # first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "postprocess")
    from src import evaluate, fileio, serving
    evaluate.check_json(cfg.json)
    if cfg.png_dir:
        fileio.check_output_folder(cfg.png_dir, "--png_dir")  # before the set is read and scored
    meta = serving.read_meta(cfg.lr_bin_dir)
    results = serving.postprocess(meta, serving.load_images(meta), cfg.sr_bin_dir, cfg.png_dir)
    print(f"C++ harness outputs  {cfg.sr_bin_dir}")
    print(evaluate.format_table(results, cfg.verbose))
    if cfg.json:
        evaluate.write_json(results, cfg.json)


if __name__ == "__main__":
    main()

"""Eval set -> inputs of the C++ harness: python preprocess.py [--eval_sets Set5 --scale 4 --lr_bin_dir DIR]
[--pad_to H,W|largest].

Writes DIR/NAME_HxW.bin (each LR image as the network --model reads it: float32 luma, or RGB for FMEN) and
DIR/meta.json for postprocess.py. --pad_to pads every plane to one shape, for a static model exported at it
(Ascend 310; FMEN's ONNX for the CPU harness).
"""
from src import environment  # first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "preprocess")
    from src import dataset, fileio, models, serving
    mode = models.spec_for(cfg).image_mode
    dataset.check_scale(cfg.scale)
    if "," in cfg.eval_sets:
        raise UserError(f"--eval_sets '{cfg.eval_sets}': preprocess one set at a time")
    fileio.check_output_folder(cfg.lr_bin_dir, "--lr_bin_dir")  # before the set is read
    path = dataset.resolve_data(cfg.eval_sets, cfg.data_dir)
    images = dataset.load_eval_set(path, cfg.data_dir, cfg.scale, mode)
    shape = serving.pad_shape(images, cfg.pad_to)
    serving.preprocess(path, images, cfg.scale, cfg.lr_bin_dir, shape, mode)
    size = f"padded to {shape[0]}x{shape[1]}" if shape else "each its own size"
    print(f"wrote {len(images)} LR planes of {dataset.set_name(path)} x{cfg.scale} ({size}) to {cfg.lr_bin_dir}")


if __name__ == "__main__":
    main()

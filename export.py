"""Export a checkpoint: python export.py --ckpt_file F --scale N [--file_name NAME]
[--file_format MINDIR|AIR|ONNX|CKPT] [--fixed_shape N,1,H,W] [--subpixel true].

MINDIR takes any batch and size unless --fixed_shape is given; ONNX (repaired for onnxruntime) and AIR (Ascend only)
are static, 1,1,256,256 by default. CKPT is the served (inference) form as a checkpoint, e.g. a training-form FMEN
re-parameterised. Writes NAME.mindir, NAME.air, NAME.onnx or NAME.ckpt. --subpixel writes the deconvolution
as its exact sub-pixel form (stride-1 conv + pixel shuffle), for backends whose transposed convolution is slow.
"""
from src import environment  # first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "export")
    from src import device, export, inference, models
    spec = models.spec_for(cfg)
    target = export.plan(cfg, spec)
    device.setup(cfg)
    net = inference.served_network(spec)
    export.export(net, target, spec, cfg.ckpt_file)
    print(export.summary(target, spec))


if __name__ == "__main__":
    main()

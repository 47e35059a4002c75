"""Convert the FMEN authors' released PyTorch weights into a checkpoint of this toolkit (no torch needed).

    python -m tools.convert_fmen --config_path configs/fmen-s/x4.yaml \
        --torch_weights PATH/TO/test_weights.pt

writes cfg.ckpt_file (checkpoints/fmen-s_x4.ckpt), recording the source file and its sha256. The weights are
Apache-2.0 (NJU-Jet/FMEN): keep checkpoints/LICENSE-fmen beside any copy.
"""
import hashlib
import os

from src import environment  # noqa: E402  first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import UserError, cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "convert")
    if not cfg.torch_weights:
        raise UserError("give --torch_weights PATH (the authors' state_dict: test_weights.pt of NJU-Jet/FMEN)")
    from src import checkpoint, models, torch_state
    from src.models import fmen
    spec = models.spec_for(cfg)
    if spec.name != "fmen":
        raise UserError(f"--model {spec.name}: only FMEN weights are converted (pass --model fmen)")
    arrays = torch_state.read_state_dict(cfg.torch_weights)
    net = spec.build()
    fmen.load_state_dict(net, arrays, cfg.torch_weights)
    with open(cfg.torch_weights, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    checkpoint.save(net, cfg.ckpt_file, dict(spec.arch(), source=os.path.basename(cfg.torch_weights),
                                              source_sha256=digest))
    print(f"wrote {cfg.ckpt_file} ({spec.describe()}, {len(arrays)} tensors from {cfg.torch_weights})")


if __name__ == "__main__":
    main()

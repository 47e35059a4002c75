"""Train a network (--model, default fsrcnn): python train.py [--config_path configs/fsrcnn/x4.yaml] [--key value ...]
(see --help; it lists the models)."""
from src import environment  # first: it prepares the environment MindSpore reads when it loads

environment.prepare()

from src.config import get_config  # noqa: E402
from src.errors import cli_entry  # noqa: E402


@cli_entry
def main(argv=None):
    cfg = get_config(__doc__, argv, "train")
    from src.trainer import Trainer
    with Trainer(cfg) as trainer:  # holds the run folder's lock until the end, however it ends
        trainer.fit()


if __name__ == "__main__":
    main()

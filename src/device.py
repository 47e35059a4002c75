"""Device and distributed setup: the one place that knows about CPU/GPU/Ascend and launchers."""
import os

import mindspore as ms

from src.errors import UserError

DEVICE_TARGETS = ("CPU", "GPU", "Ascend")
_LAUNCHER_VARS = ("MS_ROLE", "OMPI_COMM_WORLD_SIZE", "RANK_TABLE_FILE")


def launched_distributed():
    """True when msrun, mpirun or an Ascend rank table started this process (init() fails otherwise)."""
    return any(os.environ.get(v) for v in _LAUNCHER_VARS) or int(os.environ.get("RANK_SIZE", "1")) > 1


def setup(cfg):
    """Select the device and GRAPH_MODE; join the process group when launched distributed.

    Returns (rank, group_size).
    """
    if cfg.device_target not in DEVICE_TARGETS:
        raise UserError(f"device_target '{cfg.device_target}' is not one of {', '.join(DEVICE_TARGETS)}")
    if cfg.device_target == "CPU":
        ms.set_device("CPU")
    else:
        ms.set_device(cfg.device_target, int(os.environ.get("DEVICE_ID", cfg.device_id)))
    ms.set_context(mode=ms.GRAPH_MODE)
    if not launched_distributed():
        return 0, 1
    from mindspore.communication import get_group_size, get_rank, init
    init()
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True,
                                 device_num=get_group_size())
    return get_rank(), get_group_size()

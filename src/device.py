"""Device and distributed setup: the one place that knows about CPU/GPU/Ascend, launchers and what each supports."""
import os
import shutil
import sys

import mindspore as ms

from src import environment, paths
from src.errors import UserError

DEVICE_TARGETS = ("CPU", "GPU", "Ascend")
AMP_LEVELS = ("O0", "O1", "O2", "O3")
# What each launcher exports. msrun 2.10 (checked): MS_ROLE, MS_WORKER_NUM, MS_SCHED_HOST/PORT, RANK_ID, RANK_SIZE,
# DEVICE_ID. It also runs the script once as MS_ROLE=MS_SCHED: that process must call init() too, which serves as
# the scheduler (it would otherwise train on its own while the workers wait for a scheduler).
_LAUNCHER_VARS = ("MS_ROLE",                # msrun / dynamic cluster
                  "OMPI_COMM_WORLD_SIZE",   # mpirun (GPU)
                  "RANK_TABLE_FILE")        # Ascend rank table, one process per device
# Rank 0 validates and writes checkpoints while the other ranks already wait in the next all-reduce; MindSpore's
# 30 s default for CPU collectives is shorter than loading and scoring a large validation set.
_CPU_COMM_TIMEOUT_S = "1800"
# Ascend runs kernel by kernel: eval.py compiles one dynamic-shape graph (src/evaluate.py, make_dynamic), which
# GraphEngine (jit_level O2, deprecated since MindSpore 2.9) cannot run; O0 is also the documented mode of Atlas A2.
ASCEND_JIT_LEVEL = "O0"
# The launchers (scripts/common.sh) name a folder here: each rank then works in its own <folder>/rank_<r>/, where
# MindSpore and CANN write what they write into the working directory (compile caches, kernel_meta/,
# fusion_result.json, rank_<r>/ dumps), as ModelZoo's launchers give each rank train_parallel<r>/.
RANK_DIRS_VARIABLE = "FSRCNN_RANK_DIRS"


def launched_distributed():
    """True when msrun, mpirun or an Ascend rank table started this process (init() fails otherwise)."""
    return any(os.environ.get(var) for var in _LAUNCHER_VARS)


# what MindSpore 2.10's device plugins load against (docs/devices.md)
PLUGIN_NEEDS = {
    "CPU": "reinstall mindspore==2.10.0",
    "GPU": "MindSpore 2.10's GPU plugin needs an NVIDIA driver, the CUDA 11.1/11.6 runtime libraries (libcudart.so.11.0, "
           "libcublas.so.11, ...) and cuDNN 8 (libcudnn.so.8) on LD_LIBRARY_PATH (docs/devices.md)",
    "Ascend": "MindSpore 2.10's Ascend plugin needs CANN and the Ascend driver (source CANN's set_env.sh)",
}
# words of MindSpore's plugin-load messages that belong to each device
PLUGIN_MARKS = {"CPU": ("cpu",), "GPU": ("gpu", "cuda", "cudnn", "cublas", "nccl", "nvrtc"),
                "Ascend": ("ascend", "ge_runner", "hccl", "acl")}


def plugin_load_messages():
    """MindSpore's own record of the device plugins it failed to load when imported (the text its is_available()
    logs, which GLOG_v=3 hides)."""
    from mindspore._c_expression import MSContext  # private, but where is_available() itself reads it
    return MSContext.get_instance().load_plugin_error()


def plugin_error(target):
    """Why `target`'s plugin did not load, from MindSpore's messages (those naming the device's libraries)."""
    lines = [line.strip() for line in plugin_load_messages().splitlines()
             if any(mark in line.lower() for mark in PLUGIN_MARKS[target])]
    return "; ".join(lines) if lines else f"MindSpore loaded no {target} plugin (no driver library found)"


def check_options(cfg):
    """Reject settings the chosen device cannot run, before anything starts."""
    if cfg.device_target not in DEVICE_TARGETS:
        raise UserError(f"device_target '{cfg.device_target}' is not one of {', '.join(DEVICE_TARGETS)}")
    if not getattr(ms.device_context, cfg.device_target.lower()).is_available():
        raise UserError(f"device_target {cfg.device_target} is not available here: "
                        f"{plugin_error(cfg.device_target)}; {PLUGIN_NEEDS[cfg.device_target]}; "
                        "or use device_target CPU")
    if cfg.amp_level not in AMP_LEVELS:
        raise UserError(f"amp_level '{cfg.amp_level}' is not one of {', '.join(AMP_LEVELS)}")
    if cfg.device_target == "CPU" and cfg.amp_level != "O0":
        raise UserError(f"amp_level {cfg.amp_level} needs float16 kernels: use it on GPU or Ascend "
                        "(device_target CPU trains in float32, amp_level O0)")
    environment.cpu_threads(cfg.threads)  # refuses a count out of range
    if cfg.device_target != "CPU" and cfg.graph_kernel:
        raise UserError(f"graph_kernel is a CPU option here (device_target {cfg.device_target}): drop --graph_kernel")
    if cfg.device_target == "CPU" and cfg.dataset_sink_mode:
        raise UserError("dataset_sink_mode needs a device queue (GPU or Ascend); on CPU the batches are fed from "
                        "the host anyway: drop --dataset_sink_mode")


_cpu_threads_in_use = []


def _set_cpu_threads(count):
    """MindSpore takes the thread count once per process: later calls (several setups in one process) keep it."""
    if not _cpu_threads_in_use:
        ms.device_context.cpu.op_tuning.threads_num(count)
        _cpu_threads_in_use.append(count)
    return _cpu_threads_in_use[0]


def graph_kernel_missing():
    """Why MindSpore's graph-kernel compiler (AKG) cannot run here, or None: it imports `decorator` and links each
    fused kernel with g++."""
    if shutil.which("g++") is None:
        return "no g++ on PATH"
    try:
        import decorator  # noqa: F401
    except ImportError:
        return "the decorator package is missing (pip install decorator)"
    return None


def _enable_graph_kernel():
    """Fuse elementwise ops into compiled kernels (static-shape CPU graphs; the compiled kernels are cached under
    MS_COMPILER_CACHE_PATH, src/environment.py). Measured on a 2-core Intel Xeon (docs/performance.md): FSRCNN's
    PReLUs fuse and a static forward is ~1.9x faster with bit-identical outputs, but a whole training epoch got
    2.4x slower (and its weights differ in rounding), so it is an option for fixed-size inference.
    AKG still writes one small debug log, dsa_transfrom.log, into the working directory (overwritten each time)."""
    missing = graph_kernel_missing()
    if missing:
        print(f"note: graph kernel fusion is off ({missing}); everything works, static graphs run slower",
              file=sys.stderr)
        return
    environment.use_kernel_cache()  # before the first fused kernel is compiled (read then, not at import)
    ms.set_context(enable_graph_kernel=True)


# The train.py keys that name files or folders relative to the working directory (the network's own keys included),
# each with how a rank that leaves that directory keeps its meaning: "path" (made absolute), "paths or names"
# (comma-separated paths or names under data_dir: those that exist are made absolute, names stay as they are).
# tests/test_devices.py checks that every text key train.py reads is here or in NOT_PATH_KEYS.
PATH_KEYS = {"data_dir": "path", "output_dir": "path", "init_ckpt": "path", "class_data_dir": "path",
             "train_data": "paths or names", "val_data": "paths or names", "branch_ckpts": "paths or names",
             "class_source_data": "paths or names"}
NOT_PATH_KEYS = ("device_target", "model", "augment_scales", "train_degradations", "amp_level", "optimizer",
                 "lr_schedule", "form", "branches", "classsr_train", "class_loss_weights", "class_shares",
                 "class_bias")


def _absolute_paths(cfg):
    """Make cfg's paths (PATH_KEYS) absolute, so they mean the same after a change of working directory."""
    for key, kind in PATH_KEYS.items():
        value = getattr(cfg, key, None)
        if not isinstance(value, str) or not value:
            continue
        if kind == "path":
            setattr(cfg, key, os.path.abspath(value))
        else:
            setattr(cfg, key, ",".join(os.path.abspath(part) if part and os.path.exists(part) else part
                                       for part in value.split(",")))
    data_env = os.environ.get(paths.DATA_DIR_VARIABLE)  # the fallback data folder
    if data_env:
        os.environ[paths.DATA_DIR_VARIABLE] = os.path.abspath(data_env)


def enter_rank_dir(cfg, rank):
    """Launched by scripts/common.sh (RANK_DIRS_VARIABLE set): make cfg's paths absolute and work in
    <folder>/rank_<rank>/ from here on. Returns that folder, or None (the working directory stays)."""
    parent = os.environ.get(RANK_DIRS_VARIABLE)
    if not parent or os.environ.get("MS_ROLE") == "MS_SCHED":
        return None
    _absolute_paths(cfg)
    folder = os.path.join(os.path.abspath(parent), f"rank_{rank}")
    try:
        os.makedirs(folder, exist_ok=True)
        os.chdir(folder)
    except OSError as err:
        raise UserError(f"{folder}: cannot work in this rank's folder ({err.strerror})") from None
    print(f"rank {rank}: working directory {folder}", flush=True)
    return folder


def setup(cfg):
    """Select the device and GRAPH_MODE; join the process group when launched distributed (and, under the
    project's launchers, move into this rank's own working directory, enter_rank_dir).

    Returns (rank, group_size).
    """
    check_options(cfg)
    if cfg.device_target == "CPU":
        ms.set_device("CPU")
    else:
        ms.set_device(cfg.device_target, int(os.environ.get("DEVICE_ID", cfg.device_id)))
    ms.set_context(mode=ms.GRAPH_MODE)
    if cfg.device_target == "CPU":
        # deterministic: one thread, as the PReLU slope gradient is summed over threads in arrival order
        _set_cpu_threads(1 if cfg.deterministic else environment.cpu_threads(cfg.threads))
        if cfg.graph_kernel:
            _enable_graph_kernel()
    else:
        if cfg.device_target == "Ascend":
            # a deprecated set_context key in 2.10, still the one global switch (mindspore.jit's is per function)
            ms.set_context(jit_config={"jit_level": ASCEND_JIT_LEVEL})
        if cfg.deterministic:
            ms.set_deterministic(True)
    if not launched_distributed():
        return 0, 1
    from mindspore.communication import get_group_size, get_rank, init
    if cfg.device_target == "CPU":
        os.environ.setdefault("MS_CPU_COMM_OP_TIMEOUT", _CPU_COMM_TIMEOUT_S)
    init()
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True,
                                 device_num=get_group_size())
    enter_rank_dir(cfg, get_rank())
    return get_rank(), get_group_size()

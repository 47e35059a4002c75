"""Process environment that must be set before MindSpore loads: quiet logs, the folder of the graph-kernel compiler's
tiling repository (AKG_WHITE_LIST_PATH), and an oneDNN ISA cap where needed. The cache folder of the kernels of CPU
graph kernel fusion (MS_COMPILER_CACHE_PATH, else they land in the working directory) is set only when that fusion is
switched on (use_kernel_cache): on GPU/Ascend the variable would send every rank's graph and kernel caches into one
folder.

Why the cap: on Intel Xeons with AVX-512/AMX, MindSpore 2.10's oneDNN runs every convolution with its naive reference
kernel (`jit_uni_ncsp:conv+ref:any` under ONEDNN_VERBOSE=1), 30x slower than the `gemm:jit` kernel it picks when
ONEDNN_MAX_CPU_ISA=AVX2 (docs/protocol.md section 5). Capping at AVX512_CORE does not help, and AMD EPYCs never showed it.

How it is decided: by a probe, not by CPU flags. Flags would be a guess (avx512f alone is on Zen 4 EPYCs too, where
the reference kernel was never seen and a cap could cost); the probe runs one small MindSpore convolution in a
subprocess with ONEDNN_VERBOSE=1 and reads which kernel oneDNN executed. Only if that is the reference kernel are the
caps tried in order, and the first that avoids it is used. The result is cached per machine (CPU model, flags and
MindSpore version) under ~/.cache, so the ~2 s probe runs once per machine. A cap the user set (ONEDNN_MAX_CPU_ISA or
DNNL_MAX_CPU_ISA, even `ALL`) always stands. This module must not import MindSpore.
"""
import hashlib
import importlib.util
import json
import os
import platform
import subprocess
import sys

from src import fileio, paths
from src.errors import UserError

ISA_VARIABLES = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")
CAPS_TO_TRY = ("AVX2", "AVX")
REFERENCE_KERNEL_MARK = "ref"
CACHE_VERSION = 1

# One 5x5 convolution, FSRCNN's first layer, with oneDNN's verbose log on: what oneDNN executes for it.
_PROBE_CODE = """
import numpy as np, mindspore as ms
from mindspore import nn
ms.set_device("CPU")
ms.device_context.cpu.op_tuning.threads_num(1)
conv = nn.Conv2d(1, 8, 5, pad_mode="pad", padding=2, has_bias=True)
conv(ms.Tensor(np.ones((1, 1, 16, 16), np.float32))).asnumpy()
"""


def cpu_threads(requested):
    """CPU threads of MindSpore's kernels and ONNX Runtime's: `requested` (--threads), or every core this process may
    use when 0 (MindSpore's own default, 25, oversubscribes small machines: compare python -m tools.profile_ops
    --threads 25 with --threads 2; ONNX Runtime's counts the machine's cores, not the ones allowed). More than 4x the
    usable cores is refused."""
    cores = len(os.sched_getaffinity(0))
    if not 0 <= requested <= 4 * cores:
        raise UserError(f"threads {requested}: give 0 (every core) up to {4 * cores} (4x the {cores} cores this "
                        "process may use)")
    return requested or cores


def convolution_kernels(verbose_log):
    """The implementation names of the convolutions an ONEDNN_VERBOSE=1 log says were executed."""
    kernels = []
    for line in verbose_log.splitlines():
        fields = line.split(",")
        # onednn_verbose,v1,primitive,exec,cpu,convolution,<implementation>,...  (older logs lack the v1,primitive)
        if "exec" in fields and "convolution" in fields:
            at = fields.index("convolution")
            if at + 1 < len(fields):
                kernels.append(fields[at + 1])
    return kernels


def uses_reference_kernel(kernels):
    """True if any executed convolution is oneDNN's reference implementation (`...+ref:any`, `ref:any`)."""
    return any(REFERENCE_KERNEL_MARK in kernel.replace("+", ":").split(":") for kernel in kernels)


def probe_kernels(cap):
    """Convolution kernels oneDNN runs in a fresh MindSpore process under ISA cap `cap` (None: no cap).

    Returns None when the probe cannot run (MindSpore missing or failing): then nothing is decided.
    """
    env = {k: v for k, v in os.environ.items() if k not in ISA_VARIABLES}
    env.update(ONEDNN_VERBOSE="1", GLOG_v="3")
    if cap:
        env["ONEDNN_MAX_CPU_ISA"] = cap
    try:
        proc = subprocess.run([sys.executable, "-c", _PROBE_CODE], env=env, capture_output=True, text=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    kernels = convolution_kernels(proc.stdout)
    return kernels if proc.returncode == 0 and kernels else None


def decide_cap(probe):
    """(cap, conclusive): the first of CAPS_TO_TRY under which `probe(cap)` shows no reference kernel, tried only if
    the uncapped probe shows one; cap None means no cap. `probe(cap)` returns kernel names, or None if it cannot
    tell; an uncapped probe that cannot tell is inconclusive (not cached: MindSpore may be installed later)."""
    uncapped = probe(None)
    if uncapped is None:
        return None, False
    if not uses_reference_kernel(uncapped):
        return None, True
    for cap in CAPS_TO_TRY:
        kernels = probe(cap)
        if kernels is not None and not uses_reference_kernel(kernels):
            return cap, True
    return None, True


def machine_key():
    """What the decision depends on: the CPU (model and flags), the OS/architecture and the MindSpore build."""
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            lines = [line for line in f if line.startswith(("model name", "flags"))]
        cpu = "".join(sorted(set(lines)))
    except OSError:
        pass
    try:
        from importlib.metadata import version
        mindspore = version("mindspore")
    except Exception:  # noqa: BLE001 - not installed: the probe will tell
        mindspore = "none"
    text = f"{platform.system()} {platform.machine()} mindspore {mindspore}\n{cpu}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_path():
    return os.path.join(paths.cache_dir(), "onednn_isa.json")


def _read_cache(path, key):
    try:
        with open(path, encoding="utf-8") as f:
            entry = json.load(f)
    except (OSError, ValueError):
        return None
    if isinstance(entry, dict) and entry.get("version") == CACHE_VERSION and entry.get("machine") == key:
        return entry
    return None


def _write_cache(path, entry):
    """Atomically (temporary name, then rename): launchers start several processes that may probe at once."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fileio.write_text(path, json.dumps(entry))
    except OSError:
        pass  # a read-only home only costs the probe next time


def user_cap(environ):
    """The cap the user set, as (variable, value), or None."""
    for name in ISA_VARIABLES:
        if environ.get(name):
            return name, environ[name]
    return None


def choose_isa_cap(environ, probe=probe_kernels, cache=None, log=None):
    """Set ONEDNN_MAX_CPU_ISA in `environ` when this machine needs it; return the cap in force (or None).

    The user's own setting stands. Otherwise the cached decision for this machine is used, or the probe runs and its
    decision is cached and logged once (one line on `log`).
    """
    own = user_cap(environ)
    if own:
        return own[1]
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None  # oneDNN's x86 ISA cap means nothing elsewhere
    cache = cache or cache_path()
    key = machine_key()
    entry = _read_cache(cache, key)
    if entry is None:
        cap, conclusive = decide_cap(probe)
        entry = {"version": CACHE_VERSION, "machine": key, "cap": cap}
        if conclusive:
            _write_cache(cache, entry)
        if cap and log is not None:
            print(f"oneDNN runs reference convolution kernels on this CPU: setting ONEDNN_MAX_CPU_ISA={cap} "
                  f"(decision cached in {cache}; set ONEDNN_MAX_CPU_ISA yourself to override)", file=log)
    if entry["cap"]:
        environ["ONEDNN_MAX_CPU_ISA"] = entry["cap"]
    return entry["cap"]


def kernel_cache_path():
    """Where MindSpore's graph-kernel compiler writes its kernels (else: into the working directory)."""
    return os.path.join(os.path.dirname(cache_path()), "kernels")


def akg_package_dir():
    """MindSpore's graph-kernel compiler (AKG) reads its own tiling repository only below AKG_WHITE_LIST_PATH
    (default: the working directory); elsewhere it prints a warning per fused kernel. Found without importing."""
    found = importlib.util.find_spec("mindspore")
    return os.path.join(os.path.dirname(found.origin), "_akg") if found and found.origin else None


_SET_HERE = set()  # the variables prepare() added to this process's environment


def prepare():
    """Call first in every entry point, before anything imports MindSpore."""
    before = set(os.environ)
    os.environ.setdefault("GLOG_v", "3")
    akg = akg_package_dir()
    if akg:
        os.environ.setdefault("AKG_WHITE_LIST_PATH", akg)
    choose_isa_cap(os.environ, log=sys.stderr)
    _SET_HERE.update(set(os.environ) - before)


def use_kernel_cache():
    """Send the kernels CPU graph kernel fusion compiles to kernel_cache_path() (unless the user set
    MS_COMPILER_CACHE_PATH). Called by src/device.py when it switches the fusion on, before the first fused kernel is
    compiled: MindSpore reads the variable then, not when it loads."""
    if "MS_COMPILER_CACHE_PATH" not in os.environ:
        os.environ["MS_COMPILER_CACHE_PATH"] = kernel_cache_path()
        _SET_HERE.add("MS_COMPILER_CACHE_PATH")


def user_environment():
    """This process's environment without what prepare() added: for programs that are not ours (the PyTorch
    reference must run as a user would run it, not under our oneDNN cap)."""
    return {k: v for k, v in os.environ.items() if k not in _SET_HERE}

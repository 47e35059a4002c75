"""Threads for the numpy and zlib work of infer.py that leaves the GIL (the colour stage, the PNG writer): the cores
this process may use, and one pool of each size per process."""
import concurrent.futures
import os

_POOLS = {}


def usable_cores():
    """The cores this process may run on (its affinity; a container's or taskset's limit, not the machine's)."""
    return len(os.sched_getaffinity(0))


def pool(workers):
    """A thread pool of `workers` threads, made once per process."""
    if workers not in _POOLS:
        _POOLS[workers] = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="worker")
    return _POOLS[workers]

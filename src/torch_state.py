"""Read a PyTorch state_dict file (`torch.save` zip format) as numpy arrays, without torch.

The format: a zip whose `*/data.pkl` pickles an OrderedDict of tensors, each rebuilt by
torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...) from a storage named by a persistent id
('storage', <dtype>Storage, key, device, numel) whose little-endian bytes are the zip member `*/data/<key>`.
Only what a state_dict of float tensors needs is understood; anything else is refused with the file's name
(a pickle may name any global: only the few here are resolved, so reading runs no foreign code).

Nothing in the file is trusted: every zip member is read only if its stated sizes fit the file (no allocation larger
than what the file can hold), every storage must hold exactly the elements its id states, and every tensor's offset,
size and strides must stay inside its storage, so no crafted file reads memory outside what it holds.
"""
import collections
import math
import os
import pickle
import zipfile
import zlib

import numpy as np

from src.errors import UserError

_STORAGE_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
                   "LongStorage": np.int64, "IntStorage": np.int32}


# deflate expands at most ~1032:1; a stored member is its own size
_MAX_DEFLATE_RATIO = 1100
_MAX_DIMS = 16


class _Storage:
    def __init__(self, dtype, key, numel):
        self.dtype, self.key, self.numel = dtype, key, numel


def _rebuild_tensor(storage, offset, size, stride, *_):
    as_tuple = lambda v: tuple(v) if isinstance(v, (tuple, list)) else v  # noqa: E731 - checked in _tensor
    return ("tensor", storage, offset, as_tuple(size), as_tuple(stride))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, path):
        super().__init__(file)
        self.path = path

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return name
        raise UserError(f"{self.path}: holds {module}.{name}, which a state_dict of tensors does not need")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid[0] == "storage" and pid[1] in _STORAGE_DTYPES):
            raise UserError(f"{self.path}: unsupported storage {pid!r}")
        numel = pid[4] if len(pid) == 5 else None
        if not (isinstance(pid[2], str) and _is_count(numel)):
            raise UserError(f"{self.path}: unsupported storage {pid!r}")
        return _Storage(_STORAGE_DTYPES[pid[1]], pid[2], numel)


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_members(archive, path):
    """Refuse, before reading any of them, a member whose stated sizes the file cannot hold (a few bytes of zip may
    state gigabytes: reading it would ask for that memory first)."""
    file_size = os.path.getsize(path)
    for info in archive.infolist():
        if info.compress_type == zipfile.ZIP_STORED:
            fits = info.file_size == info.compress_size
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            fits = info.file_size <= _MAX_DEFLATE_RATIO * info.compress_size + 1024
        else:
            raise UserError(f"{path}: member {info.filename} uses an unsupported compression ({info.compress_type})")
        if not fits or info.compress_size > file_size:
            raise UserError(f"{path}: member {info.filename} states {info.file_size} bytes, which the "
                            f"{file_size}-byte file cannot hold (a damaged or crafted file)")


def _read_member(archive, name, path):
    try:
        return archive.read(name)
    except KeyError:
        raise UserError(f"{path}: names a storage {name} that it does not contain") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        raise UserError(f"{path}: cannot read {name} ({err})") from None


def _tensor(name, value, storages, archive, root, path):
    """One tensor of the state_dict as a numpy array, after checking that it lies inside its storage."""
    _, storage, offset, size, stride = value
    if not (isinstance(storage, _Storage) and _is_count(offset) and isinstance(size, tuple)
            and isinstance(stride, tuple) and len(size) == len(stride) <= _MAX_DIMS
            and all(_is_count(v) for v in size + stride)):
        raise UserError(f"{path}: entry '{name}' is not a tensor of a storage (offset {offset!r}, size {size!r}, "
                        f"stride {stride!r})")
    if storage.key not in storages:
        data = _read_member(archive, f"{root}data/{storage.key}", path)
        itemsize = np.dtype(storage.dtype).itemsize
        if len(data) != storage.numel * itemsize:
            raise UserError(f"{path}: storage {storage.key} holds {len(data)} bytes, not the {storage.numel} "
                            f"elements of {itemsize} bytes it states")
        storages[storage.key] = np.frombuffer(data, dtype=storage.dtype)
    flat = storages[storage.key]
    if flat.dtype != np.dtype(storage.dtype):
        raise UserError(f"{path}: storage {storage.key} is read as two different types")
    count = math.prod(size)
    if count == 0:
        if offset > flat.size:
            raise UserError(f"{path}: entry '{name}' starts at {offset}, past its storage of {flat.size} elements")
        return np.zeros(size, flat.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= flat.size or count > flat.size:
        raise UserError(f"{path}: entry '{name}' (offset {offset}, size {tuple(size)}, stride {tuple(stride)}) "
                        f"does not fit its storage of {flat.size} elements")
    return np.lib.stride_tricks.as_strided(flat[offset:], size, [s * flat.itemsize for s in stride]).copy()


def read_state_dict(path):
    """{name: numpy array} of a torch.save'd state_dict; anything else is a UserError naming the file."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise UserError(f"{path}: not a PyTorch zip checkpoint ({err})") from None
    with archive:
        _check_members(archive, path)
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise UserError(f"{path}: not a PyTorch zip checkpoint (no single */data.pkl)")
        root = pickles[0][:-len("data.pkl")]
        with archive.open(pickles[0]) as f:
            try:
                state = _Unpickler(f, path).load()
            except (pickle.UnpicklingError, EOFError, zipfile.BadZipFile, zlib.error, ValueError, TypeError,
                    IndexError, KeyError, AttributeError, MemoryError, RecursionError) as err:
                raise UserError(f"{path}: unreadable pickle ({err})") from None
        if not isinstance(state, dict):
            raise UserError(f"{path}: holds a {type(state).__name__}, not a state_dict")
        arrays, storages = {}, {}
        for name, value in state.items():
            if not (isinstance(value, tuple) and len(value) == 5 and value[0] == "tensor"):
                raise UserError(f"{path}: entry '{name}' is not a tensor")
            arrays[name] = _tensor(name, value, storages, archive, root, path)
        return arrays

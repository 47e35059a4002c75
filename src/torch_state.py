"""Read a PyTorch state_dict file (`torch.save` zip format) as numpy arrays, without torch.

The format: a zip whose `*/data.pkl` pickles an OrderedDict of tensors, each rebuilt by
torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...) from a storage named by a persistent id
('storage', <dtype>Storage, key, device, numel) whose little-endian bytes are the zip member `*/data/<key>`.
Only what a state_dict of float tensors needs is understood; anything else is refused with the file's name
(a pickle may name any global: only the few here are resolved, so reading runs no foreign code).
"""
import collections
import pickle
import zipfile

import numpy as np

from src.errors import UserError

_STORAGE_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
                   "LongStorage": np.int64, "IntStorage": np.int32}


class _Storage:
    def __init__(self, dtype, key):
        self.dtype, self.key = dtype, key


def _rebuild_tensor(storage, offset, size, stride, *_):
    return ("tensor", storage, offset, tuple(size), tuple(stride))


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
        return _Storage(_STORAGE_DTYPES[pid[1]], str(pid[2]))


def read_state_dict(path):
    """{name: numpy array} of a torch.save'd state_dict; anything else is a UserError naming the file."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise UserError(f"{path}: not a PyTorch zip checkpoint ({err})") from None
    with archive:
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise UserError(f"{path}: not a PyTorch zip checkpoint (no single */data.pkl)")
        root = pickles[0][:-len("data.pkl")]
        with archive.open(pickles[0]) as f:
            try:
                state = _Unpickler(f, path).load()
            except (pickle.UnpicklingError, EOFError) as err:
                raise UserError(f"{path}: unreadable pickle ({err})") from None
        if not isinstance(state, dict):
            raise UserError(f"{path}: holds a {type(state).__name__}, not a state_dict")
        arrays = {}
        for name, value in state.items():
            if not (isinstance(value, tuple) and value[0] == "tensor"):
                raise UserError(f"{path}: entry '{name}' is not a tensor")
            _, storage, offset, size, stride = value
            flat = np.frombuffer(archive.read(f"{root}data/{storage.key}"), dtype=storage.dtype)
            itemsize = flat.itemsize
            arrays[name] = np.lib.stride_tricks.as_strided(flat[offset:], size, [s * itemsize for s in stride]).copy()
        return arrays

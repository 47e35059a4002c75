"""Untrusted files: crafted inputs are refused in one line, read nothing outside themselves, and make no tool write
or delete outside the folders it was given (PyTorch weights, HDF5 image names, the C++ harness's .bin names, the
launchers' environment)."""
import collections
import json
import os
import pickle
import resource
import struct
import subprocess
import sys
import types
import zipfile

import numpy as np
import pytest

from conftest import ROOT

ENV = dict(os.environ, GLOG_v="3", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")


# ---------------------------------------------------------------- PyTorch state_dict files (src/torch_state.py)
class _Storage:
    """A storage in the pickle: its persistent id names the zip member data/KEY and states NUMEL elements."""

    def __init__(self, key, numel, kind="FloatStorage"):
        self.key, self.numel, self.kind = key, numel, kind


class _Tensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride)

    def __reduce__(self):
        return sys.modules["torch._utils"]._rebuild_tensor_v2, self.args + (False, collections.OrderedDict())


def _torch_file(path, tensors, members):
    """Write a torch.save-like zip without torch: tensors {name: (storage, offset, size, stride)}, members
    {key: bytes}. The pickle names torch.FloatStorage and torch._utils._rebuild_tensor_v2 as torch does."""
    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called")
    _rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = "torch._utils", "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    for kind in ("FloatStorage", "LongStorage"):
        setattr(torch, kind, type(kind, (), {"__module__": "torch"}))

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, _Storage):
                return ("storage", getattr(torch, obj.kind), obj.key, "cpu", obj.numel)
            return None
    saved = {name: sys.modules.get(name) for name in ("torch", "torch._utils")}
    sys.modules.update({"torch": torch, "torch._utils": utils})
    try:
        with zipfile.ZipFile(path, "w") as z:
            with z.open("archive/data.pkl", "w") as f:
                Pickler(f, protocol=2).dump(collections.OrderedDict(
                    (name, _Tensor(*args)) for name, args in tensors.items()))
            for key, data in members.items():
                z.writestr(f"archive/data/{key}", data)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return str(path)


def _state_sizes_claim(path, member, size):
    """Make the central directory state `size` bytes (stored and compressed) for one member, as a crafted file does."""
    data = bytearray(open(path, "rb").read())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + name_len]) == name:
            struct.pack_into("<II", data, at + 20, size, size)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    else:
        raise AssertionError(f"{member} not in {path}")
    open(path, "wb").write(bytes(data))


_READ = ("import sys\n"
         "from src import torch_state\n"
         "from src.errors import UserError\n"
         "try:\n"
         "    state = torch_state.read_state_dict(sys.argv[1])\n"
         "except UserError as err:\n"
         "    print(f'error: {err}', file=sys.stderr)\n"
         "    sys.exit(2)\n"
         "print({k: v.tolist() for k, v in state.items()})\n")


def _read_in_subprocess(path):
    """read_state_dict in a child process capped at 2 GiB of address space: a crash or a huge allocation shows as
    its exit code, not as the test process dying."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    return subprocess.run([sys.executable, "-c", _READ, path], cwd=ROOT, capture_output=True, text=True, env=ENV,
                          timeout=120, preexec_fn=cap, check=False)


FLOATS = np.arange(12, dtype=np.float32)


def test_torch_state_reads_views_that_fit_their_storage(tmp_path):
    """A transposed view and an offset view of one storage are read as torch would (the checks refuse no real file)."""
    shared = _Storage("0", 12)
    path = _torch_file(tmp_path / "ok.pt", {"t": (shared, 0, (4, 3), (1, 4)), "tail": (shared, 10, (2,), (1,)),
                                            "empty": (shared, 12, (0, 3), (3, 1))}, {"0": FLOATS.tobytes()})
    result = _read_in_subprocess(path)
    assert result.returncode == 0, result.stderr
    state = eval(result.stdout)  # noqa: S307 - our own child's repr of lists of floats
    assert state["t"] == FLOATS.reshape(3, 4).T.tolist()
    assert state["tail"] == [10.0, 11.0] and state["empty"] == []


@pytest.mark.parametrize("case, message", [
    ("offset past the storage", "does not fit its storage of 12 elements"),
    ("view reaching past the end", "does not fit its storage of 12 elements"),
    ("stride of a terabyte", "does not fit its storage of 12 elements"),
    ("4 TiB from one element", "does not fit its storage of 12 elements"),
    ("negative offset", "is not a tensor of a storage"),
    ("storage shorter than stated", "holds 48 bytes, not the 4096 elements"),
    ("storage of a partial element", "holds 47 bytes, not the 12 elements"),
    ("missing storage", "names a storage archive/data/9 that it does not contain"),
    ("member stating 3.75 GiB", "states 4026531840 bytes, which the"),
])
def test_torch_state_refuses_crafted_tensors_in_one_line(tmp_path, case, message):
    """Offsets, sizes and strides come from the file: each tensor must lie inside its storage and each storage be as
    long as it says, checked before anything is allocated or copied (before: segfaults, leaked process memory loaded
    as weights, or a few hundred bytes asking for gigabytes)."""
    storage, members = _Storage("0", 12), {"0": FLOATS.tobytes()}
    tensor = {
        "offset past the storage": (storage, 1000, (4,), (1,)),
        "view reaching past the end": (storage, 4, (3, 4), (4, 1)),
        "stride of a terabyte": (storage, 0, (2, 2), (2 ** 38, 1)),
        "4 TiB from one element": (storage, 0, (2 ** 20, 2 ** 20), (0, 0)),
        "negative offset": (storage, -8, (4,), (1,)),
        "storage shorter than stated": (_Storage("0", 4096), 0, (64, 64), (64, 1)),
        "storage of a partial element": (storage, 0, (4,), (1,)),
        "missing storage": (_Storage("9", 12), 0, (4,), (1,)),
        "member stating 3.75 GiB": (storage, 0, (4,), (1,)),
    }[case]
    if case == "storage of a partial element":
        members = {"0": FLOATS.tobytes()[:47]}
    path = _torch_file(tmp_path / "crafted.pt", {"w": tensor}, members)
    if case == "member stating 3.75 GiB":
        _state_sizes_claim(path, "archive/data/0", 0xF0000000)
    result = _read_in_subprocess(path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, (result.returncode, result.stdout[:300], result.stderr[-2000:])
    assert lines[0].startswith(f"error: {path}: ") and message in lines[0], lines[0]


# ---------------------------------------------------------------- image names of an HDF5 eval file
def _eval_h5(path, names, scale=4):
    """An eval .h5 file of small images whose `name` attributes are `names` (the file's to choose)."""
    from src import dataset
    rng = np.random.default_rng(0)
    images = [(name, rng.integers(0, 256, (8 * scale, 8 * scale)).astype(np.uint8), rng.random((8, 8)) * 255)
              for name in names]
    dataset.write_eval_h5(str(path), images)
    return str(path)


def _tree(folder):
    return sorted(os.path.relpath(os.path.join(root, f), folder) for root, _, files in os.walk(folder) for f in files)


@pytest.mark.parametrize("name", ["../x", "ABSOLUTE", "a/b", "..", ""])
def test_preprocess_refuses_an_image_name_that_is_not_a_plain_file_name(tmp_path, capsys, name):
    from conftest import run_script
    outside = tmp_path / "outside"
    outside.mkdir()
    name = str(outside / "x") if name == "ABSOLUTE" else name
    h5 = _eval_h5(tmp_path / "set.h5", ["fine", name])
    before = _tree(tmp_path)
    code, _, err = run_script("preprocess", ["--eval_sets", h5, "--lr_bin_dir", str(tmp_path / "lr")], capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert f"{h5}: image name {name!r} is not a plain file name" in lines[0]
    assert _tree(tmp_path) == before  # nothing written, inside the folder given or outside it


def test_postprocess_refuses_an_image_name_that_is_not_a_plain_file_name(tmp_path, capsys):
    """A set and a meta.json that agree on the name '../x' (both edited): postprocess.py would read
    SR/../x.bin and write PNG/../x.png."""
    from conftest import run_script
    h5, lr, sr, png = _eval_h5(tmp_path / "set.h5", ["x"]), tmp_path / "lr", tmp_path / "sr", tmp_path / "png"
    assert run_script("preprocess", ["--eval_sets", h5, "--lr_bin_dir", str(lr)], capsys)[0] == 0
    _eval_h5(tmp_path / "set.h5", ["../x"])
    meta = json.loads((lr / "meta.json").read_text())
    meta["images"][0]["name"] = "../x"
    (lr / "meta.json").write_text(json.dumps(meta))
    sr.mkdir()
    np.zeros((32, 32), np.float32).tofile(tmp_path / "x.bin")  # where SR/../x.bin points
    code, _, err = run_script("postprocess", ["--lr_bin_dir", str(lr), "--sr_bin_dir", str(sr), "--png_dir",
                                              str(png)], capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "'../x' is not a plain file name" in lines[0], err
    assert not (tmp_path / "x.png").exists() and not png.exists()


# ---------------------------------------------------------------- the C++ harness's .bin names
from test_serving import harness, lite_model, run_harness_cli  # noqa: E402,F401 - the build and its model


@pytest.mark.parametrize("file, size, message", [
    ("x_4294967296x4294967296.bin", 0, "height 4294967296 is not 1..65536"),  # C*H*W*4 wrapped to 0 bytes
    ("x_2147483648x2147483648.bin", 0, "height 2147483648 is not 1..65536"),
    ("x_99999999999999999999x2.bin", 0, "height 99999999999999999999 is not 1..65536"),  # stoll overflow
    ("x_2x70000.bin", 2 * 70000 * 4, "width 70000 is not 1..65536"),
    ("x_0x8.bin", 0, "height 0 is not 1..65536"),
    ("x_8x8.bin", 8 * 8 * 4 + 1, "257 bytes, but a 1x8x8 float32 input is 256 bytes"),
    ("x_8x8.bin", 8 * 8 * 4 - 4, "252 bytes, but a 1x8x8 float32 input is 256 bytes"),
])
def test_harness_refuses_a_crafted_bin_name_or_size(lite_model, tmp_path, file, size, message):
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    with open(inputs / file, "wb") as f:
        f.truncate(size)
    result = run_harness_cli("--model_path", lite_model[2], "--input_dir", str(inputs), "--output_dir", str(out),
                             "--iters", "0")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, (result.returncode, result.stdout, result.stderr)
    assert lines[0] == f"error: {inputs / file}: {message}" or (message in lines[0] and "bytes" in message), lines[0]
    assert not out.exists()


# ---------------------------------------------------------------- launchers' environment
def test_device_start_is_a_number_not_shell_code(tmp_path):
    """scripts/common.sh used DEVICE_START inside $(( )), where bash runs any $(...) in the value."""
    marker = tmp_path / "ran"
    script = (f'source "{ROOT}/scripts/common.sh"; LOG_DIR="{tmp_path}/logs"; mkdir -p "$LOG_DIR"; PYTHON=true; '
              f'launch ranktable 1 x.py')
    for value in (f"a[$(touch {marker})]", "1+1", "-1", "0x10"):
        result = subprocess.run(["bash", "-c", script], env=dict(ENV, DEVICE_START=value), capture_output=True,
                                text=True, timeout=60, check=False)
        assert result.returncode == 2, (value, result.stdout, result.stderr)
        assert result.stderr.strip() == f"error: DEVICE_START must be a device number (digits), got '{value}'"
        assert not marker.exists()
    (tmp_path / "show.sh").write_text('echo "DEVICE_ID=$DEVICE_ID"\n')
    result = subprocess.run(["bash", "-c", script.replace("PYTHON=true", "PYTHON=bash").replace(
        "x.py", str(tmp_path / "show.sh"))], env=dict(ENV, DEVICE_START="08"), capture_output=True, text=True,
        timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "DEVICE_ID=8\n" in (tmp_path / "logs" / "rank_0.log").read_text()  # decimal, not an octal error

"""Shared test setup: quiet MindSpore, CPU GRAPH_MODE, the dataset folder and small synthetic images."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from src import environment  # noqa: E402 - GLOG_v and the oneDNN ISA cap, before MindSpore loads

environment.prepare()

import mindspore as ms  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

# the datasets of every test, also where scripts run by the tests look for set names (src/dataset.py: data_folder):
# the workspace's full copy beside the clone if there is one, else the Set5 the project ships
SHARED_DATA = os.path.join(ROOT, "..", "shared", "datasets")
os.environ.setdefault("FSRCNN_DATA_DIR", SHARED_DATA if os.path.isdir(SHARED_DATA) else os.path.join(ROOT, "data"))
DATA_DIR = os.environ["FSRCNN_DATA_DIR"]


def require_sets(*names):
    """Skip the calling test unless the data folder holds these sets (a fresh clone has Set5 only)."""
    missing = [n for n in names if not os.path.isdir(os.path.join(DATA_DIR, n))]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} in {DATA_DIR} (set FSRCNN_DATA_DIR; download.py fetches them)")


def pytest_configure(config):
    ms.set_device("CPU")
    ms.set_context(mode=ms.GRAPH_MODE)


@pytest.fixture
def data_dir():
    if not os.path.isdir(os.path.join(DATA_DIR, "Set5")):
        pytest.skip(f"datasets not found at {DATA_DIR} (set FSRCNN_DATA_DIR)")
    return DATA_DIR


@pytest.fixture
def image_folder(tmp_path):
    """A folder of three small synthetic RGB images of odd sizes (smooth gradients plus noise)."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "images"
    folder.mkdir()
    for i, (h, w) in enumerate([(61, 53), (48, 70), (57, 57)]):
        yy, xx = np.mgrid[0:h, 0:w]
        base = np.stack([128 + 100 * np.sin(xx / (5 + i)), 128 + 100 * np.cos(yy / 7), (xx + yy) % 256], -1)
        img = np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype(np.uint8)
        Image.fromarray(img).save(folder / f"img{i}.png")
    return folder


# Tiled and whole-image outputs are one computation on inputs of different shapes, and oneDNN picks its kernels
# (and so the float32 summation order) by shape: on AMD EPYC with AVX-512 the outputs differ in the last bits.
TILE_FLOAT_BOUND = 1e-5


def assert_same_but_rounding(a, b, float_bound=TILE_FLOAT_BOUND):
    """8-bit images rounded from float outputs in [0, 1] that differ by at most `float_bound`: equal except +-1 where
    a value sat within the bound of a rounding edge, which is at most a fraction 2 * 255 * float_bound of them."""
    assert a.shape == b.shape and a.dtype == b.dtype
    diff = np.abs(a.astype(np.int64) - b.astype(np.int64))
    assert diff.max(initial=0) <= 1, f"values differ by {diff.max()} levels"
    assert (diff > 0).mean() <= 2 * 255 * float_bound, f"{np.count_nonzero(diff)} of {diff.size} values differ"


def run_script(name, argv, capsys):
    """Run a top-level script's main(argv) in-process; returns (exit code, stdout, stderr)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"script_{name}", os.path.join(ROOT, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        module.main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def spec_of(net):
    """The model spec of an FSRCNN built here (what eval.py and infer.py get from the config)."""
    from src import models
    from src.config import get_config
    return models.spec_for(get_config("", ["--scale", str(net.scale), "--d", str(net.d), "--s", str(net.s),
                                           "--m", str(net.m)]))


@pytest.fixture
def random_ckpt(tmp_path):
    """Save a randomly initialised FSRCNN (with its architecture recorded) and return the path."""
    from src import checkpoint
    from src.models.fsrcnn import FSRCNN

    def make(scale=4, d=56, s=12, m=4, name=None):
        ms.set_seed(scale)
        path = str(tmp_path / (name or f"fsrcnn_{d}_{s}_{m}_x{scale}.ckpt"))
        checkpoint.save(FSRCNN(scale, d, s, m), path, {"model": "fsrcnn", "scale": scale, "d": d, "s": s, "m": m})
        return path
    return make


@pytest.fixture(scope="session")
def spread_net():
    """make(scale, d, s, m): a random FSRCNN whose outputs spread over ~0.1..0.8, cached per architecture.

    The paper's deconv init N(0, 0.001) gives outputs near 0, where uint8 rounding would hide errors; here the
    deconv is N(0, 0.05) with bias 0.5. Compiled for dynamic shapes, as infer.py runs it.
    """
    from src import inference
    from src.models.fsrcnn import FSRCNN
    nets = {}

    def make(scale, d=56, s=12, m=4):
        if (scale, d, s, m) not in nets:
            ms.set_seed(scale)
            net = FSRCNN(scale, d, s, m)
            rng = np.random.default_rng(scale)
            net.deconv.weight.set_data(ms.Tensor(rng.normal(0, 0.05, net.deconv.weight.shape).astype(np.float32)))
            net.deconv.bias.set_data(ms.Tensor(np.full(net.deconv.bias.shape, 0.5, np.float32)))
            nets[(scale, d, s, m)] = inference.make_dynamic(net)
        return nets[(scale, d, s, m)]
    return make

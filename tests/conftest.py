"""Shared test setup: quiet MindSpore, CPU GRAPH_MODE, the dataset folder and small synthetic images."""
import os
import sys

os.environ.setdefault("GLOG_v", "3")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import mindspore as ms  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

DATA_DIR = os.environ.get("FSRCNN_DATA_DIR", os.path.join(ROOT, "..", "shared", "datasets"))


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

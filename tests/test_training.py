"""The training loss: whole patches or their centre (loss_border)."""
from types import SimpleNamespace

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from conftest import run_script
from src import losses
from src.errors import UserError


def _loss(border, scale=3, lr_patch=10):
    return losses.pixel_mse(SimpleNamespace(loss_border=border, scale=scale), lr_patch)


def test_centre_loss_is_the_mse_of_the_centre_only():
    rng = np.random.default_rng(0)
    out, target = rng.random((2, 2, 1, 30, 30)).astype(np.float32)
    loss = _loss(2)  # 2 LR pixels at x3: 6 HR pixels on each side
    expected = np.mean((out - target)[:, :, 6:-6, 6:-6] ** 2)
    assert abs(float(loss(ms.Tensor(out), ms.Tensor(target)).asnumpy()) - expected) < 1e-7
    edited = out.copy()
    edited[:, :, :6] = edited[:, :, -6:] = edited[:, :, :, :6] = edited[:, :, :, -6:] = 0
    assert float(loss(ms.Tensor(edited), ms.Tensor(target)).asnumpy()) == pytest.approx(expected, abs=1e-7)
    assert isinstance(_loss(0), nn.MSELoss)


@pytest.mark.parametrize("border", [5, -1])
def test_a_border_that_leaves_no_centre_is_refused(border):
    with pytest.raises(UserError, match=f"loss_border {border} leaves nothing of LR patches of 10x10"):
        _loss(border)


def test_train_reports_a_bad_loss_border_in_one_line(image_folder, tmp_path, capsys):
    code, _, err = run_script("train", ["--train_data", str(image_folder), "--val_data", str(image_folder),
                                        "--lr_patch_size", "6", "--loss_border", "3", "--output_dir",
                                        str(tmp_path / "out")], capsys)
    assert code == 2 and err.strip() == ("error: loss_border 3 leaves nothing of LR patches of 6x6 "
                                         "(give 0 <= loss_border < lr_patch_size / 2)")

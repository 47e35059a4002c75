"""Training losses shared by the networks (a NetworkSpec picks one): the MSE over whole patches or their centre."""
from mindspore import nn, ops

from src.errors import UserError


class CentreMSELoss(nn.Cell):
    """MSE over the centre of the output patch, `border` HR pixels in from each side.

    Near a patch's edge the network sees its zero padding; on whole test images almost no pixel does. Leaving the
    edge out of the loss (with a patch larger by the same margin) trains every counted pixel on real context.
    """

    def __init__(self, border):
        super().__init__()
        self.border = border

    def construct(self, output, target):
        b = self.border
        return ops.mean(ops.square(output[:, :, b:-b, b:-b] - target[:, :, b:-b, b:-b]))


def pixel_mse(cfg, lr_patch):
    """nn.MSELoss over whole patches, or over their centre with cfg.loss_border LR pixels left out on each side."""
    if cfg.loss_border == 0:
        return nn.MSELoss()
    if cfg.loss_border < 0 or 2 * cfg.loss_border >= lr_patch:
        raise UserError(f"loss_border {cfg.loss_border} leaves nothing of LR patches of {lr_patch}x{lr_patch} "
                        "(give 0 <= loss_border < lr_patch_size / 2)")
    return CentreMSELoss(cfg.loss_border * cfg.scale)

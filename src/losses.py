"""Training losses shared by the networks (a NetworkSpec picks one): MSE or L1, over whole patches or their centre."""
from mindspore import nn

from src.errors import UserError


class CentreLoss(nn.Cell):
    """A pixel loss over the centre of the output patch, `border` HR pixels in from each side.

    Near a patch's edge the network sees its zero padding; on whole test images almost no pixel does. Leaving the
    edge out of the loss (with a patch larger by the same margin) trains every counted pixel on real context.
    """

    def __init__(self, loss, border):
        super().__init__()
        self.loss, self.border = loss, border

    def construct(self, output, target):
        b = self.border
        return self.loss(output[:, :, b:-b, b:-b], target[:, :, b:-b, b:-b])


def _on_centre(loss, cfg, lr_patch):
    """`loss` over whole patches, or over their centre with cfg.loss_border LR pixels left out on each side."""
    if cfg.loss_border == 0:
        return loss
    if cfg.loss_border < 0 or 2 * cfg.loss_border >= lr_patch:
        raise UserError(f"loss_border {cfg.loss_border} leaves nothing of LR patches of {lr_patch}x{lr_patch} "
                        "(give 0 <= loss_border < lr_patch_size / 2)")
    return CentreLoss(loss, cfg.loss_border * cfg.scale)


def pixel_mse(cfg, lr_patch):
    """Mean squared error (FSRCNN's loss)."""
    return _on_centre(nn.MSELoss(), cfg, lr_patch)


def pixel_l1(cfg, lr_patch):
    """Mean absolute error (the EDSR framework's loss, FMEN's)."""
    return _on_centre(nn.L1Loss(), cfg, lr_patch)

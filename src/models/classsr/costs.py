"""What ClassSR costs: multiply-adds per LR pixel of each branch and of the Class-Module, and of a routing, executed
and in the paper's convention (which counts the 9x9 deconvolution per HR pixel)."""
from src.models import fsrcnn
from src.models.classsr.net import BICUBIC, BICUBIC_RADIUS, CLASS_FEATURES, SCALE


def branch_macs(branch, scale=SCALE, paper=False):
    """Multiply-adds per LR pixel of one branch. paper=True: ClassSR's convention, the 9x9 deconvolution counted per
    HR pixel (81*d*scale^2 instead of the 81*d executed)."""
    if branch == BICUBIC:
        return scale * scale * (2 * BICUBIC_RADIUS + 1) ** 2  # the 5x5 conv as executed, zeros included
    d = branch[0]
    macs = fsrcnn.count_macs_per_lr_pixel(*branch)
    return macs + (fsrcnn.DECONV_KERNEL ** 2 * d * (scale * scale - 1) if paper else 0)


def class_module_macs(width, classes, patch):
    """Multiply-adds per LR pixel of the Class-Module on a patch x patch sub-image."""
    per_output = 16 * width + 3 * width * width + width * CLASS_FEATURES  # at 1/16 of the LR pixels
    return per_output / 16 + CLASS_FEATURES * classes / (patch * patch)


def routing_costs(router, counts):
    """{"macs", "paper_macs"}: the multiply-adds of `router`'s sub-images when `counts` of them go to each branch,
    executed and in the paper's convention; the Class-Module is included unless the router is forced (then no
    classifier runs)."""
    net, area = router.net, router.patch ** 2
    total = {}
    for key, paper in (("macs", False), ("paper_macs", True)):
        total[key] = sum(float(c) * area * branch_macs(b, net.scale, paper) for c, b in zip(counts, net.branch_shapes))
        if router.force is None:
            total[key] += sum(counts) * area * class_module_macs(net.class_width, len(counts), router.patch)
    return total


def whole_image_macs(pixels, paper=False):
    """Multiply-adds of plain FSRCNN(56, 12, 4) on `pixels` LR pixels (the user's alternative)."""
    return pixels * branch_macs((56, 12, 4), SCALE, paper)

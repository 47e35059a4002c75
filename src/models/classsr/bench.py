"""ClassSR's timing paths for benchmark.py (offered through ClassSRSpec.extra_bench_paths): the router on one large
image, and plain FSRCNN(56, 12, 4), its main branch, on the whole image, each with the multiply-adds it made."""
import mindspore as ms

from src.models.classsr.costs import routing_costs, whole_image_macs


def classsr(router, x, settings):
    """ClassSR's router on one large image; its MACs are those of the routing it made."""
    tensor = ms.Tensor(x)
    median, out = settings.time(lambda: router(tensor).asnumpy())
    return median, out, routing_costs(router, router.last)["macs"]


def fsrcnn_whole(router, x, settings):
    """Plain FSRCNN(56, 12, 4), ClassSR's main branch, on the whole image: one static graph for its size."""
    plain = router.net.branches[len(router.net.branches) - 1]
    tensor = ms.Tensor(x)
    median, out = settings.time(lambda: plain(tensor).asnumpy())
    return median, out, whole_image_macs(x.shape[2] * x.shape[3])


PATHS = {"classsr": classsr, "fsrcnn_whole": fsrcnn_whole}

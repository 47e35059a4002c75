"""Running a network on images: the one place the toolkit turns numpy images into network inputs and back, and
loads the served network of a configuration. Evaluation, upscaling, serving and the benchmark all go through here."""
import mindspore as ms
import numpy as np

from src import checkpoint


def served_network(spec):
    """The network of spec.cfg.ckpt_file, checked against the spec's architecture, in the form that is exported and
    served (spec.inference_form)."""
    return spec.inference_form(checkpoint.network_from_checkpoint(spec.cfg.ckpt_file, spec))


def make_dynamic(net, channels=1):
    """Compile once for any batch/height/width instead of once per input size (docs/protocol.md section 5), with the
    PReLU form that suits dynamic-shape graphs (src/models/fsrcnn.py PReLU).

    Measured trade-off on MindSpore 2.10 CPU (python -m tools.profile_ops): a dynamic-shape FSRCNN runs at about the
    speed of a static one only with MindSpore's PReLU kernel, but a static graph costs ~0.4 s to compile per new
    size, and an evaluation set has about as many sizes as images (eval.py on Set5+Set14+BSD100 got slower with
    static graphs). Fixed-size serving should export a static model (export.py --fixed_shape), as benchmark.py does.
    A network that is not a Cell (ClassSR's SubImageRouter) compiles its own static graphs and is returned as it is.
    """
    if not isinstance(net, ms.nn.Cell):
        return net
    for _, cell in net.cells_and_names():
        if hasattr(cell, "dynamic_shapes"):  # a cell with a form for each kind of graph (FSRCNN's PReLU)
            cell.dynamic_shapes = True
    net.set_inputs(ms.Tensor(shape=[None, channels, None, None], dtype=ms.float32))
    return net


def to_nchw(image):
    """An HxW plane or HxWxC image as the (1, C, H, W) batch of one the network reads."""
    batch = image[None, None] if image.ndim == 2 else image.transpose(2, 0, 1)[None]
    return np.ascontiguousarray(batch, dtype=np.float32)


def from_nchw(output, image_ndim):
    """The network's (1, C, H', W') output in the layout of its input (HxW plane or HxWxC image)."""
    return output[0, 0] if image_ndim == 2 else output[0].transpose(1, 2, 0)


def forward(net, image):
    """The network on one HxW plane or HxWxC image, float32 in [0, 1]: the float32 upscaled output in the same
    layout, not rounded."""
    return from_nchw(net(ms.Tensor(to_nchw(image))).asnumpy(), image.ndim)


def network_input(lr):
    """An LR plane or image (float, 0..255) as the float32 values in [0, 1] the network reads."""
    return np.asarray(lr, dtype=np.float32) / 255.0


def output_values(out):
    """A network output (float32, [0, 1]) as float 0..255, not rounded."""
    return out.astype(np.float64) * 255.0


def predict(net, lr):
    """Network output for one LR plane or image (float, 0..255) as float 0..255, not rounded."""
    return output_values(forward(net, network_input(lr)))

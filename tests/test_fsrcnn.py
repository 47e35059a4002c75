"""FSRCNN against a plain numpy forward pass (convolutions, PReLU and the PyTorch-semantics transposed conv)."""
import mindspore as ms
import numpy as np
import pytest

from src.models.fsrcnn import FSRCNN, count_macs_per_lr_pixel


def _conv_np(x, w, b):
    """Stride-1 'same' convolution (cross-correlation) with zero padding; x (C,H,W), w (O,C,k,k)."""
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (k // 2, k // 2), (k // 2, k // 2)))
    h, wd = x.shape[1:]
    out = np.zeros((w.shape[0], h, wd))
    for i in range(k):
        for j in range(k):
            out += np.einsum("oc,chw->ohw", w[:, :, i, j], xp[:, i:i + h, j:j + wd])
    return out + b[:, None, None]


def _deconv_np(x, w, b, n):
    """PyTorch ConvTranspose2d(k=9, stride=n, padding=4, output_padding=n-1): scatter every input pixel's
    9x9 kernel onto the full output, then keep rows/cols 4 .. 4 + n*H (the last n-1 rows are real values)."""
    h, wd = x.shape[1:]
    full = np.zeros(((h - 1) * n + 9, (wd - 1) * n + 9))
    for i in range(h):
        for j in range(wd):
            full[i * n:i * n + 9, j * n:j * n + 9] += np.einsum("c,ckl->kl", x[:, i, j], w[:, 0])
    return full[4:4 + n * h, 4:4 + n * wd] + b[0]


def _forward_np(net, x):
    params = {p.name: p.asnumpy().astype(np.float64) for p in net.get_parameters()}
    for idx in range(0, len(net.features), 2):
        x = _conv_np(x, params[f"features.{idx}.weight"], params[f"features.{idx}.bias"])
        slope = params[f"features.{idx + 1}.w"][:, None, None]
        x = np.where(x > 0, x, slope * x)
    return _deconv_np(x, params["deconv.weight"], params["deconv.bias"], net.scale)


def _randomise(net, seed):
    """Random weights of a realistic size everywhere, so every layer (and PReLU's negative side) matters."""
    rng = np.random.default_rng(seed)
    for p in net.get_parameters():
        data = rng.normal(0, 0.3, p.shape) if p.ndim > 1 else rng.uniform(-0.2, 0.5, p.shape)
        p.set_data(ms.Tensor(data.astype(np.float32)))


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_forward_equals_numpy_reference(scale):
    net = FSRCNN(scale)
    _randomise(net, scale)
    x = np.random.default_rng(0).uniform(0, 1, (1, 1, 7, 9)).astype(np.float32)
    out = net(ms.Tensor(x)).asnumpy()[0, 0]
    ref = _forward_np(net, x[0].astype(np.float64))
    assert out.shape == (7 * scale, 9 * scale)
    scale_of_values = np.abs(ref).max()
    assert np.abs(out - ref).max() <= 1e-5 * scale_of_values
    # the last scale-1 rows/columns are real outputs, not the zeros of MindSpore's output_padding
    assert np.abs(out[-(scale - 1):]).min() > 0 and np.abs(out[:, -(scale - 1):]).min() > 0


def test_fsrcnn_s_shapes_and_weight_counts():
    for (d, s, m), weights in {(56, 12, 4): 12464, (32, 5, 1): 3937}.items():
        net = FSRCNN(3, d, s, m)
        n_weights = sum(p.size for p in net.trainable_params() if p.ndim == 4)
        assert n_weights == weights == count_macs_per_lr_pixel(d, s, m)
        assert net(ms.Tensor(np.zeros((2, 1, 5, 6), np.float32))).shape == (2, 1, 15, 18)


def test_paper_initialisation():
    ms.set_seed(1)
    net = FSRCNN(4)
    params = {p.name: p.asnumpy() for p in net.get_parameters()}
    first = params["features.0.weight"]            # 56 x 1 x 5 x 5: He normal, fan_out = 56 * 25
    assert abs(first.std() - np.sqrt(2 / (56 * 25))) < 0.1 * np.sqrt(2 / (56 * 25))
    assert abs(params["deconv.weight"].std() - 0.001) < 0.0002
    assert all(np.all(params[k] == 0) for k in params if k.endswith("bias"))
    assert all(np.all(params[k] == np.float32(0.25)) for k in params if k.endswith(".w"))


def test_unsupported_scale_is_rejected():
    with pytest.raises(ValueError, match="scale"):
        FSRCNN(5)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_subpixel_form_equals_deconvolution(scale):
    from src.models.fsrcnn import SubPixelFSRCNN
    net = FSRCNN(scale)
    _randomise(net, 10 + scale)
    fast = SubPixelFSRCNN(net)
    for shape in [(1, 1, 13, 7), (2, 1, 9, 16)]:
        x = ms.Tensor(np.random.default_rng(1).uniform(0, 1, shape).astype(np.float32))
        ref, out = net(x).asnumpy(), fast(x).asnumpy()
        assert out.shape == ref.shape == (shape[0], 1, shape[2] * scale, shape[3] * scale)
        assert np.abs(out - ref).max() <= 1e-5 * np.abs(ref).max()


def test_dynamic_network_uses_the_prelu_kernel_with_identical_outputs():
    """make_dynamic swaps the PReLU formula for MindSpore's kernel: the outputs must not change (negative slopes and
    slopes above 1 included, where a max/min shortcut would not be exact)."""
    from src.inference import make_dynamic
    from src.models.fsrcnn import PReLU
    static = FSRCNN(3)
    _randomise(static, 7)
    for cell in static.features.cells():
        if isinstance(cell, PReLU):
            cell.w.set_data(ms.Tensor(np.linspace(-0.5, 1.5, cell.w.shape[0]).astype(np.float32)))
    dynamic = make_dynamic(FSRCNN(3))
    for mine, theirs in zip(dynamic.get_parameters(), static.get_parameters()):
        mine.set_data(theirs.value())
    assert all(cell.dynamic_shapes for cell in dynamic.features.cells() if isinstance(cell, PReLU))
    x = ms.Tensor(np.random.default_rng(2).uniform(-1, 1, (2, 1, 11, 14)).astype(np.float32))
    assert np.array_equal(dynamic(x).asnumpy(), static(x).asnumpy())

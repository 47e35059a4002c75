"""Where FSRCNN's CPU time goes: python -m tools.profile_ops [--threads 2] [--size 256] [--reps 20]

Prints median milliseconds (x4, 1x1xSIZExSIZE, random weights: time does not depend on them) of
1. each layer type of the network alone;
2. the whole network with MindSpore's nn.PReLU and with src/models/fsrcnn.py's PReLU form, static and dynamic shape,
   plus a training step (batch 16, LR 6x6) with each, and the same with graph kernel fusion (device.py graph_kernel;
   compiled after the others, so only these are fused);
3. the exported ONNX in ONNX Runtime at each graph optimisation level;
4. with --fmen_rounds N: FMEN-S x4 (inference form, static) whole, and without its activations, its conv biases or
   both, in N alternating rounds: what its elementwise work costs beside the convolutions.
These are the measurements behind docs/performance.md. Run it on an otherwise idle machine.
"""
import argparse
import os
import statistics
import tempfile
import time

from src import environment  # noqa: E402

environment.prepare()

import mindspore as ms  # noqa: E402
import numpy as np  # noqa: E402
from mindspore import nn  # noqa: E402

from src import device, export, inference  # noqa: E402
from src.models import fmen  # noqa: E402
from src.models.fsrcnn import FSRCNN, SubPixelFSRCNN  # noqa: E402


def median_ms(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def with_native_prelu(net):
    """The same network with MindSpore's nn.PReLU (same slopes) in place of src/models/fsrcnn.py's PReLU form."""
    for i in range(1, len(net.features), 2):
        native = nn.PReLU(net.features[i].w.shape[0])
        native.w.set_data(net.features[i].w.value())
        net.features[i] = native
    return net


def copy_of(net):
    twin = FSRCNN(net.scale, net.d, net.s, net.m)
    for mine, theirs in zip(twin.get_parameters(), net.get_parameters()):
        mine.set_data(theirs.value())
    return twin


class Identity(nn.Cell):
    def construct(self, x):
        return x


def fmen_without(activations, biases):
    """FMEN-S x4 (random weights) with its LeakyReLUs replaced by the identity and/or its conv biases dropped."""
    net = fmen.FMEN(4, form="inference")
    net.set_train(False)
    for _, cell in net.cells_and_names():
        if activations and isinstance(cell, (fmen.ERB, fmen.HFAB)):
            cell.act = Identity()
        if biases and isinstance(cell, nn.Conv2d):
            cell.has_bias = False
    return net


def fmen_section(side, rounds, rng):
    print(f"4. FMEN-S x4 static forward, {side}x{side} LR, median of {rounds} alternating rounds")
    x = ms.Tensor(rng.random((1, 3, side, side), dtype=np.float32))
    variants = {"whole": fmen_without(False, False), "no activations": fmen_without(True, False),
                "no conv biases": fmen_without(False, True), "neither": fmen_without(True, True)}
    times = {name: [] for name in variants}
    for net in variants.values():
        net(x).asnumpy()
    for _ in range(rounds):
        for name, net in variants.items():
            times[name].append(median_ms(lambda n=net: n(x).asnumpy(), 1))
    for name in variants:
        print(f"   {name:<32}{statistics.median(times[name]):8.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--fmen_rounds", type=int, default=0, help="section 4 (FMEN-S) with this many rounds")
    args = parser.parse_args()
    ms.set_device("CPU")
    ms.set_context(mode=ms.GRAPH_MODE)
    ms.device_context.cpu.op_tuning.threads_num(args.threads)
    rng = np.random.default_rng(0)
    side, reps = args.size, args.reps

    def tensor(*shape):
        return ms.Tensor(rng.standard_normal(shape, dtype=np.float32))

    def run(cell, *inputs):
        return median_ms(lambda: cell(*inputs).asnumpy(), reps)

    net = FSRCNN(4)
    print(f"1. layers alone, {side}x{side} LR, {args.threads} threads")
    layers = [("conv 5x5 1->56", net.features[0], tensor(1, 1, side, side)),
              ("PReLU(56), src/models/fsrcnn.py form", net.features[1], tensor(1, 56, side, side)),
              ("PReLU(56), nn.PReLU", nn.PReLU(56), tensor(1, 56, side, side)),
              ("ReLU on the same map", nn.ReLU(), tensor(1, 56, side, side)),
              ("conv 1x1 56->12", net.features[2], tensor(1, 56, side, side)),
              ("conv 3x3 12->12", net.features[4], tensor(1, 12, side, side)),
              ("conv 1x1 12->56", net.features[12], tensor(1, 12, side, side)),
              ("deconv 9x9 56->1 x4", net.deconv, tensor(1, 56, side, side)),
              ("sub-pixel conv 56->16", SubPixelFSRCNN(net).conv, tensor(1, 56, side, side))]
    for name, cell, x in layers:
        print(f"   {name:<32}{run(cell, x):8.1f} ms")

    print("2. whole network and training step, the PReLU forms and fusion measured in alternating rounds")
    x = ms.Tensor(rng.random((1, 1, side, side), dtype=np.float32))
    xb = ms.Tensor(rng.random((16, 1, 6, 6), dtype=np.float32))
    yb = ms.Tensor(rng.random((16, 1, 24, 24), dtype=np.float32))
    forms = {"src/models/fsrcnn.py PReLU": copy_of, "nn.PReLU": lambda n: with_native_prelu(copy_of(n)),
             "PReLU form + fusion": copy_of}
    calls = {}
    for name, build in forms.items():
        if name == "PReLU form + fusion":
            missing = device.graph_kernel_missing()
            if missing:
                print(f"   graph kernel fusion not measured: {missing}")
                continue
            ms.set_context(enable_graph_kernel=True)  # the graphs above are compiled already: only these fuse
        static, dynamic, trained = build(net), inference.make_dynamic(build(net)), build(net)
        step = nn.TrainOneStepCell(nn.WithLossCell(trained, nn.MSELoss()), nn.Adam(trained.trainable_params()))
        step.set_train()
        calls[name] = {"static": lambda c=static: c(x).asnumpy(), "dynamic": lambda c=dynamic: c(x).asnumpy(),
                       "train step": lambda c=step: c(xb, yb).asnumpy()}
        for fn in calls[name].values():
            fn()  # compile now, under this form's settings
    # this VM's speed drifts: alternating rounds keep the comparison fair where back-to-back runs are not
    times = {(name, kind): [] for name in calls for kind in calls[name]}
    for _ in range(max(1, reps // 3)):
        for name in calls:
            for kind, fn in calls[name].items():
                times[(name, kind)].append(median_ms(fn, 10 if kind == "train step" else 3))
    for name in calls:
        print("   " + name.ljust(22) + "  ".join(f"{kind} {statistics.median(times[(name, kind)]):7.2f} ms"
                                                for kind in calls[name]))
    print(f"   sub-pixel form, static{' (fused)' if 'PReLU form + fusion' in calls else ''} "
          f"{run(SubPixelFSRCNN(net), x):7.1f} ms")

    onnx_section(net, x.asnumpy(), args, reps)
    if args.fmen_rounds:
        ms.set_context(enable_graph_kernel=False)
        fmen_section(side, args.fmen_rounds, rng)


def onnx_section(net, feed, args, reps):
    try:
        import onnxruntime as ort
    except ImportError:
        print("3. onnxruntime not installed: skipped")
        return
    print("3. ONNX Runtime on the exported ONNX")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "fsrcnn.onnx")
        export.export(net, export.Target("ONNX", path, feed.shape))
        for level in ("ORT_ENABLE_BASIC", "ORT_ENABLE_EXTENDED", "ORT_ENABLE_ALL"):
            options = ort.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads = args.threads, 1
            options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            name = session.get_inputs()[0].name
            print(f"   {level:<22}{median_ms(lambda: session.run(None, {name: feed}), reps):8.1f} ms")


if __name__ == "__main__":
    main()

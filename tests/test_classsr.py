"""ClassSR (src/models/classsr.py): losses against hand-computed values, the bicubic branch against the protocol,
batched routing against routing one sub-image at a time, forced routing against plain FSRCNN, the classes of the
training sub-images, bad inputs, and a training run through train.py."""
import csv
import os

import mindspore as ms
import numpy as np
import pytest

from conftest import require_sets, run_script
from src import checkpoint, config, dataset, models, protocol
from src.errors import UserError
from src.models import classsr, fsrcnn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cfg(*argv):
    return config.get_config("test", ["--model", "classsr", *argv])


@pytest.fixture
def spec():
    return models.spec_for(_cfg("--branches", "bicubic,16-5-1,24-6-2", "--class_width", "8",
                                "--class_patch", "16", "--class_stride", "12", "--class_chunk", "8"))


@pytest.fixture
def net(spec):
    ms.set_seed(3)
    network = spec.build()
    network.classifier = ContentClassifier()  # a fresh Class-Module sends everything to one branch
    network.set_train(False)
    return network


class ContentClassifier(ms.nn.Cell):
    """Logits from each sub-image's variance: flat ones to branch 0, busy ones to branch 2."""

    def construct(self, x):
        var = x.var(axis=(1, 2, 3)).reshape(-1, 1)
        return ms.ops.concat([0.01 - var, ms.ops.zeros_like(var), var - 0.03], axis=1)


def _content(shape, seed):
    """Smooth areas and noisy ones, so that sub-images differ."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    return (0.5 + 0.4 * np.sin(xx / 6.0) * (yy > shape[0] // 2) + rng.random(shape) * (xx > shape[1] // 2) * 0.5
            ).clip(0, 1).astype(np.float32)


def test_class_and_average_losses_equal_hand_computed_values():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [1.0, 0.0, 0.0], [0.3, 0.3, 0.4]], np.float32)
    loss = classsr.ClassSRLoss((2000.0, 1.0, 6.0), [0.5, 0.25, 0.25])
    # Class-Loss: (K - 1) - sum_{i<j} |p_i - p_j| per sample, averaged
    pair_sums = [0.5 + 0.6 + 0.1, 0.0 + 0.7 + 0.7, 1.0 + 1.0 + 0.0, 0.0 + 0.1 + 0.1]
    expected_class = np.mean([2 - s for s in pair_sums])
    # Average-Loss: sum_j |sum_b p_bj - B t_j| / (4 B / K), B = 4, targets 2, 1, 1
    # column sums of p: 2.1, 0.6, 1.3
    expected_average = (abs(2.1 - 2) + abs(0.6 - 1) + abs(1.3 - 1)) / (4 * 4 / 3)
    out = np.zeros((4, 1, 8, 8), np.float32)
    target = np.full((4, 1, 8, 8), 0.25, np.float32)
    total, l1, cls, avg = (float(v.asnumpy()) for v in loss((ms.Tensor(out), ms.Tensor(p)), ms.Tensor(target)))
    assert cls == pytest.approx(expected_class, abs=1e-6)
    assert avg == pytest.approx(expected_average, abs=1e-6)
    assert l1 == pytest.approx(0.25)
    assert total == pytest.approx(2000 * 0.25 + expected_class + 6 * expected_average, rel=1e-6)


def test_bicubic_branch_is_matlab_bicubic_borders_included():
    lr = np.random.default_rng(1).random((23, 30)).astype(np.float32)
    out = classsr.BicubicBranch(4)(ms.Tensor(lr[None, None])).asnumpy()[0, 0]
    np.testing.assert_allclose(out, protocol.imresize(lr.astype(np.float64), 4), atol=1e-5)


def test_costs_count_the_deconvolution_as_executed_and_in_the_papers_convention():
    assert classsr.branch_macs((56, 12, 4)) == 12464
    assert classsr.branch_macs((56, 12, 4), paper=True) == 12464 - 81 * 56 + 81 * 56 * 16
    assert classsr.branch_macs((16, 12, 4)) == 7264 and classsr.branch_macs((36, 12, 4)) == 9864
    # the paper's Class-Module: ~3,460 multiply-adds per LR pixel (docs/protocol.md section 6)
    assert classsr.class_module_macs(128, 3, 32) == pytest.approx(3456 + 96 / 1024)


def _route_one_at_a_time(net, lr, patch, stride, halo):
    """Independent reference: every sub-image classified and upscaled alone, pasted with explicit weight maps."""
    h, w = lr.shape
    rows = list(range(0, h - patch + 1, stride))
    rows += [h - patch] if rows[-1] != h - patch else []
    cols = list(range(0, w - patch + 1, stride))
    cols += [w - patch] if cols[-1] != w - patch else []
    total, weight = np.zeros((4 * h, 4 * w)), np.zeros((4 * h, 4 * w))
    for r in rows:
        for c in cols:
            window = ms.Tensor(lr[None, None, r:r + patch, c:c + patch])
            k = int(net.classifier(window).asnumpy().argmax())
            sr = net.branches[k](window).asnumpy()[0, 0]
            mask = np.zeros_like(sr)
            top, left = (halo if r > 0 else 0), (halo if c > 0 else 0)
            bottom = patch - (halo if r + patch < h else 0)
            right = patch - (halo if c + patch < w else 0)
            mask[4 * top:4 * bottom, 4 * left:4 * right] = 1
            total[4 * r:4 * (r + patch), 4 * c:4 * (c + patch)] += sr * mask
            weight[4 * r:4 * (r + patch), 4 * c:4 * (c + patch)] += mask
    return total / weight


@pytest.mark.parametrize("stride,halo", [(12, 0), (12, 2), (10, 3)])
def test_batched_routing_equals_routing_one_sub_image_at_a_time(net, stride, halo):
    lr = _content((43, 37), 2)
    router = classsr.SubImageRouter(net, 16, stride, halo, chunk=8)
    out, classes, _ = router.route(lr)
    assert len(set(classes.tolist())) > 1  # the random Class-Module routes to several branches
    np.testing.assert_allclose(out, _route_one_at_a_time(net, lr, 16, stride, halo), atol=2e-5)


def test_every_sub_image_forced_to_one_branch_reproduces_that_network(net):
    lr = _content((50, 41), 4)
    plain = net.branches[2](ms.Tensor(lr[None, None])).asnumpy()[0, 0]
    radius = fsrcnn.receptive_radius(net.branches[2])
    # halos as wide as the receptive radius: the whole output equals the network on the whole image
    exact = classsr.SubImageRouter(net, 24, 24 - 2 * radius, radius, chunk=8, force=2)
    np.testing.assert_allclose(exact.route(lr)[0], plain, atol=1e-5)
    # the paper's overlap averaging: equal wherever one sub-image alone covers the pixel, far from its edges
    averaged = classsr.SubImageRouter(net, 24, 20, 0, chunk=8, force=2)
    out = averaged.route(lr)[0]
    inner = slice(4 * radius, 4 * (20 - radius))
    np.testing.assert_allclose(out[inner, inner], plain[inner, inner], atol=1e-5)
    assert np.abs(out - plain).max() > 1e-3  # and not elsewhere: the seams the halo removes


def test_batches_cover_every_sub_image_with_little_padding():
    assert classsr.batch_sizes(81, 64) == [64, 16, 8]
    assert classsr.batch_sizes(128, 64) == [64, 64]
    assert classsr.batch_sizes(3, 64) == [8]
    for count in range(1, 300):
        sizes = classsr.batch_sizes(count, 64)
        assert count <= sum(sizes) < count + classsr.MIN_BATCH and set(sizes) <= {8, 16, 32, 64}


def test_classes_split_sub_images_by_psnr_cheapest_first():
    psnr = np.array([30.0, 20.0, 40.0, 25.0, 35.0, 15.0])
    limits = classsr.class_thresholds(psnr, [1 / 3, 1 / 3, 1 / 3])
    assert classsr.assign_classes(psnr, limits).tolist() == [1, 2, 0, 1, 0, 2]
    assert classsr.assign_classes(np.array([limits[0]]), limits).tolist() == [0]


def test_an_image_smaller_than_one_sub_image_is_a_clear_error(net):
    router = classsr.SubImageRouter(net, 16, 12)
    with pytest.raises(UserError, match="smaller than one sub-image of 16"):
        router.route(np.zeros((40, 12), np.float32))


@pytest.mark.parametrize("option, value, message", [
    ("--class_bias", "1,2", "class_bias '1,2': give 3 numbers, one per branch"),
    ("--class_bias", "a,b,c", "class_bias 'a,b,c': give 3 numbers"),
    ("--class_shares", "0.5,0.5,0.5", "the shares must be >= 0 and sum to 1"),
])
def test_per_branch_options_are_checked(option, value, message):
    spec = models.spec_for(_cfg(option, value))
    with pytest.raises(UserError, match=message):
        spec.logit_bias() if option == "--class_bias" else spec.shares()


def test_gaps_between_sub_images_are_refused(net):
    with pytest.raises(UserError, match="leaves gaps"):
        classsr.SubImageRouter(net, 16, 14, halo=2)


def test_a_branch_checkpoint_of_another_shape_is_refused(tmp_path):
    spec = models.spec_for(_cfg("--branches", "bicubic,32-5-1,56-12-4",
                                "--branch_ckpts", f",{ROOT}/checkpoints/fsrcnn_x4.ckpt,{ROOT}/checkpoints/fsrcnn_x4.ckpt"))
    with pytest.raises(UserError, match="fsrcnn_x4.ckpt: checkpoint is d=56 but d=32"):
        checkpoint.load_parts(spec.part_checkpoints(spec.build()))


def test_the_shipped_branches_load_and_the_main_one_is_classsr_s_fsrcnn_56():
    spec = models.spec_for(config.get_config("test", ["--config_path", f"{ROOT}/configs/classsr/x4.yaml"]))
    net = spec.build()
    checkpoint.load_parts(spec.part_checkpoints(net))
    params, _ = checkpoint.read(f"{ROOT}/checkpoints/stages/classsr_x4_branch2.ckpt")
    np.testing.assert_array_equal(net.branches[2].deconv.weight.asnumpy(), params["deconv.weight"].asnumpy())
    assert [name for name, _, _ in spec.param_groups(net)] == ["classifier"]
    spec.cfg.classsr_train = "joint"  # stage 3: also the branches, but never bicubic or the shipped FSRCNN-56
    assert [name for name, _, _ in spec.param_groups(net)] == ["classifier", "branch1 convs", "branch1 deconv"]


def _write_sub_images(path, count, rng):
    hr = rng.integers(0, 256, (count, 64, 64)).astype(np.uint8)
    lr = protocol.imresize(hr.transpose(1, 2, 0).astype(np.float64), 0.25).transpose(2, 0, 1)
    dataset.write_train_h5(str(path), lr.astype(np.float32), hr)


def test_the_class_module_trains_through_train_py_and_the_branches_stay_frozen(tmp_path, capsys):
    rng = np.random.default_rng(5)
    _write_sub_images(tmp_path / "train.h5", 32, rng)
    val = [(f"v{i}", rng.integers(0, 256, (96, 80)).astype(np.uint8)) for i in range(2)]
    dataset.write_eval_h5(str(tmp_path / "val.h5"), [(n, *protocol.degrade(hr, 4)) for n, hr in val])
    branch_ckpt = tmp_path / "branch.ckpt"
    ms.set_seed(7)
    checkpoint.save(fsrcnn.FSRCNN(4, 16, 5, 1), str(branch_ckpt), {"model": "fsrcnn", "scale": 4, "d": 16,
                                                                     "s": 5, "m": 1})
    out_dir = tmp_path / "run"
    code, out, err = run_script("train", [
        "--model", "classsr", "--branches", "bicubic,16-5-1", "--class_width", "8", "--branch_ckpts",
        f",{branch_ckpt}", "--train_data", str(tmp_path / "train.h5"), "--val_data", str(tmp_path / "val.h5"),
        "--class_patch", "16", "--class_stride", "16", "--class_chunk", "4", "--batch_size", "8", "--epochs", "2",
        "--lr", "0.01", "--output_dir", str(out_dir), "--threads", "1"], capsys)
    assert code == 0, err
    with open(out_dir / "log.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and {"l1", "class", "average", "share_0", "share_1", "macs_pct"} <= set(rows[0])
    assert float(rows[0]["share_0"]) + float(rows[0]["share_1"]) == pytest.approx(1.0)
    trained, _ = checkpoint.read(str(out_dir / "last.ckpt"))
    branch, _ = checkpoint.read(str(branch_ckpt))
    for name, value in branch.items():
        np.testing.assert_array_equal(trained[f"branches.1.{name}"].asnumpy(), value.asnumpy())
    ms.set_seed(123)  # train.py's seed before it builds the network: its initial weights
    start = models.spec_for(_cfg("--branches", "bicubic,16-5-1", "--class_width", "8")).build()
    moved = [n for n, p in start.parameters_and_names() if n.startswith("classifier")
             and not np.array_equal(trained[n].asnumpy(), p.asnumpy())]
    assert moved  # the Class-Module trained


@pytest.fixture
def large_image(tmp_path):
    """A 200x172 RGB photo-like image (flat sky above, texture below): 50x43 LR pixels at x4."""
    rng = np.random.default_rng(6)
    yy, xx = np.mgrid[0:172, 0:200]
    sky = np.stack([120 + yy * 0.3, 160 + yy * 0.2, 220 + 0 * yy], -1)
    texture = 128 + 80 * np.sin(xx / 3.0)[..., None] * np.cos(yy / 4.0)[..., None] + rng.normal(0, 20, (172, 200, 3))
    img = np.where((yy > 86)[..., None], texture, sky).clip(0, 255).astype(np.uint8)
    folder = tmp_path / "large"
    folder.mkdir()
    from PIL import Image
    Image.fromarray(img).save(folder / "photo.png")
    return folder


def test_eval_infer_and_benchmark_run_the_shipped_classsr(tmp_path, large_image, capsys):
    shipped = ["--config_path", f"{ROOT}/configs/classsr/x4.yaml", "--threads", "1"]
    code, out, err = run_script("eval", shipped + ["--eval_sets", str(large_image)], capsys)
    assert code == 0, err
    assert "ClassSR(branches=bicubic,32-5-1,56-12-4" in out and "large" in out
    result = tmp_path / "photo_x4.png"
    code, out, err = run_script("infer", shipped + ["--input", str(large_image / "photo.png"),
                                                    "--output", str(result)], capsys)
    assert code == 0, err
    from PIL import Image
    assert Image.open(result).size == (800, 688)
    report = tmp_path / "bench.json"
    code, out, err = run_script("benchmark", shipped + ["--bench_image", str(large_image / "photo.png"),
                                                        "--iters", "1", "--warmup", "0", "--json", str(report)], capsys)
    assert code == 0, err
    import json
    rows = {r["path"]: r for r in json.loads(report.read_text())["results"]}
    assert set(rows) == {"classsr", "fsrcnn_whole"} and rows["classsr"]["workload"] == "photo_50x43_x4"
    # the reference output is the router's: plain FSRCNN differs from it, but upscales the same image
    assert rows["classsr"]["max_abs_diff"] == 0 and 0 < rows["fsrcnn_whole"]["max_abs_diff"] < 0.5


def test_export_refuses_classsr_with_a_reason(capsys):
    code, _, err = run_script("export", ["--config_path", f"{ROOT}/configs/classsr/x4.yaml"], capsys)
    assert code == 2 and "ClassSR cannot be exported as one model" in err


def test_realsr16_splits_into_disjoint_validation_and_test_photos(data_dir):
    require_sets("RealSR16")
    folder, val = dataset.subsets()["RealSR4-val"].of, dataset.subsets()["RealSR4-val"].images
    test = dataset.subsets()["RealSR12"].images
    names = {os.path.splitext(os.path.basename(f))[0] for f in protocol.list_images(os.path.join(data_dir, folder))}
    assert not set(val) & set(test) and set(val) | set(test) == names
    assert [n for n, _, _ in dataset.load_eval_set("RealSR4-val", data_dir, 4)] == sorted(val)
    from src import trainer
    trainer.check_validation_set("RealSR4-val")
    with pytest.raises(UserError, match="is a test set"):
        trainer.check_validation_set("RealSR12")


def test_infer_names_the_image_that_is_smaller_than_one_sub_image(tmp_path, capsys):
    from PIL import Image
    small = tmp_path / "small.png"
    Image.fromarray(np.full((30, 60, 3), 90, np.uint8)).save(small)  # the LR input itself
    code, _, err = run_script("infer", ["--config_path", f"{ROOT}/configs/classsr/x4.yaml", "--input", str(small),
                                        "--output", str(tmp_path / "out.png"), "--threads", "1"], capsys)
    assert code == 2 and f"{small}: image height: 30 LR pixels is smaller than one sub-image of 36" in err
    assert not (tmp_path / "out.png").exists()


def test_a_narrower_branch_starts_from_the_mapping_layers_of_fsrcnn_56(capsys):
    from src import trainer
    cfg = config.get_config("test", ["--d", "16", "--init_ckpt", f"{ROOT}/checkpoints/fsrcnn_x4.ckpt",
                                     "--init_matching_shapes", "true"])
    spec = models.spec_for(cfg)
    ms.set_seed(1)
    net = spec.build()
    first = net.features[0].weight.asnumpy().copy()
    trainer._init_from(spec, net)  # pylint: disable=protected-access
    params, _ = checkpoint.read(cfg.init_ckpt)
    mapping = [n for n, p in net.parameters_and_names() if params[n].shape == p.shape]
    assert len(mapping) == 15 and "features.4.weight" in mapping  # the 3x3 mapping convs (s = 12) and their PReLUs
    for name, p in net.parameters_and_names():
        if name in mapping:
            np.testing.assert_array_equal(p.asnumpy(), params[name].asnumpy())
    np.testing.assert_array_equal(net.features[0].weight.asnumpy(), first)  # 1 -> 16: kept as initialised
    assert "initialised 15 of 23 parameters" in capsys.readouterr().out

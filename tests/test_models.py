"""The models package: the registry behind --model, checkpoints that record their model, and the training path for
a model with several loss terms and frozen parameters (a small test-only network registered here)."""
import csv

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn, ops

from conftest import run_script
from src import checkpoint, models
from src.config import get_config
from src.errors import UserError


class TinyNet(nn.Cell):
    """head (frozen in training) -> tail -> pixel shuffle: an upscaler small enough to train in seconds."""

    def __init__(self, scale):
        super().__init__()
        self.head = nn.Conv2d(1, 4, 3, pad_mode="same", has_bias=True)
        self.tail = nn.Conv2d(4, scale * scale, 3, pad_mode="same", has_bias=True)
        self.shuffle = nn.PixelShuffle(scale)

    def construct(self, x):
        return self.shuffle(self.tail(self.head(x)))


class TwoTermLoss(nn.Cell):
    """(total, mse, l1) with total = mse + 0.5 l1."""

    def construct(self, output, target):
        mse = ops.mean(ops.square(output - target))
        l1 = ops.mean(ops.abs(output - target))
        return mse + 0.5 * l1, mse, l1


class TinySpec(models.NetworkSpec):
    name = "tiny"
    title = "Tiny"
    arch_keys = ()
    loss_terms = ("loss", "mse", "l1")

    def build(self):
        return TinyNet(self.cfg.scale)

    def param_groups(self, net):
        return [("tail", list(net.tail.trainable_params()), self.cfg.lr)]

    def loss(self, lr_patch):
        return TwoTermLoss()

    def macs_per_lr_pixel(self):
        return 9 * 4 + 9 * 4 * self.cfg.scale ** 2


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(models._REGISTRY, "tiny", TinySpec)


def test_registry_lists_the_models_and_refuses_unknown_ones(capsys):
    assert "fsrcnn" in models.names() and models.module_names() == models.names()
    assert models.spec_for(get_config("", [])).name == "fsrcnn"  # the default
    with pytest.raises(UserError, match="model 'nope' is not one of .*fsrcnn"):
        models.spec_for(get_config("", ["--model", "nope"]))
    code, _, err = run_script("eval", ["--model", "nope"], capsys)
    assert code == 2 and err.startswith("error: model 'nope' is not one of") and err.count("\n") == 1


def test_fsrcnn_spec_declares_what_the_toolkit_needs():
    spec = models.spec_for(get_config("", ["--scale", "3", "--d", "32", "--s", "5", "--m", "1"]))
    assert spec.arch() == {"model": "fsrcnn", "scale": 3, "d": 32, "s": 5, "m": 1}
    assert spec.describe() == "FSRCNN(d=32, s=5, m=1) x3" and spec.colour == "y" and spec.channels == 1
    net = spec.build()
    assert spec.macs_per_lr_pixel() == sum(int(np.prod(p.shape)) for p in net.trainable_params()
                                           if not p.name.endswith(("bias", ".w")))
    groups = spec.param_groups(net)
    assert [name for name, _, _ in groups] == ["convs", "deconv"]
    assert sum(len(params) for _, params, _ in groups) == len(net.trainable_params())
    with pytest.raises(UserError, match="scale 5 is not supported by fsrcnn"):
        models.spec_for(get_config("", ["--scale", "5"]))


def test_checkpoints_record_the_model_and_refuse_another(tmp_path, tiny, random_ckpt):
    path = random_ckpt(scale=4)
    _, info = checkpoint.read(path)
    assert info["model"] == "fsrcnn" and info["scale"] == 4
    tiny_spec = models.spec_for(get_config("", ["--model", "tiny"]))
    with pytest.raises(UserError, match="checkpoint holds model fsrcnn but model tiny was asked for "
                                        r"\(pass --model fsrcnn or another checkpoint\)"):
        checkpoint.network_from_checkpoint(path, tiny_spec)
    with pytest.raises(UserError, match="checkpoint is scale=4 but scale=3 was asked for"):
        checkpoint.network_from_checkpoint(path, models.spec_for(get_config("", ["--scale", "3"])))


def test_files_written_before_the_models_package_load_as_fsrcnn(tmp_path):
    """Checkpoints written before the models package (the shipped ClassSR FSRCNN-56 is one) carry scale/d/s/m
    but no model name."""
    _, info = checkpoint.read("checkpoints/stages/classsr_x4_branch2.ckpt")
    assert "model" not in info and info["d"] == 56
    spec = models.spec_for(get_config("", []))
    net = checkpoint.network_from_checkpoint("checkpoints/stages/classsr_x4_branch2.ckpt", spec)
    assert net.deconv.weight.shape == (56, 1, 9, 9)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _train_tiny(tmp_path, image_folder, capsys, *options):
    """train.py --model tiny on the synthetic images (training and validation); returns (output_dir, stdout)."""
    out = tmp_path / "run"
    code, stdout, err = run_script("train", ["--model", "tiny", "--train_data", str(image_folder), "--val_data",
                                             str(image_folder), "--output_dir", str(out), *options], capsys)
    assert code == 0, err
    return out, stdout


def test_several_loss_terms_and_frozen_parameters_train_through_model_train(tmp_path, image_folder, tiny, capsys):
    out, stdout = _train_tiny(tmp_path, image_folder, capsys, "--epochs", "2", "--lr", "0.01",
                              "--deterministic", "true")
    assert "training Tiny() x4" in stdout and "lr tail 0.01" in stdout
    assert "epoch 2/2  loss " in stdout and " mse " in stdout and " l1 " in stdout
    rows = _rows(out / "log.csv")
    assert list(rows[0]) == ["epoch", "loss", "mse", "l1", "seconds", "val_psnr", "best_psnr"] and len(rows) == 2
    for row in rows:  # epoch means of a linear combination: the combination of the means
        assert float(row["loss"]) == pytest.approx(float(row["mse"]) + 0.5 * float(row["l1"]), rel=1e-5)
    assert (out / "curve.png").stat().st_size > 0

    ms.set_seed(123)  # train.py's seed: the initial weights of the run
    initial = TinyNet(4)
    params, info = checkpoint.read(str(out / "last.ckpt"))
    assert info["model"] == "tiny" and info["epoch"] == 1
    assert np.array_equal(params["head.weight"].asnumpy(), initial.head.weight.asnumpy())  # frozen
    assert not np.allclose(params["tail.weight"].asnumpy(), initial.tail.weight.asnumpy())  # trained
    assert "moment1.tail.weight" in params and "moment1.head.weight" not in params


def test_early_stop_ends_a_run_that_stopped_improving(tmp_path, image_folder, tiny, capsys):
    """With a learning rate of 0 no epoch beats the first: patience 1 stops after epoch 2 of 5."""
    out, stdout = _train_tiny(tmp_path, image_folder, capsys, "--epochs", "5", "--lr", "0", "--early_stop", "1")
    assert "early stop: no better validation PSNR for 1 epochs (best" in stdout and "at epoch 1)" in stdout
    assert len(_rows(out / "log.csv")) == 2 and "epoch 3/5" not in stdout
    _, again = _train_tiny(tmp_path, image_folder, capsys, "--epochs", "5", "--lr", "0", "--early_stop", "1",
                           "--resume", "true")
    assert "nothing to train" in again and "stopped early" in again and len(_rows(out / "log.csv")) == 2


def test_amp_o2_is_refused_for_several_loss_terms(tiny):
    from src import trainer
    with pytest.raises(UserError, match="amp_level O2 .* not supported for losses of several terms"):
        trainer.build_train_step(TinyNet(2), None, TwoTermLoss(), "O2", TinySpec.loss_terms)


def test_a_spec_is_registered_under_its_module_name():
    with pytest.raises(ValueError, match="TinySpec.name is 'tiny' but its module is test_models.py"):
        models.register(TinySpec)


ADDED_MODULE = '''"""A network added from outside src/models/: this module and added_net.yaml beside it."""
from mindspore import nn

from src.models import NetworkSpec, register


class Upscaler(nn.Cell):
    def __init__(self, scale, width):
        super().__init__()
        self.head = nn.Conv2d(1, width, 3, pad_mode="same", has_bias=True)
        self.tail = nn.Conv2d(width, scale * scale, 3, pad_mode="same", has_bias=True)
        self.shuffle = nn.PixelShuffle(scale)

    def construct(self, x):
        return self.shuffle(self.tail(self.head(x)))


@register
class AddedSpec(NetworkSpec):
    name = "added_net"
    title = "Added"
    arch_keys = ("width",)

    def build(self):
        return Upscaler(self.cfg.scale, self.cfg.width)

    def param_groups(self, net):
        return [("all", net.trainable_params(), self.cfg.lr)]
'''
ADDED_KEYS = 'width: 4\n---\nwidth: "feature width of the added network"\n'


def test_a_network_added_as_one_module_and_its_yaml_trains_evaluates_and_exports(tmp_path, image_folder, capsys,
                                                                                   monkeypatch):
    """Adding a network edits no shared file: a module registering its spec and a yaml of its own keys, here
    outside src/models/, is enough for train.py, eval.py and export.py (and its key shows in --help)."""
    import importlib
    import sys
    (tmp_path / "added_net.py").write_text(ADDED_MODULE)
    (tmp_path / "added_net.yaml").write_text(ADDED_KEYS)
    monkeypatch.setattr(models, "_REGISTRY", dict(models._REGISTRY))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "added_net", raising=False)
    importlib.import_module("added_net")
    net_args = ["--model", "added_net", "--scale", "2", "--width", "6"]
    code, stdout, _ = run_script("train", ["--help"], capsys)
    assert code == 0 and "--width" not in stdout  # the default model's keys only
    out = tmp_path / "run"
    code, stdout, err = run_script("train", net_args + ["--train_data", str(image_folder), "--val_data",
                                                         str(image_folder), "--epochs", "1", "--output_dir", str(out)],
                                   capsys)
    assert code == 0, err
    assert "training Added(width=6) x2" in stdout
    _, info = checkpoint.read(str(out / "best.ckpt"))
    assert (info["model"], info["scale"], info["width"]) == ("added_net", 2, 6)
    code, stdout, err = run_script("eval", net_args + ["--ckpt_file", str(out / "best.ckpt"), "--eval_sets",
                                                        str(image_folder)], capsys)
    assert code == 0 and "Added(width=6) x2" in stdout, err
    code, _, err = run_script("eval", ["--model", "added_net", "--scale", "2", "--ckpt_file",
                                       str(out / "best.ckpt"), "--eval_sets", str(image_folder)], capsys)
    assert code == 2 and "checkpoint is width=6 but width=4 was asked for (pass --width 6" in err
    code, _, err = run_script("export", net_args + ["--ckpt_file", str(out / "best.ckpt"), "--file_name",
                                                     str(tmp_path / "added")], capsys)
    assert code == 0 and (tmp_path / "added.mindir").stat().st_size > 0, err
    # infer.py: a network that declares no Tileable capability runs whole images, and refuses --tile
    image = next(image_folder.iterdir())
    infer_args = net_args + ["--ckpt_file", str(out / "best.ckpt"), "--input", str(image), "--backend", "mindspore"]
    code, stdout, err = run_script("infer", infer_args + ["--output", str(tmp_path / "big.png")], capsys)
    assert code == 0 and "1 tile (whole image)" in stdout, err
    code, _, err = run_script("infer", infer_args + ["--output", str(tmp_path / "b2.png"), "--tile", "8"], capsys)
    assert code == 2 and "Added runs on whole images only" in err and not (tmp_path / "b2.png").exists()


def test_the_record_is_one_json_entry_and_a_malformed_one_is_refused(tmp_path, random_ckpt):
    import json
    params = ms.load_checkpoint(random_ckpt(scale=2))
    assert json.loads(params["record"]) == {"model": "fsrcnn", "scale": 2, "d": 56, "s": 12, "m": 4}
    assert not any(key in params for key in ("model", "scale", "d"))  # nothing beside the record
    bad = str(tmp_path / "bad.ckpt")
    weights = [{"name": k, "data": v} for k, v in params.items() if k != "record"]
    for record in ("[1, 2]", "not json", '{"scale": [2]}'):
        ms.save_checkpoint(weights, bad, append_dict={"record": record})
        with pytest.raises(UserError, match="bad.ckpt: its 'record' entry is not a mapping of names to numbers"):
            checkpoint.read(bad)

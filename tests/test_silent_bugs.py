"""Bugs that cost quality silently (nothing crashes, the numbers are only worse), each caught by a test that fails
when the bug is put back: LR/HR patch alignment under every rotation (the .h5 grid and the on-the-fly random
patches), rotations actually used, each learning-rate group's rate, the best PSNR kept across a resume, test sets
refused as validation however named, writes that leave the old file intact when they fail, and the architecture
check of every key."""
import os

import mindspore as ms
import numpy as np
import pytest

from conftest import DATA_DIR, run_script
from src import checkpoint, config, dataset, fileio, models, protocol, train_data, trainer, upscale
from src.errors import UserError

SCALE, PATCH = 3, 8


def _noise_pair(h=48, w=63):
    """(HR uint8, LR float) of a noise image by the protocol: every LR crop is found at exactly one place."""
    hr = np.random.default_rng(3).integers(0, 256, (h, w), dtype=np.uint8)
    return protocol.degrade(hr, SCALE)


def _locate(lr_patch, lr):
    """[(k, r, c)]: the rotations k and positions where lr_patch is a crop of np.rot90(lr, k)."""
    found = []
    for k in range(4):
        rotated = np.rot90(lr, k)
        for r in range(rotated.shape[0] - PATCH + 1):
            for c in range(rotated.shape[1] - PATCH + 1):
                if np.allclose(rotated[r:r + PATCH, c:c + PATCH], lr_patch, atol=1e-3):
                    found.append((k, r, c))
    return found


def _check_aligned(lr_patches, hr_patches, hr, lr):
    """Each HR patch is the crop of np.rot90(hr, k) over the LR patch's region of np.rot90(lr, k) (independently
    located), and degrading it by the protocol gives the LR patch away from the patch border. Returns the rotations
    seen."""
    seen = set()
    border = 2  # the bicubic kernel reaches 2 LR pixels: inside that, a patch degrades like the whole image
    for lr_p, hr_p in zip(lr_patches, hr_patches):
        where = _locate(lr_p, lr)
        assert len(where) == 1, f"LR patch found at {where}: not one crop of a rotation of the LR image"
        k, r, c = where[0]
        expected = np.rot90(hr, k)[r * SCALE:(r + PATCH) * SCALE, c * SCALE:(c + PATCH) * SCALE]
        assert np.array_equal(hr_p, expected), f"HR patch is not the HR of its LR patch (rotation {k}, at {r},{c})"
        degraded = protocol.imresize(hr_p.astype(np.float64), 1.0 / SCALE)
        inner = (slice(border, -border),) * 2
        assert np.abs(degraded[inner] - lr_p[inner]).max() < 1e-3
        seen.add(k)
    return seen


def test_h5_grid_patches_are_aligned_under_every_rotation():
    """dataset.image_patches (what src.prepare writes to a train .h5): every LR/HR pair aligned, all 4 rotations."""
    hr, lr = _noise_pair()
    lr_p, hr_p = dataset.image_patches(hr, SCALE, PATCH, stride=5, augment=True, factors=(1.0,))
    assert _check_aligned(lr_p, hr_p.astype(np.uint8), hr, lr) == {0, 1, 2, 3}
    assert len(lr_p) == sum(len(dataset.grid_positions(np.rot90(lr, k).shape, PATCH, 5)) for k in range(4))
    lr_p, hr_p = dataset.image_patches(hr, SCALE, PATCH, stride=5, augment=False, factors=(1.0,))
    assert _check_aligned(lr_p, hr_p.astype(np.uint8), hr, lr) == {0}


def test_random_patches_are_aligned_under_every_rotation():
    """train_data.RandomPatches (image folders): the batches' pairs aligned, all 4 rotations drawn with augment."""
    hr, lr = _noise_pair()
    source = train_data.RandomPatches([(hr, lr)], SCALE, PATCH, 3, True, batch_size=48, seed=1)
    lr_b, hr_b = source.batch(0, 0)
    lr_b, hr_b = lr_b[:, 0] * 255.0, np.rint(hr_b[:, 0] * 255.0).astype(np.uint8)
    assert _check_aligned(lr_b, hr_b, hr, lr) == {0, 1, 2, 3}
    source = train_data.RandomPatches([(hr, lr)], SCALE, PATCH, 3, False, batch_size=16, seed=1)
    lr_b, hr_b = source.batch(0, 0)
    assert _check_aligned(lr_b[:, 0] * 255.0, np.rint(hr_b[:, 0] * 255.0).astype(np.uint8), hr, lr) == {0}


# ---------------------------------------------------------------- learning-rate groups
def test_fsrcnn_convs_train_at_lr_and_the_deconvolution_at_deconv_lr():
    cfg = config.get_config(None, ["--model", "fsrcnn", "--lr", "0.003", "--deconv_lr", "0.0002",
                                   "--lr_schedule", "constant"], "train")
    spec = models.spec_for(cfg)
    net = spec.build()
    for factor in (1, 2):
        opt = trainer.build_optimizer(spec, net, steps_per_epoch=5, lr_factor=factor)
        convs, deconv = net.conv_parameters(), net.deconv_parameters()
        assert convs and deconv
        for params, rate in ((convs, 0.003), (deconv, 0.0002)):
            for lr in opt.get_lr_parameter(params):
                assert float(lr.asnumpy()) == pytest.approx(rate * factor, rel=1e-6)
        grouped = {p.name for p in opt.parameters}
        assert grouped == {p.name for p in convs + deconv}


# ---------------------------------------------------------------- resume keeps the best PSNR
def test_resume_keeps_the_best_psnr_so_far(tmp_path, image_folder, capsys):
    """Two epochs, then a third resumed at learning rate 0: its PSNR equals epoch 2's, so it beats no earlier
    epoch; best.ckpt, last.ckpt and the log keep the best of the first run."""
    run = tmp_path / "run"
    args = ["--train_data", str(image_folder), "--val_data", str(image_folder), "--scale", "4", "--deterministic",
            "true", "--lr_patch_size", "6", "--output_dir", str(run), "--lr_schedule", "constant"]
    code, _, err = run_script("train", args + ["--epochs", "2"], capsys)
    assert code == 0, err
    _, best_before = checkpoint.read(str(run / "best.ckpt"))
    _, last_before = checkpoint.read(str(run / "last.ckpt"))
    best_bytes = (run / "best.ckpt").read_bytes()
    code, _, err = run_script("train", args + ["--epochs", "3", "--resume", "true", "--lr", "0", "--deconv_lr", "0"],
                              capsys)
    assert code == 0, err
    _, last_after = checkpoint.read(str(run / "last.ckpt"))
    assert last_after["epoch"] == 2
    assert last_after["best_psnr"] == pytest.approx(last_before["best_psnr"], abs=1e-9)
    assert last_after["best_epoch"] == last_before["best_epoch"] == best_before["epoch"]
    assert (run / "best.ckpt").read_bytes() == best_bytes  # not rewritten by an epoch that beat nothing
    rows = [line.split(",") for line in (run / "log.csv").read_text().splitlines()]
    best_col = rows[0].index("best_psnr") if "best_psnr" in rows[0] else 4
    assert len(rows) == 4
    assert float(rows[3][best_col]) == pytest.approx(float(rows[2][best_col]), abs=1e-4)
    assert float(rows[3][best_col]) == pytest.approx(last_before["best_psnr"], abs=1e-4)


# ---------------------------------------------------------------- a test set is never the validation set
def test_a_test_set_is_refused_as_validation_however_named(tmp_path):
    data_dir = DATA_DIR
    set5 = os.path.join(data_dir, "Set5")
    if not os.path.isdir(set5):
        pytest.skip(f"no Set5 in {data_dir}")
    link = tmp_path / "myval"
    link.symlink_to(set5, target_is_directory=True)
    for name in ("Set5", set5, set5 + os.sep, os.path.join(data_dir, ".", "Set5"), os.path.relpath(set5),
                 str(link)):
        with pytest.raises(UserError, match="is a test set"):
            trainer.check_validation_set(name, data_dir)
    own = tmp_path / "val"
    own.mkdir()
    trainer.check_validation_set(str(own), data_dir)  # any other folder is a validation set

    # a data folder whose Set5 is a link to a folder of another name: that folder is Set5 too
    other = tmp_path / "data"
    other.mkdir()
    (tmp_path / "CSet5").mkdir()
    (other / "Set5").symlink_to(tmp_path / "CSet5", target_is_directory=True)
    with pytest.raises(UserError, match="is a test set"):
        trainer.check_validation_set(str(tmp_path / "CSet5"), str(other))


# ---------------------------------------------------------------- a failing write leaves the old file
def test_a_checkpoint_write_that_fails_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "best.ckpt"
    weights = [{"name": "w", "data": ms.Tensor(np.ones((2, 2), np.float32))}]
    checkpoint.save(weights, str(path), {"model": "fsrcnn", "epoch": 0})
    old = path.read_bytes()

    def half_then_fail(obj, name, **kwargs):
        with open(name, "wb") as f:
            f.write(b"half a checkpoint")
        raise RuntimeError("disk full")

    monkeypatch.setattr(ms, "save_checkpoint", half_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        checkpoint.save(weights, str(path), {"model": "fsrcnn", "epoch": 1})
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["best.ckpt"]  # the temporary file removed


def test_an_image_write_that_fails_leaves_the_old_file(tmp_path, monkeypatch):
    from PIL import Image
    path = tmp_path / "out.png"
    upscale.save_atomic(Image.fromarray(np.zeros((4, 4), np.uint8)), str(path), "PNG")
    old = path.read_bytes()

    def half_then_fail(img, file, fmt, dst):
        file.write(b"\x89PNG half")
        file.flush()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(upscale, "_encode", half_then_fail)
    with pytest.raises((UserError, OSError)):
        upscale.save_atomic(Image.fromarray(np.full((4, 4), 9, np.uint8)), str(path), "PNG")
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["out.png"]

    with pytest.raises(OSError):  # fileio's own writers: the same for text and JSON
        with fileio.atomic_open(str(path), "wb") as f:
            f.write(b"half")
            raise OSError(28, "No space left on device")
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["out.png"]


def test_new_files_respect_the_umask(tmp_path):
    path = tmp_path / "x.ckpt"
    checkpoint.save([{"name": "w", "data": ms.Tensor(np.ones(2, np.float32))}], str(path), {"epoch": 0})
    assert os.stat(path).st_mode & 0o777 == fileio.FILE_MODE == 0o666 & ~fileio._current_umask()


# ---------------------------------------------------------------- the architecture check
@pytest.mark.parametrize("key", ["model", "scale", "d", "s", "m"])
def test_a_checkpoint_differing_in_one_arch_key_is_refused_naming_it(key):
    spec = models.spec_for(config.get_config(None, ["--model", "fsrcnn", "--scale", "3"], "train"))
    arch = spec.arch()
    assert set(arch) == {"model", "scale", "d", "s", "m"}
    checkpoint.check_architecture("x.ckpt", dict(arch), spec)  # the same architecture passes
    other = dict(arch, **{key: "fmen-s" if key == "model" else arch[key] + 1})
    with pytest.raises(UserError, match=rf"x\.ckpt: checkpoint (holds model fmen-s|is {key}={other[key]} but "
                                        rf"{key}={arch[key]})"):
        checkpoint.check_architecture("x.ckpt", other, spec)


# ---------------------------------------------------------------- HDF5 files read nothing outside themselves
def _train_h5(path, **extra):
    import h5py
    with h5py.File(path, "w") as f:
        f.create_dataset("lr", data=np.zeros((2, 6, 6), np.float32))
        for key, make in extra.items():
            make(f, key)
        if "hr" not in f:
            f.create_dataset("hr", data=np.zeros((2, 24, 24), np.float32))
    return str(path)


def test_hdf5_links_external_storage_and_huge_datasets_are_refused(tmp_path):
    import h5py
    secret = tmp_path / "secret.h5"
    _train_h5(secret)
    assert len(dataset.read_train_h5(str(secret), 4)[0]) == 2
    cases = {
        "ExternalLink": lambda f, k: f.__setitem__(k, h5py.ExternalLink(str(secret), "/hr")),
        "SoftLink": lambda f, k: f.__setitem__(k, h5py.SoftLink("/lr")),
        "external storage": lambda f, k: f.create_dataset(k, (2, 24, 24), np.float32,
                                                          external=[(str(tmp_path / "raw.bin"), 0, 4608)]),
        "asks for": lambda f, k: f.create_dataset(k, (2 ** 16, 2 ** 8, 2 ** 8), np.float32, chunks=(1, 256, 256)),
    }
    (tmp_path / "raw.bin").write_bytes(bytes(4608))
    for i, (fragment, make) in enumerate(cases.items()):
        path = _train_h5(tmp_path / f"crafted{i}.h5", hr=make)
        assert os.path.getsize(path) < 100_000
        with pytest.raises(UserError, match=fragment):
            dataset.read_train_h5(path, 4)

    eval_file = tmp_path / "eval.h5"
    with h5py.File(eval_file, "w") as f:
        f.create_group("lr").create_dataset("0", data=np.zeros((4, 4), np.float32))
        f.create_group("hr")["0"] = h5py.ExternalLink(str(secret), "/hr")
    with pytest.raises(UserError, match="ExternalLink"):
        dataset.read_eval_h5(str(eval_file), 4)

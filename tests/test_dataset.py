"""Patches, HDF5 files of the published layout, and the training sources."""
import os
from types import SimpleNamespace

import h5py
import numpy as np
import pytest

from src import dataset, metrics, prepare, protocol, train_data
from src.errors import UserError


def _cfg(**kw):
    base = dict(scale=4, data_dir="", train_data="", batch_size=8, seed=5, augment=True,
                augment_scales="1.0,0.9,0.8,0.7,0.6", lr_patch_size=0, patch_stride=0)
    base.update(kw)
    return SimpleNamespace(**base)


def test_patches_are_aligned_crops_of_the_protocol_pair():
    hr_y = np.random.default_rng(0).integers(0, 256, (50, 43)).astype(np.uint8)
    lr_p, hr_p = dataset.image_patches(hr_y, 3, 7, 3, augment=False)
    hr, lr = protocol.degrade(hr_y, 3)
    positions = dataset.grid_positions(lr.shape, 7, 3)
    assert len(lr_p) == len(positions) == len(hr_p)
    r, c = positions[-1]
    assert np.allclose(lr_p[-1], lr[r:r + 7, c:c + 7], atol=1e-4)
    assert np.array_equal(hr_p[-1], hr[3 * r:3 * r + 21, 3 * c:3 * c + 21])


def test_augmentation_gives_five_scales_and_four_rotations():
    hr_y = np.random.default_rng(0).integers(0, 256, (120, 100)).astype(np.uint8)
    pairs = dataset.augmented_pairs(hr_y, 2, augment=True)
    assert [p[0].shape for p in pairs] == [(120, 100), (108, 90), (96, 80), (84, 70), (72, 60)]
    plain, _ = dataset.image_patches(hr_y, 2, 10, 2, augment=False)
    rotated, _ = dataset.image_patches(hr_y, 2, 10, 2, augment=True)
    counts = [len(dataset.grid_positions(p[1].shape, 10, 2)) for p in pairs]
    assert len(rotated) == 4 * sum(counts) and len(plain) == counts[0]


def test_augment_scales_choose_the_downscaled_copies():
    hr_y = np.random.default_rng(0).integers(0, 256, (120, 100)).astype(np.uint8)
    native = dataset.augmented_pairs(hr_y, 2, True, dataset.augment_factors(_cfg(augment_scales="1.0")))
    assert len(native) == 1 and np.array_equal(native[0][0], hr_y)
    factors = dataset.augment_factors(_cfg(augment_scales="1.0, 0.5"))
    assert factors == (1.0, 0.5)
    lr_p, _ = dataset.image_patches(hr_y, 2, 10, 2, True, factors)
    shapes = [p[1].shape for p in dataset.augmented_pairs(hr_y, 2, True, factors)]
    assert shapes == [(60, 50), (30, 25)]
    assert len(lr_p) == 4 * sum(len(dataset.grid_positions(s, 10, 2)) for s in shapes)
    for bad in ("", "1.0,x", "1.5", "0"):
        with pytest.raises(UserError, match=f"augment_scales '{bad}'"):
            dataset.augment_factors(_cfg(augment_scales=bad))


def test_train_h5_round_trip_through_prepare(image_folder, tmp_path):
    out = tmp_path / "train.h5"
    prepare.main(["--images", str(image_folder), "--h5_file", str(out), "--h5_layout", "train", "--scale", "3",
                  "--augment", "false"])
    lr, hr = dataset.read_train_h5(str(out), 3)
    files = protocol.list_images(str(image_folder))
    expected = [dataset.image_patches(protocol.load_y(f), 3, 7, 3, False) for f in files]
    assert np.array_equal(lr, np.concatenate([e[0] for e in expected]))
    assert np.array_equal(hr, np.concatenate([e[1] for e in expected]))
    assert lr.shape[1:] == (7, 7) and hr.shape[1:] == (21, 21) and lr.dtype == np.float32


def test_eval_h5_round_trip_equals_folder(image_folder, tmp_path):
    out = tmp_path / "eval.h5"
    prepare.main(["--images", str(image_folder), "--h5_file", str(out), "--h5_layout", "eval", "--scale", "4"])
    from_h5 = dataset.load_eval_set(str(out), "", 4)
    from_folder = dataset.load_eval_set(str(image_folder), "", 4)
    assert [i[0] for i in from_h5] == [i[0] for i in from_folder] == ["img0", "img1", "img2"]
    for (_, hr_a, lr_a), (_, hr_b, lr_b) in zip(from_h5, from_folder):
        assert np.array_equal(hr_a, hr_b) and np.allclose(lr_a, lr_b, atol=1e-4)


def test_reads_a_published_layout_file_written_by_plain_h5py(tmp_path):
    """Files of the published 91-image/Set5 layout have no name attributes and 0..255 float values."""
    rng = np.random.default_rng(0)
    train, evalf = tmp_path / "91-image_x2.h5", tmp_path / "Set5_x2.h5"
    with h5py.File(train, "w") as f:
        f.create_dataset("lr", data=rng.uniform(0, 255, (5, 10, 10)).astype(np.float32))
        f.create_dataset("hr", data=rng.uniform(0, 255, (5, 20, 20)).astype(np.float32))
    with h5py.File(evalf, "w") as f:
        for i in range(2):
            f.create_dataset(f"lr/{i}", data=rng.uniform(0, 255, (8, 9)).astype(np.float32))
            f.create_dataset(f"hr/{i}", data=rng.uniform(0, 255, (16, 18)).astype(np.float32))
    lr, hr = dataset.read_train_h5(str(train), 2)
    assert lr.shape == (5, 10, 10) and hr.shape == (5, 20, 20)
    images = dataset.read_eval_h5(str(evalf), 2)
    assert [i[0] for i in images] == ["0", "1"] and images[1][1].dtype == np.uint8


@pytest.mark.parametrize("content,message", [
    ({"lr": (4, 6, 6)}, "expected datasets 'lr' and 'hr'"),
    ({"lr": (4, 6, 6), "hr": (3, 24, 24)}, "equal-length"),
    ({"lr": (4, 6, 6), "hr": (4, 18, 18)}, "not 4x the lr patches"),
])
def test_bad_train_h5_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        for key, shape in content.items():
            f.create_dataset(key, data=np.zeros(shape, np.float32))
    with pytest.raises(UserError, match=message):
        dataset.read_train_h5(str(path), 4)


def test_non_hdf5_file_is_a_clear_error(tmp_path):
    path = tmp_path / "x.h5"
    path.write_bytes(b"not hdf5")
    with pytest.raises(UserError, match=r"x\.h5: not a readable HDF5 file"):
        dataset.read_train_h5(str(path), 4)


def test_array_patches_ranks_split_the_single_device_global_batch():
    rng = np.random.default_rng(0)
    lr = rng.uniform(0, 255, (40, 6, 6)).astype(np.float32)
    hr = rng.uniform(0, 255, (40, 24, 24)).astype(np.float32)
    single = train_data.ArrayPatches(lr, hr, batch_size=8, seed=3)
    ranks = [train_data.ArrayPatches(lr, hr, batch_size=4, seed=3, rank=r, group_size=2) for r in range(2)]
    assert len(single) == len(ranks[0]) == 5
    for step in range(5):
        joined = np.concatenate([r.batch(1, step)[0] for r in ranks])
        assert np.array_equal(joined, single.batch(1, step)[0])
    seen = np.concatenate([single.batch(2, s)[1] for s in range(5)]).reshape(40, -1)
    assert len({row.tobytes() for row in seen}) == 40  # an epoch visits every patch once


def test_random_patches_are_deterministic_aligned_and_new_each_epoch(image_folder):
    pairs = train_data.load_folder_pairs([str(image_folder)], 2, augment=True)
    src = train_data.RandomPatches(pairs, 2, 10, 2, True, batch_size=16, seed=1)
    lr, hr = src.batch(0, 3)
    assert lr.shape == (16, 1, 10, 10) and hr.shape == (16, 1, 20, 20)
    assert np.array_equal(src.batch(0, 3)[0], lr)
    assert not np.array_equal(src.batch(1, 3)[0], lr)
    # aligned: bicubic-upscaled LR patches are close to their HR patches
    scores = [metrics.psnr(protocol.bicubic_upscale(lr[i, 0] * 255.0, 2), protocol.round_uint8(hr[i, 0] * 255), 2)
              for i in range(16)]
    assert np.mean(scores) > 22


def test_build_source_picks_h5_or_folder(image_folder, tmp_path):
    out = tmp_path / "t.h5"
    prepare.main(["--images", str(image_folder), "--h5_file", str(out), "--h5_layout", "train", "--scale", "4"])
    assert isinstance(train_data.build_source(_cfg(train_data=str(out))), train_data.ArrayPatches)
    assert isinstance(train_data.build_source(_cfg(train_data=str(image_folder))), train_data.RandomPatches)
    with pytest.raises(UserError, match="not a mix"):
        train_data.build_source(_cfg(train_data=f"{out},{image_folder}"))
    with pytest.raises(UserError, match="not found"):
        train_data.build_source(_cfg(train_data=os.path.join(str(tmp_path), "missing")))

"""infer.py: tiled = untiled up to float rounding, every image format Pillow gives us, and bad input handled cleanly."""
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, assert_same_but_rounding, run_script, spec_of
from src import checkpoint, inference, protocol, upscale


@pytest.fixture(scope="module")
def ckpt(spread_net, tmp_path_factory):
    """path(scale): the spread random network of that scale saved as a checkpoint of this project."""
    folder = tmp_path_factory.mktemp("ckpt")

    def path(scale):
        file = str(folder / f"x{scale}.ckpt")
        if not os.path.exists(file):
            checkpoint.save(spread_net(scale), file, {"scale": scale, "d": 56, "s": 12, "m": 4})
        return file
    return path


def _smooth(shape, seed=0):
    """A uint8 image of smooth gradients plus noise (what photos look like to a network)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    planes = [128 + 90 * np.sin(xx / 4 + k) * np.cos(yy / 5 - k) for k in range(shape[2] if len(shape) > 2 else 1)]
    img = np.stack(planes, -1) + rng.normal(0, 12, shape[:2] + (len(planes),))
    return np.clip(img, 0, 255).astype(np.uint8).reshape(shape)


def _sr_luma(net, y, peak, dtype):
    """Whole-image oracle for a luma plane: one forward pass, scaled and rounded."""
    return protocol.round_uint(inference.forward(net, (y / peak).astype(np.float32)).astype(np.float64) * peak, dtype)


@pytest.mark.parametrize("scale,shape", [(2, (41, 37, 4)), (3, (29, 43, 3)), (4, (31, 23, 4))])
def test_tiled_output_identical_to_untiled(spread_net, scale, shape):
    """Many tiles and thin colour strips against one pass and whole planes: the same uint8 image up to the rounding
    of last-bit float differences (conftest.assert_same_but_rounding)."""
    net = spread_net(scale)
    pixels = _smooth(shape, scale)
    tiled, tiles = upscale.Upscaler.for_network(spec_of(net), net, 7, 1).upscale(pixels)
    whole, one = upscale.Upscaler.for_network(spec_of(net), net, 0, 256).upscale(pixels)
    assert tiles.count >= 16 and one.count == 1
    assert tiled.shape == (scale * shape[0], scale * shape[1], shape[2]) and tiled.dtype == np.uint8
    assert_same_but_rounding(tiled, whole)


def test_colour_goes_through_ycbcr_and_back():
    """With bicubic luma, the Y/CbCr path must equal plain bicubic of R, G, B (all steps are linear) up to the
    rounding of MATLAB's coefficients: a swapped or misscaled plane would be far off."""
    rgb = _smooth((21, 26, 3), 5)
    via_ycbcr = upscale.upscale_pixels(rgb, 3, upscale.bicubic(3), 2 ** 20)
    direct = protocol.round_uint8(protocol.imresize(rgb, 3))
    assert np.abs(via_ycbcr.astype(int) - direct).max() <= 2


def _png16_rgb(path, rgb16):
    """A 16-bit RGB PNG (Pillow cannot write one)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    h, w = rgb16.shape[:2]
    raw = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in rgb16)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _format_folder(folder):
    """One image per supported kind (sharing pixels so outputs can be cross-checked) and one broken file."""
    rgb, gray = _smooth((19, 23, 3), 1), _smooth((19, 23), 2)
    alpha = _smooth((19, 23), 3)
    Image.fromarray(rgb).save(folder / "rgb.png")
    Image.fromarray(np.dstack([rgb, alpha])).save(folder / "rgba.png")
    Image.fromarray(gray).save(folder / "gray.png")
    Image.fromarray(np.dstack([gray, alpha])).save(folder / "gray_alpha.png")
    Image.fromarray(rgb).quantize(32).save(folder / "palette.png")
    gray16 = (gray.astype(np.uint16) * 251 + alpha)  # uses all 16 bits
    Image.fromarray(gray16).save(folder / "gray16.png")
    _png16_rgb(folder / "rgb16.png", rgb.astype(np.uint16) * 257)
    # stored 24 wide x 16 high, red left / blue right; EXIF orientation 6 displays it turned 90 degrees clockwise
    turned = np.zeros((16, 24, 3), np.uint8)
    turned[:, :12, 0], turned[:, 12:, 2] = 200, 200
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(turned).save(folder / "turned.jpg", exif=exif, quality=95)
    data = (folder / "rgb.png").read_bytes()
    (folder / "broken.png").write_bytes(data[:len(data) // 2])
    return rgb, gray, alpha, gray16


def test_folder_of_every_format_and_one_broken_file(spread_net, ckpt, tmp_path, capsys):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    rgb, gray, alpha, gray16 = _format_folder(folder)
    # MindSpore: the oracles below are its forward pass, bit for bit (ONNX Runtime: tests/test_fast_path.py)
    code, stdout, err = run_script("infer", ["--input", str(folder), "--output", str(out), "--scale", "2",
                                             "--ckpt_file", ckpt(2), "--backend", "mindspore"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["error", "warning", "error"], err
    assert "broken.png: cannot decode image" in lines[0]
    assert "rgb16.png: 16-bit colour is decoded as 8-bit" in lines[1]
    assert lines[2] == f"error: 1 of 9 images failed, the others were written to {out}"
    assert sorted(os.listdir(out)) == sorted(set(os.listdir(folder)) - {"broken.png"})  # no temporary files either
    assert "gray16.png: 23x19 -> 46x38, 1 tile (whole image)" in stdout

    net, up = spread_net(2), lambda a: upscale.Upscaler.for_network(spec_of(net), net, 0, 256).upscale(a)[0]
    read = {name: Image.open(out / name) for name in os.listdir(out)}
    assert {name: img.mode for name, img in read.items()} == {
        "rgb.png": "RGB", "rgba.png": "RGBA", "gray.png": "L", "gray_alpha.png": "LA", "palette.png": "RGB",
        "gray16.png": "I;16", "rgb16.png": "RGB", "turned.jpg": "RGB"}
    px = {name: np.asarray(img) for name, img in read.items()}
    # grayscale, 8 and 16 bit: exactly one network pass on the plane, rounded at its own depth
    assert np.array_equal(px["gray.png"], _sr_luma(net, gray, 255.0, np.uint8))
    assert px["gray16.png"].dtype == np.uint16
    assert np.array_equal(px["gray16.png"], _sr_luma(net, gray16, 65535.0, np.uint16))
    assert np.any(px["gray16.png"] % 257)  # not 8-bit values in disguise
    # alpha: bicubic, kept; the colour or gray planes are those of the same image without alpha
    bicubic_alpha = protocol.round_uint8(protocol.imresize(alpha, 2))
    assert np.array_equal(px["rgba.png"][..., 3], bicubic_alpha)
    assert np.array_equal(px["rgba.png"][..., :3], px["rgb.png"])
    assert np.array_equal(px["gray_alpha.png"][..., 1], bicubic_alpha)
    assert np.array_equal(px["gray_alpha.png"][..., 0], px["gray.png"])
    # palette: as its RGB image; 16-bit colour: as Pillow's 8-bit decoding of it
    palette_rgb = np.asarray(Image.open(folder / "palette.png").convert("RGB"))
    assert np.array_equal(px["palette.png"], up(palette_rgb))
    assert np.array_equal(px["rgb16.png"], up(rgb))
    # EXIF: 16 wide x 24 high as displayed, red on top, blue below (chroma is bicubic, whatever the network does)
    assert read["turned.jpg"].size == (32, 48)
    _, cb, cr = protocol.rgb_to_ycbcr(px["turned.jpg"])
    assert cr[:20].mean() > cr[28:].mean() + 40 and cb[28:].mean() > cb[:20].mean() + 40


def test_auto_tiles_from_memory_budget_overwrite_and_compare(ckpt, tmp_path, capsys):
    src, dst, side = tmp_path / "in.png", tmp_path / "out.png", tmp_path / "compare.png"
    Image.fromarray(_smooth((61, 83, 3), 7)).save(src)
    args = ["--input", str(src), "--output", str(dst), "--scale", "3", "--ckpt_file", ckpt(3)]
    code, stdout, _ = run_script("infer", args, capsys)
    assert code == 0 and "83x61 -> 249x183, 1 tile (whole image)" in stdout
    whole = np.asarray(Image.open(dst))
    code, _, err = run_script("infer", args + ["--max_memory_mb", "3"], capsys)
    assert code == 2 and "already exists (pass --overwrite" in err
    code, stdout, _ = run_script("infer", args + ["--max_memory_mb", "3", "--overwrite", "--compare", str(side)],
                                 capsys)
    assert code == 0 and "tiles (" in stdout and "halo 8" in stdout, stdout
    assert_same_but_rounding(np.asarray(Image.open(dst)), whole)
    with Image.open(side) as cmp:
        assert cmp.mode == "RGB" and cmp.width > 2 * 249 and cmp.height > 2 * 183


def _bad_case(tmp_path, case):
    """(argv, fragment of the error) for one kind of bad input; the output goes to tmp_path/out/."""
    out = tmp_path / "out"
    out.mkdir()
    good = tmp_path / "good.png"
    Image.fromarray(_smooth((12, 10, 3))).save(good)
    bad = tmp_path / "bad.png"
    argv, fragment = [str(bad), str(out / "x.png")], None
    if case == "empty":
        bad.write_bytes(b"")
        fragment = "not an image Pillow can read"
    elif case == "truncated":
        bad.write_bytes(good.read_bytes()[:60])
        fragment = "cannot decode image"
    elif case == "unknown format":
        bad.write_bytes(b"just some text, not an image")
        fragment = "not an image Pillow can read"
    elif case == "1 pixel high":
        Image.fromarray(np.zeros((1, 9), np.uint8)).save(bad)
        fragment = "image is 9x1, at least 2x2 pixels are needed"
    elif case == "missing input":
        fragment = "no such file or folder"
    elif case == "missing output folder":
        argv, fragment = [str(good), str(out / "no" / "x.png")], "does not exist"
    elif case == "output exists":
        (out / "x.png").write_bytes(b"keep me")
        argv, fragment = [str(good), str(out / "x.png")], "already exists"
    elif case == "unknown output format":
        argv, fragment = [str(good), str(out / "x.xyz")], "unknown output image format '.xyz'"
    elif case == "16-bit as JPEG":
        Image.fromarray(np.zeros((8, 8), np.uint16)).save(bad)
        argv, fragment = [str(bad), str(out / "x.jpg")], "cannot write a I;16 image as JPEG"
    return ["--input", argv[0], "--output", argv[1]], fragment


@pytest.mark.parametrize("case", ["empty", "truncated", "unknown format", "1 pixel high", "missing input",
                                  "missing output folder", "output exists", "unknown output format",
                                  "16-bit as JPEG"])
def test_bad_input_is_one_line_and_leaves_no_file(ckpt, tmp_path, case):
    argv, fragment = _bad_case(tmp_path, case)
    before = {name: (tmp_path / "out" / name).read_bytes() for name in os.listdir(tmp_path / "out")}
    proc = subprocess.run([sys.executable, "infer.py", "--ckpt_file", ckpt(4)] + argv, cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, GLOG_v="3"), timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert fragment in lines[0]
    after = {name: (tmp_path / "out" / name).read_bytes() for name in os.listdir(tmp_path / "out")}
    assert after == before  # nothing written, nothing half-written, nothing replaced

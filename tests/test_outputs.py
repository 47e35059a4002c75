"""Nothing a user owns is lost: infer.py, export.py, preprocess.py and postprocess.py never write over their input,
replace an output only when asked, delete only what they wrote, check that they can write before any work, clean
what a killed run left, and say in one line what went wrong (a full disk, a FIFO, a damaged meta.json)."""
import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import zlib

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, run_script
from src import png, serving, upscale
from src.errors import UserError

ENV = dict(os.environ, GLOG_v="3")


def _image(path, shape=(14, 11, 3), seed=0):
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(path)
    return path


def _snapshot(folder):
    """{relative path: bytes} of every file under `folder`, links as 'link -> target'."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, folder)
            found[rel] = f"link -> {os.readlink(path)}" if os.path.islink(path) else open(path, "rb").read()
    return found


def _one_error(code, err, *fragments):
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def no_compute(monkeypatch):
    """Fail the test if the network is loaded (infer.py, export.py) or the eval set read (pre/postprocess.py):
    the checks under test must come first."""
    def refuse(*_, **__):
        raise AssertionError("the work started before the output was checked")
    from src import dataset, inference
    monkeypatch.setattr(upscale, "load_upscaler", refuse)
    monkeypatch.setattr(inference, "served_network", refuse)
    monkeypatch.setattr(dataset, "load_eval_set", refuse)
    monkeypatch.setattr(serving, "load_images", refuse)


# ---------------------------------------------------------------- unwritable folders, also for root
def _immutable(folder, on):
    return subprocess.run(["chattr", "+i" if on else "-i", str(folder)], capture_output=True, check=False,
                          timeout=30).returncode == 0 if shutil.which("chattr") else False


@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """A folder nobody may create files in: mode 0555 for a normal user; for root (who ignores modes) the
    immutable attribute, else, where root lacks that capability, the system's refusal simulated (EROFS from every
    new file under it, as a read-only mount gives)."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    _image(folder / "kept.png")
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    if _immutable(folder, True):
        try:
            yield folder
        finally:
            _immutable(folder, False)
        return
    real_mkstemp, real_open, real_mkdir = tempfile.mkstemp, os.open, os.mkdir

    def inside(path):
        return os.path.abspath(os.fspath(path)).startswith(str(folder) + os.sep)

    def refused(path):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, dir=None, **k: (
        refused(os.path.join(dir, "x")) if dir and inside(os.path.join(dir, "x")) else real_mkstemp(*a, dir=dir, **k)))
    monkeypatch.setattr(os, "open", lambda path, flags, *a, **k: (
        refused(path) if flags & os.O_CREAT and inside(path) else real_open(path, flags, *a, **k)))
    monkeypatch.setattr(os, "mkdir", lambda path, *a, **k: refused(path) if inside(path) else real_mkdir(path, *a, **k))
    yield folder


def test_the_read_only_folder_refuses_root_too(read_only):
    """The fixture is what the tests below rely on: creating a file in it fails, whoever runs the tests."""
    with pytest.raises(OSError):
        fd, _ = tempfile.mkstemp(dir=read_only)
        os.close(fd)


def test_infer_checks_the_output_folder_before_loading_the_network(random_ckpt, read_only, tmp_path, capsys,
                                                                    no_compute):
    src = _image(tmp_path / "in.png")
    ckpt = random_ckpt()
    out = read_only / "out.png"
    code, _, err = run_script("infer", ["--input", str(src), "--output", str(out), "--ckpt_file", ckpt], capsys)
    _one_error(code, err, f"{out}: cannot write in {read_only}")
    code, _, err = run_script("infer", ["--input", str(src), "--output", str(tmp_path / "ok.png"), "--ckpt_file",
                                        ckpt, "--compare", str(read_only / "cmp.png")], capsys)
    _one_error(code, err, f"{read_only / 'cmp.png'}: cannot write in {read_only}")
    folder = tmp_path / "images"
    folder.mkdir()
    _image(folder / "a.png")
    for target in (read_only, read_only / "new"):  # an existing folder, and one to be made in it
        code, _, err = run_script("infer", ["--input", str(folder), "--output", str(target), "--ckpt_file", ckpt],
                                  capsys)
        _one_error(code, err, f"{target}: cannot write in {read_only}")
    assert sorted(os.listdir(read_only)) == ["kept.png"] and not os.path.exists(tmp_path / "ok.png")


def test_export_checks_its_file_before_loading_the_network(random_ckpt, read_only, capsys, no_compute):
    code, _, err = run_script("export", ["--ckpt_file", random_ckpt(), "--file_name", str(read_only / "m")], capsys)
    _one_error(code, err, f"{read_only / 'm.mindir'}: cannot write in {read_only}")


def test_preprocess_and_postprocess_check_their_folders_before_reading_the_set(data_dir, read_only, tmp_path,
                                                                               capsys, monkeypatch):
    lr = tmp_path / "lr"
    assert run_script("preprocess", ["--data_dir", data_dir, "--lr_bin_dir", str(lr)], capsys)[0] == 0
    with monkeypatch.context() as patch:
        def refuse(*_, **__):
            raise AssertionError("the set was read before the output folder was checked")
        from src import dataset
        patch.setattr(dataset, "load_eval_set", refuse)
        patch.setattr(serving, "load_images", refuse)
        for folder in (read_only, read_only / "lr"):
            code, _, err = run_script("preprocess", ["--data_dir", data_dir, "--lr_bin_dir", str(folder)], capsys)
            _one_error(code, err, f"{folder}: cannot write in {read_only}")
        code, _, err = run_script("postprocess", ["--lr_bin_dir", str(lr), "--sr_bin_dir", str(tmp_path),
                                                  "--png_dir", str(read_only / "png")], capsys)
        _one_error(code, err, f"{read_only / 'png'}: cannot write in {read_only}")
    assert sorted(os.listdir(read_only)) == ["kept.png"]


# ---------------------------------------------------------------- infer.py: never the input, temp files, messages
def test_infer_never_replaces_its_input_even_with_overwrite(random_ckpt, tmp_path, capsys, no_compute):
    folder = tmp_path / "images"
    folder.mkdir()
    src = _image(folder / "a.png")
    _image(folder / "b.png", seed=1)
    os.symlink(src, tmp_path / "alias.png")
    os.symlink(folder, tmp_path / "alias")
    ckpt = random_ckpt()
    before = _snapshot(tmp_path)
    for output in (src, tmp_path / "images" / ".." / "images" / "a.png", tmp_path / "alias.png"):
        code, _, err = run_script("infer", ["--input", str(src), "--output", str(output), "--overwrite",
                                            "--ckpt_file", ckpt], capsys)
        _one_error(code, err, f"{output}: is the input {src}", "even with --overwrite")
    code, _, err = run_script("infer", ["--input", str(src), "--output", str(tmp_path / "out.png"), "--compare",
                                        str(tmp_path / "alias.png"), "--overwrite", "--ckpt_file", ckpt], capsys)
    _one_error(code, err, f"{tmp_path / 'alias.png'}: is the input {src}; --compare never replaces its input")
    for output in (folder, tmp_path / "alias"):  # folder mode: every image would be replaced
        code, _, err = run_script("infer", ["--input", str(folder), "--output", str(output), "--overwrite",
                                            "--ckpt_file", ckpt], capsys)
        _one_error(code, err, f"{output}: is the input folder")
    assert _snapshot(tmp_path) == before


def test_folder_mode_refuses_an_output_that_is_one_of_its_inputs(random_ckpt, tmp_path, capsys):
    """An output folder holding a link to an input (same name): that image is refused, the others are written."""
    folder, out = tmp_path / "images", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    _image(folder / "a.png")
    _image(folder / "b.png", seed=1)
    os.link(folder / "a.png", out / "a.png")  # a hard link: the same file under the output's name
    before = (folder / "a.png").read_bytes()
    code, _, err = run_script("infer", ["--input", str(folder), "--output", str(out), "--overwrite", "--scale", "2",
                                        "--ckpt_file", random_ckpt(scale=2)], capsys)
    assert code == 2 and f"{out / 'a.png'}: is the input {folder / 'a.png'}" in err, err
    assert "1 of 2 images failed, the others were written" in err
    assert (folder / "a.png").read_bytes() == before and Image.open(out / "b.png").size == (22, 28)


def test_folder_mode_reports_in_order_while_writing_in_the_background(random_ckpt, tmp_path, capsys, monkeypatch):
    """The folder loop writes each output on its I/O thread while the next image computes: the lines still come in
    the files' order, a write that fails there is reported for its own image, the outputs equal single-file runs;
    an output larger than the memory budget is written on the main thread (at most that much waits)."""
    folder, out, single = tmp_path / "images", tmp_path / "out", tmp_path / "single"
    folder.mkdir()
    single.mkdir()
    for i, name in enumerate("abcde"):
        _image(folder / f"{name}.png", shape=(14 + i, 11, 3), seed=i)
    ckpt = random_ckpt(scale=2)
    writers, real_save = {}, upscale.save_atomic

    def save(image, path, fmt):
        writers[os.path.basename(path)] = threading.current_thread().name
        if os.path.basename(path) == "c.png":
            raise UserError(f"{path}: cannot write (No space left on device); nothing was written")
        real_save(image, path, fmt)
    monkeypatch.setattr(upscale, "save_atomic", save)
    code, stdout, err = run_script("infer", ["--input", str(folder), "--output", str(out), "--scale", "2",
                                             "--ckpt_file", ckpt], capsys)
    assert code == 2 and f"error: {out / 'c.png'}: cannot write" in err, err
    assert "1 of 5 images failed, the others were written" in err
    written = [os.path.basename(line.split(":")[0]) for line in stdout.splitlines() if " -> " in line]
    assert written == ["a.png", "b.png", "d.png", "e.png"], stdout
    assert sorted(os.listdir(out)) == written
    assert all(name.startswith("folder-io") for name in writers.values()), writers
    for name in ("a.png", "e.png"):
        assert run_script("infer", ["--input", str(folder / name), "--output", str(single / name), "--scale", "2",
                                    "--ckpt_file", ckpt], capsys)[0] == 0
        assert (single / name).read_bytes() == (out / name).read_bytes()

    big = tmp_path / "big"
    big.mkdir()
    _image(big / "large.png", shape=(300, 300, 3))  # 600x600x3 out: more than a 1 MiB budget
    writers.clear()
    code, _, err = run_script("infer", ["--input", str(big), "--output", str(tmp_path / "big_x2"), "--scale", "2",
                                        "--ckpt_file", ckpt, "--max_memory_mb", "1"], capsys)
    assert code == 0 and writers == {"large.png": "MainThread"}, (err, writers)


def test_folder_mode_says_nothing_was_written_when_every_image_failed(random_ckpt, tmp_path, capsys):
    folder, out = tmp_path / "images", tmp_path / "out"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"not an image")
    (folder / "b.png").write_bytes(b"")
    code, _, err = run_script("infer", ["--input", str(folder), "--output", str(out), "--ckpt_file",
                                        random_ckpt()], capsys)
    lines = err.strip().splitlines()
    assert code == 2 and lines[-1] == f"error: all 2 images failed, nothing was written to {out}", err
    assert "the others were written" not in err and os.listdir(out) == []


@pytest.mark.parametrize("kind", ["fifo", "dangling link"])
def test_infer_names_a_fifo_or_a_dangling_link(random_ckpt, tmp_path, capsys, kind, no_compute):
    path = tmp_path / "in.png"
    if kind == "fifo":
        os.mkfifo(path)
        fragment = f"{path}: is a FIFO (named pipe), not an image file or folder"
    else:
        os.symlink(tmp_path / "gone.png", path)
        fragment = f"{path}: a symbolic link to {tmp_path / 'gone.png'}, which does not exist"
    code, _, err = run_script("infer", ["--input", str(path), "--output", str(tmp_path / "out.png"), "--ckpt_file",
                                        random_ckpt()], capsys)
    _one_error(code, err, fragment)


def test_a_fifo_in_an_input_folder_is_named_and_skipped(random_ckpt, tmp_path, capsys):
    folder, out = tmp_path / "images", tmp_path / "out"
    folder.mkdir()
    os.mkfifo(folder / "a.png")
    _image(folder / "b.png")
    code, _, err = run_script("infer", ["--input", str(folder), "--output", str(out), "--scale", "2",
                                        "--ckpt_file", random_ckpt(scale=2)], capsys)
    assert code == 2 and f"{folder / 'a.png'}: is a FIFO (named pipe)" in err, err
    assert os.listdir(out) == ["b.png"]


def test_a_full_disk_is_named_as_such(random_ckpt, tmp_path, capsys, monkeypatch):
    """A write that fails for lack of space says so (before: "cannot write a RGB image as PNG"), and leaves neither
    the output nor its temporary file."""
    src, out = _image(tmp_path / "in.png"), tmp_path / "out"
    out.mkdir()
    real_write = png.write

    def write(pixels, fp):
        if isinstance(fp, io.BytesIO):  # the 2x2 encoding check before the work
            return real_write(pixels, fp)
        fp.write(b"\0" * 100)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(png, "write", write)
    code, _, err = run_script("infer", ["--input", str(src), "--output", str(out / "x.png"), "--scale", "2",
                                        "--ckpt_file", random_ckpt(scale=2)], capsys)
    line = _one_error(code, err, f"{out / 'x.png'}: cannot write, the disk is full (No space left on device)")
    assert "as PNG" not in line and os.listdir(out) == []


_KILLED_WRITE = ("import os, signal, sys\n"
                 "from PIL import Image\n"
                 "from src import upscale\n"
                 "def encode(img, f, fmt, path):\n"
                 "    f.write(b'half an image')\n"
                 "    f.flush()\n"
                 "    os.kill(os.getpid(), signal.SIGKILL)\n"
                 "upscale._encode = encode\n"
                 "upscale.save_atomic(Image.new('RGB', (4, 4)), sys.argv[1], 'PNG')\n")


def test_a_later_run_removes_the_temporary_file_of_a_killed_one(random_ckpt, tmp_path, capsys):
    """kill -9 during a write leaves a hidden temporary file (no code runs to remove it); the next infer.py writing
    that output removes it once its process is gone, and leaves a live process's alone."""
    out = tmp_path / "out"
    out.mkdir()
    killed = subprocess.run([sys.executable, "-c", _KILLED_WRITE, str(out / "x.png")], cwd=ROOT, env=ENV,
                            capture_output=True, timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL
    orphans = os.listdir(out)
    assert len(orphans) == 1 and orphans[0].startswith(".x.png.") and orphans[0].endswith(".tmp"), orphans
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        busy = f".x.png.abcd1234.{live.pid}.tmp"  # a write in progress elsewhere
        (out / busy).write_bytes(b"")
        code, _, err = run_script("infer", ["--input", str(_image(tmp_path / "in.png")), "--output",
                                            str(out / "x.png"), "--scale", "2", "--ckpt_file",
                                            random_ckpt(scale=2)], capsys)
        assert code == 0, err
        assert sorted(os.listdir(out)) == sorted([busy, "x.png"])
    finally:
        live.kill()
        live.wait()


# ---------------------------------------------------------------- export.py
def test_export_replaces_a_file_only_with_overwrite(random_ckpt, tmp_path, capsys):
    ckpt = random_ckpt(scale=2)
    args = ["--ckpt_file", ckpt, "--scale", "2", "--file_name", str(tmp_path / "m")]
    (tmp_path / "m.mindir").write_bytes(b"someone's model")
    code, _, err = run_script("export", args, capsys)
    _one_error(code, err, f"{tmp_path / 'm.mindir'}: already exists (pass --overwrite to replace it)")
    assert (tmp_path / "m.mindir").read_bytes() == b"someone's model"
    code, out, err = run_script("export", args + ["--overwrite"], capsys)
    assert code == 0 and "wrote" in out, err
    assert (tmp_path / "m.mindir").read_bytes() != b"someone's model"


def test_export_never_writes_over_its_checkpoint(random_ckpt, tmp_path, capsys):
    """CKPT export named like its source (directly, or through a link), with and without --overwrite: refused."""
    ckpt = random_ckpt(scale=2, name="model.ckpt")
    os.symlink(ckpt, tmp_path / "alias.ckpt")
    before = open(ckpt, "rb").read()
    for name in (ckpt[:-len(".ckpt")], ckpt, str(tmp_path / "alias")):
        for extra in ([], ["--overwrite"]):
            code, _, err = run_script("export", ["--ckpt_file", ckpt, "--scale", "2", "--file_format", "CKPT",
                                                 "--file_name", name] + extra, capsys)
            _one_error(code, err, "is the checkpoint being exported (--ckpt_file)", "even with --overwrite")
    assert open(ckpt, "rb").read() == before and sorted(os.listdir(tmp_path)) == ["alias.ckpt", "model.ckpt"]


# ---------------------------------------------------------------- preprocess.py: delete only what it wrote
def _preprocess(data_dir, folder, capsys, *extra):
    return run_script("preprocess", ["--data_dir", data_dir, "--lr_bin_dir", str(folder), *extra], capsys)


def test_preprocess_never_deletes_a_users_files(data_dir, tmp_path, capsys):
    """`mkdir d; echo x > d/weights.bin; preprocess.py --lr_bin_dir d` deleted weights.bin: now it is refused (the
    harness would read it as an input) and kept."""
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"x\n")
    (folder / "notes.txt").write_text("mine")
    code, _, err = _preprocess(data_dir, folder, capsys)
    _one_error(code, err, f"{folder}: holds .bin files preprocess.py did not write (weights.bin)")
    assert _snapshot(folder) == {"weights.bin": b"x\n", "notes.txt": b"mine"}


def test_preprocess_replaces_only_its_own_earlier_files(data_dir, tmp_path, capsys):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    assert _preprocess(data_dir, folder, capsys)[0] == 0  # x4: baby_128x128.bin, ...
    x4 = set(os.listdir(folder))
    assert "baby_128x128.bin" in x4 and "meta.json" in x4
    assert _preprocess(data_dir, folder, capsys, "--scale", "3")[0] == 0
    x3 = set(os.listdir(folder))
    assert "baby_170x170.bin" in x3 and not {f for f in x4 & x3 if f.endswith(".bin")}  # x4's planes gone
    assert (folder / "notes.txt").read_text() == "mine"
    (folder / "extra.bin").write_bytes(b"user")  # added since: refused, kept, and the earlier planes kept too
    code, _, err = _preprocess(data_dir, folder, capsys)
    _one_error(code, err, "did not write (extra.bin)")
    assert set(os.listdir(folder)) == x3 | {"extra.bin"} and (folder / "extra.bin").read_bytes() == b"user"
    assert sorted(serving.read_meta(str(folder))["files"]) == sorted(f for f in x3 if f.endswith(".bin"))


def test_an_interrupted_preprocess_is_finished_by_the_next(data_dir, tmp_path, capsys, monkeypatch):
    """meta.json lists the files before they are written: after Ctrl-C, postprocess.py refuses the folder and the
    next preprocess.py knows every file there is its own."""
    folder = tmp_path / "d"
    from src import fileio
    real_write, count = fileio.write_bytes, []

    def interrupted(path, data):
        if path.endswith(".bin") and len(count) == 2:
            raise KeyboardInterrupt
        count.append(path)
        real_write(path, data)
    with monkeypatch.context() as patch:
        patch.setattr(fileio, "write_bytes", interrupted)
        assert _preprocess(data_dir, folder, capsys, "--scale", "3")[0] == 130
    assert len([f for f in os.listdir(folder) if f.endswith(".bin")]) == 1
    code, _, err = run_script("postprocess", ["--lr_bin_dir", str(folder), "--sr_bin_dir", str(tmp_path)], capsys)
    _one_error(code, err, "preprocess.py did not finish writing this folder")
    assert _preprocess(data_dir, folder, capsys)[0] == 0
    meta = serving.read_meta(str(folder))
    assert meta["complete"] and sorted(os.listdir(folder)) == sorted(meta["files"] + ["meta.json"])


def test_preprocess_deletes_nothing_a_meta_json_names_outside_its_folder(data_dir, tmp_path, capsys):
    folder = tmp_path / "d"
    assert _preprocess(data_dir, folder, capsys)[0] == 0
    (tmp_path / "victim.bin").write_bytes(b"keep")
    meta = json.loads((folder / "meta.json").read_text())
    meta.setdefault("files", []).append("../victim.bin")
    (folder / "meta.json").write_text(json.dumps(meta))
    code, _, err = _preprocess(data_dir, folder, capsys)
    _one_error(code, err, "meta.json: not a meta.json as preprocess.py writes it", "'../victim.bin'")
    assert (tmp_path / "victim.bin").read_bytes() == b"keep"


# ---------------------------------------------------------------- postprocess.py: a damaged or edited meta.json
@pytest.fixture(scope="module")
def preprocessed(tmp_path_factory):
    """A folder preprocess.py wrote (Set5 x4), shared: each test edits a copy of its meta.json."""
    from conftest import DATA_DIR
    if not os.path.isdir(os.path.join(DATA_DIR, "Set5")):
        pytest.skip(f"datasets not found at {DATA_DIR}")
    folder = tmp_path_factory.mktemp("pre") / "lr"
    result = subprocess.run([sys.executable, "preprocess.py", "--data_dir", DATA_DIR, "--lr_bin_dir", str(folder)],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return folder


def _edited(meta, case):
    if case == "not JSON":
        return b'{"set": '
    if case == "not UTF-8":
        return b'{"set": "\xff"}'
    if case == "a list":
        return b"[]"
    meta = json.loads(json.dumps(meta))
    if case == "no images":
        del meta["images"]
    elif case == "scale as text":
        meta["scale"] = "4"
    elif case == "scale 8":
        meta["scale"] = 8
    elif case == "shape of one value":
        meta["shape"] = [128]
    elif case == "image without lr_shape":
        del meta["images"][0]["lr_shape"]
    elif case == "images as a dict":
        meta["images"] = {"baby": [128, 128]}
    elif case == "unknown colour":
        meta["colour"] = "cmyk"
    elif case == "name with a folder":
        meta["images"][0]["name"] = "../baby"
    elif case == "set as a number":
        meta["set"] = 5
    return json.dumps(meta).encode()


@pytest.mark.parametrize("case", ["not JSON", "not UTF-8", "a list", "no images", "scale as text", "scale 8",
                                  "shape of one value", "image without lr_shape", "images as a dict",
                                  "unknown colour", "name with a folder", "set as a number"])
def test_postprocess_names_a_damaged_meta_json_in_one_line(preprocessed, tmp_path, capsys, case):
    folder = tmp_path / "lr"
    folder.mkdir()
    meta = json.loads((preprocessed / "meta.json").read_text())
    (folder / "meta.json").write_bytes(_edited(meta, case))
    code, _, err = run_script("postprocess", ["--lr_bin_dir", str(folder), "--sr_bin_dir", str(tmp_path / "sr")],
                              capsys)
    _one_error(code, err, f"{folder / 'meta.json'}: not a meta.json as preprocess.py writes it (",
               "run preprocess.py again")


def test_postprocess_writes_pngs_atomically_and_only_in_png_dir(preprocessed, tmp_path, capsys):
    """PNGs of the outputs (here zeros of the right size) go to --png_dir, with no temporary file left there."""
    meta = serving.read_meta(str(preprocessed))
    sr = tmp_path / "sr"
    sr.mkdir()
    for image in meta["images"]:
        np.zeros([4 * v for v in image["lr_shape"][:2]], np.float32).tofile(sr / f"{image['name']}.bin")
    code, _, err = run_script("postprocess", ["--lr_bin_dir", str(preprocessed), "--sr_bin_dir", str(sr),
                                              "--png_dir", str(tmp_path / "png")], capsys)
    assert code == 0, err
    assert sorted(os.listdir(tmp_path / "png")) == sorted(f"{m['name']}.png" for m in meta["images"])


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (7, 5, 1), (33, 64, 2), (17, 9, 3), (64, 31, 4)])
def test_png_writer_is_read_back_bit_for_bit(shape, tmp_path):
    """src/png.py (infer.py's 8-bit PNGs): gray, gray + alpha, RGB and RGBA of odd sizes, random pixels and runs,
    decoded by Pillow into exactly the pixels written, in the mode they were."""
    rng = np.random.default_rng(sum(shape))
    pixels = rng.integers(0, 256, shape, dtype=np.uint8)
    pixels[: shape[0] // 2] = pixels[0]  # rows equal to the one above: the Up filter's zeros
    with open(tmp_path / "a.png", "wb") as f:
        png.write(pixels, f)
    with Image.open(tmp_path / "a.png") as img:
        mode, back = img.mode, np.asarray(img)
    assert mode == {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[shape[2] if len(shape) == 3 else 1]
    assert np.array_equal(back, pixels.reshape(back.shape))


@pytest.mark.parametrize("pieces", [2, 3])
def test_png_writer_compressed_in_pieces_is_one_zlib_stream(pieces, tmp_path, monkeypatch):
    """A large output is compressed in pieces on several threads (png._deflate): zlib itself decompresses the
    joined pieces into the filtered rows (so its header and Adler-32 hold), and Pillow reads the PNG back bit for
    bit, whatever the number of cores of the machine running the test."""
    rng = np.random.default_rng(pieces)
    pixels = rng.integers(0, 256, (300, 257, 3), dtype=np.uint8)
    pixels[100:200] = pixels[100]  # runs, as in a photo's flat areas
    filtered = rng.integers(0, 256, 10_007, dtype=np.uint8)
    sync_flush = b"\x00\x00\xff\xff"  # the empty stored block that ends each piece but the last
    joined = png._deflate(filtered, pieces)
    assert zlib.decompress(joined) == filtered.tobytes() and joined.count(sync_flush) == pieces - 1
    monkeypatch.setattr(png.threads, "usable_cores", lambda: pieces)
    monkeypatch.setattr(png, "PIECE_BYTES", 1000)
    with open(tmp_path / "a.png", "wb") as f:
        png.write(pixels, f)
    assert (tmp_path / "a.png").read_bytes().count(sync_flush) == pieces - 1
    with Image.open(tmp_path / "a.png") as img:
        assert np.array_equal(np.asarray(img), pixels)


def test_a_refused_pixel_array_is_one_line_naming_the_output(tmp_path, monkeypatch):
    """An encoder's refusal of the pixels infer.py hands over (src/png.py's here, made to fail) is the UserError of
    one line, naming the file, the pixels' type and the format: not an AttributeError about a Pillow mode."""
    def refuse(pixels, file):
        raise ValueError("refused")
    monkeypatch.setattr(png, "write", refuse)
    with pytest.raises(UserError, match=r"out\.png: cannot write a uint8 image as PNG \(refused\)"):
        upscale._encode(np.zeros((4, 4, 3), np.uint8), io.BytesIO(), "PNG", str(tmp_path / "out.png"))

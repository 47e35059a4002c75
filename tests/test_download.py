"""download.py against local HTTP servers laid out as the sources are (well-behaved, slow, hostile), the tables in
data/, and where set names are looked up."""
import base64
import contextlib
import errno
import functools
import hashlib
import http.server
import os
import re
import shutil
import socket
import struct
import sys
import threading
import time
import zlib

import pytest
from PIL import Image

from conftest import require_sets, run_script
from src import dataset, download, paths
from src.errors import UserError

VAL20_SUBSET = 3  # Val20 images served (as JPEGs, like BSDS500): enough to exercise the conversion, and fast
SET5 = os.path.join(paths.DATA_DIR, "Set5")  # ships with the project: these tests need no other data


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _pixels_sha256(path):
    with Image.open(path) as image:
        return dataset.pixel_sha256(image)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that hangs up in the middle of a file (a download stopped by a full disk) is no server error:
        socketserver would print its traceback into the stderr the tests read. Anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Mirror:
    """A folder served over HTTP as raw.githubusercontent.com lays the sources out; records the paths requested and
    the Authorization headers sent."""

    def __init__(self, root):
        self.root, self.requests, self.auth = root, [], []
        mirror = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                mirror.requests.append(self.path)

            def send_head(self):
                mirror.auth.append(self.headers.get("Authorization"))
                return super().send_head()

        self.server = _Server(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def path_of(self, set_name, file):
        """Where the server holds a file of a set (the source's name: .jpg for sets made from JPEGs)."""
        return self.root / dataset.known_sets()[set_name].source_path(file)


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """Set5 as its source serves it, and the first Val20 names as JPEGs of crops of Set5 (made here, so no table
    holds them): their pixels replace Val20's entries in the table."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = Mirror(tmp_path / "mirror")
    monkeypatch.setenv(download.URL_VARIABLE, server.url)
    for file in dataset.checksums()["Set5"]:
        target = server.path_of("Set5", file)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(os.path.join(SET5, file), target)
    subset = {}
    for i, file in enumerate(list(dataset.checksums()["Val20"])[:VAL20_SUBSET]):
        target = server.path_of("Val20", file)
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.open(os.path.join(SET5, "baby.png")).crop((0, 40 * i, 160, 100 + 40 * i)).save(target, format="JPEG")
        subset[file] = _pixels_sha256(target)
    monkeypatch.setitem(dataset.checksums(), "Val20", subset)
    yield server
    server.server.shutdown()
    server.server.server_close()


def _one_line_error(code, err):
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _closed_port():
    with socket.socket() as sock:  # a port nothing listens on once this socket is closed
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- what works
def test_download_installs_verified_sets_and_a_second_run_fetches_nothing(mirror, tmp_path, capsys):
    dest = tmp_path / "data"
    code, out, err = run_script("download", ["Set5", "val20", "--data_dir", str(dest)], capsys)
    assert code == 0, err
    assert sorted(os.listdir(dest)) == ["Set5", "Val20"]  # no staging folder left
    assert {f: _sha256(dest / "Set5" / f) for f in os.listdir(dest / "Set5")} == dataset.checksums()["Set5"]
    assert {f: _pixels_sha256(dest / "Val20" / f) for f in os.listdir(dest / "Val20")} == dataset.checksums()["Val20"]
    for file in dataset.checksums()["Val20"]:
        assert Image.open(dest / "Val20" / file).format == "PNG"
    assert len(mirror.requests) == 5 + VAL20_SUBSET
    assert "Set5: 5 files in" in out
    assert "baby.png: " in err and "B/s" in err  # progress within a file, in bytes
    assert dataset.resolve_data("Set5", str(dest)) == os.path.join(str(dest), "Set5")

    code, out, err = run_script("download", ["Set5", "Val20", "--data_dir", str(dest)], capsys)
    assert code == 0, err
    assert len(mirror.requests) == 5 + VAL20_SUBSET
    assert "Set5: already in" in out and "Val20: already in" in out


def test_fetch_streams_the_file_in_chunks(mirror):
    """Hashed as it streams in: a file arrives as chunks of at most 64 KiB, never as one whole response."""
    served = mirror.path_of("Set5", "baby.png")
    chunks = list(download.fetch(f"{mirror.url}/{dataset.known_sets()['Set5'].source_path('baby.png')}"))
    assert len(chunks) > 1 and max(len(c) for c in chunks) <= 1 << 16
    assert b"".join(chunks) == served.read_bytes()


def test_a_mirror_s_password_is_sent_as_basic_auth_and_never_printed(mirror, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(download.URL_VARIABLE, mirror.url.replace("//", "//reader:s3cr%40t@"))
    dest = tmp_path / "data"
    code, _, err = run_script("download", ["Set5", "--data_dir", str(dest)], capsys)
    assert code == 0, err
    assert set(mirror.auth) == {"Basic " + base64.b64encode(b"reader:s3cr@t").decode()}
    mirror.path_of("Set14", "baboon.png").parent.mkdir(parents=True)  # Set14 is not served: HTTP 404
    line = _one_line_error(*run_script("download", ["Set14", "--data_dir", str(dest)], capsys)[::2])
    assert "HTTP 404" in line and f"{mirror.url}/majedelhelou" in line and "s3cr" not in line and "reader" not in line

    monkeypatch.setenv(download.URL_VARIABLE, f"http://reader:s3cret@127.0.0.1:{_closed_port()}")
    line = _one_line_error(*run_script("download", ["Set14", "--data_dir", str(dest)], capsys)[::2])
    assert "cannot download http://127.0.0.1:" in line and "s3cret" not in line


# ---------------------------------------------------------------- checks and the network failing
@pytest.mark.parametrize("set_name", ["Set5", "Val20"])
def test_checksum_mismatch_names_the_file_and_both_hashes_and_keeps_nothing(mirror, tmp_path, capsys, set_name):
    file = list(dataset.checksums()[set_name])[1]
    served = mirror.path_of(set_name, file)
    if set_name == "Set5":
        served.write_bytes(served.read_bytes() + b"\0")
        got = _sha256(served)
    else:
        Image.open(served).rotate(180).save(served, format="JPEG", quality=90)
        got = _pixels_sha256(served)
    dest = tmp_path / "data"
    line = _one_line_error(*run_script("download", [set_name, "--data_dir", str(dest)], capsys)[::2])
    assert f"{set_name}/{file}" in line and got in line and dataset.checksums()[set_name][file] in line
    assert os.listdir(dest) == []


def test_a_served_file_that_is_no_image_is_named_in_one_line(mirror, tmp_path, capsys):
    """A set made from JPEGs: the message names the file, not Pillow's view of a buffer (`<_io.BytesIO ...>`)."""
    file = list(dataset.checksums()["Val20"])[1]
    mirror.path_of("Val20", file).write_bytes(b"<html>rate limited</html>")
    dest = tmp_path / "data"
    line = _one_line_error(*run_script("download", ["Val20", "--data_dir", str(dest)], capsys)[::2])
    assert f"Val20/{file}: checksum mismatch" in line and "none (not an image)" in line
    assert "_io" not in line and " at 0x" not in line and ".part" not in line
    assert os.listdir(dest) == []


def _png_header(width, height):
    """A PNG of width x height 8-bit grey pixels with no pixel data: a few bytes announcing a huge image."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + \
        chunk(b"IEND", b"")


@pytest.mark.parametrize("pixels", [(20000, 10000), (10000, 10000)])  # over 179 Mpx (an error), over 89 (a warning)
def test_a_decompression_bomb_is_refused_in_one_line_before_decoding(mirror, tmp_path, capsys, pixels):
    file = list(dataset.checksums()["Val20"])[0]
    mirror.path_of("Val20", file).write_bytes(_png_header(*pixels))
    dest = tmp_path / "data"
    code, _, err = run_script("download", ["Val20", "--data_dir", str(dest)], capsys)
    line = _one_line_error(code, err)
    assert f"Val20/{file}: checksum mismatch" in line and f"({pixels[0] * pixels[1]} pixels)" in line
    assert "DecompressionBombWarning" not in err
    assert os.listdir(dest) == []


def test_unreachable_host_is_one_line_naming_the_url_and_the_manual_way(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv(download.URL_VARIABLE, f"http://127.0.0.1:{_closed_port()}")
    dest = tmp_path / "data"
    line = _one_line_error(*run_script("download", ["Set14", "--data_dir", str(dest)], capsys)[::2])
    assert download.base_url() in line and "Set14" not in os.listdir(dest) and "--data_dir" in line
    assert os.listdir(dest) == []


@pytest.mark.parametrize("variable, value, message", [
    (download.URL_VARIABLE, "notaurl", "FSRCNN_DOWNLOAD_URL='notaurl': not an http(s) URL"),
    (download.URL_VARIABLE, "ftp://mirror.example/sets", "not an http(s) URL"),
    (download.URL_VARIABLE, "http://u:pw@mirror.example:99999", "FSRCNN_DOWNLOAD_URL='http://mirror.example:99999'"),
    (download.DEADLINE_VARIABLE, "soon", "FSRCNN_DOWNLOAD_DEADLINE='soon': not a positive number of seconds"),
    (download.DEADLINE_VARIABLE, "0", "not a positive number"),
    (download.DEADLINE_VARIABLE, "inf", "not a positive number"),
])
def test_bad_settings_are_one_line_before_anything(tmp_path, monkeypatch, capsys, variable, value, message):
    monkeypatch.setenv(variable, value)
    line = _one_line_error(*run_script("download", ["Set14", "--data_dir", str(tmp_path / "data")], capsys)[::2])
    assert message in line and "pw@" not in line
    assert not os.path.exists(tmp_path / "data")


class Trickle:
    """A server that answers every request one byte at a time, `pause` seconds apart, for at most `for_s` seconds
    (then it closes: a client without a deadline fails the timing, not the whole test run)."""

    def __init__(self, head_too, pause=0.2, for_s=12):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        reply = b"HTTP/1.0 200 OK\r\nContent-Length: 100000\r\n\r\n"
        self.head, self.body = (b"", reply) if head_too else (reply, b"")
        self.pause, self.for_s = pause, for_s
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn):
        end, trickled = time.monotonic() + self.for_s, self.body + b"x" * 100000
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            conn.sendall(self.head)
            for i in range(len(trickled)):
                if self.stop.wait(self.pause) or time.monotonic() > end:
                    return
                conn.sendall(trickled[i:i + 1])


@pytest.mark.parametrize("head_too", [False, True], ids=["body", "headers"])
def test_a_server_sending_a_byte_every_few_tenths_stops_at_the_file_s_deadline(tmp_path, monkeypatch, capsys,
                                                                                head_too):
    server = Trickle(head_too)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv(download.URL_VARIABLE, server.url)
    monkeypatch.setenv(download.DEADLINE_VARIABLE, "1.5")
    dest = tmp_path / "data"
    start = time.monotonic()
    try:
        code, _, err = run_script("download", ["Set5", "--data_dir", str(dest)], capsys)
    finally:
        server.stop.set()
        server.sock.close()
    assert time.monotonic() - start < 6
    assert "not complete within 1.5 s: set FSRCNN_DOWNLOAD_DEADLINE to allow more" in _one_line_error(code, err)
    assert os.listdir(dest) == []
    if not head_too:  # the bytes that came in showed as they came
        assert re.search(r"baby\.png: +\d+%\|.*\| [1-9]\d*\.\d+/100k ", err), err


# ---------------------------------------------------------------- the disk and the data folder
def test_an_interrupted_set_leaves_no_half_set_and_the_next_run_resumes(mirror, tmp_path, monkeypatch, capsys):
    calls = []
    fetch = download.fetch

    def interrupted_at_the_third_file(url):
        calls.append(url)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return fetch(url)
    monkeypatch.setattr(download, "fetch", interrupted_at_the_third_file)
    dest = tmp_path / "data"
    code, _, _ = run_script("download", ["Set5", "--data_dir", str(dest)], capsys)
    assert code == 130
    staging = dest / ".Set5.partial"
    assert os.listdir(dest) == [".Set5.partial"]
    files = list(dataset.checksums()["Set5"])
    assert sorted(os.listdir(staging)) == sorted(files[:2] + [download.MARKER])
    (staging / f"{files[2]}.part").write_bytes(b"a file a killed run was writing")
    (staging / files[1]).write_bytes(b"damaged since")

    monkeypatch.setattr(download, "fetch", fetch)
    code, _, err = run_script("download", ["Set5", "--data_dir", str(dest)], capsys)
    assert code == 0, err
    assert os.listdir(dest) == ["Set5"]
    assert {f: _sha256(dest / "Set5" / f) for f in os.listdir(dest / "Set5")} == dataset.checksums()["Set5"]
    assert [os.path.basename(path) for path in mirror.requests] == files[:2] + files[1:]


@pytest.mark.parametrize("kind", ["symlink", "unmarked folder"])
def test_a_staging_folder_download_py_did_not_make_is_never_followed_nor_emptied(mirror, tmp_path, capsys, kind):
    dest, victim = tmp_path / "data", tmp_path / "victim"
    for folder in (dest, victim):
        folder.mkdir()
    (victim / "keep.txt").write_text("the user's")
    (victim / "baby.png").write_bytes(b"the user's too")
    staging = dest / ".Set5.partial"
    if kind == "symlink":
        staging.symlink_to(victim)
    else:
        shutil.copytree(victim, staging)
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(dest)], capsys)[::2])
    assert str(staging) in line and "move it away" in line
    for folder in (victim, staging):
        assert sorted(os.listdir(folder)) == ["baby.png", "keep.txt"]
        assert (folder / "baby.png").read_bytes() == b"the user's too"
    assert mirror.requests == [] and sorted(os.listdir(dest)) == [".Set5.partial"]


def test_a_foreign_file_in_its_own_staging_folder_is_refused_and_kept(mirror, tmp_path, capsys):
    dest = tmp_path / "data"
    run_script("download", ["Set5", "--data_dir", str(dest)], capsys)
    shutil.move(dest / "Set5", dest / ".Set5.partial")
    (dest / ".Set5.partial" / download.MARKER).write_text("")
    (dest / ".Set5.partial" / "notes.txt").write_text("the user's")
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(dest)], capsys)[::2])
    assert "notes.txt: not a file download.py wrote" in line
    assert (dest / ".Set5.partial" / "notes.txt").read_text() == "the user's"


@pytest.mark.parametrize("where", ["--data_dir", "FSRCNN_DATA_DIR", "<data_dir>/<set>"])
def test_a_file_where_a_folder_goes_is_one_line_before_any_download(mirror, tmp_path, monkeypatch, capsys, where):
    dest = tmp_path / "data"
    argv = ["Set5", "Set14"]
    if where == "<data_dir>/<set>":
        dest.mkdir()
        (dest / "Set14").write_text("not a folder")
        argv += ["--data_dir", str(dest)]
        expected = f"{dest / 'Set14'}: a file where the folder of set Set14 goes"
    else:
        dest.write_text("not a folder")
        if where == "--data_dir":
            argv += ["--data_dir", str(dest)]
        else:
            monkeypatch.setenv(paths.DATA_DIR_VARIABLE, str(dest))
        expected = f"{dest} ({where}): a file, not a folder of datasets"
    line = _one_line_error(*run_script("download", argv, capsys)[::2])
    assert expected in line
    assert mirror.requests == []


def _refusing_mkdir(monkeypatch, under, err):
    mkdir = os.mkdir

    def refused(path, *args, **kwargs):
        if str(path).startswith(str(under)):
            raise OSError(err, os.strerror(err), str(path))
        return mkdir(path, *args, **kwargs)
    monkeypatch.setattr(os, "mkdir", refused)


@pytest.mark.parametrize("exists", [True, False], ids=["folder", "missing folder"])
def test_an_unwritable_data_dir_is_one_line_naming_it_before_any_download(mirror, tmp_path, monkeypatch, capsys,
                                                                           exists):
    """A read-only mount (EROFS whoever runs it) as --data_dir, or as the folder it would be made in."""
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    dest = readonly if exists else readonly / "data"
    _refusing_mkdir(monkeypatch, readonly, errno.EROFS)
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(dest)], capsys)[::2])
    assert f"{dest}: Read-only file system" in line or f"in {dest}: Read-only file system" in line
    assert mirror.requests == [] and os.listdir(readonly) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_one_line(mirror, tmp_path, capsys):
    dest = tmp_path / "data"
    dest.mkdir(mode=0o555)
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(dest)], capsys)[::2])
    assert f"cannot write in {dest}: Permission denied" in line and mirror.requests == []


class _FullDisk:
    """A file whose first write lands 10 bytes and then finds the disk full."""

    def __init__(self, f):
        self.f = f

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()

    def write(self, data):
        self.f.write(data[:10])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("at_file", [0, 2])
def test_a_full_disk_is_one_line_and_leaves_nothing_partial(mirror, tmp_path, monkeypatch, capsys, at_file):
    opened = []

    def filling_open(path, mode="r", *args, **kwargs):
        f = open(path, mode, *args, **kwargs)
        if str(path).endswith(".part"):
            opened.append(path)
            return _FullDisk(f) if len(opened) > at_file else f
        return f
    monkeypatch.setattr(download, "open", filling_open, raising=False)
    dest = tmp_path / "data"
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(dest)], capsys)[::2])
    assert f"cannot write in {dest}: No space left on device" in line
    files = list(dataset.checksums()["Set5"])
    if at_file == 0:
        assert os.listdir(dest) == []
    else:  # the verified files stay for the next run: no partial file among them
        assert sorted(os.listdir(dest / ".Set5.partial")) == sorted(files[:at_file] + [download.MARKER])


def test_a_full_disk_while_writing_a_converted_png_leaves_nothing_partial(mirror, tmp_path, monkeypatch, capsys):
    def full(image, fp, *args, **kwargs):
        with open(fp, "wb") as f:
            f.write(b"\x89PNG")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(Image.Image, "save", full)
    dest = tmp_path / "data"
    line = _one_line_error(*run_script("download", ["Val20", "--data_dir", str(dest)], capsys)[::2])
    assert f"cannot write in {dest}: No space left on device" in line
    assert os.listdir(dest) == []


def test_an_incomplete_folder_in_place_is_refused(tmp_path, capsys):
    (tmp_path / "Set5").mkdir()
    (tmp_path / "Set5" / "baby.png").write_bytes(b"")
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(tmp_path)], capsys)[::2])
    assert "lacks 4 of the 5 files of Set5" in line


@pytest.mark.parametrize("argv, message", [([], "name the sets to download"), (["Urban100"], "Urban100: not a set")])
def test_bad_set_names(tmp_path, capsys, argv, message):
    assert message in _one_line_error(*run_script("download", argv + ["--data_dir", str(tmp_path)], capsys)[::2])


# ---------------------------------------------------------------- the tables in data/
def test_the_table_matches_the_shared_datasets():
    """Every set's file names, the bytes of sets kept as their sources serve them, the pixels of a few converted."""
    require_sets(*dataset.fetched_sets())
    assert list(dataset.checksums()) == dataset.fetched_sets()
    for set_name, files in dataset.checksums().items():
        folder = paths.data_folder()
        assert sorted(files) == sorted(os.listdir(os.path.join(folder, set_name))), set_name
        checked = list(files)[:3] if dataset.known_sets()[set_name].from_jpeg else files
        for file in checked:
            path = os.path.join(folder, set_name, file)
            assert dataset.installed_sha256(path, set_name) == files[file], path


def test_shipped_set5_is_the_source_s_bytes():
    assert {f: _sha256(os.path.join(SET5, f)) for f in os.listdir(SET5)} == dataset.checksums()["Set5"]


def test_the_shipped_tables_list_every_set_with_its_role():
    assert dataset.fetched_sets() == ["T91", "General-100", "Set5", "Set14", "BSD100", "Val20", "BSD200", "RealSR16"]
    assert {name: dataset.role(name) for name in ("T91", "BSD200", "Val20", "RealSR4-val", "Set14", "RealSR12",
                                                  "Urban100", "Unknown")} == {
        "T91": "train", "BSD200": "train", "Val20": "val", "RealSR4-val": "val", "Set14": "test", "RealSR12": "test",
        "Urban100": "test", "Unknown": None}
    assert {name for name in [*dataset.known_sets(), *dataset.subsets()] if dataset.role(name) == "test"} == {
        "Set5", "Set14", "BSD100", "Urban100", "Manga109", "RealSR16", "RealSR12"}
    assert dataset.subsets()["RealSR4-val"] == dataset.Subset("val", "RealSR16",
                                                              ("cam1_01", "cam1_010", "cam2_01", "cam2_010"))
    assert sum(len(files) for files in dataset.checksums().values()) == 546
    assert dataset.known_sets()["Val20"].source_path("100007.png") == \
        "BIDS/BSDS500/a04b7c6c3a9f0ace74bf205c72a43d32e1c72722/BSDS500/data/images/test/100007.jpg"


@pytest.fixture
def tables(tmp_path, monkeypatch):
    """Copies of data/sources.yaml and data/SHA256SUMS to break, read afresh."""
    for name in ("SOURCES_FILE", "SHA256SUMS_FILE"):
        copy = tmp_path / os.path.basename(getattr(paths, name))
        shutil.copyfile(getattr(paths, name), copy)
        monkeypatch.setattr(paths, name, str(copy))
    dataset._table.cache_clear()
    dataset.checksums.cache_clear()
    yield tmp_path
    dataset._table.cache_clear()
    dataset.checksums.cache_clear()


@pytest.mark.parametrize("old, new, message", [
    ("    role: val\n    repo: BIDS", "    role: validation\n    repo: BIDS", "sets row 'Val20': role 'validation' is not"),
    ("    from_jpeg: true\n  Val20", "    from_jpeg: yes please\n  Val20", "sets row 'BSD100': from_jpeg must be a bool"),
    ("    folder: CSet14\n", "    folder: CSet14\n    mirror: elsewhere\n", "sets row 'Set14': unknown field 'mirror'"),
    ("    commit: 58234876fef6f1b56306705c78dfd40cdb837b86\n    folder: CSet5\n",
     "    commit: main\n    folder: CSet5\n", "sets row 'Set5': give repo, commit (40 hex digits) and folder"),
    ("  Urban100:\n    role: test", "  ../Urban100:\n    role: test", "sets row '../Urban100': not a plain name"),
    ("  Manga109:\n    role: test\n", "  Manga109: test\n", "sets row 'Manga109': expected a mapping with a role"),
    ("    of: RealSR16\n    images: [cam1_01", "    of: RealSR20\n    images: [cam1_01", "subsets row 'RealSR4-val'"),
    ("subsets:", "subsets: [\n", "cannot read it"),
])
def test_a_malformed_sources_row_is_one_line_naming_it(tables, capsys, old, new, message):
    text = (tables / "sources.yaml").read_text()
    assert old in text
    (tables / "sources.yaml").write_text(text.replace(old, new, 1))
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(tables / "data")], capsys)[::2])
    assert f"{tables / 'sources.yaml'}: " in line and message in line
    with pytest.raises(UserError, match="sources.yaml"):
        dataset.resolve_data("Set14", str(tables / "data"))


@pytest.mark.parametrize("old, new, message", [
    ("  Set5/baby.png", " Set5/baby.png", ":{number}: expected `<sha256>  <set>/<file>`, got '"),
    ("  Set5/baby.png", "  Set5/../baby.png", ":{number}: expected `<sha256>  <set>/<file>`"),
    ("  Set5/", "  Set6/", ": lists the sets T91, General-100, Set6, Set14"),
])
def test_a_malformed_sha256sums_line_is_one_line_naming_it(tables, capsys, old, new, message):
    text = (tables / "SHA256SUMS").read_text()
    number = next(i for i, line in enumerate(text.splitlines(), 1) if old in line)
    (tables / "SHA256SUMS").write_text(text.replace(old, new))
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(tables / "data")], capsys)[::2])
    assert f"{tables / 'SHA256SUMS'}{message.format(number=number)}" in line


# ---------------------------------------------------------------- where set names are looked up
def test_set_names_resolve_in_data_dir_else_the_variable_else_the_project_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(paths.DATA_DIR_VARIABLE, raising=False)
    project = tmp_path / "project_data"  # data/ as a fresh clone has it, whatever was downloaded into the real one
    (project / "Set5").mkdir(parents=True)
    monkeypatch.setattr(paths, "DATA_DIR", str(project))
    assert dataset.resolve_data("Set5", "") == os.path.join(str(project), "Set5")
    with pytest.raises(UserError, match=r"nor in .*project_data \(the project's data folder\); download it with: "
                                        r"python download.py Set14$"):
        dataset.resolve_data("Set14", "")

    (tmp_path / "env" / "Set14").mkdir(parents=True)
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, str(tmp_path / "env"))
    assert dataset.resolve_data("Set14", "") == os.path.join(str(tmp_path / "env"), "Set14")
    with pytest.raises(UserError, match=r"\(FSRCNN_DATA_DIR\); download it with: python download.py Set5$"):
        dataset.resolve_data("Set5", "")

    given = str(tmp_path / "given")
    with pytest.raises(UserError) as err:
        dataset.resolve_data("Set14", given)
    assert f"from {tmp_path} nor in {given} (--data_dir)" in str(err.value)
    assert str(err.value).endswith(f"python download.py Set14 --data_dir {given}")
    with pytest.raises(UserError, match="python download.py fetches T91, General-100"):
        dataset.resolve_data("Urban100", given)


def test_a_file_as_the_data_folder_is_one_line_for_every_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sets").write_text("not a folder")
    with pytest.raises(UserError, match=r"sets \(--data_dir\): a file, not a folder of datasets$"):
        dataset.resolve_data("Set5", str(tmp_path / "sets"))
    monkeypatch.setenv(paths.DATA_DIR_VARIABLE, str(tmp_path / "sets"))
    with pytest.raises(UserError, match=r"sets \(FSRCNN_DATA_DIR\): a file, not a folder of datasets$"):
        dataset.resolve_data("Set5", "")
    (tmp_path / "Set5").mkdir()
    assert dataset.resolve_data("Set5", "") == "Set5"  # a path as given needs no data folder

"""download.py against a local HTTP server laid out as the sources are, and where set names are looked up."""
import functools
import hashlib
import http.server
import os
import shutil
import socket
import threading

import pytest
from PIL import Image

from conftest import run_script
from src import dataset, download
from src.errors import UserError

VAL20_SUBSET = 3  # Val20 images served (as JPEGs, like BSDS500): enough to exercise the conversion, and fast


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _pixels_sha256(path):
    with Image.open(path) as image:
        return download.pixel_sha256(image)


class Mirror:
    """A folder served over HTTP as raw.githubusercontent.com lays the sources out; records the paths requested."""

    def __init__(self, root):
        self.root = root
        self.requests = []
        mirror = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                mirror.requests.append(self.path)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      functools.partial(Handler, directory=str(root)))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def path_of(self, set_name, file):
        """Where the server holds a file of a set (the source's name: .jpg for sets made from JPEGs)."""
        return self.root / download.SOURCES[set_name].url(file)[len(download.BASE_URL) + 1:]


@pytest.fixture
def mirror(data_dir, tmp_path, monkeypatch):
    """Set5 as its source serves it, and the first Val20 images as JPEGs; the pixels of these JPEGs (encoded here, so
    not the table's) replace Val20's entries in the table."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = Mirror(tmp_path / "mirror")
    monkeypatch.setattr(download, "BASE_URL", server.url)
    for file in download.FILES["Set5"]:
        target = server.path_of("Set5", file)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(os.path.join(data_dir, "Set5", file), target)
    subset = {}
    for file in list(download.FILES["Val20"])[:VAL20_SUBSET]:
        target = server.path_of("Val20", file)
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.open(os.path.join(data_dir, "Val20", file)).save(target, format="JPEG", quality=90)
        subset[file] = _pixels_sha256(target)
    monkeypatch.setitem(download.FILES, "Val20", subset)
    yield server
    server.server.shutdown()
    server.server.server_close()


def _one_line_error(code, err):
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 2 and len(lines) == 1, err
    return lines[0]


def test_download_installs_verified_sets_and_a_second_run_fetches_nothing(mirror, tmp_path, capsys):
    dest = tmp_path / "data"
    code, out, err = run_script("download", ["Set5", "val20", "--data_dir", str(dest)], capsys)
    assert code == 0, err
    assert sorted(os.listdir(dest)) == ["Set5", "Val20"]  # no staging folder left
    assert {f: _sha256(dest / "Set5" / f) for f in os.listdir(dest / "Set5")} == download.FILES["Set5"]
    assert {f: _pixels_sha256(dest / "Val20" / f) for f in os.listdir(dest / "Val20")} == download.FILES["Val20"]
    for file in download.FILES["Val20"]:
        assert Image.open(dest / "Val20" / file).format == "PNG"
    assert len(mirror.requests) == 5 + VAL20_SUBSET
    assert "Set5: 5 files in" in out
    assert dataset.resolve_data("Set5", str(dest)) == os.path.join(str(dest), "Set5")

    code, out, err = run_script("download", ["Set5", "Val20", "--data_dir", str(dest)], capsys)
    assert code == 0, err
    assert len(mirror.requests) == 5 + VAL20_SUBSET
    assert "Set5: already in" in out and "Val20: already in" in out


@pytest.mark.parametrize("set_name", ["Set5", "Val20"])
def test_checksum_mismatch_names_the_file_and_both_hashes_and_keeps_nothing(mirror, tmp_path, capsys, set_name):
    file = list(download.FILES[set_name])[1]
    served = mirror.path_of(set_name, file)
    if set_name == "Set5":
        served.write_bytes(served.read_bytes() + b"\0")
        got = _sha256(served)
    else:
        Image.open(served).rotate(180).save(served, format="JPEG", quality=90)
        got = _pixels_sha256(served)
    dest = tmp_path / "data"
    line = _one_line_error(*run_script("download", [set_name, "--data_dir", str(dest)], capsys)[::2])
    assert f"{set_name}/{file}" in line and got in line and download.FILES[set_name][file] in line
    assert os.listdir(dest) == []


def test_unreachable_host_is_one_line_naming_the_url_and_the_manual_way(tmp_path, monkeypatch, capsys):
    with socket.socket() as sock:  # a port nothing listens on once this socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setattr(download, "BASE_URL", f"http://127.0.0.1:{port}")
    dest = tmp_path / "data"
    line = _one_line_error(*run_script("download", ["Set14", "--data_dir", str(dest)], capsys)[::2])
    assert download.SOURCES["Set14"].url(next(iter(download.FILES["Set14"]))) in line and "--data_dir" in line
    assert os.listdir(dest) == []


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
    files = list(download.FILES["Set5"])
    assert sorted(os.listdir(staging)) == files[:2]
    (staging / f"{files[2]}.part").write_bytes(b"a file a killed run was writing")
    (staging / files[1]).write_bytes(b"damaged since")

    monkeypatch.setattr(download, "fetch", fetch)
    code, _, err = run_script("download", ["Set5", "--data_dir", str(dest)], capsys)
    assert code == 0, err
    assert os.listdir(dest) == ["Set5"]
    assert {f: _sha256(dest / "Set5" / f) for f in os.listdir(dest / "Set5")} == download.FILES["Set5"]
    assert [os.path.basename(path) for path in mirror.requests] == files[:2] + files[1:]


def test_an_incomplete_folder_in_place_is_refused(tmp_path, capsys):
    (tmp_path / "Set5").mkdir()
    (tmp_path / "Set5" / "baby.png").write_bytes(b"")
    line = _one_line_error(*run_script("download", ["Set5", "--data_dir", str(tmp_path)], capsys)[::2])
    assert "lacks 4 of the 5 files of Set5" in line


@pytest.mark.parametrize("argv, message", [([], "name the sets to download"), (["Urban100"], "Urban100: not a set")])
def test_bad_set_names(tmp_path, capsys, argv, message):
    assert message in _one_line_error(*run_script("download", argv + ["--data_dir", str(tmp_path)], capsys)[::2])


def test_the_table_matches_the_shared_datasets(data_dir):
    """Every set's file names, the bytes of sets kept as their sources serve them, the pixels of a few converted."""
    assert list(download.FILES) == list(download.SOURCES)
    for set_name, files in download.FILES.items():
        assert sorted(files) == sorted(os.listdir(os.path.join(data_dir, set_name))), set_name
        checked = list(files)[:3] if download.SOURCES[set_name].from_jpeg else files
        for file in checked:
            path = os.path.join(data_dir, set_name, file)
            assert download.installed_sha256(path, download.SOURCES[set_name]) == files[file], path


def test_shipped_set5_is_the_source_s_bytes():
    folder = os.path.join(dataset.PROJECT_DATA_DIR, "Set5")
    assert {f: _sha256(os.path.join(folder, f)) for f in os.listdir(folder)} == download.FILES["Set5"]


def test_set_names_resolve_in_data_dir_else_the_variable_else_the_project_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(dataset.DATA_DIR_VARIABLE, raising=False)
    project = tmp_path / "project_data"  # data/ as a fresh clone has it, whatever was downloaded into the real one
    (project / "Set5").mkdir(parents=True)
    monkeypatch.setattr(dataset, "PROJECT_DATA_DIR", str(project))
    assert dataset.resolve_data("Set5", "") == os.path.join(str(project), "Set5")
    with pytest.raises(UserError, match=r"nor in .*project_data \(the project's data folder\); download it with: "
                                        r"python download.py Set14$"):
        dataset.resolve_data("Set14", "")

    (tmp_path / "env" / "Set14").mkdir(parents=True)
    monkeypatch.setenv(dataset.DATA_DIR_VARIABLE, str(tmp_path / "env"))
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

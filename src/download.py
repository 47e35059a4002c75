"""Fetch the datasets by name from their public sources at pinned commits, every file verified: python download.py.

Each set's source (data/sources.yaml) is a folder of a GitHub repository at a commit, read as raw files from
<base>/<owner>/<repo>/<commit>/<folder>/<file>: <base> is raw.githubusercontent.com or $FSRCNN_DOWNLOAD_URL, a mirror
laid out the same way (a user and password in it go out as HTTP basic auth, never into messages). Each file is hashed
as it streams in and checked against data/SHA256SUMS before it is kept (sets made from JPEGs: the hash of the decoded
pixels, see dataset.installed_sha256; an image over Pillow's pixel bound is refused before it is decoded).

A set is installed atomically: its files gather in <data_dir>/.<set>.partial, a folder made here and marked so (a
symlink or an unmarked folder there is refused: never followed nor emptied), each under a .part name until verified,
and the folder becomes <data_dir>/<set> when complete. An interrupted run leaves only verified files, which the next
run keeps; a checksum mismatch removes what was written. Each file has one deadline for its whole transfer
(DEADLINE_S, or $FSRCNN_DOWNLOAD_DEADLINE seconds): a server trickling bytes cannot stall a run.
"""
import base64
import contextlib
import hashlib
import http.client
import math
import os
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
import warnings

from PIL import Image, UnidentifiedImageError
from tqdm import tqdm

from src import dataset, paths
from src.errors import UserError

DEFAULT_URL = "https://raw.githubusercontent.com"
URL_VARIABLE, DEADLINE_VARIABLE = "FSRCNN_DOWNLOAD_URL", "FSRCNN_DOWNLOAD_DEADLINE"
DEADLINE_S = 600.0  # the longest one file may take: connection, headers and body
TIMEOUT_S = 60  # the longest one network operation may wait
MARKER = ".made-by-download.py"  # in a staging folder: download.py made it


def base_url():
    """$FSRCNN_DOWNLOAD_URL, else raw.githubusercontent.com; anything but an http(s) URL is a UserError."""
    url = os.environ.get(URL_VARIABLE) or DEFAULT_URL
    with contextlib.suppress(ValueError):  # a bad port or bracket: not a URL either
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname and (parts.port is None or parts.port > 0):
            return url.rstrip("/")
    raise UserError(f"{URL_VARIABLE}={public(url)!r}: not an http(s) URL of a mirror laid out as {DEFAULT_URL}")


def deadline_s():
    """$FSRCNN_DOWNLOAD_DEADLINE, else DEADLINE_S; anything but a positive number of seconds is a UserError."""
    value = os.environ.get(DEADLINE_VARIABLE) or str(DEADLINE_S)
    with contextlib.suppress(ValueError):
        if 0 < float(value) < math.inf:
            return float(value)
    raise UserError(f"{DEADLINE_VARIABLE}={value!r}: not a positive number of seconds")


def public(url):
    """url without the user and password its host part may carry: what messages show."""
    scheme, sep, rest = url.partition("://")
    host, slash, tail = rest.partition("/")
    return f"{scheme}{sep}{host.rpartition('@')[2]}{slash}{tail}" if sep else url


class _Watched(urllib.request.HTTPSHandler):
    """HTTP(S) whose connections a timer shuts down at the deadline, in any phase (the headers too)."""
    handler_order = 499  # before urllib's own HTTP(S) handlers

    def __init__(self, seconds):
        super().__init__()
        self.sockets, self.expired, self.timer = [], False, threading.Timer(seconds, self.expire)

    def expire(self):
        self.expired = True
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _open(self, base, req, **kwargs):
        watch = self

        class Connection(base):
            def connect(self):
                super().connect()
                watch.sockets.append(self.sock)
                if watch.expired:
                    watch.expire()
        return self.do_open(Connection, req, **kwargs)

    def http_open(self, req):
        return self._open(http.client.HTTPConnection, req)

    def https_open(self, req):
        return self._open(http.client.HTTPSConnection, req, context=self._context)


def fetch(url):
    """The bytes at url, chunk by chunk as they arrive (never all in memory, with a progress bar), within the deadline;
    what keeps them from arriving is a UserError naming the URL (without a password) and the way without a network."""
    seconds, parts, request = deadline_s(), urllib.parse.urlsplit(url), urllib.request.Request(public(url))
    if parts.username is not None:  # for the mirror only, not for where it redirects
        token = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}".encode()
        request.add_unredirected_header("Authorization", f"Basic {base64.b64encode(token).decode()}")
    watch = _Watched(seconds)
    watch.timer.start()
    try:
        with urllib.request.build_opener(watch).open(request, timeout=min(TIMEOUT_S, seconds)) as response, \
                tqdm(total=response.length, unit="B", unit_scale=True, leave=False, desc=url.rsplit("/", 1)[-1]) as bar:
            while chunk := response.read1(1 << 16):
                bar.update(len(chunk))
                yield chunk
            if not watch.expired and not response.length:  # length: the bytes announced but not received
                return
            problem = f"the connection closed {response.length} bytes before the end"
    except urllib.error.HTTPError as err:  # the host answered, without the file
        problem = f"HTTP {err.code} {err.reason}"
    except (OSError, ValueError, http.client.HTTPException) as err:  # no network, unreachable, timeout, reset
        problem = getattr(err, "reason", None) or err
    finally:
        watch.timer.cancel()
    if watch.expired:
        problem = f"not complete within {seconds:g} s: set {DEADLINE_VARIABLE} to allow more"
    raise UserError(f"cannot download {public(url)} ({problem}); to work offline, copy the sets from a machine that "
                    f"has them and pass --data_dir <that folder> (or set {paths.DATA_DIR_VARIABLE})")


def choose(names, everything=False):
    """The set names asked for, spelled as in the table (any case), each once; none or an unknown one is a UserError."""
    fetched = dataset.fetched_sets()
    known = {name.lower(): name for name in fetched}
    for name in names:
        if name.lower() not in known:
            raise UserError(f"{name}: not a set download.py fetches (it fetches {', '.join(fetched)})")
    if not names and not everything:
        raise UserError(f"name the sets to download ({', '.join(fetched)}) or pass --all")
    return fetched if everything else list(dict.fromkeys(known[name.lower()] for name in names))


def download(names, data_dir=""):
    """Install each named set in paths.data_folder(data_dir), where eval.py and train.py look, unless it is there;
    what is in the way (bad settings, a file where a folder goes, an unwritable folder) stops it before any download."""
    folder, _, _ = paths.data_folder(data_dir), base_url(), deadline_s()
    for target in (os.path.join(folder, name) for name in names):
        if os.path.lexists(target) and not os.path.isdir(target):
            raise UserError(f"{target}: a file where the folder of set {os.path.basename(target)} goes: move it away")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise UserError(f"cannot create {folder}: {err.strerror or err}") from None
    for name in names:
        install_set(name, folder)


def install_set(name, folder):
    """Fetch the files of one set that its staging folder lacks, then rename that folder to <name>."""
    expected, target = dataset.checksums()[name], os.path.join(folder, name)
    if os.path.isdir(target):
        missing = [file for file in expected if not os.path.exists(os.path.join(target, file))]
        if missing:
            raise UserError(f"{target} exists but lacks {len(missing)} of the {len(expected)} files of {name} "
                            f"(e.g. {missing[0]}): move it away and run again")
        print(f"{name}: already in {target}")
        return
    staging = os.path.join(folder, f".{name}.partial")  # made here with its mark, or so by an earlier run
    if os.path.lexists(staging) and (os.path.islink(staging) or not os.path.isfile(os.path.join(staging, MARKER))):
        raise UserError(f"{staging}: a symlink, a file or a folder without {MARKER}, not one download.py made to "
                        f"gather {name} in: move it away (it is never followed nor emptied)")
    try:
        if not os.path.lexists(staging):
            os.mkdir(staging)
            with open(os.path.join(staging, MARKER), "x", encoding="utf-8") as f:
                f.write("download.py gathers a set in this folder and renames it when complete; safe to delete\n")
        todo = [file for file in expected if file not in _verified_files(staging, name)]
        with tqdm(total=len(expected), initial=len(expected) - len(todo), desc=name, unit="file") as bar:
            for file in todo:
                _fetch_file(name, file, staging)
                bar.update()
        os.remove(os.path.join(staging, MARKER))
        os.rename(staging, target)
    except OSError as err:  # the network's errors are UserErrors already: this is the disk (full, read-only)
        raise UserError(f"cannot write in {folder}: {err.strerror or err} (a rerun keeps the files verified so far)") \
            from None
    finally:
        if os.path.isdir(staging) and not os.path.islink(staging) and set(os.listdir(staging)) <= {MARKER}:
            _discard(staging, ())
    print(f"{name}: {len(expected)} files in {target} ({len(todo)} downloaded)")


def _verified_files(staging, name):
    """The files an earlier run left in staging that match the table; its others are removed, anything else refused."""
    expected, kept = dataset.checksums()[name], set()
    for entry in sorted(set(os.listdir(staging)) - {MARKER}):
        path, file = os.path.join(staging, entry), entry.removesuffix(".part")
        if file not in expected or os.path.islink(path) or not os.path.isfile(path):
            raise UserError(f"{path}: not a file download.py wrote: move it away and run again")
        with contextlib.suppress(OSError, Image.DecompressionBombError):
            if entry == file and dataset.installed_sha256(path, name) == expected[file]:
                kept.add(file)
                continue
        os.remove(path)
    return kept


def _discard(staging, files):
    """Remove what this module wrote in staging (files, their .part names, the mark), then staging if now empty."""
    for entry in [MARKER] + [f"{file}{suffix}" for file in files for suffix in ("", ".part")]:
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(staging, entry))
    with contextlib.suppress(OSError):
        os.rmdir(staging)


def _fetch_file(name, file, staging):
    """Stream one file into staging under a .part name, check it, keep it under its name; one that does not match
    the table removes what was written for the set (keeps nothing) and is a UserError naming it and both hashes."""
    known, digest, hasher = dataset.known_sets()[name], dataset.checksums()[name][file], hashlib.sha256()
    url, part = f"{base_url()}/{known.source_path(file)}", os.path.join(staging, f"{file}.part")
    try:
        with open(part, "wb") as out:
            for chunk in fetch(url):
                hasher.update(chunk)
                out.write(chunk)
        image, got = _decoded(part) if known.from_jpeg else (None, hasher.hexdigest())
        if got != digest:
            _discard(staging, dataset.checksums()[name])
            raise UserError(f"{name}/{file}: checksum mismatch, {public(url)} has sha256 "
                            f"{'of its pixels ' * known.from_jpeg}{got}, expected {digest}; nothing of {name} was kept")
        if image is not None:
            image.save(part, format="PNG")
        os.replace(part, os.path.join(staging, file))
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(part)


def _decoded(path):
    """(image, pixel_sha256) of an image file, else (None, 'none (why)'): not an image, or one over Pillow's bound on
    pixels (Image.MAX_IMAGE_PIXELS: a decompression bomb), refused before its pixels are decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                image.load()
            return image, dataset.pixel_sha256(image)
        except (OSError, Image.DecompressionBombWarning, Image.DecompressionBombError) as err:
            return None, f"none ({'not an image' if isinstance(err, UnidentifiedImageError) else err})"

"""Writing files safely: atomic writes, output checks made before any work, and the lock of a run folder.

Atomic writes: the content goes to a new hidden temporary file in the destination's folder, `.<name>.<random>.tmp`
(created exclusively, so never through a file or link someone left under that name), is flushed to disk (fsync),
then renamed over the destination. A failure, Ctrl-C or kill leaves the old file or the new one, never half of one;
on an exception the temporary file is removed (only a kill -9 or a power cut can leave one behind). A destination
that is a symbolic link is replaced by the file, never written through. New files get the usual mode (0666 less
the umask), not mkstemp's 0600.
"""
import contextlib
import errno
import fcntl
import fnmatch
import json
import math
import os
import tempfile

from src.errors import UserError

TMP_SUFFIX = ".tmp"


def _current_umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_current_umask()


def temp_prefix(path):
    """The start of every temporary name of `path` (the rest: random characters and the suffix)."""
    return f".{os.path.basename(path)}."


def _new_temp(path, suffix):
    """(fd, name) of a new empty temporary file beside `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    return tempfile.mkstemp(dir=folder, prefix=temp_prefix(path), suffix=suffix)


def _sync(fd):
    """Flush the temporary file to disk and give it the mode of a new file."""
    os.fsync(fd)
    os.fchmod(fd, FILE_MODE)


def _commit(tmp, path):
    """Rename the temporary file to `path` and make the rename durable."""
    os.replace(tmp, path)
    _fsync_folder(os.path.dirname(os.path.abspath(path)))


def _fsync_folder(folder):
    """Make the rename itself durable (best effort: some file systems refuse fsync on a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_quietly(path):
    """Remove a file if it is there; a file already gone (or not removable) is no error."""
    try:
        os.remove(path)
    except OSError:
        pass


@contextlib.contextmanager
def atomic_open(path, mode="w", encoding="utf-8", newline=None):
    """`with atomic_open(path) as f: f.write(...)`: f is a temporary file beside `path` that replaces it when the
    block ends without an exception, and is removed otherwise. mode "w" (text) or "wb"."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes a new file: mode 'w' or 'wb', not {mode!r}")
    fd, tmp = _new_temp(path, TMP_SUFFIX)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": encoding, "newline": newline})) as f:
            yield f
            f.flush()
            _sync(f.fileno())
        _commit(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise


@contextlib.contextmanager
def atomic_path(path, suffix=TMP_SUFFIX):
    """For writers that take a file name (MindSpore, Pillow, h5py): `with atomic_path(path) as tmp: save(tmp)`.
    `tmp` is a new temporary name beside `path` (ending in `suffix`, for writers that add or want an extension); the
    file written there replaces `path` when the block ends without an exception, and is removed otherwise."""
    fd, tmp = _new_temp(path, suffix)
    os.close(fd)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW)  # what the writer left there, never a link placed there
        try:
            _sync(fd)
        finally:
            os.close(fd)
        _commit(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise


def write_bytes(path, data):
    with atomic_open(path, "wb") as f:
        f.write(data)


def write_text(path, text):
    with atomic_open(path, "w") as f:
        f.write(text)


def finite(value):
    """`value` (dicts, lists, numbers) with every NaN or infinity replaced by None: strict JSON has no NaN."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path, obj):
    """obj as indented, strict JSON (NaN and infinities written as null), atomically."""
    write_text(path, json.dumps(finite(obj), indent=2, allow_nan=False) + "\n")


# ---------------------------------------------------------------- checks made before any work
def _check_folder_writable(folder, path):
    """Create and remove a temporary file in `folder`: the one test that holds for root, read-only mounts and ACLs."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test.", suffix=TMP_SUFFIX)
    except OSError as err:
        raise UserError(f"{path}: cannot write in {folder} ({err.strerror or err})") from None
    os.close(fd)
    os.remove(probe)


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_output_file(path, option, inputs=()):
    """Before any work: `path` (the value of `option`, e.g. --json) can be written atomically. Its folder exists and
    is writable, it is not a folder nor a special file, and it is none of `inputs` (files the command reads).
    An empty path (the option not given) passes."""
    if not path:
        return
    if os.path.isdir(path):
        raise UserError(f"{path}: is a folder ({option} takes a file name)")
    if os.path.lexists(path) and not os.path.islink(path) and not os.path.isfile(path):
        raise UserError(f"{path}: is not a regular file ({option} replaces it with one)")
    for source in inputs:
        if source and os.path.exists(path) and _same_file(path, source):
            raise UserError(f"{path}: is an input of this command ({option} never writes over its input)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise UserError(f"{path}: folder {folder} {what}")
    _check_folder_writable(folder, path)


def check_output_folder(folder, option):
    """Before any work: `folder` (the value of `option`) is a writable folder, or can be made one (its nearest
    existing parent is a writable folder)."""
    if not folder:
        raise UserError(f"{option} is empty: give a folder")
    if os.path.exists(folder):
        if not os.path.isdir(folder):
            raise UserError(f"{folder}: is not a folder ({option} takes a folder)")
        _check_folder_writable(folder, folder)
        return
    parent = os.path.dirname(os.path.abspath(folder))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise UserError(f"{folder}: cannot be made, {parent} is not a folder")
    _check_folder_writable(parent, folder)


def is_temp_of(entry, names):
    """Whether the file name `entry` is a temporary file of one of `names` (file names, or patterns like
    last_rank*.ckpt)."""
    return any(fnmatch.fnmatchcase(entry, f"{temp_prefix(name)}*{TMP_SUFFIX}*") for name in names)


def remove_stale_temps(folder, names):
    """Remove the temporary files that a killed writer of `names` (file names or patterns of files in `folder`)
    left there; returns their names. Only for a folder this process has locked: nobody else writes there."""
    removed = [entry for entry in os.listdir(folder) if is_temp_of(entry, names)]
    for entry in removed:
        remove_quietly(os.path.join(folder, entry))
    return removed


# ---------------------------------------------------------------- the lock of a run folder
class FolderLock:
    """An exclusive lock on a folder: fcntl.flock on `<folder>/.lock`, created there (the folder too, if needed).

    A second process asking for it is refused at once (UserError naming the folder and the holder's pid). The
    operating system drops the lock when the process ends, however it ends; release() (or leaving the `with` block)
    also removes the lock file, and the folder when this lock created it and it is empty.
    """

    NAME = ".lock"

    def __init__(self, folder, purpose="run folder"):
        self.folder, self.purpose = folder, purpose
        self.path = os.path.join(folder, self.NAME)
        self.fd, self.created_folder = None, False

    def acquire(self):
        if not os.path.isdir(self.folder):
            os.makedirs(self.folder, exist_ok=True)
            self.created_folder = True
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            except OSError as err:
                raise UserError(f"{self.path}: cannot create the lock of this {self.purpose} "
                                f"({err.strerror or err})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                os.close(fd)
                if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise UserError(f"{self.folder}: another process is using this {self.purpose}{self._holder()} "
                                    "(wait for it to end, or choose another folder)") from None
                raise UserError(f"{self.path}: cannot lock ({err.strerror or err})") from None
            if self._still_linked(fd):  # not unlinked by a holder releasing it between our open and flock
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def _still_linked(self, fd):
        try:
            now = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)

    def _holder(self):
        try:
            with open(self.path, encoding="ascii") as f:
                pid = f.read().strip()
        except (OSError, ValueError):
            return ""
        return f" (pid {pid})" if pid.isdigit() else ""

    def release(self):
        if self.fd is None:
            return
        remove_quietly(self.path)  # still locked: a process that opened it sees it unlinked and retries
        os.close(self.fd)
        self.fd = None
        if self.created_folder:
            with contextlib.suppress(OSError):
                os.rmdir(self.folder)  # only if empty

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

"""The repository's paths: its root, the data folder and the tables in it, where set names are looked up, the
per-user cache, and the C++ harness. Standard library only, no side effects: any module may import it first.
"""
import os

from src.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CONFIG = os.path.join(ROOT, "default_config.yaml")
CONFIGS_DIR = os.path.join(ROOT, "configs")
CHECKPOINTS_DIR = os.path.join(ROOT, "checkpoints")

# The project's data folder: ships Set5 and the tables of the sets download.py fetches; the default place for sets.
DATA_DIR = os.path.join(ROOT, "data")
SOURCES_FILE = os.path.join(DATA_DIR, "sources.yaml")  # every set by name: its role and its pinned source
SHA256SUMS_FILE = os.path.join(DATA_DIR, "SHA256SUMS")  # the sha256 of every file download.py installs
DATA_DIR_VARIABLE = "FSRCNN_DATA_DIR"

# The C++ serving harness (ascend310_infer/build.sh builds its programs into out/; MindSpore Lite, when fetched,
# lands in third_party/).
HARNESS_DIR = os.path.join(ROOT, "ascend310_infer")
HARNESS = os.path.join(HARNESS_DIR, "out", "fsrcnn_infer")
CONVERTER = os.path.join(HARNESS_DIR, "out", "convert_model")
THIRD_PARTY_DIR = os.path.join(ROOT, "third_party")


def in_repository(path):
    """A relative path that names nothing from the working directory but names a file or folder from the repository
    root (a shipped checkpoint or config as the docs name them, typed in another folder): that one, under ROOT.
    Anything else is returned as given (its own error, if any, comes from the command that reads it)."""
    if not path or os.path.isabs(path) or os.path.lexists(path):
        return path
    candidate = os.path.join(ROOT, path)
    return candidate if os.path.exists(candidate) else path


def cache_dir():
    """The per-user cache of this project ($XDG_CACHE_HOME, else ~/.cache, then fsrcnn-mindspore): the oneDNN
    decision of src/environment.py and the graph-kernel compiler's kernels. Read at each call (tests move it)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fsrcnn-mindspore")


def data_folder_origin(data_dir=""):
    """What chose data_folder(data_dir), in words for messages."""
    if data_dir:
        return "--data_dir"
    return DATA_DIR_VARIABLE if os.environ.get(DATA_DIR_VARIABLE) else "the project's data folder"


def data_folder(data_dir=""):
    """Where set names are looked up and download.py installs sets: data_dir (--data_dir) if given, else
    $FSRCNN_DATA_DIR, else the project's data/ folder, which ships Set5: a fresh clone needs no flag, and tests and
    CI point the variable at their own copy. A file there instead of a folder is a UserError saying so."""
    folder = data_dir or os.environ.get(DATA_DIR_VARIABLE) or DATA_DIR
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UserError(f"{folder} ({data_folder_origin(data_dir)}): a file, not a folder of datasets")
    return folder

#!/usr/bin/env bash
# Build the C++ harness into ascend310_infer/out/: fsrcnn_infer and, with MindSpore Lite, convert_model.
#
#   bash ascend310_infer/build.sh [MINDSPORE_ROOT]
#
# MINDSPORE_ROOT (argument or environment variable): a package with include/api/model.h and lib/: on Ascend 310
# the mindspore-ascend package (python -c 'import mindspore, os; print(os.path.dirname(mindspore.__file__))') or
# the runtime/ folder of a MindSpore Lite tarball.
# Without it, MindSpore Lite 2.0.0 (the only Lite on PyPI) is downloaded once into third_party/ and used on CPU.
# Its wheel is tagged cp37, but its include/ and lib/ do not need Python: pip fetches the (hash-pinned) x86_64
# wheel for that tag and only those two folders are unpacked. Needs cmake >= 3.14, a C++17 compiler and pip.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
lite_version=2.0.0
lite_sha256=199cd0605cc985b88eddb273db9dfe9000a585ba10ca2292b6b36ebfff07b3ec

fetch_lite() {
  local dest=$1
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "fetching mindspore-lite==$lite_version from PyPI into $dest"
  echo "mindspore-lite==$lite_version --hash=sha256:$lite_sha256" > "$tmp/requirements.txt"
  if ! "$python" -m pip download --quiet --no-deps --require-hashes --only-binary=:all: --python-version 3.7 \
      --platform manylinux2014_x86_64 -r "$tmp/requirements.txt" -d "$tmp"; then
    echo "error: cannot download mindspore-lite==$lite_version from PyPI (needed to build the C++ harness);" \
         "pass MINDSPORE_ROOT=<a MindSpore Lite package> instead" >&2
    exit 1
  fi
  "$python" - "$tmp"/mindspore_lite-*.whl "$tmp/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    wheel.extractall(sys.argv[2], [n for n in wheel.namelist()
                                   if n.startswith(("mindspore_lite/include/", "mindspore_lite/lib/"))])
PY
  # Renamed into place in one step: an interrupted fetch leaves no half package that would count as cached.
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.partial" && mv "$tmp/unpacked/mindspore_lite" "$dest.partial" && mv "$dest.partial" "$dest"
}

root=${1:-${MINDSPORE_ROOT:-}}
if [ -z "$root" ]; then
  root="$(dirname "$here")/third_party/mindspore-lite-$lite_version"
  [ -f "$root/include/api/model.h" ] || fetch_lite "$root"
fi
cmake -S "$here" -B "$here/build" -DMINDSPORE_ROOT="$(cd "$root" && pwd)"
cmake --build "$here/build" -j "$(nproc)"

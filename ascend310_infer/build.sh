#!/usr/bin/env bash
# Build the C++ harness into ascend310_infer/out/: fsrcnn_infer and, with the PyPI MindSpore Lite, convert_model.
#
#   bash ascend310_infer/build.sh [LITE_HOME]          # or MS_LITE_HOME=... bash ascend310_infer/build.sh
#
# LITE_HOME (argument, else MS_LITE_HOME): an unpacked MindSpore Lite tarball (its top folder or its runtime/), the
# ModelZoo cpp_infer pattern; on Ascend (310) the cloud-side tarball with the Ascend backend, and CANN's set_env.sh
# is sourced when installed (scripts/lite_env.sh). The mindspore Python package is refused with a one-line error: it
# has no C++ inference API since MindSpore 2.2.
# Without either, MindSpore Lite 2.0.0 (the only Lite on PyPI) is downloaded once into third_party/ and used on CPU.
# Its wheel is tagged cp37, but its include/ and lib/ do not need Python: pip fetches the (hash-pinned) x86_64
# wheel for that tag and only those two folders are unpacked. Needs cmake >= 3.14, a C++17 compiler and pip.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lite_env.sh
source "$here/../scripts/lite_env.sh"
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
         "pass MS_LITE_HOME=<an unpacked MindSpore Lite tarball> instead" >&2
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

lite_home=${1:-${MS_LITE_HOME:-}}
if [[ -n $lite_home ]]; then
  runtime=$(lite_runtime "$lite_home") || exit 2
  source_cann_env
else
  runtime="$(dirname "$here")/third_party/mindspore-lite-$lite_version"
  [ -f "$runtime/include/api/model.h" ] || fetch_lite "$runtime"
fi
cmake -S "$here" -B "$here/build" -DLITE_RUNTIME="$(cd "$runtime" && pwd)"
cmake --build "$here/build" -j "$(nproc)"

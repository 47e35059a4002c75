# shellcheck shell=bash
# Shared by ascend310_infer/build.sh and scripts/infer_chain.sh (sourced, not run): where MindSpore Lite's C++ runtime
# is, and CANN's environment for running it on Ascend.
#
# Since MindSpore 2.2 the C++ inference API (include/api/model.h, libmindspore-lite.so) ships only in MindSpore Lite,
# not in the mindspore Python package (the 2.10 wheel has neither: docs/serving.md). The Ascend 310 chain needs the
# cloud-side Lite tarball with the Ascend backend, mindspore-lite-<version>-linux-{x64,aarch64}.tar.gz, unpacked;
# MS_LITE_HOME is its top folder (the one holding runtime/), as in ModelZoo's cpp_infer builds.

LITE_INSTALL_HINT="install MindSpore Lite (the cloud-side tarball mindspore-lite-<version>-linux-<arch>.tar.gz with the \
Ascend backend, of the MindSpore version that exported the model) and pass MS_LITE_HOME=<its unpacked folder>"

# lite_runtime DIR: print the Lite runtime folder (include/api/model.h and lib/) of DIR, which is a Lite tarball's
# top folder or its runtime/ folder; anything else is one line "error: ..." on stderr and return code 2.
lite_runtime() {
    local dir=$1
    if [[ -z $dir ]]; then
        echo "error: no MindSpore Lite given (MS_LITE_HOME is not set): $LITE_INSTALL_HINT" >&2
        return 2
    fi
    if [[ ! -d $dir ]]; then
        echo "error: '$dir' (the MindSpore Lite folder) does not exist: $LITE_INSTALL_HINT" >&2
        return 2
    fi
    local candidate
    for candidate in "$dir/runtime" "$dir"; do
        if [[ -f $candidate/include/api/model.h && -d $candidate/lib ]]; then
            (cd "$candidate" && pwd)
            return 0
        fi
    done
    if compgen -G "$dir/_c_expression*.so" > /dev/null || [[ -f $dir/lib/libmindspore_core.so && -d $dir/include/mindspore ]]; then
        echo "error: '$dir' is the mindspore Python package, which has no C++ inference API since MindSpore 2.2" \
             "(no include/api/model.h, no libmindspore.so): $LITE_INSTALL_HINT" >&2
    else
        echo "error: '$dir' holds no runtime/include/api/model.h: not a MindSpore Lite package; $LITE_INSTALL_HINT" >&2
    fi
    return 2
}

# source_cann_env: source CANN's set_env.sh when one is installed and not sourced yet (ASCEND_HOME, default
# /usr/local/Ascend: the toolkit, nnrt on inference-only 310 hosts, or nnae). Prints which one; nothing without CANN.
source_cann_env() {
    [[ -n ${ASCEND_TOOLKIT_HOME:-}${ASCEND_HOME_PATH:-} ]] && return 0  # already sourced
    local home=${ASCEND_HOME:-/usr/local/Ascend} script flags=$-
    for script in "$home/ascend-toolkit/set_env.sh" "$home/nnrt/set_env.sh" "$home/nnae/set_env.sh"; do
        if [[ -f $script ]]; then
            echo "CANN environment: $script"
            set +eu  # CANN's scripts read variables that may be unset and run commands that may fail
            # shellcheck disable=SC1090
            source "$script"
            [[ $flags == *e* ]] && set -e
            [[ $flags == *u* ]] && set -u
            return 0
        fi
    done
    return 0
}

# shellcheck shell=bash
# Shared by scripts/run_*.sh (sourced, not run): argument split, path checks, log folder, launchers, exit codes.
#
# Environment knobs (all optional):
#   LOG_DIR           where the logs go (default outputs/logs/<script name>, relative to the working directory)
#   MASTER_PORT       msrun scheduler port (default 8118)
#   CLUSTER_TIME_OUT  msrun: seconds the ranks wait for each other to join (default 120); a rank that dies before
#                     joining makes the job fail after this long instead of hanging
#   PYTHON            interpreter for standalone, mpirun and rank-table runs (default python)
#   DEVICE_START      rank-table runs: first device id (default 0; rank r uses DEVICE_START + r)
#
# Data-parallel runs (msrun, mpirun, rank table): each rank works in its own folder $LOG_DIR/rank_<r>/ (created here;
# train.py moves into it after joining the group, src/device.py enter_rank_dir, once its paths are absolute), so
# what MindSpore and CANN write into the working directory never mixes between ranks. Paths given to the launcher
# and to train.py stay relative to the folder it was started from.

# shellcheck disable=SC2034  # ROOT, POSITIONAL, EXTRA, DATA_ARGS, LOG_DIR are read by the sourcing script
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python}"

usage() {
    echo "usage: $USAGE" >&2
    exit 2
}

fail() {
    echo "error: $*" >&2
    exit 2
}

# split_args MIN MAX ARG...: the leading arguments that do not start with "--" are POSITIONAL (MIN..MAX of them);
# the rest, from the first "--option" on, are EXTRA and go to the Python script unchanged.
split_args() {
    local min=$1 max=$2
    shift 2
    if [[ ${1:-} == "-h" || ${1:-} == "--help" ]]; then
        echo "usage: $USAGE"
        exit 0
    fi
    POSITIONAL=()
    while [[ $# -gt 0 && $1 != --* ]]; do
        POSITIONAL+=("$1")
        shift
    done
    EXTRA=("$@")
    if (( ${#POSITIONAL[@]} < min || ${#POSITIONAL[@]} > max )); then
        usage
    fi
}

require_count() {  # require_count VALUE NAME: a positive integer
    [[ $1 =~ ^[1-9][0-9]*$ ]] || fail "$2 must be a positive integer, got '$1'"
}

require_one_of() {  # require_one_of VALUE NAME CHOICE...
    local value=$1 name=$2
    shift 2
    local choice
    for choice in "$@"; do
        [[ $value == "$choice" ]] && return 0
    done
    fail "$name must be one of $*, got '$value'"
}

abs_paths() {  # abs_paths NAME LIST: each comma-separated path must exist; prints them absolute, comma-separated
    local name=$1 path out=()
    local -a paths
    IFS=',' read -r -a paths <<< "$2"
    for path in "${paths[@]}"; do
        [[ -e $path ]] || fail "$name '$path' does not exist"
        out+=("$(realpath -- "$path")")
    done
    (IFS=','; echo "${out[*]}")
}

# data_args TRAIN_DATA [VAL_DATA]: DATA_ARGS=(--train_data ABS [--val_data ABS]) after checking the paths exist
data_args() {
    local train val
    train=$(abs_paths TRAIN_DATA "$1") || exit 2
    DATA_ARGS=(--train_data "$train")
    if [[ -n ${2:-} ]]; then
        val=$(abs_paths VAL_DATA "$2") || exit 2
        DATA_ARGS+=(--val_data "$val")
    fi
}

use_log_dir() {  # use_log_dir NAME: LOG_DIR (default outputs/logs/NAME), created and made absolute
    LOG_DIR="${LOG_DIR:-outputs/logs/$1}"
    mkdir -p "$LOG_DIR" || fail "cannot create log folder '$LOG_DIR'"
    LOG_DIR="$(realpath -- "$LOG_DIR")"
    echo "logs: $LOG_DIR"
}

require_command() {
    command -v "$1" > /dev/null || fail "'$1' not found: $2"
}

# wait_all PID...: wait for every process; at the first non-zero exit, stop the others (no rank waits forever on a
# dead peer) and return that exit code. Each PID is waited for by its id: `wait -n` answers 127 ("no child") for a
# rank that ended while the shell was running something else (bash had already collected it).
wait_all() {
    local pid code remaining=("$@") running
    while (( ${#remaining[@]} > 0 )); do
        running=()
        for pid in "${remaining[@]}"; do
            if kill -0 "$pid" 2> /dev/null; then
                running+=("$pid")
                continue
            fi
            wait "$pid"
            code=$?
            if (( code != 0 )); then
                echo "error: a rank exited with code $code: stopping the others" >&2
                kill "$@" 2> /dev/null
                wait
                return "$code"
            fi
        done
        remaining=("${running[@]}")
        (( ${#remaining[@]} > 0 )) && sleep 1
    done
    return 0
}

# rank_dirs WORKERS: create $LOG_DIR/rank_0 .. rank_<WORKERS-1> and export their parent for src/device.py
rank_dirs() {
    local rank
    for (( rank = 0; rank < $1; rank++ )); do
        mkdir -p "$LOG_DIR/rank_$rank" || fail "cannot create the rank folder '$LOG_DIR/rank_$rank'"
    done
    export FSRCNN_RANK_DIRS="$LOG_DIR"
    echo "rank working directories: $LOG_DIR/rank_0 .. rank_$(( $1 - 1 ))"
}

# launch MODE WORKERS SCRIPT ARG...: run SCRIPT (train.py, eval.py, export.py) with the given arguments, copy the
# console to $LOG_DIR/launcher.log and exit with the run's exit code (msrun and mpirun: 0 or their failure code; 2
# with the rank's line repeated last when a rank failed on a user error, rank_error).
#   single     one process (launcher variables unset, so a stale environment cannot start a distributed run)
#   msrun      WORKERS processes on this machine, always --join=True (without it msrun returns 0 at once)
#   mpirun     WORKERS processes through OpenMPI
#   ranktable  WORKERS processes, one per device of RANK_TABLE_FILE (Ascend), logs in $LOG_DIR/rank_<r>.log
# Every mode but single gives each rank its own working directory (rank_dirs).
launch() {
    local mode=$1 workers=$2 code
    shift 2
    local log="$LOG_DIR/launcher.log" stamp="$LOG_DIR/.launched"
    touch "$stamp"  # rank logs newer than this are this launch's (rank_error)
    case $mode in
        single)
            unset MS_ROLE OMPI_COMM_WORLD_SIZE RANK_TABLE_FILE FSRCNN_RANK_DIRS
            "$PYTHON" "$@" 2>&1 | tee "$log"
            code=${PIPESTATUS[0]} ;;
        msrun)
            require_command msrun "it comes with MindSpore (activate the environment that has mindspore)"
            rank_dirs "$workers"
            msrun --worker_num="$workers" --local_worker_num="$workers" --master_port="${MASTER_PORT:-8118}" \
                --log_dir="$LOG_DIR" --join=True --cluster_time_out="${CLUSTER_TIME_OUT:-120}" \
                "$@" 2>&1 | tee "$log"
            code=${PIPESTATUS[0]} ;;
        mpirun)
            require_command mpirun "install OpenMPI, or run without LAUNCHER=mpirun to use msrun"
            local as_root=()
            (( EUID == 0 )) && as_root=(--allow-run-as-root)
            rank_dirs "$workers"
            mpirun "${as_root[@]}" -n "$workers" --output-filename "$LOG_DIR/mpirun" --merge-stderr-to-stdout \
                "$PYTHON" "$@" 2>&1 | tee "$log"
            code=${PIPESTATUS[0]} ;;
        ranktable)
            local rank pids=() start=${DEVICE_START:-0}
            # digits only before any arithmetic: bash evaluates a variable's text inside $(( )), $(...) included
            [[ $start =~ ^[0-9]{1,6}$ ]] || fail "DEVICE_START must be a device number (digits), got '$start'"
            rank_dirs "$workers"
            for (( rank = 0; rank < workers; rank++ )); do
                DEVICE_ID=$(( 10#$start + rank )) RANK_ID=$rank RANK_SIZE=$workers \
                    "$PYTHON" "$@" > "$LOG_DIR/rank_$rank.log" 2>&1 &
                pids+=($!)
            done
            echo "ranks 0..$(( workers - 1 )) started with RANK_TABLE_FILE=$RANK_TABLE_FILE;" \
                "follow them with: tail -f $LOG_DIR/rank_0.log" | tee "$log"
            wait_all "${pids[@]}"
            code=$? ;;
        *)
            fail "unknown launch mode '$mode'" ;;
    esac
    if (( code != 0 )) && [[ $mode != single ]]; then
        local error
        error=$(rank_error "$stamp")
        if [[ -n $error ]]; then  # the rank's own line, last, and its exit code (the launcher's 1 says nothing)
            echo "$error (from a rank's log in $LOG_DIR)" | tee -a "$log"
            code=2
        fi
    fi
    echo "exit code $code (logs in $LOG_DIR)" | tee -a "$log"
    exit "$code"
}

# rank_error STAMP: the first one-line error (cli_entry's "error: ...", exit code 2) in the rank logs this
# launch wrote (newer than STAMP: msrun's worker_<r>.log, mpirun's per-rank files, rank_<r>.log), which msrun
# buries under its own traceback and exit code 1; nothing if no rank printed one.
rank_error() {
    local file line
    while IFS= read -r file; do
        line=$(grep -m1 '^error: ' "$file" 2>/dev/null) && { echo "$line"; return; }
    done < <(find "$LOG_DIR" -type f -newer "$1" \
                  \( -name 'worker_*.log' -o -name 'rank_*.log' -o -path '*/mpirun/*' \) 2>/dev/null | sort)
}

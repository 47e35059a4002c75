"""Data-parallel training with msrun on CPU, the launch scripts, and resume after kill -9.

Real runs use a tiny data set (an .h5 of 6x6 patches made from the `image_folder` fixture) and `--deterministic
true` (one CPU kernel thread: identical runs give bit-identical weights). The GPU/Ascend launch paths cannot run here;
they are checked as dry runs: stand-in msrun/mpirun/python executables record the command lines the scripts build.
"""
import os
import signal
import socket
import subprocess
import sys
import time

import mindspore as ms
import numpy as np
import pytest

from conftest import ROOT, run_script
from src import checkpoint, dataset, device, prepare, train_data

FAST = ["--scale", "4", "--deterministic", "true", "--seed", "7"]


def _h5(tmp_path, images, stride=0):
    out = tmp_path / f"train_s{stride}.h5"
    prepare.main(["--images", str(images), "--h5_file", str(out), "--scale", "4", "--patch_stride", str(stride)])
    return out


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_mentioning(marker):
    """Pids of live processes whose command line contains marker (a unique tmp path of this test)."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


def _run(cmd, tmp_path, timeout, **env):
    """Run cmd in tmp_path; on timeout stop it and everything it started (found by tmp_path), then fail."""
    # the interpreter's own msrun and python (beside sys.executable), also when its bin/ is not on PATH
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "GLOG_v": "3", "PATH": path, "PYTHON": sys.executable, **env},
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in [proc.pid] + _processes_mentioning(str(tmp_path)):
            os.kill(pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{cmd[:3]} still running after {timeout} s")
    return proc.returncode, out


def _launch(script, args, tmp_path, timeout=240, **env):
    env = dict(dict(LOG_DIR=str(tmp_path / "logs"), MASTER_PORT=str(_free_port()), CLUSTER_TIME_OUT="60"), **env)
    return _run(["bash", os.path.join(ROOT, "scripts", script)] + [str(a) for a in args], tmp_path, timeout, **env)


def _train(args, tmp_path):
    code, out = _run([sys.executable, os.path.join(ROOT, "train.py")] + [str(a) for a in args], tmp_path, 240)
    assert code == 0, out
    return out


def _state(path):
    return {k: v.asnumpy() for k, v in checkpoint.read(str(path))[0].items()}


def test_two_msrun_workers_equal_one_process_over_the_same_global_batches(tmp_path, image_folder):
    h5 = _h5(tmp_path, image_folder)
    common = FAST + ["--val_data", image_folder, "--epochs", 2, "--lr_schedule", "cosine"]
    code, out = _launch("run_train_cpu.sh", [2, h5] + common + ["--batch_size", 8, "--output_dir", "dp",
                                                                  "--save_all_ranks", "true"], tmp_path)
    assert code == 0, out
    assert "global batch 16 = 2 device(s) x 8" in out and "epoch 2/2" in out
    logs = tmp_path / "logs"
    assert {"worker_0.log", "worker_1.log", "scheduler.log", "launcher.log"} <= set(os.listdir(logs))
    for rank in (0, 1):  # each rank in its own working directory; the relative --output_dir kept its meaning
        log = (logs / f"worker_{rank}.log").read_text()
        assert f"rank {rank}: working directory {logs / f'rank_{rank}'}\n" in log
    ranks = [_state(tmp_path / "dp" / f"last_rank{r}.ckpt") for r in (0, 1)]
    assert all(np.array_equal(ranks[0][k], ranks[1][k]) for k in ranks[0])  # bit-identical

    _train(common + ["--train_data", h5, "--batch_size", 16, "--output_dir", "one"], tmp_path)
    one, dp = _state(tmp_path / "one" / "last.ckpt"), _state(tmp_path / "dp" / "last.ckpt")
    assert set(one) == set(dp)  # weights and optimizer state
    assert max(float(np.abs(one[k] - dp[k]).max()) for k in one) < 1e-5

    code, out = _launch("run_eval.sh", ["CPU", tmp_path / "dp" / "best.ckpt", "--eval_sets", image_folder],
                        tmp_path, timeout=120)
    assert code == 0 and "images" in out and "PSNR" in out, out


def test_a_rank_that_raises_ends_the_launch_with_an_error(tmp_path, image_folder):
    """Rank 0 alone loads the validation set: a broken image there kills rank 0 after init() while rank 1 waits in
    its first all-reduce. msrun must stop rank 1 and exit non-zero (bounded by the ~30 s heartbeat), not hang."""
    val = tmp_path / "val"
    val.mkdir()
    (val / "broken.png").write_bytes(b"not an image")
    start = time.time()
    code, out = _launch("run_train_cpu.sh", [2, _h5(tmp_path, image_folder), val] + FAST +
                        ["--batch_size", 8, "--output_dir", "dp"], tmp_path, timeout=200)
    assert code == 2 and "exit code 2" in out  # the rank's user error, not msrun's generic 1
    assert time.time() - start < 150
    assert "broken.png: not an image Pillow can read" in (tmp_path / "logs" / "worker_0.log").read_text()
    last = out.strip().splitlines()[-2:]  # the rank's line comes last, before the exit code
    assert last[0].startswith("error: ") and "broken.png: not an image Pillow can read" in last[0], out
    assert not _processes_mentioning(str(tmp_path))


def test_kill_9_mid_epoch_then_resume_gives_the_uninterrupted_weights(tmp_path, image_folder):
    """Checks the exact case: a kill loses the unfinished epoch, --resume redoes it from last.ckpt (weights, Adam
    moments, global_step driving the cosine schedule), and the final state is bit-identical to a run never killed."""
    h5 = _h5(tmp_path, image_folder, stride=1)  # ~2500 patches: epochs of ~300 steps, long enough to kill inside
    args = FAST + ["--train_data", h5, "--val_data", image_folder, "--epochs", 4, "--batch_size", 8,
                   "--lr_schedule", "cosine"]
    _train(args + ["--output_dir", "ref"], tmp_path)

    cmd = [sys.executable, os.path.join(ROOT, "train.py")] + [str(a) for a in args + ["--output_dir", "run"]]
    victim = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=dict(os.environ, GLOG_v="3"))
    for line in victim.stdout:
        if line.startswith("epoch 2/4"):  # printed once epoch 2 is in last.ckpt: epoch 3 starts now
            time.sleep(0.3)
            victim.kill()
            break
    victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    rows = (tmp_path / "run" / "log.csv").read_text().splitlines()
    assert len(rows) == 3, rows  # header + epochs 1-2: killed inside epoch 3
    params, info = checkpoint.read(str(tmp_path / "run" / "last.ckpt"))  # loadable after the kill
    steps_per_epoch = len(dataset.read_train_h5(str(h5), 4)[0]) // 8
    assert info["epoch"] == 1 and int(params["global_step"].asnumpy()[0]) == 2 * steps_per_epoch
    assert np.abs(params["moment2.deconv.weight"].asnumpy()).max() > 0  # Adam state is in last.ckpt

    out = _train(args + ["--output_dir", "run", "--resume", "true"], tmp_path)
    assert "epoch 3/4" in out and "epoch 2/4" not in out
    resumed, reference = _state(tmp_path / "run" / "last.ckpt"), _state(tmp_path / "ref" / "last.ckpt")
    assert set(resumed) == set(reference)
    assert all(np.array_equal(resumed[k], reference[k]) for k in reference), \
        [k for k in reference if not np.array_equal(resumed[k], reference[k])]


def test_each_pass_of_the_pipeline_is_the_next_epochs_batches(image_folder):
    """Model.train reads the dataset once per epoch: pass k of a run resumed at epoch 2 must be epoch 2 + k."""
    source = train_data.RandomPatches(train_data.load_folder_pairs([str(image_folder)], 4, False), 4, 6, 4, False,
                                      batch_size=4, seed=1)
    steps = len(source)
    data = train_data.make_dataset(source, first_epoch=2, epochs=4, num_workers=2)
    assert data.get_dataset_size() == steps
    iterator = data.create_tuple_iterator(num_epochs=2, output_numpy=True)
    for epoch in (2, 3):
        batches = list(iterator)
        assert len(batches) == steps
        for step in (0, steps - 1):
            expected_lr, expected_hr = source.batch(epoch, step)
            assert np.array_equal(batches[step][0], expected_lr) and np.array_equal(batches[step][1], expected_hr)
    assert not np.array_equal(source.batch(2, 0)[0], source.batch(3, 0)[0])


@pytest.mark.parametrize("env,expected", [({}, False), ({"MS_ROLE": "MS_WORKER"}, True),
                                          ({"MS_ROLE": "MS_SCHED"}, True), ({"OMPI_COMM_WORLD_SIZE": "8"}, True),
                                          ({"RANK_TABLE_FILE": "/x/hccl.json"}, True)])
def test_launcher_detection(monkeypatch, env, expected):
    for var in ("MS_ROLE", "OMPI_COMM_WORLD_SIZE", "RANK_TABLE_FILE"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert device.launched_distributed() is expected


@pytest.mark.parametrize("argv,fragment", [(["--amp_level", "O2"], "amp_level O2 needs float16 kernels"),
                                           (["--amp_level", "O5"], "amp_level 'O5' is not one of O0, O1, O2, O3"),
                                           (["--dataset_sink_mode", "true"], "dataset_sink_mode needs a device")])
def test_cpu_refuses_gpu_ascend_only_options(argv, fragment, image_folder, capsys):
    code, _, err = run_script("train", ["--train_data", str(image_folder), "--val_data", str(image_folder)] + argv,
                              capsys)
    assert code == 2 and err.startswith("error: ") and fragment in err, err


@pytest.mark.skipif(ms.device_context.gpu.is_available(), reason="this machine has a usable GPU")
def test_a_missing_device_is_a_one_line_error(tmp_path, capsys):
    code, _, err = run_script("train", ["--device_target", "GPU", "--output_dir", str(tmp_path)], capsys)
    assert code == 2 and err.startswith("error: device_target GPU is not available here"), err
    assert "CUDA 11.1/11.6" in err and "cuDNN 8" in err and err.count("\n") == 1


def test_a_missing_gpu_plugin_names_the_library_mindspore_could_not_load(tmp_path, capsys, monkeypatch):
    """MindSpore records why it could not load a plugin (GLOG_v=3 hides it): the error quotes the lines of the
    device asked for, not the other devices'."""
    from src import device
    monkeypatch.setattr(ms.device_context.gpu, "is_available", lambda: False)
    monkeypatch.setattr(device, "plugin_load_messages", lambda: (
        "Load dynamic library: libmindspore_ascend.so.2 failed. libge_runner.so: cannot open shared object file\n"
        "Load dynamic library: libmindspore_gpu.so.11.6 failed. libcudnn.so.8: cannot open shared object file\n"))
    code, _, err = run_script("train", ["--device_target", "GPU", "--output_dir", str(tmp_path)], capsys)
    assert code == 2 and "libmindspore_gpu.so.11.6 failed. libcudnn.so.8: cannot open shared object file" in err
    assert "ge_runner" not in err and err.count("\n") == 1


# ---------------------------------------------------------------- launch scripts: arguments and dry runs
SCRIPTS = {"run_train_cpu.sh": 2, "run_train_gpu.sh": 2, "run_train_ascend.sh": 2, "run_standalone_train_gpu.sh": 1,
           "run_standalone_train_ascend.sh": 1, "run_eval.sh": 2, "run_export.sh": 2}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_scripts_print_usage_and_check_paths(script, tmp_path):
    code, out = _launch(script, [], tmp_path, timeout=30)
    assert code == 2 and out.startswith("usage: ") and script in out
    missing = tmp_path / "missing"
    first = ["CPU"] if script in ("run_eval.sh", "run_export.sh") else ["2"] * (SCRIPTS[script] - 1)
    code, out = _launch(script, first + [missing], tmp_path, timeout=30)
    assert code == 2 and f"'{missing}' does not exist" in out
    if SCRIPTS[script] == 2:
        code, out = _launch(script, ["two", tmp_path], tmp_path, timeout=30)
        assert code == 2 and "error:" in out and "'two'" in out


def _stand_in(folder, name, body):
    """An executable `name` in folder that records its arguments and environment, then runs body."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/usr/bin/env bash\n"
                    'echo "ARGS $* ENV RANK_DIRS=${FSRCNN_RANK_DIRS:-} HCCL_EXEC_TIMEOUT=${HCCL_EXEC_TIMEOUT:-} '
                    'RANK_ID=${RANK_ID:-} DEVICE_ID=${DEVICE_ID:-} RANK_SIZE=${RANK_SIZE:-} '
                    'RANK_TABLE_FILE=${RANK_TABLE_FILE:-} MS_ROLE=${MS_ROLE:-}"\n' + body + "\n")
    path.chmod(0o755)
    return path


def test_gpu_and_ascend_launch_lines_dry_run(tmp_path):
    data = tmp_path / "t.h5"
    data.write_bytes(b"")
    bin_dir = tmp_path / "bin"
    _stand_in(bin_dir, "msrun", "exit 3")
    _stand_in(bin_dir, "mpirun", "exit 4")
    path = f"{bin_dir}:{os.environ['PATH']}"
    extra = ["--config_path", "configs/fsrcnn/x4.yaml", "--epochs", "3"]

    code, out = _launch("run_train_gpu.sh", [8, data, tmp_path] + extra, tmp_path, PATH=path)
    assert code == 3 and "exit code 3" in out
    assert "--worker_num=8 --local_worker_num=8" in out and "--join=True" in out
    assert (f"train.py --device_target GPU --train_data {data} --val_data {tmp_path} "
            "--config_path configs/fsrcnn/x4.yaml --epochs 3") in out

    code, out = _launch("run_train_gpu.sh", [8, data] + extra, tmp_path, PATH=path, LAUNCHER="mpirun")
    assert code == 4 and "-n 8" in out and "train.py --device_target GPU" in out and "--epochs 3" in out

    # 2 processes: two working directories, named to the ranks (src/device.py moves each rank into its own)
    logs = tmp_path / "logs2"
    code, out = _launch("run_train_gpu.sh", [2, data] + extra, tmp_path, PATH=path, LOG_DIR=str(logs))
    assert code == 3 and f"rank working directories: {logs}/rank_0 .. rank_1" in out
    assert f"ENV RANK_DIRS={logs} HCCL_EXEC_TIMEOUT= " in out
    assert sorted(p.name for p in logs.iterdir() if p.is_dir()) == ["rank_0", "rank_1"]

    code, out = _launch("run_train_ascend.sh", [4, data] + extra, tmp_path, PATH=path)
    assert code == 3 and "--worker_num=4" in out and "--device_target Ascend" in out

    # rank table: one process per device; rank 1 fails (after the others logged), the others are stopped and its
    # exit code comes back
    table = tmp_path / "hccl_4p.json"
    table.write_text("{}")
    python = _stand_in(bin_dir, "python", '[[ $RANK_ID == 1 ]] && { sleep 1; exit 5; }; exec sleep 60')
    start = time.time()
    code, out = _launch("run_train_ascend.sh", [4, data] + extra, tmp_path, PYTHON=str(python),
                        RANK_TABLE_FILE=str(table), DEVICE_START="4")
    assert code == 5 and time.time() - start < 20, out
    rank3 = (tmp_path / "logs" / "rank_3.log").read_text()
    assert f"RANK_ID=3 DEVICE_ID=7 RANK_SIZE=4 RANK_TABLE_FILE={table}" in rank3 and "--epochs 3" in rank3
    # Ascend: a stated collective timeout (rank 0 validates while the others wait), per-rank working directories
    assert f"RANK_DIRS={tmp_path / 'logs'} HCCL_EXEC_TIMEOUT=3672 " in rank3
    assert all((tmp_path / "logs" / f"rank_{rank}").is_dir() for rank in range(4))

    # standalone: one process, launcher variables of a stale environment removed; exit code passed through
    python = _stand_in(bin_dir, "python", "exit 6")
    code, out = _launch("run_standalone_train_ascend.sh", [data] + extra, tmp_path, PYTHON=str(python),
                        MS_ROLE="MS_WORKER", RANK_TABLE_FILE=str(table), FSRCNN_RANK_DIRS=str(tmp_path))
    assert code == 6 and "--device_target Ascend" in out and "RANK_TABLE_FILE= MS_ROLE=\n" in out
    assert "ENV RANK_DIRS= " in out  # one process: the working directory stays
    code, out = _launch("run_export.sh", ["GPU", data, "ONNX", "--file_name", "x"], tmp_path, PYTHON=str(python))
    assert code == 6 and f"export.py --device_target GPU --ckpt_file {data} --file_format ONNX --file_name x" in out

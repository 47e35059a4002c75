"""The device paths, checked on CPU (no GPU or Ascend is reachable here): the Ascend 310 chain on MindSpore Lite
(refusals, the Lite-tarball build, the precision option), Ascend's jit_level, per-rank working directories, the
graph-kernel cache, mixed precision (O3's loss scale, float32 validation, resume across levels), and
scripts/device_smoke.sh (bash -n, a dry run, and its CPU steps for real)."""
import os
import re
import subprocess
import sys
import types

import mindspore as ms
import numpy as np
import pytest

from conftest import ROOT, run_script
from src import checkpoint, config, device, environment, evaluate, models, serving, trainer
from src.errors import UserError

ENV = dict(os.environ, GLOG_v="3", PYTHON=sys.executable)
ENV.pop("MS_LITE_HOME", None)
LITE_PYPI = os.path.join(ROOT, "third_party", "mindspore-lite-2.0.0")
MINDSPORE_PACKAGE = os.path.dirname(ms.__file__)


def _bash(args, timeout=120, **env):
    return subprocess.run(["bash", *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False,
                          env=dict(ENV, **env))


def _one_error_line(result, *fragments):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# ---------------------------------------------------------------- Ascend 310: MindSpore Lite, never the mindspore package
INFER_310 = os.path.join(ROOT, "scripts", "run_infer_310.sh")


def test_310_chain_refuses_the_mindspore_package_in_one_line(tmp_path):
    """MindSpore 2.10's wheel has no include/api/model.h nor libmindspore.so: the chain says so and what to install,
    before anything is built or created."""
    work = tmp_path / "work"
    result = _bash([INFER_310], MS_LITE_HOME=MINDSPORE_PACKAGE, WORK_DIR=str(work))
    _one_error_line(result, f"'{MINDSPORE_PACKAGE}' is the mindspore Python package",
                    "no C++ inference API since MindSpore 2.2", "install MindSpore Lite",
                    "mindspore-lite-<version>-linux-<arch>.tar.gz", "MS_LITE_HOME=")
    assert not work.exists()
    # the Lite folder as the fourth argument, like MS_LITE_HOME
    result = _bash([INFER_310, os.path.join(ROOT, "checkpoints", "fsrcnn_x4.ckpt"), "Set5",
                    os.path.join(ROOT, "configs", "fsrcnn", "x4.yaml"), MINDSPORE_PACKAGE], WORK_DIR=str(work))
    _one_error_line(result, "is the mindspore Python package")
    # and build.sh alone
    _one_error_line(_bash([os.path.join(ROOT, "ascend310_infer", "build.sh"), MINDSPORE_PACKAGE]),
                    "is the mindspore Python package")


def test_310_chain_without_lite_or_with_another_folder_is_one_line(tmp_path):
    work = tmp_path / "work"
    _one_error_line(_bash([INFER_310], WORK_DIR=str(work)), "no MindSpore Lite given (MS_LITE_HOME is not set)",
                    "install MindSpore Lite")
    _one_error_line(_bash([INFER_310], MS_LITE_HOME=str(tmp_path / "none"), WORK_DIR=str(work)),
                    "(the MindSpore Lite folder) does not exist")
    _one_error_line(_bash([INFER_310], MS_LITE_HOME=str(tmp_path), WORK_DIR=str(work)),
                    f"'{tmp_path}' holds no runtime/include/api/model.h: not a MindSpore Lite package")
    assert not work.exists()


def test_310_precision_mode_is_checked_before_anything_runs(tmp_path):
    lite = _lite_tarball(tmp_path / "lite")
    _one_error_line(_bash([INFER_310], MS_LITE_HOME=str(lite), PRECISION_MODE="fp32", WORK_DIR=str(tmp_path / "w")),
                    "PRECISION_MODE must be one of enforce_fp32 preferred_fp32", "got 'fp32'")


def test_cann_environment_is_sourced_when_installed(tmp_path):
    """scripts/lite_env.sh sources the first CANN set_env.sh under ASCEND_HOME (toolkit, nnrt, nnae), even under
    set -euo pipefail (CANN's scripts read unset variables), and keeps the caller's shell options; none: nothing."""
    (tmp_path / "nnrt").mkdir()
    (tmp_path / "nnrt" / "set_env.sh").write_text('export ASCEND_HOME_PATH="$tmp_unset/nnrt"\nfalse\n')
    code = (f"set -euo pipefail; source {ROOT}/scripts/lite_env.sh; source_cann_env; "
            'echo "home=$ASCEND_HOME_PATH flags=$-"')
    env = {k: v for k, v in ENV.items() if k not in ("ASCEND_TOOLKIT_HOME", "ASCEND_HOME_PATH")}
    out = subprocess.run(["bash", "-c", code], capture_output=True, text=True, env=dict(env, ASCEND_HOME=str(tmp_path)),
                         timeout=30, check=True).stdout
    assert f"CANN environment: {tmp_path}/nnrt/set_env.sh" in out and "home=/nnrt" in out
    assert "e" in out.split("flags=")[1] and "u" in out.split("flags=")[1]
    none = f'set -euo pipefail; source {ROOT}/scripts/lite_env.sh; source_cann_env; echo "home=${{ASCEND_HOME_PATH:-}}."'
    out = subprocess.run(["bash", "-c", none], capture_output=True, text=True,
                         env=dict(env, ASCEND_HOME=str(tmp_path / "no")), timeout=30, check=True).stdout
    assert out == "home=.\n"


def _lite_tarball(folder):
    """A MindSpore Lite tarball's layout made of the PyPI Lite 2.0 (links): runtime/include, runtime/lib with
    libmindspore-lite.so, and oneDNN only in runtime/third_party/dnnl/, where a tarball keeps it."""
    if not os.path.isfile(os.path.join(LITE_PYPI, "lib", "libmindspore-extendrt_python.so")):
        result = _bash([os.path.join(ROOT, "ascend310_infer", "build.sh")], timeout=900)  # fetches Lite once
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    runtime = folder / "runtime"
    (runtime / "lib").mkdir(parents=True)
    (runtime / "third_party" / "dnnl").mkdir(parents=True)
    os.symlink(os.path.join(LITE_PYPI, "include"), runtime / "include")
    for name in os.listdir(os.path.join(LITE_PYPI, "lib")):
        target = runtime / ("third_party/dnnl" if name == "libdnnl.so.2" else "lib") / name
        os.symlink(os.path.join(LITE_PYPI, "lib", name), target)
    os.symlink(os.path.join(LITE_PYPI, "lib", "libmindspore-extendrt_python.so"),
               runtime / "lib" / "libmindspore-lite.so")
    return folder


def test_harness_builds_against_a_lite_tarball_layout(tmp_path):
    """The ModelZoo cpp_infer pattern: libmindspore-lite.so, ENABLE_LITE, --allow-shlib-undefined, and an RPATH over
    lib/ and third_party/*: the program starts with oneDNN found only in third_party/ and no LD_LIBRARY_PATH."""
    runtime = _lite_tarball(tmp_path / "lite") / "runtime"
    build, out = tmp_path / "build", tmp_path / "out"
    configure = subprocess.run(["cmake", "-S", os.path.join(ROOT, "ascend310_infer"), "-B", str(build),
                                f"-DLITE_RUNTIME={runtime}", f"-DHARNESS_OUT_DIR={out}"],
                               capture_output=True, text=True, timeout=300, check=False)
    assert configure.returncode == 0, configure.stdout + configure.stderr
    assert f"MindSpore Lite runtime: {runtime}/lib/libmindspore-lite.so" in configure.stdout
    assert f"RPATH: {runtime}/lib;{runtime}/third_party/dnnl" in configure.stdout
    made = subprocess.run(["cmake", "--build", str(build), "--target", "fsrcnn_infer"], capture_output=True, text=True,
                          timeout=600, check=False)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    assert "--allow-shlib-undefined" in (build / "CMakeFiles" / "fsrcnn_infer.dir" / "link.txt").read_text()
    assert "-DENABLE_LITE" in (build / "CMakeFiles" / "fsrcnn_infer.dir" / "flags.make").read_text()
    dynamic = subprocess.run(["readelf", "-d", str(out / "fsrcnn_infer")], capture_output=True, text=True,
                             check=True).stdout
    assert f"Library rpath: [{runtime}/lib:{runtime}/third_party/dnnl]" in dynamic
    env = {k: v for k, v in ENV.items() if k != "LD_LIBRARY_PATH"}
    started = subprocess.run([str(out / "fsrcnn_infer"), "--help"], capture_output=True, text=True, env=env,
                             timeout=60, check=False)
    assert started.returncode == 0 and "--precision_mode" in started.stdout, started.stderr
    assert "convert_model" not in os.listdir(out)  # the converter is the PyPI Lite's only


@pytest.fixture(scope="module")
def harness():
    result = _bash([os.path.join(ROOT, "ascend310_infer", "build.sh")], timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return serving.HARNESS


def test_harness_precision_mode_option(harness, tmp_path):
    model = tmp_path / "m.mindir"
    model.write_bytes(b"x")
    (tmp_path / "in").mkdir()
    np.zeros((4, 4), np.float32).tofile(tmp_path / "in" / "a_4x4.bin")
    common = ["--model_path", str(model), "--input_dir", str(tmp_path / "in"), "--output_dir", str(tmp_path / "o")]

    def harness_run(*args):
        return subprocess.run([harness, *common, *args], capture_output=True, text=True, env=ENV, timeout=60,
                              check=False)

    _one_error_line(harness_run("--device", "Ascend310", "--precision_mode", "fp32"),
                    "--precision_mode 'fp32' is not one of enforce_fp32, preferred_fp32")
    _one_error_line(harness_run("--precision_mode", "enforce_fp32"), "--precision_mode is an Ascend option")
    assert "preferred_optimal, lite_default (lite_default: Lite's own, float16)" in harness_run("--help").stdout


# ---------------------------------------------------------------- device setup on Ascend and across ranks
def _cfg(argv, command="train"):
    return config.get_config(None, argv, command)


def test_ascend_runs_kernel_by_kernel(monkeypatch):
    """eval.py's dynamic-shape graph needs jit_level O0/O1 on Ascend (GraphEngine, O2, has no dynamic shape):
    device.setup sets O0 for every Ascend run; CPU and GPU keep MindSpore's choice."""
    calls = []
    monkeypatch.setattr(ms.device_context.ascend, "is_available", lambda: True)
    monkeypatch.setattr(ms, "set_device", lambda *args: calls.append(("set_device", args)))
    monkeypatch.setattr(ms, "set_context", lambda **kwargs: calls.append(("set_context", kwargs)))
    monkeypatch.setattr(ms, "set_deterministic", lambda flag: calls.append(("set_deterministic", flag)))
    for var in ("MS_ROLE", "OMPI_COMM_WORLD_SIZE", "RANK_TABLE_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DEVICE_ID", "3")
    assert device.setup(_cfg(["--device_target", "Ascend", "--deterministic", "true"])) == (0, 1)
    assert ("set_device", ("Ascend", 3)) in calls
    assert ("set_context", {"jit_config": {"jit_level": "O0"}}) in calls
    assert ("set_deterministic", True) in calls

    calls.clear()
    monkeypatch.setattr(ms.device_context.gpu, "is_available", lambda: True)
    device.setup(_cfg(["--device_target", "GPU"], "eval"))
    assert not any(name == "set_context" and "jit_config" in kwargs for name, kwargs in calls)


def test_jit_level_o0_is_a_setting_mindspore_accepts():
    code = "import mindspore as ms; ms.set_context(jit_config={'jit_level': 'O0'}); print(ms.get_context('jit_config'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=120,
                         check=True).stdout
    assert "'jit_level': 'O0'" in out


def test_every_text_key_of_train_is_known_to_be_a_path_or_not():
    """enter_rank_dir makes the paths of cfg absolute before a rank leaves the launch folder: a new text key must be
    classified (device.PATH_KEYS or NOT_PATH_KEYS), or a relative path in it would silently move with the rank."""
    groups, _ = config.load_groups()
    keys = {k: v for g in config.COMMANDS["train"] for k, v in groups[g].items()}
    for model in models.module_names():
        keys.update(config.load_network_keys(model)[0])
    text_keys = {k for k, v in keys.items() if isinstance(v, str)}
    assert sorted(text_keys - set(device.PATH_KEYS) - set(device.NOT_PATH_KEYS)) == []


def test_a_rank_works_in_its_own_folder_with_the_same_paths(tmp_path, monkeypatch):
    launch = tmp_path / "launch"
    (launch / "images").mkdir(parents=True)
    (launch / "init.ckpt").write_bytes(b"")
    monkeypatch.chdir(launch)
    monkeypatch.setenv(device.RANK_DIRS_VARIABLE, "logs")
    monkeypatch.setenv("FSRCNN_DATA_DIR", "sets")
    monkeypatch.delenv("MS_ROLE", raising=False)
    cfg = types.SimpleNamespace(output_dir="runs/a", data_dir="", init_ckpt="init.ckpt", train_data="images,T91",
                                val_data="Val20", model="fsrcnn", amp_level="O0")
    folder = device.enter_rank_dir(cfg, 1)
    assert folder == str(launch / "logs" / "rank_1") and os.getcwd() == folder
    assert cfg.output_dir == str(launch / "runs" / "a") and cfg.init_ckpt == str(launch / "init.ckpt")
    assert cfg.train_data == f"{launch / 'images'},T91"  # an existing folder made absolute, a set name kept
    assert cfg.val_data == "Val20" and cfg.data_dir == "" and cfg.model == "fsrcnn"
    assert os.environ["FSRCNN_DATA_DIR"] == str(launch / "sets")

    monkeypatch.delenv(device.RANK_DIRS_VARIABLE)  # not launched by the project's launchers: nothing moves
    assert device.enter_rank_dir(cfg, 0) is None and os.getcwd() == folder


@pytest.mark.skipif(device.graph_kernel_missing() is not None, reason="graph kernel fusion cannot run here")
def test_kernel_cache_is_set_only_when_graph_kernel_fusion_is_on(tmp_path):
    """environment.prepare() no longer sets MS_COMPILER_CACHE_PATH (on GPU/Ascend it would send every rank's caches
    into one folder); switching CPU fusion on sets it, in time for the fused kernels to land in the cache."""
    work = tmp_path / "work"
    work.mkdir()
    code = f"""
import sys; sys.path.insert(0, {ROOT!r})
import os
from src import environment
environment.prepare()
print("after prepare", "MS_COMPILER_CACHE_PATH" in os.environ)
import mindspore as ms, numpy as np
from src import device
from src.models.fsrcnn import FSRCNN
ms.set_device("CPU"); ms.set_context(mode=ms.GRAPH_MODE)
device._enable_graph_kernel()
print("after fusion", os.environ["MS_COMPILER_CACHE_PATH"])
FSRCNN(3)(ms.Tensor(np.ones((1, 1, 20, 18), np.float32))).asnumpy()
"""
    env = {k: v for k, v in ENV.items() if k != "MS_COMPILER_CACHE_PATH"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    proc = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cache = tmp_path / "cache" / "fsrcnn-mindspore" / "kernels"
    assert "after prepare False" in proc.stdout and f"after fusion {cache}" in proc.stdout
    assert any(name.endswith(".so") for name in os.listdir(cache / "akg_kernel_meta"))
    assert {p.name for p in work.iterdir()} <= {"dsa_transfrom.log"}


def test_prepare_leaves_the_compiler_cache_alone(monkeypatch):
    monkeypatch.delenv("MS_COMPILER_CACHE_PATH", raising=False)
    environment.prepare()
    assert "MS_COMPILER_CACHE_PATH" not in os.environ


# ---------------------------------------------------------------- mixed precision
def test_o3_trains_with_a_fixed_loss_scale():
    """At O3 (everything float16) the step scales the loss by 1000 before the gradients (ModelZoo EDSR's O3 scale)
    and the optimizer divides them by the same; O0 scales nothing; a mismatch is a programming error."""
    cfg = _cfg(["--amp_level", "O3"])
    spec = models.spec_for(cfg)
    optimizer = trainer.build_optimizer(spec, spec.build(), 10, loss_scale=trainer.optimizer_loss_scale("O3"))
    step = trainer.build_train_step(spec.build(), optimizer, spec.loss(6), "O3", spec.loss_terms)
    assert isinstance(step, ms.nn.TrainOneStepCell) and step.sens == 1000.0 == trainer.O3_LOSS_SCALE
    assert optimizer.loss_scale == 1000.0
    plain = trainer.build_optimizer(spec, spec.build(), 10)
    assert plain.loss_scale == 1.0 and trainer.build_train_step(spec.build(), plain, spec.loss(6), "O0",
                                                                spec.loss_terms).sens == 1.0
    with pytest.raises(ValueError, match="amp_level O3 needs an optimizer of loss_scale 1000.0"):
        trainer.build_train_step(spec.build(), plain, spec.loss(6), "O3", spec.loss_terms)


def test_validation_under_amp_scores_a_float32_copy(tmp_path, image_folder, monkeypatch):
    """O1-O3 cast the training network to float16 in place; validation (and the best epoch) scores a float32 twin
    holding the current weights: the PSNR of a fresh float32 network given the same weights. (The CPU refuses AMP,
    so its check is lifted: the O3 step is only built here, never run.)"""
    monkeypatch.setattr(device, "check_options", lambda cfg: None)
    cfg = _cfg(["--train_data", str(image_folder), "--val_data", str(image_folder), "--amp_level", "O3",
                "--epochs", "1", "--output_dir", str(tmp_path / "run")])
    with trainer.Trainer(cfg) as run:
        assert run.val_net is not run.net
        rng = np.random.default_rng(0)
        for p in run.net.get_parameters():  # "trained" weights, different from the twin's initial ones
            p.set_data(ms.Tensor(p.asnumpy() + rng.normal(0, 0.01, p.shape).astype(np.float32)))
        psnr, _ = run.validate()
        reference = run.spec.build()
        checkpoint.load_weights(reference, {p.name: p for p in run.net.get_parameters()}, "test", run.spec)
        reference.set_train(False)
        means, _ = evaluate.score_set(reference, run.val_images, cfg.scale, with_ssim=False, with_bicubic=False)
        assert psnr == pytest.approx(means["psnr"], abs=1e-6)
        assert run._info(epoch=0)["amp_level"] == "O3"  # what last.ckpt and best.ckpt record


@pytest.mark.parametrize("record,params,asked,fragment", [
    ({"amp_level": "O2"}, {}, "O0", "trained at amp_level O2 but --amp_level is O0: resume it with --amp_level O2"),
    ({"amp_level": "O0"}, {}, "O3", "trained at amp_level O0 but --amp_level is O3: resume it with --amp_level O0"),
    ({}, {"scale_sense": 1}, "O0", "trained at amp_level O2 but --amp_level is O0"),  # a file before the record
    ({}, {}, "O2", "trained at amp_level O0, O1 or O3 but --amp_level is O2"),
])
def test_resume_across_amp_levels_is_refused(record, params, asked, fragment):
    with pytest.raises(UserError, match=re.escape(fragment)):
        trainer.check_amp_level("last.ckpt", record, params, asked)
    trainer.check_amp_level("last.ckpt", record, params, record.get("amp_level", "O2" if params else "O0"))


def test_resume_at_another_amp_level_is_one_line(tmp_path, image_folder, capsys):
    """A run trained (here: recorded) at O2 resumed at O0: one line naming both levels, nothing trained."""
    run = tmp_path / "run"
    args = ["--train_data", str(image_folder), "--val_data", str(image_folder), "--scale", "4", "--epochs", "2",
            "--output_dir", str(run), "--deterministic", "true"]
    code, _, err = run_script("train", args + ["--epochs", "1"], capsys)
    assert code == 0, err
    params, info = checkpoint.read(str(run / "last.ckpt"))
    assert info["amp_level"] == "O0"
    checkpoint.save([{"name": k, "data": v} for k, v in params.items()], str(run / "last.ckpt"),
                    dict(info, amp_level="O2"))
    code, _, err = run_script("train", args + ["--resume", "true"], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "this run was trained at amp_level O2 but --amp_level is O0: resume it with --amp_level O2" in err


# ---------------------------------------------------------------- scripts/device_smoke.sh
SMOKE = os.path.join(ROOT, "scripts", "device_smoke.sh")
SMOKE_STEPS = ["install", "plugin", "eval", "train_o0", "train_o2_sink", "train_msrun1", "export", "bench", "torch"]


def test_smoke_script_parses():
    assert subprocess.run(["bash", "-n", SMOKE], capture_output=True, text=True, check=False).returncode == 0


def test_smoke_dry_run_prints_every_step_and_its_commands(tmp_path):
    result = _bash([SMOKE, "GPU"], DRY_RUN="1", TORCH_PY="/opt/torch/bin/python", OUT=str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert not (tmp_path / "o").exists()  # a dry run writes nothing
    for step in SMOKE_STEPS:
        assert f"\n{step} (at most " in out and f"\n{step:<15} dry-run" in out
    assert "nvidia-cudnn-cu11==8.9.6.50" in out and "mindspore==" not in out  # mindspore comes from requirements.txt
    assert f"eval.py --device_target GPU --ckpt_file {ROOT}/checkpoints/fsrcnn_x4.ckpt" in out
    assert "compare_eval" in out and "docs/results/fsrcnn_x4.json 0.05" in out
    assert "--amp_level O2 --dataset_sink_mode true" in out and "scripts/run_train_gpu.sh 1 " in out
    assert "env -u LD_LIBRARY_PATH /opt/torch/bin/python" in out

    result = _bash([SMOKE, "Ascend"], DRY_RUN="1")
    assert result.returncode == 0 and "scripts/run_train_ascend.sh 1 " in result.stdout
    assert "torch           skipped" in result.stdout and "nvidia-" not in result.stdout

    _one_error_line(_bash([SMOKE, "GPU"], DRY_RUN="1", STEPS="plugin,evl"), "STEPS: unknown step 'evl'")
    assert _bash([SMOKE, "TPU"]).returncode == 2


def test_smoke_steps_run_on_cpu(tmp_path):
    """The checks behind the device steps, run for real on CPU: the plugin check, eval.py against the published CPU
    figure (delta 0 here) and the export reloaded with nn.GraphCell."""
    out = tmp_path / "smoke"
    result = _bash([SMOKE, "CPU"], timeout=600, OUT=str(out), STEPS="plugin,eval,export")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "delta -0.0000 dB" in (out / "eval.log").read_text() or "delta +0.0000 dB" in (out / "eval.log").read_text()
    assert "(2, 1, 148, 212), max |diff| to the network" in (out / "export.log").read_text()
    for step in ("plugin", "eval", "export"):
        assert f"\n{step:<15} pass" in result.stdout
    # an existing, non-empty OUT is never written into
    _one_error_line(_bash([SMOKE, "CPU"], OUT=str(out), STEPS="plugin"), "is not empty")

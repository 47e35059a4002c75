"""The oneDNN ISA cap: decision from probe results (injected: each CPU kind), the user's override, the cache, and on
this machine that the kernels in force are never the reference ones and that capped outputs equal uncapped ones."""
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from src import device, environment

# Lines as MindSpore 2.10's oneDNN prints them (Intel Xeon with AMX, uncapped; the same with ONEDNN_MAX_CPU_ISA=AVX2).
REF_LINE = ("onednn_verbose,v1,primitive,exec,cpu,convolution,jit_uni_ncsp:conv+ref:any,forward_training,"
            "src:f32::blocked:abcd::f0 wei:f32::blocked:abcd::f0,,alg:convolution_direct,mb1_ic1oc8_ih16oh16kh5,0.1")
GEMM_LINE = ("onednn_verbose,v1,primitive,exec,cpu,convolution,x64:gemm:jit,forward_training,"
             "src:f32::blocked:abcd::f0 wei:f32::blocked:abcd::f0,,alg:convolution_direct,mb1_ic1oc8_ih16oh16kh5,0.1")
OLD_FORMAT_REF = "dnnl_verbose,exec,cpu,convolution,ref:any,forward_training,src_f32::blocked:abcd:f0,,,mb1,2.0"
CREATE_LINE = "onednn_verbose,v1,primitive,create:cache_miss,cpu,convolution,jit_uni_ncsp:conv+ref:any,forward"


def test_kernel_names_are_read_from_exec_lines_only():
    log = "\n".join(["onednn_verbose,v1,info,cpu,isa:Intel AVX-512", CREATE_LINE, REF_LINE, GEMM_LINE])
    assert environment.convolution_kernels(log) == ["jit_uni_ncsp:conv+ref:any", "x64:gemm:jit"]
    assert environment.convolution_kernels(OLD_FORMAT_REF) == ["ref:any"]
    assert environment.convolution_kernels("no verbose output") == []


def test_reference_kernel_is_recognised():
    assert environment.uses_reference_kernel(["jit_uni_ncsp:conv+ref:any"])
    assert environment.uses_reference_kernel(["x64:gemm:jit", "ref:any"])
    assert not environment.uses_reference_kernel(["x64:gemm:jit", "brg_conv_fwd:avx2", "jit:avx512_core"])
    assert not environment.uses_reference_kernel(["jit_1x1:avx2_prefer_ref"])  # "ref" only as a whole field


class FakeProbe:
    """Kernel names per cap, as a probe on one CPU kind would report them; records the caps it was asked for."""

    def __init__(self, kernels_by_cap):
        self.kernels_by_cap, self.asked = kernels_by_cap, []

    def __call__(self, cap):
        self.asked.append(cap)
        return self.kernels_by_cap.get(cap)


AMD_EPYC = {None: ["x64:gemm:jit"], "AVX2": ["x64:gemm:jit"], "AVX": ["x64:gemm:jit"]}
INTEL_AMX = {None: ["jit_uni_ncsp:conv+ref:any"], "AVX2": ["x64:gemm:jit"], "AVX": ["x64:gemm:jit"]}


def test_decision_per_cpu_kind():
    amd = FakeProbe(AMD_EPYC)
    assert environment.decide_cap(amd) == (None, True) and amd.asked == [None]  # one probe, no cap: costs nothing
    intel = FakeProbe(INTEL_AMX)
    assert environment.decide_cap(intel) == ("AVX2", True) and intel.asked == [None, "AVX2"]
    only_avx = FakeProbe(dict(INTEL_AMX, AVX2=["ref:any"]))
    assert environment.decide_cap(only_avx) == ("AVX", True)
    hopeless = FakeProbe({None: ["ref:any"], "AVX2": ["ref:any"], "AVX": None})
    assert environment.decide_cap(hopeless) == (None, True)
    assert environment.decide_cap(FakeProbe({})) == (None, False)  # probe could not run: decide nothing


def test_cap_is_set_cached_and_logged_once(tmp_path, monkeypatch):
    monkeypatch.setattr(environment.platform, "machine", lambda: "x86_64")
    cache, env, log = str(tmp_path / "isa.json"), {}, io.StringIO()
    probe = FakeProbe(INTEL_AMX)
    assert environment.choose_isa_cap(env, probe, cache, log) == "AVX2"
    assert env["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert "ONEDNN_MAX_CPU_ISA=AVX2" in log.getvalue() and log.getvalue().count("\n") == 1
    with open(cache, encoding="utf-8") as f:
        assert json.load(f)["cap"] == "AVX2"
    second_env, second_log = {}, io.StringIO()
    assert environment.choose_isa_cap(second_env, FakeProbe({}), cache, second_log) == "AVX2"  # from the cache
    assert second_env["ONEDNN_MAX_CPU_ISA"] == "AVX2" and second_log.getvalue() == ""


def test_no_cap_where_none_is_needed(tmp_path, monkeypatch):
    monkeypatch.setattr(environment.platform, "machine", lambda: "x86_64")
    env, log = {}, io.StringIO()
    assert environment.choose_isa_cap(env, FakeProbe(AMD_EPYC), str(tmp_path / "isa.json"), log) is None
    assert "ONEDNN_MAX_CPU_ISA" not in env and log.getvalue() == ""


def test_inconclusive_probe_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(environment.platform, "machine", lambda: "x86_64")
    cache = str(tmp_path / "isa.json")
    assert environment.choose_isa_cap({}, FakeProbe({}), cache, io.StringIO()) is None
    assert not os.path.exists(cache)
    assert environment.choose_isa_cap({}, FakeProbe(INTEL_AMX), cache, io.StringIO()) == "AVX2"


@pytest.mark.parametrize("variable", environment.ISA_VARIABLES)
def test_user_setting_stands(tmp_path, variable):
    probe, env = FakeProbe(INTEL_AMX), {variable: "ALL"}
    assert environment.choose_isa_cap(env, probe, str(tmp_path / "isa.json"), io.StringIO()) == "ALL"
    assert env == {variable: "ALL"} and probe.asked == []


def test_cache_of_another_machine_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setattr(environment.platform, "machine", lambda: "x86_64")
    cache = tmp_path / "isa.json"
    cache.write_text(json.dumps({"version": environment.CACHE_VERSION, "machine": "another", "cap": "AVX"}))
    assert environment.choose_isa_cap({}, FakeProbe(INTEL_AMX), str(cache), io.StringIO()) == "AVX2"


def test_this_process_never_runs_reference_kernels():
    """conftest ran environment.prepare(): under the cap now in force (or none) oneDNN's convolutions are real."""
    cap = (environment.user_cap(os.environ) or (None, None))[1]
    kernels = environment.probe_kernels(cap)
    assert kernels, "the probe could not run MindSpore"
    assert not environment.uses_reference_kernel(kernels), kernels


_FORWARD = """
import sys, numpy as np, mindspore as ms
sys.path.insert(0, {root!r})
from src.models.fsrcnn import FSRCNN
ms.set_device("CPU")
ms.set_seed(4)
net = FSRCNN(4)
rng = np.random.default_rng(0)
net.deconv.weight.set_data(ms.Tensor(rng.normal(0, 0.05, net.deconv.weight.shape).astype(np.float32)))
x = rng.random((1, 1, 37, 29), dtype=np.float32)
np.save({out!r}, net(ms.Tensor(x)).asnumpy())
"""


def test_capped_output_equals_uncapped(tmp_path):
    """The same FSRCNN forward with no cap (ALL: the reference kernels on AVX-512/AMX Xeons) and with AVX2."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outputs = []
    for cap in ("ALL", "AVX2"):
        out = str(tmp_path / f"{cap}.npy")
        env = {k: v for k, v in os.environ.items() if k not in environment.ISA_VARIABLES}
        subprocess.run([sys.executable, "-c", _FORWARD.format(root=root, out=out)], check=True, timeout=300,
                       env=dict(env, ONEDNN_MAX_CPU_ISA=cap, GLOG_v="3"))
        outputs.append(np.load(out))
    assert outputs[0].shape == (1, 1, 148, 116)
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=0, atol=1e-5)
    assert outputs[0].std() > 0.02  # outputs spread out, so the tolerance means something


_FUSION = """
import sys, numpy as np, mindspore as ms
sys.path.insert(0, {root!r})
from src import device
from src.models.fsrcnn import FSRCNN
ms.set_device("CPU")
ms.set_context(mode=ms.GRAPH_MODE)
ms.set_seed(3)
net = FSRCNN(3)
x = ms.Tensor(np.random.default_rng(0).random((1, 1, 40, 36), dtype=np.float32))
plain = net(x).asnumpy()
device._enable_graph_kernel()
fused = FSRCNN(3)
ms.load_param_into_net(fused, net.parameters_dict())
print("max_diff", float(np.abs(fused(x).asnumpy() - plain).max()), float(np.abs(plain).max()))
"""


@pytest.mark.skipif(device.graph_kernel_missing() is not None, reason="graph kernel fusion cannot run here")
def test_graph_kernel_fusion_changes_no_output_and_keeps_its_kernels_out_of_the_working_directory(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work, cache = tmp_path / "work", tmp_path / "kernels"
    work.mkdir()
    proc = subprocess.run([sys.executable, "-c", _FUSION.format(root=root)], cwd=work, capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, MS_COMPILER_CACHE_PATH=str(cache)))
    assert proc.returncode == 0, proc.stderr[-2000:]
    diff, peak = map(float, proc.stdout.split("max_diff")[1].split())
    assert diff <= 1e-6 and peak > 0
    # AKG's polyhedral scheduler leaves one small debug log in the working directory (no setting moves it); nothing else
    assert {p.name for p in work.iterdir()} <= {"dsa_transfrom.log"}
    assert any(name.endswith(".so") for name in os.listdir(cache / "akg_kernel_meta"))  # fused kernels were built


def test_graph_kernel_needs_gpp_and_decorator(monkeypatch):
    monkeypatch.setattr(device.shutil, "which", lambda name: None)
    assert device.graph_kernel_missing() == "no g++ on PATH"


def test_programs_that_are_not_ours_get_the_users_environment(tmp_path):
    """benchmark.py runs the PyTorch reference with environment.user_environment(): without our additions, with the
    user's own ISA setting kept."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = (f"import sys; sys.path.insert(0, {root!r}); import os; from src import environment; "
            "environment.prepare(); env = environment.user_environment(); "
            "print(sorted(k for k in ('GLOG_v', 'MS_COMPILER_CACHE_PATH', 'ONEDNN_MAX_CPU_ISA') if k in env), "
            "env.get('ONEDNN_MAX_CPU_ISA'), os.environ['GLOG_v'])")
    env = {k: v for k, v in os.environ.items() if k not in ("GLOG_v", "MS_COMPILER_CACHE_PATH")}
    out = subprocess.run([sys.executable, "-c", code], env=dict(env, ONEDNN_MAX_CPU_ISA="AVX"), capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert out == ["['ONEDNN_MAX_CPU_ISA']", "AVX", "3"]

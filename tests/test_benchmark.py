"""benchmark.py: every path on both workloads with tiny iteration counts, the table and valid JSON; bad options."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from test_serving import harness  # noqa: F401  (fixture: builds the C++ harness, so the cpp path runs too)


def run_benchmark(*args):
    """benchmark.py in its own process: MindSpore takes the CPU thread count once per process."""
    return subprocess.run([sys.executable, os.path.join(ROOT, "benchmark.py"), *args], capture_output=True,
                          text=True, env=dict(os.environ, GLOG_v="3"), timeout=600, check=False)


def test_all_paths_tiny(harness, random_ckpt, data_dir, tmp_path):  # noqa: F811
    out = tmp_path / "bench.json"
    result = run_benchmark("--ckpt_file", random_ckpt(), "--data_dir", data_dir, "--iters", "2", "--warmup", "1",
                           "--bench_batch", "3", "--threads", "2", "--json", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["machine"] and report["threads"] == 2 and report["iters"] == 2 and report["skipped"] == {}
    rows = {(r["path"], r["workload"]): r for r in report["results"]}
    network_paths = ("mindspore_graph", "mindir", "onnxruntime", "cpp")  # the default bench_paths
    assert sorted(rows) == sorted((p, w) for p in network_paths for w in ("set5_x4_b3", "single_256_x4"))
    for (path, workload), r in rows.items():
        pixels = r["batch"] * (128 * 128 if workload.startswith("set5") else 256 * 256)
        assert r["batch"] == (3 if workload.startswith("set5") else 1)
        assert r["median_ms"] > 0 and r["images_per_s"] == pytest.approx(r["batch"] * 1000 / r["median_ms"])
        assert r["gflops"] == pytest.approx(2 * 12464 * pixels / r["median_ms"] / 1e6)
        assert r["max_abs_diff"] < 1e-4, (path, workload)
        assert f"{workload:<16}{path:<17}" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--bench_paths", "mindspore_graph,tensorrt"], "bench_paths 'mindspore_graph,tensorrt': choose among"),
    (["--iters", "0"], "--iters and --bench_batch must be >= 1"),
    (["--ckpt_file", "missing.ckpt"], "missing.ckpt: checkpoint not found"),
])
def test_bad_options(args, message, random_ckpt, data_dir):
    result = run_benchmark("--ckpt_file", random_ckpt(), "--data_dir", data_dir, *args)
    assert result.returncode == 2 and result.stderr.strip().startswith("error: ") and message in result.stderr


STAND_IN_REFERENCE = '''import sys
mode = sys.argv[1]
args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
if mode == "infer":
    print(f"mode=infer batch={args['--batch']} size={args['--size']} median_ms={int(args['--size']) / 10:.2f}")
else:
    print(f"mode=train batch={args['--batch']} patch={args['--patch']} median_step_ms=4.00")
'''


def test_compare_torch_times_the_reference_on_the_same_workloads(random_ckpt, data_dir, tmp_path):
    """The PyTorch side is a stand-in script here (torch is no dependency): what is checked is that it gets the
    same workload shapes, and that ratios and JSON are ours over its times."""
    reference = tmp_path / "torch_reference.py"
    reference.write_text(STAND_IN_REFERENCE)
    out = tmp_path / "bench.json"
    result = run_benchmark("--ckpt_file", random_ckpt(), "--data_dir", data_dir, "--iters", "2", "--warmup", "1",
                           "--bench_paths", "mindspore_graph", "--compare_torch", "--torch_python", sys.executable,
                           "--torch_reference", str(reference), "--json", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {r["workload"]: r for r in json.loads(out.read_text())["torch"]}
    assert rows["set5_x4_b8"]["torch_ms"] == 12.8 and rows["single_256_x4"]["torch_ms"] == 25.6
    assert rows["train_x4_p6_b16"]["torch_ms"] == 4.0 and rows["train_x4_p6_b16"]["path"] == "train_step"
    for row in rows.values():
        assert row["ours_ms"] > 0 and row["ratio"] == pytest.approx(row["ours_ms"] / row["torch_ms"])
    assert "ours/torch" in result.stdout


def test_compare_torch_without_torch_is_a_clear_error(random_ckpt, data_dir, tmp_path):
    result = run_benchmark("--ckpt_file", random_ckpt(), "--data_dir", data_dir, "--iters", "1", "--warmup", "0",
                           "--bench_paths", "mindspore_graph", "--compare_torch",
                           "--torch_python", str(tmp_path / "no-python"))
    assert result.returncode == 2 and "no Python with torch" in result.stderr


def test_only_unavailable_paths_is_an_error_not_an_empty_table(random_ckpt, data_dir, monkeypatch, tmp_path, capsys):
    """--bench_paths cpp without the C++ harness built: nothing can be timed, which is an error (exit 2)."""
    from conftest import run_script
    from src import serving
    monkeypatch.setattr(serving, "HARNESS", str(tmp_path / "not-built"))
    code, _, err = run_script("benchmark", ["--ckpt_file", random_ckpt(), "--data_dir", data_dir, "--iters", "1",
                                            "--warmup", "0", "--bench_paths", "cpp"], capsys)
    assert code == 2 and "error: nothing was timed: cpp: the C++ harness is not built" in err

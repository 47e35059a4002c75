"""Regenerate the README results table: python -m tools.make_results [--table_only]

For each shipped model of tools.results.MODELS (fsrcnn_x4: configs/fsrcnn/x4.yaml) this runs
    python eval.py --config_path configs/<family>/x<scale>.yaml --eval_sets Set5,Set14,BSD100 \
        --json docs/results/<family>_x<scale>.json
and then rewrites the README block between the results markers from those files, the checkpoints' recorded epoch and
Val20 PSNR, and the training log of each stage of configs/<family>/chain.yaml (docs/training/<checkpoint
name>_log.csv). --table_only skips the evaluations.
"""
import argparse
import os
import subprocess
import sys

from src.paths import ROOT  # noqa: E402
from src import environment, fileio  # noqa: E402

environment.prepare()
from tools import results  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table_only", action="store_true", help="only rewrite the table from docs/results/")
    parser.add_argument("--data_dir", default="",
                        help="passed to eval.py (default: FSRCNN_DATA_DIR, else the project's data/)")
    args = parser.parse_args()
    results_dir = os.path.join(ROOT, "docs", "results")
    os.makedirs(results_dir, exist_ok=True)
    for model in results.MODELS:
        config_path = os.path.join(ROOT, results.shipped_config(model))
        if not args.table_only:
            command = [sys.executable, os.path.join(ROOT, "eval.py"), "--config_path", config_path,
                       "--eval_sets", ",".join(results.SETS), "--json", os.path.join(results_dir, f"{model}.json")]
            subprocess.run(command + (["--data_dir", args.data_dir] if args.data_dir else []), check=True, cwd=ROOT)
    readme = os.path.join(ROOT, "README.md")
    with open(readme, encoding="utf-8") as f:
        text = results.replace_block(f.read(), results.render(results_dir, results.training_rows(ROOT)))
    fileio.write_text(readme, text)
    print(f"rewrote the results table in {readme}")


if __name__ == "__main__":
    main()

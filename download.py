"""Fetch datasets by name, each file checked against its pinned sha256: python download.py Set14 BSD100 | --all.

Sets go to --data_dir, else $FSRCNN_DATA_DIR, else the project's data/ folder: where eval.py and train.py look.
Sets already there are skipped; an interrupted run resumes where it stopped. Sources: data/sources.yaml; checksums:
data/SHA256SUMS. $FSRCNN_DOWNLOAD_URL names a mirror laid out as raw.githubusercontent.com; each file must arrive
within $FSRCNN_DOWNLOAD_DEADLINE seconds (default 600).
"""
import argparse

from src import dataset, download  # no MindSpore here: nothing to prepare (src/environment.py)
from src.errors import cli_entry


@cli_entry
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", metavar="SET", help=f"sets to fetch: {', '.join(dataset.fetched_sets())}")
    parser.add_argument("--all", action="store_true", help="fetch every set")
    parser.add_argument("--data_dir", default="",
                        help="folder to install the sets in (default: FSRCNN_DATA_DIR, else the project's data/)")
    args = parser.parse_args(argv)
    download.download(download.choose(args.sets, args.all), args.data_dir)


if __name__ == "__main__":
    main()

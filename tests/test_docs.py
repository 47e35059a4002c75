"""The documentation holds together: every relative link of README.md and docs/ reaches a file of the repository and,
where it names one, a heading of that file (GitHub's anchors); the README stays a page for users."""
import glob
import os
import re

from conftest import ROOT

README_MAX_LINES = 300
CODE_BLOCK = re.compile(r"^```.*?^```", re.S | re.M)  # a "# comment" inside a code block is no heading


def markdown_files():
    docs = glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True)
    return ["README.md"] + sorted(os.path.relpath(path, ROOT) for path in docs)


def _prose(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return CODE_BLOCK.sub("", f.read())


def anchor(heading):
    """GitHub's anchor of a heading: lower case, punctuation other than '-' and '_' dropped, spaces as '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_anchor_follows_github():
    assert anchor("Intel Xeon with AVX-512/AMX") == "intel-xeon-with-avx-512amx"
    assert anchor("`INTER_AREA`, tried and dropped") == "inter_area-tried-and-dropped"


def test_every_relative_link_reaches_its_file_and_heading():
    headings = {path: {anchor(h) for h in re.findall(r"^#+\s+(.+)$", _prose(path), re.M)} for path in markdown_files()}
    broken = []
    for path in markdown_files():
        for target in re.findall(r"\]\(([^)\s]+)\)", _prose(path)):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            file, _, name = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            if not os.path.exists(os.path.join(ROOT, dest)):
                broken.append(f"{path}: ({target}): no file {dest}")
            elif name and dest.endswith(".md") and name not in headings.get(dest, ()):
                broken.append(f"{path}: ({target}): no heading '{name}' in {dest}")
    assert not broken, "\n".join(broken)


def test_readme_is_a_page_for_users():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        assert len(f.read().splitlines()) <= README_MAX_LINES

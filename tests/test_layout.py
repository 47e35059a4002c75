"""The import graph of src/: no cycle, the networks on the ground floor, and a new network needs no shared file."""
import ast
import glob
import os

from conftest import ROOT

NETWORKS = "src.models"
# what the networks may import of the toolkit: errors, the protocol (image modes, MATLAB bicubic), and the losses
GROUND = {"src.errors", "src.protocol", "src.losses"}


def _unit(module):
    """The node a module belongs to: the networks (src/models/**) are one unit, every other module its own."""
    return NETWORKS if module == NETWORKS or module.startswith(NETWORKS + ".") else module


def _imports(path):
    """Every module of src/ that the file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "src":
            found.update(f"{node.module}.{a.name}" if node.module == "src" else node.module for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "src")
    return found


def import_graph():
    """{unit: units it imports} over src/."""
    graph = {}
    for path in glob.glob(os.path.join(ROOT, "src", "**", "*.py"), recursive=True):
        module = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".").removesuffix(".__init__")
        unit = _unit(module)
        graph.setdefault(unit, set()).update(_unit(m) for m in _imports(path) if _unit(m) != unit)
    return graph


def floors(graph):
    """{unit: floor}: 1 for a unit importing nothing of src/, else one above the highest it imports; a cycle is an
    AssertionError naming it."""
    floor, visiting = {}, []

    def visit(unit):
        assert unit not in visiting, "import cycle: " + " -> ".join(visiting[visiting.index(unit):] + [unit])
        if unit not in floor:
            visiting.append(unit)
            floor[unit] = 1 + max((visit(d) for d in graph.get(unit, ()) if d in graph), default=0)
            visiting.pop()
        return floor[unit]
    for unit in graph:
        visit(unit)
    return floor


def test_no_import_cycle_and_the_networks_on_the_ground_floor():
    graph = import_graph()
    floor = floors(graph)
    assert graph[NETWORKS] <= GROUND, f"src/models imports {sorted(graph[NETWORKS] - GROUND)}"
    assert floor[NETWORKS] <= 3
    assert max(floor.values()) >= 5  # the graph was read: entry-side modules sit above the networks


def test_a_cycle_is_found():
    """The check above can fail: a two-module cycle is reported with its path."""
    try:
        floors({"a": {"b"}, "b": {"a"}})
    except AssertionError as err:
        assert "import cycle: a -> b -> a" in str(err)
    else:
        raise AssertionError("cycle not found")


def test_nothing_cites_a_file_outside_the_repository():
    """Docstrings cite docs/ pages of this repository; nothing but the tests and CI looks beside the clone."""
    for path in glob.glob(os.path.join(ROOT, "**", "*.*"), recursive=True):
        rel = os.path.relpath(path, ROOT)
        if rel.split(os.sep)[0] in ("tests", ".ci", "third_party", "outputs", "work", "infer_results") or \
                rel.startswith(".") or not rel.endswith((".py", ".sh", ".yaml", ".md", ".txt", ".cc", ".h")):
            continue
        text = open(path, encoding="utf-8", errors="replace").read()
        assert "../shared" not in text and "REFERENCE" + " section" not in text, rel

"""The architecture as tests: which package may import which, no cycles inside the core, and
answering whose rules are data (DESIGN.md; docs/architecture.md)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {
    "rag": set(),
    "ingest": {"rag"},
    "evals": {"rag", "ingest"},
    "ui": {"rag", "ingest", "evals"},
}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
    return out


def _files(folder: str):
    return [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("package", FLOORS)
def test_each_package_imports_only_the_floors_below(package):
    allowed = FLOORS[package] | {package}
    wrong = {
        (str(path.relative_to(ROOT)), name)
        for path in _files(package)
        for name in _imports(path)
        if name.split(".")[0] in FLOORS and name.split(".")[0] not in allowed
    }
    assert not wrong


def _room(module: str) -> str:
    """rag's room of a module: its subpackage (text, retrieval, answering, ...), or the module
    itself for rag's own modules (types, settings, errors, ...)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (ROOT / "rag" / parts[1]).is_dir() else module


def _rooms_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _files("rag"):
        if path == ROOT / "rag" / "__init__.py":
            continue  # the package's public names, re-exported
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        edges = graph.setdefault(_room(module), set())
        edges |= {_room(n) for n in _imports(path) if n.startswith("rag.")} - {_room(module)}
    for room in list(graph.values()):
        for target in room:
            graph.setdefault(target, set())
    return graph


def test_no_cycle_between_the_rooms_of_the_core():
    graph = _rooms_graph()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph[start]
        )

    cycles = sorted(room for room in graph if reaches(room, room, {room}))
    assert not cycles, {room: sorted(graph[room]) for room in cycles}


def test_the_text_layer_imports_nothing_of_rag_but_types():
    names = {n for path in _files("rag/text") for n in _imports(path) if n.startswith("rag")}
    assert {n for n in names if not n.startswith(("rag.text", "rag.types"))} == set()


def _answering_files():
    return [p for p in _files("rag/answering") if p.name != "rules.py"]


def test_answering_holds_no_threshold_or_regex_outside_its_rules():
    """Every number but 0 and 1 (and a rounding's digits) and every regular expression of
    answering lives in rules.py or rag/text/lexicon."""
    found = []
    for path in _answering_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        digits = {
            id(call.args[1])
            for call in ast.walk(tree)
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "round"
            if len(call.args) == 2
        }
        for node in ast.walk(tree):
            number = isinstance(node, ast.Constant) and type(node.value) in (int, float)
            if number and node.value not in (0, 1) and id(node) not in digits:
                found.append(f"{path.name}:{node.lineno} {node.value}")
        if re.search(r"\bimport re\b|\bre\.compile\(", path.read_text(encoding="utf-8")):
            found.append(f"{path.name}: regular expressions")
    assert not found


def test_no_class_in_answering_keeps_more_than_five_mutable_fields():
    for path in _answering_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            frozen = any("frozen=True" in ast.unparse(d) for d in node.decorator_list)
            targets = [
                t
                for item in ast.walk(node)
                for target in getattr(item, "targets", [getattr(item, "target", None)])
                for t in (target.elts if isinstance(target, ast.Tuple) else [target])
            ]
            fields = {
                t.attr
                for t in targets
                if isinstance(t, ast.Attribute) and ast.unparse(t.value) == "self"
            }
            assert frozen or len(fields) <= 5, (path.name, node.name, sorted(fields))


def test_the_pipeline_only_orchestrates():
    lines = (ROOT / "rag/answering/pipeline.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200

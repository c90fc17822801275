"""Stages import only earlier stages, and no module imports one that imports it back."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ingest", "retriever", "chat_app", "eval")
ORDER = {"corpus": 0, "ingest": 1, "retriever": 2, "chat_app": 3, "eval": 4}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).glob("*.py"):
            name = f"{pkg}.{path.stem}"
            deps = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ORDER:
                    deps.add(node.module)
                elif isinstance(node, ast.Import):
                    deps |= {a.name for a in node.names if a.name.split(".")[0] in ORDER}
            graph[name] = deps
    return graph


def test_no_import_cycles():
    graph = _graph()
    cycles = []

    def visit(node, stack):
        for dep in graph.get(node, ()):
            if dep in stack:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep in graph and len(stack) < 12:
                visit(dep, stack + [dep])

    for start in graph:
        visit(start, [start])
    assert cycles == []


def test_no_stage_imports_a_later_one():
    late = [(m, d) for m, deps in _graph().items() for d in deps
            if m.split(".")[0] != "eval" and ORDER[d.split(".")[0]] > ORDER[m.split(".")[0]]]
    # the CLI is the product's front door: it may start the evaluation and calibration commands
    assert [(m, d) for m, d in late if m != "chat_app.cli"] == []

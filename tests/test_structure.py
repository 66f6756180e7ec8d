"""The import structure of the package, read from the source (nothing is imported or run).

- Only the application factory's `trainer.blueprints` imports the blueprints: a shared module that
  imported one would make every blueprint that uses it import all the others (the import cycle
  the old `web.py` made).
- Between areas (one blueprint package, or `models`, `services`, `content`, or one top-level
  module) imports go one way: no cycle.
"""
from __future__ import annotations

import ast
from pathlib import Path

import trainer

PACKAGE = Path(trainer.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.AST, package: str) -> set[str]:
    names: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)  # imports only for the type checker never run
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _imports(name: str) -> set[str]:
    """The modules of ours that importing `name` runs directly, with their packages' __init__
    (all but the root package's, which only defines the factory)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for imported in _imported_names(ast.parse(path.read_text(encoding="utf-8")), package):
        parts = imported.split(".")
        for end in range(2, len(parts) + 1):
            candidate = ".".join(parts[:end])
            if candidate in MODULES and candidate != name:
                found.add(candidate)
    return found


GRAPH = {name: _imports(name) for name in MODULES if name != "trainer"}
BLUEPRINTS = {name for name, path in MODULES.items()
              if path.name == "__init__.py" and "Blueprint(" in path.read_text(encoding="utf-8")}


def _blueprint_of(name: str) -> str | None:
    return next((bp for bp in BLUEPRINTS if name == bp or name.startswith(bp + ".")), None)


def _area(name: str) -> str:
    """A top-level module, or the top-level package the module belongs to."""
    return ".".join(name.split(".")[:2])


def test_the_package_has_blueprints_to_check():
    assert {"trainer.auth", "trainer.learn", "trainer.pages", "trainer.admin"} <= BLUEPRINTS
    assert "trainer.blueprints" in GRAPH and "trainer.web" in GRAPH


def test_only_the_factory_imports_the_blueprints():
    importers = {name for name, imported in GRAPH.items() if _blueprint_of(name) is None
                 and any(_blueprint_of(other) for other in imported)}
    assert importers == {"trainer.blueprints"}


def test_no_blueprint_reaches_a_module_that_imports_blueprints():
    for bp in sorted(BLUEPRINTS):
        seen: set[str] = set()
        todo = [name for name in GRAPH if _blueprint_of(name) == bp]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo.extend(GRAPH[name])
        shared = {name for name in seen if _blueprint_of(name) is None}
        assert "trainer.blueprints" not in seen, bp
        for name in shared:
            assert not any(_blueprint_of(other) for other in GRAPH[name]), (bp, name)


def test_areas_import_each_other_one_way_only():
    areas: dict[str, set[str]] = {}
    for name, imported in GRAPH.items():
        areas.setdefault(_area(name), set()).update(_area(other) for other in imported if _area(other) != _area(name))
    state: dict[str, str] = {}

    def visit(area: str, path: list[str]) -> None:
        state[area] = "open"
        for other in sorted(areas.get(area, ())):
            if state.get(other) == "open":
                cycle = path[path.index(other):] + [other] if other in path else [area, other]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if other not in state:
                visit(other, path + [other])
        state[area] = "done"

    for area in sorted(areas):
        if area not in state:
            visit(area, [area])


def _flask_imports(name: str) -> set[tuple[str, bool]]:
    """The Flask packages `name` imports, each with whether it does so on import (True) or only
    inside a function (False)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[tuple[str, bool]] = set()
    for node in tree.body:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                modules = [alias.name for alias in inner.names]
            elif isinstance(inner, ast.ImportFrom) and not inner.level:
                modules = [inner.module or ""]
            else:
                continue
            on_import = not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            found.update((module, on_import) for module in modules if module.split(".")[0].startswith("flask"))
    return found


def test_the_course_parser_and_the_vocabulary_need_no_flask():
    """Course files are checked by the command line and in tests without an app: the parser and
    the vocabulary it uses import no Flask. Only showing a label (in the web app) asks
    Flask-Babel for its translation."""
    seen: set[str] = set()
    todo = [name for name in GRAPH if name.startswith("trainer.content")] + ["trainer.vocabulary"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(GRAPH[name])
    assert seen <= {name for name in GRAPH if name.startswith("trainer.content")} | {"trainer.vocabulary"}
    for name in seen:
        allowed = {("flask_babel", False)} if name == "trainer.vocabulary" else set()
        assert _flask_imports(name) <= allowed, name

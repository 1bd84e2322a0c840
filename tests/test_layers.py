"""Only the store and the application layer (actions/) touch rows and sessions.

import-linter ([tool.importlinter] in pyproject.toml) holds the layers; this walks the
source for what an import graph cannot see: a session opened on a store passed in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import fumidai

PACKAGE = Path(fumidai.__file__).parent
ALLOWED = ("store", "actions")


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ALLOWED or rel.parts[0] == "resources":
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"))


def test_no_session_is_opened_outside_the_store_and_the_application_layer():
    found = [f"{rel}:{node.lineno}" for rel, tree in _modules() for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("session", "begin") and "store" in ast.unparse(node.func.value)]
    assert found == []


def test_no_row_class_or_sqlalchemy_is_imported_outside_them():
    found = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = ("." * node.level) + (node.module or "")
                if module.endswith("models") and "store" in module or module.startswith("sqlalchemy"):
                    found.append(f"{rel}:{node.lineno} {module}")
            elif isinstance(node, ast.Import):
                found += [f"{rel}:{node.lineno} {a.name}" for a in node.names if a.name.startswith("sqlalchemy")]
    assert found == []


def test_the_walk_sees_the_modules_it_guards():
    seen = {str(rel) for rel, _ in _modules()}
    assert {"api/app.py", "service/core.py", "notices/outbox.py", "cli.py"} <= seen

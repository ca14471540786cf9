"""service/policy is pure: standard library only, no I/O, no other project package (DESIGN.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

POLICY_DIR = Path(__file__).resolve().parents[3] / "service" / "policy"
FORBIDDEN = {"os", "io", "time", "logging", "socket", "asyncio", "sqlite3", "subprocess", "threading", "importlib",
             "random", "grpc", "structlog", "orjson", "pathlib", "shutil", "tempfile", "urllib"}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def test_policy_package_imports_only_the_standard_library_and_itself():
    modules = sorted(POLICY_DIR.rglob("*.py"))
    assert modules
    for path in modules:
        for name, level in _imports(path):
            if level:  # relative import: inside service/policy
                continue
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names, f"{path.name} imports non-stdlib `{name}`"
            assert top not in FORBIDDEN, f"{path.name} imports `{name}` (I/O, time or logging)"


def test_every_module_says_what_it_is_responsible_for():
    for path in sorted(POLICY_DIR.rglob("*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text()))
        assert docstring, f"{path} has no module docstring"

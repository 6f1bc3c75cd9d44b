"""The code base stays ruff clean (lint and format) and the core mypy --strict clean, so CI catches what a
local run forgot. Both tools are in the test extra; a missing one fails rather than skips."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff(args: list[str]) -> None:
    proc = _run("ruff", *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # `pip install -e ".[test]"` installs ruff


def test_mypy_strict_on_the_core() -> None:
    """`mypy` as configured in pyproject.toml: --strict over wirefeed/."""
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # `pip install -e ".[test]"` installs mypy


def _returns_any(node: ast.expr | None) -> bool:
    """True for a missing return annotation or one that hands back ``Any`` (``Any | None``,
    ``tuple[X, Any]``); ``dict[str, Any]``, a JSON object, is a typed value."""
    if node is None:
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        node = ast.parse(node.value, mode="eval").body  # a quoted annotation
    if isinstance(node, ast.BinOp):
        return _returns_any(node.left) or _returns_any(node.right)
    if isinstance(node, ast.Subscript):
        if ast.unparse(node.value) in ("dict", "Mapping", "MutableMapping", "Literal"):
            return False
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return any(_returns_any(a) for a in args)
    return ast.unparse(node) in ("Any", "typing.Any")


def test_public_functions_of_the_core_return_typed_values() -> None:
    """Every function a core module exports (its ``__all__``) says what it returns, and it is not ``Any``."""
    untyped = []
    for path in sorted((REPO / "wirefeed").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        exported: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                exported = set(ast.literal_eval(node.value))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name not in exported:
                continue
            if _returns_any(node.returns):
                untyped.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert not untyped, "return a precise type, not Any: " + ", ".join(untyped)


def test_tests_need_nothing_outside_the_checkout() -> None:
    """No test reads the workspace's ``../shared`` (real pages stay in benchmarks/ and optional runs)."""
    pattern = re.compile(r"""\.\./shared|/\s*["']shared["']""")
    tests = [p for p in sorted((REPO / "tests").rglob("*.py")) if p != Path(__file__)]
    readers = [p.name for p in tests if pattern.search(p.read_text("utf-8"))]
    assert not readers, f"these read ../shared; carry the input under tests/fixtures instead: {readers}"

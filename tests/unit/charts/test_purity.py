"""pht.charts is pure: it imports nothing but the standard library and itself (no Django, no I/O
libraries), so every part of PHT (and the settlement comparison) can draw with it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pht.charts


def test_charts_import_only_the_standard_library_and_themselves() -> None:
    for path in Path(pht.charts.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert (
                    name.startswith("pht.charts") or top in sys.stdlib_module_names or top == "__future__"
                ), (
                    path.name,
                    name,
                )

"""The layers of DESIGN.md, held by reading every import of the package (module-level and inside
functions) with ``ast``: dependencies point inward, and the pure core stays pure."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pht

PACKAGE_ROOT = Path(pht.__file__).parent

# (importing layer, layers it must not import, why). A layer is a module prefix.
FORBIDDEN: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "pht.engine",
        ("pht.apps", "pht.site", "pht.api", "pht.cli", "pht.bench", "pht.synth", "pht.validation"),
        "engine below apps; reads the lake, not the generator",
    ),
    (
        "pht.stats",
        (
            "pht.apps",
            "pht.site",
            "pht.api",
            "pht.cli",
            "pht.bench",
            "pht.synth",
            "pht.engine",
            "pht.lake",
            "pht.validation",
        ),
        "stats is pure: panels in, estimates out",
    ),
    (
        "pht.synth",
        ("pht.apps", "pht.site", "pht.api", "pht.cli", "pht.bench", "pht.engine", "pht.validation"),
        "the generator writes the lake; nothing above it",
    ),
    (
        "pht.lake",
        (
            "pht.apps",
            "pht.site",
            "pht.api",
            "pht.cli",
            "pht.bench",
            "pht.engine",
            "pht.synth",
            "pht.stats",
            "pht.validation",
        ),
        "the lake's contract depends on nothing that reads or writes it",
    ),
    (
        "pht.apps",
        ("pht.site", "pht.cli", "pht.bench", "pht.api", "pht.validation"),
        "apps below the project, the API and the command line",
    ),
    ("pht.command", ("pht.",), "command plumbing imports nothing of PHT"),
)
# pht.rules may import nothing of PHT but itself and refdata.
RULES_ALLOWED = ("pht.rules", "pht.refdata")


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported} ({self.why})"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module a file imports, absolute, with its line (relative imports resolved)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from pht import apps`` imports the submodule pht.apps
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names if target == "pht")
    return found


def _within(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer if layer.endswith(".") else layer + ".")


def layer_violations(root: Path) -> list[Violation]:
    violations = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = module_name(path, root)
        for line, imported in imports_of(path, root):
            if not _within(imported, "pht"):
                continue
            if _within(module, "pht.rules") and not any(_within(imported, ok) for ok in RULES_ALLOWED):
                violations.append(Violation(module, line, imported, "pht.rules imports only refdata"))
            for layer, forbidden, why in FORBIDDEN:
                if _within(module, layer) and any(_within(imported, bad) for bad in forbidden):
                    violations.append(Violation(module, line, imported, why))
    return violations


def test_the_package_keeps_its_layers() -> None:
    violations = layer_violations(PACKAGE_ROOT)
    assert not violations, "imports against the layers:\n" + "\n".join(map(str, violations))


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pht"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_forbidden_import_inside_a_function_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "engine/__init__.py": "",
            "engine/sneaky.py": "def f():\n    from pht.apps.care import models\n    return models\n",
        },
    )
    assert [str(v) for v in layer_violations(root)] == [
        "pht.engine.sneaky:2 imports pht.apps.care (engine below apps; reads the lake, not the generator)"
    ]


def test_each_rule_of_the_issue_is_enforced(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "rules/__init__.py": "from pht.refdata import params\nfrom pht.engine import lake\n",
            "stats/__init__.py": "import pht.synth.pilot\n",
            "lake/__init__.py": "from pht import site\n",
            "synth/__init__.py": "from pht.cli import main\n",
            "apps/__init__.py": "from pht.site import demo\n",
            "apps/care/__init__.py": "from ...cli import main\n",
            "engine/__init__.py": "from pht.synth import pilot\nfrom pht.lake import SCHEMAS\nfrom pht.rules import x\n",
        },
    )
    found = {(v.module, v.imported) for v in layer_violations(root)}
    assert found == {
        ("pht.rules", "pht.engine"),
        ("pht.stats", "pht.synth.pilot"),
        ("pht.lake", "pht.site"),
        ("pht.synth", "pht.cli"),
        ("pht.apps", "pht.site"),
        ("pht.apps.care", "pht.cli"),
        ("pht.engine", "pht.synth"),
    }


# The synthetic truth is written by the generator, declared by the lake's contract and read only by
# the validation; a string "truth" anywhere else is analysis code reaching for it.
TRUTH_ALLOWED = ("pht.synth", "pht.lake", "pht.validation")


def truth_readers(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        if any(_within(module, ok) for ok in TRUTH_ALLOWED):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and "truth" in node.value.split("/")
            ):
                found.append(f"{module}:{node.lineno}")
    return found


def test_only_the_validation_reads_the_truth() -> None:
    assert not truth_readers(PACKAGE_ROOT)


def test_a_truth_reader_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "engine/peek.py": "from pht.lake import read_dataset\nrows = read_dataset('x', 'truth')\n",
            "validation/ok.py": "rows = 'truth'\n",
        },
    )
    assert truth_readers(root) == ["pht.engine.peek:2"]

"""The package's shape: stage folders, imports only downward, no module over 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reportkit"
# The pipeline's order: a module may import its own stage and the stages before it, never after.
ORDER = ["contract", "ingest", "compute", "checks", "present", "pipeline", "cli"]


def stage_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "reportkit" or len(parts) < 2:
        return None
    return parts[1]


def modules(package: Path = PACKAGE) -> list[Path]:
    return sorted(
        p for p in package.rglob("*.py") if p.name != "__init__.py" or p.parent != package
    )


def dotted_name(path: Path, package: Path = PACKAGE) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, package: Path = PACKAGE) -> list[tuple[int, str]]:
    """Every reportkit module `path` imports, at any depth (inside functions too), with its line;
    imports under `if TYPE_CHECKING:` are annotations, not imports, and are skipped."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    found = []
    inside = dotted_name(path, package).split(".")
    if path.name != "__init__.py":
        inside = inside[:-1]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = inside[: len(inside) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "reportkit":
                found += [(node.lineno, f"reportkit.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, module))
    return [(line, m) for line, m in found if m.startswith("reportkit")]


def test_every_module_lives_in_a_stage_folder():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "cli.py")]
    assert loose == []
    assert sorted(
        p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"
    ) == sorted(ORDER[:-1])


def upward_imports(package: Path) -> list[str]:
    """Each import in `package` of a later stage (or of no stage), as file:line and the stages."""
    upward = []
    for path in modules(package):
        own = stage_of(dotted_name(path, package))
        for line, module in imports_of(path, package):
            target = stage_of(module)
            where = f"{dotted_name(path, package)}:{line}"
            if target not in ORDER:
                upward.append(f"{where} imports {module}, which is in no stage")
            elif ORDER.index(target) > ORDER.index(own):
                upward.append(f"{where} ({own}) imports {module} ({target})")
    return upward


def test_imports_only_go_down_the_pipeline():
    assert upward_imports(PACKAGE) == []


def test_the_checker_sees_an_upward_import(tmp_path):
    """The rule above can fail: a contract module that imports the pipeline is caught."""
    package = tmp_path / "reportkit"
    fake = package / "contract"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text(
        "def f():\n    from reportkit.pipeline import builder\n", encoding="utf-8"
    )
    (fake / "ok.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from reportkit.compute.report import Report\n",
        encoding="utf-8",
    )
    assert imports_of(fake / "bad.py", package) == [(2, "reportkit.pipeline")]
    assert imports_of(fake / "ok.py", package) == []
    assert upward_imports(package) == [
        "reportkit.contract.bad:2 (contract) imports reportkit.pipeline (pipeline)"
    ]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600


def test_old_module_names_are_the_new_modules():
    """Code written against the names before the stage folders keeps working, with no second copy."""
    import reportkit.ledgers  # noqa: F401 - the old name

    import reportkit
    import reportkit.ingest.ledgers

    assert reportkit.ledgers is reportkit.ingest.ledgers
    assert reportkit.show.__name__ == "reportkit.present.show"
    import reportkit.checks
    from reportkit.checks import run

    assert reportkit.checks.load_tables is run.load_tables

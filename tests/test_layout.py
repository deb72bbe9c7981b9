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


def modules() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE
    )


def dotted_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every reportkit module `path` imports, at any depth (inside functions too), with its line;
    imports under `if TYPE_CHECKING:` are annotations, not imports, and are skipped."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    found = []
    package = dotted_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
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


def test_imports_only_go_down_the_pipeline():
    upward = []
    for path in modules():
        own = stage_of(dotted_name(path))
        for line, module in imports_of(path):
            target = stage_of(module)
            if target not in ORDER:
                upward.append(f"{dotted_name(path)}:{line} imports {module}, which is in no stage")
            elif ORDER.index(target) > ORDER.index(own):
                upward.append(f"{dotted_name(path)}:{line} ({own}) imports {module} ({target})")
    assert upward == []


def test_the_checker_sees_an_upward_import(tmp_path):
    """The rule above can fail: a contract module that imports the pipeline is caught."""
    fake = tmp_path / "reportkit" / "contract"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text(
        "def f():\n    from reportkit.pipeline import builder\n", encoding="utf-8"
    )
    (fake / "ok.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from reportkit.compute.report import Report\n",
        encoding="utf-8",
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "reportkit"
    try:
        assert imports_of(fake / "bad.py") == [(2, "reportkit.pipeline")]
        assert imports_of(fake / "ok.py") == []
        with pytest.raises(AssertionError):
            test_imports_only_go_down_the_pipeline()
    finally:
        PACKAGE = saved


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

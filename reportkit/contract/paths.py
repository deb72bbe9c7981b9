"""Where things live: the project root, params, ledgers and outputs. Nothing else hard-codes a path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportkit.ingest.params import Params

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def project_root(start: Path | None = None) -> Path:
    """The folder holding `params/` (and usually `pyproject.toml`).

    Looked up from REPORTKIT_ROOT, else upwards from `start` (default: the working directory, so
    a notebook whose kernel runs in `notebooks/` finds it too), else the package's own checkout.
    """
    env = os.environ.get("REPORTKIT_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "params").is_dir() and (folder / "notebooks").is_dir():
            return folder
    checkout = PACKAGE_DIR.parent
    if (checkout / "params").is_dir():
        return checkout
    return here


def params_file(year: int, root: Path | None = None) -> Path:
    return (root or project_root()) / "params" / f"{year}.yaml"


def default_out_dir(year: int, root: Path | None = None) -> Path:
    return (root or project_root()) / "outputs" / str(year)


def review_out_dir(root: Path | None = None) -> Path:
    """Where `reportkit review` writes review.html, .xlsx and .json by default."""
    return (root or project_root()) / "outputs" / "review"


def notebooks_dir(root: Path | None = None) -> Path:
    """The project's notebooks/, else (a project of params and data only, such as
    examples/county/) the section notebooks of the reportkit checkout itself."""
    folder = (root or project_root()) / "notebooks"
    own = PACKAGE_DIR.parent / "notebooks"
    return folder if folder.is_dir() or not own.is_dir() else own


def params_years(folder: Path) -> list[int]:
    """The years that have a `<year>.yaml` in a params folder, ascending."""
    if not folder.is_dir():
        return []
    years = (p.stem for p in folder.glob("*.yaml"))
    return sorted(int(y) for y in years if y.isdigit() and len(y) == 4)


def previous_tables_files(params: Params, root: Path | None = None) -> list[Path]:
    """Where last year's tables for the cross-year rules may be, in order: the params'
    `previous:`, else last year's default output folder, and outputs/<id>/<Y-1>/ for an agency
    whose params live in params/<id>/."""
    if params.previous_path is not None:
        return [params.previous_path]
    root = (root or project_root()).resolve()
    found = [default_out_dir(params.year - 1, root) / "tables.json"]
    source = params.source
    if source is not None and source.parent.parent == root / "params":
        found.append(root / "outputs" / source.parent.name / str(params.year - 1) / "tables.json")
    return found


def shown(path: Path | None, root: Path) -> str:
    """A path as messages show it: relative to the project root when inside it."""
    if path is None:
        return ""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)

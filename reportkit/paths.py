"""Where things live: the project root, params, ledgers and outputs. Nothing else hard-codes a path."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


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
    return (root or project_root()) / "notebooks"

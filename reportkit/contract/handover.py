"""What a build hands the sections it runs next, so that they do not compute it again.

A file in the build's own temporary folder (mkdtemp, readable by its user alone), named to the
sections by an environment variable; a section takes it only for the same report: the same params
file, as it is now, the same year, and whatever else the caller keys it on. A file it cannot read
back counts as none: the section then computes for itself. Used for the build's findings (01's
check cell) and an aggregate's parts (compute/aggregate.py).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any


def of_pool(pool: Any) -> tuple[Path, dict[str, str]] | None:
    """The folder and the environment a build's executor gives its sections, when it has both."""
    folder, env = getattr(pool, "trace_dir", None), getattr(pool, "env", None)
    return None if folder is None or env is None else (Path(folder), env)


def _digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def leave(
    folder: Path,
    env: dict[str, str],
    var: str,
    params_file: Path | None,
    year: int,
    payload: dict[str, Any],
    **key: Any,
) -> None:
    """Leave `payload` for the sections of the report of `params_file` and `year`, `key` the
    rest of what a section must match."""
    if params_file is None:
        return
    path = folder / f"{var.lower()}.pickle"
    data = {"params": str(params_file), "digest": _digest(params_file), "year": year}
    path.write_bytes(pickle.dumps({**data, **key, **payload}))
    env[var] = str(path)


def take(var: str, params_file: Path | None, year: int, **key: Any) -> dict[str, Any] | None:
    """What the build left in `var` for this report (leave()), payload and key, or None."""
    path = os.environ.get(var)
    if not path or params_file is None:
        return None
    try:
        # Written by this build into its own temporary folder, never by a user: the same trust
        # as the snapshot's frames.
        data = pickle.loads(Path(path).read_bytes())
        digest = _digest(params_file)
    except Exception:  # noqa: BLE001 - a file this code cannot read back counts as none
        return None
    if not isinstance(data, dict):
        return None
    wanted = {"params": str(params_file), "digest": digest, "year": year, **key}
    return data if all(data.get(k) == v for k, v in wanted.items()) else None

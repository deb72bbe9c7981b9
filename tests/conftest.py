"""Shared fixtures: the project root, and a helper to write small ledger folders by hand."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import ROOT


@pytest.fixture(autouse=True)
def _project_root(monkeypatch):
    # Tests may chdir into tmp_path; the kit still finds params/ and notebooks/ of this checkout.
    monkeypatch.setenv("REPORTKIT_ROOT", str(ROOT))


@pytest.fixture
def write_agency(tmp_path):
    """write_agency({"requests.csv": "...csv text..."}, year=2021) -> params path."""

    def make(ledgers: dict[str, str | bytes], year: int = 2021, extra: str = "") -> Path:
        data = tmp_path / "data"
        data.mkdir(exist_ok=True)
        for name, content in ledgers.items():
            target = data / name
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
        params = tmp_path / f"{year}.yaml"
        params.write_text(
            f"agency: 测试局\nyear: {year}\ndata_dir: data\n" + textwrap.dedent(extra),
            encoding="utf-8",
        )
        return params

    return make

"""Fixtures shared by every test package."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from docgen.sample import SAMPLE_PLAN_PATH

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="session")
def _sample_data() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE_PLAN_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def plan_data(_sample_data: dict[str, Any]) -> dict[str, Any]:
    """The sample plan as plain data (YAML-parsed), a fresh copy each test may change."""
    return copy.deepcopy(_sample_data)


@pytest.fixture(scope="session")
def converter():
    """One warm LibreOffice pool for the whole test session."""
    from docgen.convert import ConverterPool

    with ConverterPool(2, timeout=60) as pool:
        pool.start()
        yield pool


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PLANSIGN_ variables from the developer's shell leak into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("PLANSIGN_"):
            monkeypatch.delenv(name)

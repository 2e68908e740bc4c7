"""Fixtures shared by the signing tests: the environment the CLI commands run in (an
instance folder of the test's own, on the database --db selects)."""

from __future__ import annotations

import pytest


@pytest.fixture
def env(tmp_path, database_url):
    return {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
            "PLANSIGN_DATABASE_URL": database_url,
            "PLANSIGN_BASE_URL": "https://sign.example.com",
            "PLANSIGN_SECRET_KEYS": "k" * 40}

"""Fixtures shared by the signing tests that build the web app: each module defines
``app`` (its own settings), and gets its database sessions and a test client here."""

from __future__ import annotations

import pytest


@pytest.fixture
def sessions(app):
    return app.extensions["plansign.sessions"]


@pytest.fixture
def client(app):
    return app.test_client()

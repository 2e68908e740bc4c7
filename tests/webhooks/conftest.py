"""Fixtures for the webhook tests: a migrated database and a real HTTP receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from database import make_engine, make_session_factory
from signing.migrate import upgrade
from tests.webhooks.receivers import Receiver, serve_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver on 127.0.0.1, answering 204 unless the test says otherwise."""
    with serve_receiver() as receiver:
        yield receiver


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()

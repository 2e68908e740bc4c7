"""Fixtures for the webhook tests: a real HTTP receiver (their database sessions come from
tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testsupport.receivers import Receiver, serve_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver on 127.0.0.1, answering 204 unless the test says otherwise."""
    with serve_receiver() as receiver:
        yield receiver


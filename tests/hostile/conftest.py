"""The running server the hostile-input tests share, one per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hostile.server import Server, serve


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("serve")) as server:
        yield server

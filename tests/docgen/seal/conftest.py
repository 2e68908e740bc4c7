"""Fixtures for the seal tests: a 6-page PDF, a self-signed sealing key, a local TSA."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from docgen.seal import SealingKey, clear_cache, create_self_signed
from tests.docgen.seal.sealkit import Tsa, make_pdf, running_tsa
from testsupport.pki import Pki, running_pki


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(scope="session")
def pdf() -> bytes:
    return make_pdf(6)


@pytest.fixture(scope="session")
def seal_key(tmp_path_factory: pytest.TempPathFactory) -> SealingKey:
    folder = tmp_path_factory.mktemp("instance") / "seal"
    return create_self_signed(folder, "Acme Test Ltd", now=datetime.now(UTC))


@pytest.fixture(scope="session")
def _tsa() -> Iterator[Tsa]:
    with running_tsa() as tsa:
        yield tsa


@pytest.fixture
def tsa(_tsa: Tsa) -> Tsa:
    """The session's TSA, answering properly unless a test sets ``mode``."""
    _tsa.mode = "ok"
    return _tsa


@pytest.fixture(scope="session")
def pki() -> Iterator[Pki]:
    """A root and an issuing CA, OCSP, CRLs and two TSAs on 127.0.0.1 (testsupport.pki)."""
    with running_pki() as served:
        yield served


@pytest.fixture
def pki_clock(pki: Pki) -> Iterator[Pki]:
    """The PKI, its clock set back to the real one after the test."""
    yield pki
    pki.freeze(None)

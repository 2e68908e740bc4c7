"""PAdES B-T: a signature timestamp from a real RFC 3161 TSA over HTTP on 127.0.0.1."""

from __future__ import annotations

import socket

import pytest
from asn1crypto import cms

from docgen.seal import SealError, SealingKey, TimestampUnavailable, seal, validate
from tests.docgen.seal.sealkit import Tsa, pdfsig, signature_dictionary


def unsigned_attribute_types(sealed: bytes) -> list[str]:
    contents = signature_dictionary(sealed)["/Contents"]
    # The DER is followed by the zeros that pad /Contents, which load() ignores. Stripping
    # them instead would also cut a signature whose last byte happens to be zero.
    signed_data = cms.ContentInfo.load(bytes(contents))["content"]
    return [a["type"].native for a in signed_data["signer_infos"][0]["unsigned_attrs"]]


def test_a_seal_with_a_timestamp_url_carries_a_timestamp_token(
        pdf: bytes, seal_key: SealingKey, tsa: Tsa) -> None:
    sealed = seal(pdf, seal_key, reason="r", timestamp_url=tsa.url)
    assert "signature_time_stamp_token" in unsigned_attribute_types(sealed)
    report = validate(sealed, trusted=[seal_key.certificate, tsa.certificate])
    assert report.timestamped and report.intact and report.covers_whole_file
    assert report.ok, report.problems
    assert report.signed_at == tsa.fixed_time


def test_the_timestamp_authority_must_be_trusted_too(
        pdf: bytes, seal_key: SealingKey, tsa: Tsa) -> None:
    sealed = seal(pdf, seal_key, reason="r", timestamp_url=tsa.url)
    report = validate(sealed, trusted=[seal_key.certificate])
    assert report.timestamped and report.trusted and not report.ok
    assert report.problems == (
        "the timestamp authority's certificate (O=Acme Test Ltd,CN=Test Timestamp Authority) "
        "is not trusted",
    )


def test_pdfsig_finds_a_timestamped_seal_valid(pdf: bytes, seal_key: SealingKey, tsa: Tsa,
                                               tmp_path) -> None:
    report = pdfsig(seal(pdf, seal_key, reason="r", timestamp_url=tsa.url), tmp_path)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report, report


def test_after_the_first_seal_each_seal_asks_the_tsa_once(
        pdf: bytes, seal_key: SealingKey, tsa: Tsa) -> None:
    seal(pdf, seal_key, reason="r", timestamp_url=tsa.url)
    before = tsa.requests
    seal(pdf, seal_key, reason="r", timestamp_url=tsa.url)
    assert tsa.requests == before + 1


@pytest.mark.parametrize("mode", ["error500", "garbage", "wrong-type", "other-digest"])
def test_a_tsa_that_fails_is_a_transient_error(pdf: bytes, seal_key: SealingKey, tsa: Tsa,
                                               mode: str) -> None:
    tsa.mode = mode
    with pytest.raises(TimestampUnavailable, match="gave no timestamp") as info:
        seal(pdf, seal_key, reason="r", timestamp_url=tsa.url)
    assert info.value.transient
    assert tsa.url in str(info.value)


def test_a_tsa_that_is_down_is_a_transient_error(pdf: bytes, seal_key: SealingKey) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TimestampUnavailable, match="try again later") as info:
        seal(pdf, seal_key, reason="r", timestamp_url=f"http://127.0.0.1:{port}/tsa")
    assert info.value.transient


def test_a_timestamp_url_that_is_not_http_is_refused_as_a_fault(
        pdf: bytes, seal_key: SealingKey) -> None:
    with pytest.raises(SealError, match=r"seal_timestamp_url: 'tsa\.example' is not") as info:
        seal(pdf, seal_key, reason="r", timestamp_url="tsa.example")
    assert not info.value.transient

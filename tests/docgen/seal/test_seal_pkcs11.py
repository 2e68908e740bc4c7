"""A sealing key held in a PKCS#11 token: SoftHSM2 (Debian's softhsm2), a token made in a
temporary SOFTHSM2_CONF, the key imported into it, and seals made inside the token."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from docgen.seal import SealKeyError, SealPassphraseError, seal, validate
from docgen.seal.pkcs11 import clear_tokens
from docgen.seal.selfsigned import configured_sealing_key
from testsupport.pki import Pki

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN, KEY, PIN = "plansign-test", "seal", "4711"

pytestmark = pytest.mark.skipif(
    not (Path(MODULE).exists() and shutil.which("softhsm2-util")),
    reason="SoftHSM2 is missing: scripts/install-system-packages.sh installs softhsm2")


@pytest.fixture
def token(tmp_path: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A SoftHSM2 token holding the PKI's sealing key and certificate."""
    import pkcs11
    from asn1crypto import x509 as asn1_x509
    from pkcs11 import Attribute, CertificateType, ObjectClass

    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                    f"log.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    key_file = tmp_path / "seal.key.pem"
    key_file.write_bytes(pki.key_pem("seal"))
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    for args in (["--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "0000"],
                 ["--import", str(key_file), "--token", TOKEN, "--label", KEY, "--id", "01",
                  "--pin", PIN]):
        subprocess.run(["softhsm2-util", *args], env=env, check=True, capture_output=True,
                       timeout=60)
    key_file.unlink()
    # softhsm2-util imports keys only: the certificate goes in through PKCS#11 itself.
    der = pki.arch.get_cert("seal").dump()
    lib = pkcs11.lib(MODULE)
    with lib.get_token(token_label=TOKEN).open(user_pin=PIN, rw=True) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: KEY, Attribute.ID: b"\x01",
            Attribute.SUBJECT: asn1_x509.Certificate.load(der).subject.dump(),
            Attribute.VALUE: der,
        })
    chain = tmp_path / "chain.pem"
    chain.write_bytes(pki.pem("interm", "root"))
    yield {"seal_pkcs11_module": MODULE, "seal_pkcs11_token_label": TOKEN,
           "seal_pkcs11_key_label": KEY, "seal_pkcs11_pin": PIN,
           "seal_pkcs11_chain_path": str(chain)}
    clear_tokens()


def test_a_key_in_the_token_seals_at_b_lta(pdf: bytes, pki: Pki, token: dict[str, str]
                                           ) -> None:
    key = configured_sealing_key(token)
    assert key is not None and key.subject.startswith("CN=Acme Test Ltd document seal")
    assert "PKCS#11 token 'plansign-test'" in key.source
    sealed = seal(pdf, key, reason="r", timestamp_url=pki.tsa_url(), level="B-LTA")
    report = validate(sealed, trusted=[pki.pem("root")])
    assert report.ok, report.problems
    assert report.level == "B-LTA"
    # A second seal reuses the open session.
    assert validate(seal(pdf, key, reason="r"), trusted=[pki.pem("root")]).intact


def test_a_wrong_pin_names_the_setting(token: dict[str, str]) -> None:
    with pytest.raises(SealPassphraseError) as info:
        configured_sealing_key({**token, "seal_pkcs11_pin": "0000"})
    assert info.value.setting == "seal_pkcs11_pin"
    assert "0000" not in str(info.value)


def test_a_missing_pin_says_it_comes_from_the_environment(token: dict[str, str]) -> None:
    with pytest.raises(SealPassphraseError, match="PLANSIGN_SEAL_PKCS11_PIN is not set"):
        configured_sealing_key({**token, "seal_pkcs11_pin": ""})


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("seal_pkcs11_token_label", "nope", "no token labelled 'nope' could be opened"),
    ("seal_pkcs11_key_label", "nope", "no private key labelled 'nope'"),
    ("seal_pkcs11_module", "/nonexistent/lib.so", "does not exist"),
])
def test_what_cannot_be_found_is_named(token: dict[str, str], setting: str, value: str,
                                       says: str) -> None:
    with pytest.raises(SealKeyError, match=says) as info:
        configured_sealing_key({**token, setting: value})
    assert info.value.setting == setting


def test_a_token_and_a_key_file_together_are_refused(token: dict[str, str]) -> None:
    with pytest.raises(SealKeyError, match="not both"):
        configured_sealing_key({**token, "seal_key_path": "/tmp/x.pem"},
                               now=datetime.now(UTC))

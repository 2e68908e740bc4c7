"""A sealing key held in a PKCS#11 token (an HSM, a smart card, SoftHSM2): it signs
inside the token and never leaves it.

The token is found by its label, the key and its certificate by theirs (the same label,
as tokens usually hold them). The PIN comes from the ``seal_pkcs11_pin`` secret, that
is from the environment only. pyHanko's PKCS#11 signer does the signing, over one
session per process, opened when the key is first loaded.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from docgen.seal.errors import SealKeyError, SealKeyUnreadable, SealPassphraseError
from docgen.seal.keys import SealingKey, load_certificates


@dataclass(frozen=True, eq=False)
class TokenSealingKey(SealingKey):
    """A sealing key in a PKCS#11 token: ``private_key`` is None, ``session`` signs."""

    session: Any = field(default=None, repr=False)
    key_label: str = ""


_keys: dict[tuple[str, str, str], TokenSealingKey] = {}
_lock = threading.Lock()


def load_token_key(*, module: str, token_label: str, key_label: str, pin: str | None,
                   chain_path: str | None = None, now: datetime | None = None,
                   check_dates: bool = True) -> TokenSealingKey:
    """The key labelled ``key_label`` in the token labelled ``token_label`` of the
    PKCS#11 ``module``, with its certificate (same label) and the CA certificates of
    ``chain_path``. Every fault names the setting to fix. Cached per process."""
    if not token_label:
        raise SealKeyError("seal_pkcs11_token_label is not set: name the token that holds "
                           "the sealing key", "seal_pkcs11_token_label")
    if not key_label:
        raise SealKeyError("seal_pkcs11_key_label is not set: name the sealing key in the "
                           "token", "seal_pkcs11_key_label")
    if not Path(module).is_file():
        raise SealKeyUnreadable(f"seal_pkcs11_module: {module} does not exist",
                                "seal_pkcs11_module")
    cache_key = (module, token_label, key_label)
    with _lock:
        key = _keys.get(cache_key)
        if key is None:
            key = _keys[cache_key] = _open(module, token_label, key_label, pin, chain_path)
    if check_dates:
        key.check_valid_at(now or datetime.now(UTC))
    return key


def clear_tokens() -> None:
    """Close every token session (tests; a process that rotates keys)."""
    with _lock:
        for key in _keys.values():
            # A session already gone is closed enough.
            with contextlib.suppress(Exception):
                key.session.close()
        _keys.clear()


def _open(module: str, token_label: str, key_label: str, pin: str | None,
          chain_path: str | None) -> TokenSealingKey:
    import pkcs11
    from pkcs11 import Attribute, ObjectClass
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    if not pin:
        raise SealPassphraseError("PLANSIGN_SEAL_PKCS11_PIN is not set: the token's user PIN "
                                  "is read from the environment only", "seal_pkcs11_pin")
    try:
        session = open_pkcs11_session(module, token_criteria=TokenCriteria(label=token_label),
                                      user_pin=pin)
    except pkcs11.PinIncorrect:
        raise SealPassphraseError("PLANSIGN_SEAL_PKCS11_PIN is wrong for the token "
                                  f"{token_label!r}", "seal_pkcs11_pin") from None
    except Exception as exc:  # pyHanko and python-pkcs11 raise several
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise SealKeyUnreadable(f"seal_pkcs11_token_label: no token labelled {token_label!r} "
                                f"could be opened with {module} ({why})",
                                "seal_pkcs11_token_label") from None
    found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                      Attribute.LABEL: key_label}))
    keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                     Attribute.LABEL: key_label}))
    if not keys:
        session.close()
        raise SealKeyUnreadable(f"seal_pkcs11_key_label: the token {token_label!r} holds no "
                                f"private key labelled {key_label!r}", "seal_pkcs11_key_label")
    if not found:
        session.close()
        raise SealKeyUnreadable(f"seal_pkcs11_key_label: the token {token_label!r} holds no "
                                f"certificate labelled {key_label!r} beside its key",
                                "seal_pkcs11_key_label")
    cert = x509.load_der_x509_certificate(bytes(found[0][Attribute.VALUE]))
    chain = (tuple(load_certificates(Path(chain_path), "seal_pkcs11_chain_path"))
             if chain_path else ())
    return TokenSealingKey(
        private_key=None,  # type: ignore[arg-type]  # it stays in the token
        certificate=cert, chain=chain, session=session, key_label=key_label,
        source=f"the PKCS#11 token {token_label!r} (seal_pkcs11_key_label {key_label!r})",
        renew_hint="put a current certificate for the key in the token")


def token_signer(key: TokenSealingKey) -> Any:
    """pyHanko's PKCS#11 signer over the key's session."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from pyhanko.sign.pkcs11 import PKCS11Signer

    from docgen.seal._pyhanko import asn1_certificate

    # Many tokens (SoftHSM2 among them) offer only raw ECDSA, not ECDSA-with-SHA-256:
    # for EC keys the digest is taken here and the token signs it.
    raw = isinstance(key.certificate.public_key(), ec.EllipticCurvePublicKey)
    return PKCS11Signer(key.session, key_label=key.key_label,
                        signing_cert=asn1_certificate(key.certificate),
                        ca_chain=[asn1_certificate(c) for c in key.chain],
                        other_certs_to_pull=None, use_raw_mechanism=raw)

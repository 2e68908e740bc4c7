"""Signing SendGrid Event Webhook batches the way SendGrid does, for the tests."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from webhooks.sendgrid_events import SIGNATURE_HEADER, TIMESTAMP_HEADER


class SendGridSigner:
    """A generated P-256 key pair: ``public_key`` as SendGrid's settings page shows it."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.public_key = base64.b64encode(der).decode()

    def sign(self, body: bytes, timestamp: int) -> dict[str, str]:
        signature = self._key.sign(str(timestamp).encode() + body, ec.ECDSA(hashes.SHA256()))
        return {SIGNATURE_HEADER: base64.b64encode(signature).decode(),
                TIMESTAMP_HEADER: str(timestamp)}


def batch(*events: dict) -> bytes:
    return json.dumps(list(events)).encode()

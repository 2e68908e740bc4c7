"""Standard Webhooks secrets and signatures, with the ``standardwebhooks`` package.

A secret is ``whsec_`` and the base64 of 32 random bytes. The signature of a message is
``v1,`` and the base64 HMAC-SHA256, under the decoded secret, of
``{webhook-id}.{webhook-timestamp}.{body}``. While a rotated secret is still in its
overlap, the header carries one signature per secret, space-separated, newest first, so
a receiver that has either secret accepts the message.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import secrets
from collections.abc import Sequence

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def check_secret(secret: str) -> str:
    """A secret this module made (or one like it): ``whsec_`` and base64 of 24-64 bytes."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except binascii.Error:
        raise ValueError("a webhook secret is whsec_ followed by base64") from None
    if not 24 <= len(key) <= 64:
        raise ValueError("a webhook secret holds 24 to 64 bytes")
    return secret


def headers(message_id: str, body: str, timestamp: dt.datetime,
            secrets_newest_first: Sequence[str]) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt at ``timestamp``."""
    at = timestamp.astimezone(dt.UTC)  # the library reads the wall time as UTC
    signature = " ".join(_signer(s).sign(message_id, at, body) for s in secrets_newest_first)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature}


@functools.lru_cache(maxsize=1024)
def _signer(secret: str) -> Webhook:
    # Decoding the secret on every attempt would be wasted work at hundreds a second.
    return Webhook(secret)

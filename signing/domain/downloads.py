"""Download links for the final PDF in ``envelope.completed`` webhooks: signed,
purpose-bound and short-lived, so a manager's system can fetch the sealed record once
without an API key.

A token is an itsdangerous dump of ``{"e": envelope_id, "h": final_sha256, "w":
endpoint_id}`` (the endpoint it was sent to, so that the access log names who followed
it; links made before endpoints were named have no ``"w"``), signed
with HMAC-SHA256 under the link keys and the salt :attr:`Purpose.WEBHOOK_DOWNLOAD`, so a
signer's link can never open it nor it a signer's page. It names the exact document:
the route serves the envelope's final PDF only if its hash is the one signed. Times are
explicit (``now``), as everywhere in the workflow; the age is checked to the second.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from signing.domain.links import (
    MAX_TOKEN_LENGTH,
    LinkError,
    LinkExpired,
    LinkTampered,
    Purpose,
    _check_base_url,
    _ClockedTimestampSigner,
    _keys_list,
)
from webhooks.schedule import JITTER, RETRY_DELAYS

# The longest a webhook may wait for its last retry (the schedule, each delay at its
# most with jitter): a link must still work when the delivery that carries it arrives.
DELIVERY_WINDOW = dt.timedelta(
    seconds=round(sum(RETRY_DELAYS, dt.timedelta()).total_seconds() * (1 + JITTER)))


def link_lifetime(download_hours: float) -> dt.timedelta:
    """How long a link works: ``download_hours`` after the last delivery attempt of the
    webhook carrying it could be made."""
    return DELIVERY_WINDOW + dt.timedelta(hours=download_hours)


_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TOKEN = re.compile(r"[A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class DownloadClaims:
    envelope_id: str
    sha256: str
    expires_at: dt.datetime
    endpoint_id: str | None = None  # the webhook endpoint the link was sent to


class DownloadLinks:
    """Signs and checks final-PDF download tokens; keys newest first, as for links."""

    def __init__(self, secret_keys: Sequence[str | bytes], *, max_age: dt.timedelta) -> None:
        self._keys = list(reversed(_keys_list(secret_keys)))  # itsdangerous: oldest first
        seconds = max_age.total_seconds()
        if seconds < 1 or seconds != int(seconds):
            raise ValueError("max_age must be a whole number of seconds, at least one")
        self.max_age = max_age

    def sign(self, envelope_id: str, sha256: str, *, endpoint_id: str,
             now: dt.datetime) -> tuple[str, dt.datetime]:
        """A token for this envelope's final PDF, sent to webhook endpoint
        ``endpoint_id``, and when it stops working."""
        if not (_ID.fullmatch(envelope_id) and _SHA256.fullmatch(sha256)
                and _ID.fullmatch(endpoint_id)):
            raise ValueError("an envelope id, a lower-case hex SHA-256 and an endpoint id "
                             "are needed")
        token = self._serializer(now).dumps({"e": envelope_id, "h": sha256, "w": endpoint_id})
        issued = dt.datetime.fromtimestamp(int(now.timestamp()), dt.UTC)
        return token, issued + self.max_age + dt.timedelta(seconds=1)

    def unsign(self, token: str, *, now: dt.datetime) -> DownloadClaims:
        """The claims of a valid token; raises :class:`LinkTampered` or :class:`LinkExpired`
        (whose messages say nothing of the envelope, and chain nothing)."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH \
                or not _TOKEN.fullmatch(token):
            raise LinkTampered("malformed")
        error: LinkError | None = None
        try:
            payload, issued = self._serializer(now).loads(
                token, max_age=int(self.max_age.total_seconds()), return_timestamp=True)
        except SignatureExpired as exc:
            signed = exc.date_signed
            error = (LinkTampered("future") if signed is None or signed > now
                     else LinkExpired(signed + self.max_age + dt.timedelta(seconds=1)))
        except BadData:
            error = LinkTampered("signature")
        if error is not None:
            raise error
        if not (isinstance(payload, dict) and payload.keys() in ({"e", "h"}, {"e", "h", "w"})
                and isinstance(payload["e"], str) and _ID.fullmatch(payload["e"])
                and isinstance(payload["h"], str) and _SHA256.fullmatch(payload["h"])
                and isinstance(payload.get("w", ""), str)
                and (_ID.fullmatch(payload["w"]) if "w" in payload else True)):
            raise LinkTampered("payload")
        return DownloadClaims(payload["e"], payload["h"],
                              issued + self.max_age + dt.timedelta(seconds=1),
                              payload.get("w"))

    def _serializer(self, now: dt.datetime) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._keys, salt=Purpose.WEBHOOK_DOWNLOAD.value,
                                      signer=_ClockedTimestampSigner,
                                      signer_kwargs={"clock": lambda: now})


def download_url(base_url: str, envelope_id: str, token: str) -> str:
    """``{base_url}/api/v1/envelopes/{id}/final.pdf?token=...``, from the configured base
    URL only."""
    return (f"{_check_base_url(base_url)}/api/v1/envelopes/{quote(envelope_id, safe='')}"
            f"/final.pdf?token={quote(token, safe='')}")

"""Links to a person's own archived records: signed, purpose-bound, bound to one record
and one signer, and checked against the archive each time they are followed.

Two kinds, each with its own itsdangerous salt (:class:`~signing.domain.links.Purpose`),
so neither opens the other nor a signing page:

- :attr:`Purpose.DOWNLOAD`: the link in the "your copy" email. It does not die with the
  14-day signing link: it works as long as the archive keeps the record
  (``employee_copy_link_days`` = 0), or that many days. "Does not expire" is made safe
  by what the link is checked against when it is followed rather than by its age: the
  record must still be in the archive (a purge ends it), the signer must still be one of
  its signers, no revocation (``plansign archive revoke-copy-links``) may be newer than
  the link, and every download, served or refused, is in the archive's access log.
  Dropping a link key from ``PLANSIGN_SECRET_KEYS`` ends every link it signed too; the
  records page then gives the person a fresh one.
- :attr:`Purpose.RECORDS_ACCESS`: a short-lived link (``records_request_link_minutes``)
  mailed in answer to a request on the records page.

A token is a dump of ``{"k": kind, "r": record id, "s": signer id}`` (a kind of record,
so that check-in records and case files can be linked the same way), signed with
HMAC-SHA256 under the link keys. It holds no address and no name. Times are explicit.
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

PURPOSES = (Purpose.DOWNLOAD, Purpose.RECORDS_ACCESS)
_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_KIND = re.compile(r"[a-z_]{1,20}")
_TOKEN = re.compile(r"[A-Za-z0-9_.\-]+")
# The path each purpose's links are served under (signing.web.ownrecords).
PATHS = {Purpose.DOWNLOAD: "copy", Purpose.RECORDS_ACCESS: "my-records"}


@dataclass(frozen=True)
class RecordClaims:
    """What a valid token says: which record, for which of its signers, made when."""

    kind: str
    record_id: str
    signer_id: str
    purpose: Purpose
    issued_at: dt.datetime


class RecordLinks:
    """Signs and checks links to own records; keys newest first, as for signing links.

    :param copy_max_age: how long a copy link works; None: as long as the record is kept.
    :param access_max_age: how long a link mailed from the records page works.
    """

    def __init__(self, secret_keys: Sequence[str | bytes], *,
                 copy_max_age: dt.timedelta | None, access_max_age: dt.timedelta) -> None:
        self._keys = list(reversed(_keys_list(secret_keys)))  # itsdangerous: oldest first
        for age in (copy_max_age, access_max_age):
            if age is not None and (age.total_seconds() < 1
                                    or age.total_seconds() != int(age.total_seconds())):
                raise ValueError("a link's lifetime must be a whole number of seconds")
        self.max_age = {Purpose.DOWNLOAD: copy_max_age, Purpose.RECORDS_ACCESS: access_max_age}

    def sign(self, kind: str, record_id: str, signer_id: str, *, purpose: Purpose,
             now: dt.datetime) -> str:
        if purpose not in PURPOSES:
            raise ValueError(f"{purpose} is not a purpose of record links")
        if not (_KIND.fullmatch(kind) and _ID.fullmatch(record_id)
                and _ID.fullmatch(signer_id)):
            raise ValueError("a kind of record, a record id and a signer id are needed")
        token: str = self._serializer(purpose, now).dumps(
            {"k": kind, "r": record_id, "s": signer_id})
        return token

    def expires_at(self, purpose: Purpose, now: dt.datetime) -> dt.datetime | None:
        """When a link made now stops working by its age (None: it does not age)."""
        age = self.max_age[purpose]
        if age is None:
            return None
        issued = dt.datetime.fromtimestamp(int(now.timestamp()), dt.UTC)
        return issued + age + dt.timedelta(seconds=1)

    def unsign(self, token: str, *, purpose: Purpose, now: dt.datetime) -> RecordClaims:
        """The claims of a valid token; raises :class:`LinkTampered` or
        :class:`LinkExpired`, which chain nothing and say nothing of the record."""
        if purpose not in PURPOSES:
            raise ValueError(f"{purpose} is not a purpose of record links")
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH \
                or not _TOKEN.fullmatch(token):
            raise LinkTampered("malformed")
        age = self.max_age[purpose]
        error: LinkError | None = None
        try:
            payload, issued = self._serializer(purpose, now).loads(
                token, max_age=int(age.total_seconds()) if age is not None else None,
                return_timestamp=True)
        except SignatureExpired as exc:
            signed = exc.date_signed
            error = (LinkTampered("future") if signed is None or signed > now or age is None
                     else LinkExpired(signed + age + dt.timedelta(seconds=1)))
        except BadData:
            error = LinkTampered("signature")
        if error is not None:
            raise error
        if issued > now + dt.timedelta(seconds=1):
            raise LinkTampered("future")  # max_age None skips itsdangerous's own check
        if not (isinstance(payload, dict) and payload.keys() == {"k", "r", "s"}
                and all(isinstance(payload[k], str) for k in "krs")
                and _KIND.fullmatch(payload["k"]) and _ID.fullmatch(payload["r"])
                and _ID.fullmatch(payload["s"])):
            raise LinkTampered("payload")
        return RecordClaims(payload["k"], payload["r"], payload["s"], purpose, issued)

    def url(self, base_url: str, token: str, purpose: Purpose) -> str:
        """The link, from the configured base URL only (never a request's Host)."""
        return f"{_check_base_url(base_url)}/{PATHS[purpose]}/{quote(token, safe='')}"

    def _serializer(self, purpose: Purpose, now: dt.datetime) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._keys, salt=purpose.value,
                                      signer=_ClockedTimestampSigner,
                                      signer_kwargs={"clock": lambda: now})

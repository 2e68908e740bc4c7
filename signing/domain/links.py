"""Signer links: signed, expiring, purpose-bound tokens.

A token is an itsdangerous :class:`~itsdangerous.URLSafeTimedSerializer` dump of a
minimal payload, ``{"s": signer_id, "n": nonce}``, signed with HMAC-SHA256 under a salt
per :class:`Purpose` and the newest of a list of secret keys. The signature proves the
link was made here, for that purpose, not longer ago than ``max_age``. The nonce is kept
in the database with the signer: the caller compares it with :func:`check_nonce`, so
issuing a new nonce revokes every older link (resend, void).

The payload is signed, not encrypted: whoever holds a token can read the signer id and
the nonce in it. That is why it holds nothing else (no name, no email, nothing about the
envelope), and why a token is a secret in its own right. Nothing in this module logs,
and no exception raised here carries or chains the token.

Only the canonical base64 spelling of a signature is accepted, so one set of claims
signed at one second has exactly one valid token string. Still, compare links by their
claims (signer id and nonce), not by token strings.

Usage::

    links = LinkSigner(settings_keys, max_age=timedelta(days=14))
    nonce = new_nonce()                       # store it with the signer
    url = link_url(base_url, links.sign(signer.id, nonce))
    ...
    claims = links.unsign(token)              # LinkTampered, LinkExpired
    check_nonce(claims, signer.link_nonce)    # LinkRevoked
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlsplit

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode, want_bytes

from signing.domain.errors import SigningError
from signing.domain.wording import N_

__all__ = [
    "DEFAULT_MAX_AGE",
    "MAX_TOKEN_LENGTH",
    "LinkClaims",
    "LinkError",
    "LinkExpired",
    "LinkRevoked",
    "LinkSigner",
    "LinkTampered",
    "LinkWithdrawn",
    "Purpose",
    "check_nonce",
    "link_url",
    "new_nonce",
]

DEFAULT_MAX_AGE: Final = timedelta(days=14)

#: Longest token :meth:`LinkSigner.unsign` will look at; longer input is refused before
#: any parsing. Real tokens are about 150 characters.
MAX_TOKEN_LENGTH: Final = 1024

#: Shortest secret key accepted, in bytes (UTF-8 for ``str`` keys).
MIN_KEY_BYTES: Final = 16

_NONCE_BYTES: Final = 32  # 256 bits; token_urlsafe makes 43 characters of them

# Characters of a token: base64url (no padding) and the "." separators.
_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9_.\-]+")
# Opaque ids only: a UUID, a hex or decimal id fit; an email or a name does not.
_SIGNER_ID_RE: Final = re.compile(r"[A-Za-z0-9_\-]{1,64}")
# url-safe base64 of at least 128 bits (22 characters).
_NONCE_RE: Final = re.compile(r"[A-Za-z0-9_\-]{22,128}")


class Purpose(StrEnum):
    """What a link is for. The value is the itsdangerous salt: a token made for one
    purpose is refused for every other. Add a member for a new kind of link; never
    reuse or rename a value (that would invalidate, or cross-validate, live links)."""

    #: The signer's pages: view, acknowledge, refuse, comment.
    SIGN = "plansign.sign"
    #: Downloading one's own copy of the completed document: the link in the "your
    #: copy" email, which lives as long as the record (:mod:`signing.domain.recordlinks`).
    DOWNLOAD = "plansign.download"
    #: Downloading the final PDF from the link in an ``envelope.completed`` webhook
    #: (:mod:`signing.domain.downloads`; its payload is not a signer's).
    WEBHOOK_DOWNLOAD = "plansign.webhook-download"
    #: The employee's page for one check-in record of the plan's case: read it,
    #: acknowledge receipt, comment (:mod:`signing.web.checkin_pages`). Its payload's
    #: "signer" is the check-in record's id; its nonce the employee's link nonce, so a
    #: new link for the employee (or voiding) revokes it too.
    CHECKIN = "plansign.checkin"
    #: A short-lived link to one of a person's own records, mailed in answer to their
    #: request on the records page (:mod:`signing.domain.recordlinks`).
    RECORDS_ACCESS = "plansign.records-access"


# -- errors ---------------------------------------------------------------------------


class LinkError(SigningError):
    """A link that cannot be used. ``str()`` is a message fit to show the person who
    opened it; it says what to do and nothing about the envelope. No exception of this
    family holds the token or the nonce, and none chains the itsdangerous error (whose
    message quotes part of the token)."""

    message: str = N_("This link cannot be used. Please ask HR for a new link.")

    def __init__(self) -> None:
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), ())


class LinkTampered(LinkError):
    """Not a link made here for this purpose: bad or missing signature, another
    purpose, a retired key, malformed, truncated, too long, or dated in the future.

    ``reason`` is a short code for operators (``"malformed"``, ``"too_long"``,
    ``"signature"``, ``"payload"``, ``"future"``); it says nothing about the envelope.
    """

    message = N_(
        "This link is not valid. Please check that you opened the whole link from the "
        "email, or ask HR for a new link."
    )

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason,))


class LinkExpired(LinkError):
    """A genuine link, older than the allowed age. ``expired_at`` (aware, UTC) is the
    first instant it was refused; the signer is deliberately not named."""

    message = N_("This link has expired. Please ask HR for a new link.")

    def __init__(self, expired_at: datetime) -> None:
        self.expired_at = expired_at
        super().__init__()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(expired_at={self.expired_at.isoformat()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.expired_at,))


class LinkRevoked(LinkError):
    """A genuine, unexpired link whose nonce is no longer the signer's current one:
    a newer link was sent, or the link was withdrawn."""

    message = N_(
        "This link is no longer active. If you received a newer email, please use the "
        "link in it; otherwise ask HR for a new link."
    )


class LinkWithdrawn(LinkRevoked):
    """A genuine link to a plan HR withdrew (voided): revoked with every other link to
    it, and the person who opened it is told why."""

    message = N_(
        "This plan was withdrawn, so this link no longer works. There is nothing you "
        "need to do; if you have questions, please ask HR."
    )


# -- claims ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkClaims:
    """What a valid token says. ``repr()`` leaves out the nonce.

    ``issued_at`` is the signing time in whole seconds (aware, UTC); ``expires_at`` is
    the first instant at which :meth:`LinkSigner.unsign` refuses the token (itsdangerous
    accepts an age equal to ``max_age`` and counts whole seconds).
    """

    signer_id: str
    nonce: str = field(repr=False)
    purpose: Purpose
    issued_at: datetime
    expires_at: datetime


def check_nonce(claims: LinkClaims, current_nonce: str | None) -> None:
    """Raise :class:`LinkRevoked` unless ``claims`` carry the signer's current nonce
    (``None``: the signer has no live link). Compared in constant time."""
    if current_nonce is None or not hmac.compare_digest(
        claims.nonce.encode("utf-8"), current_nonce.encode("utf-8")
    ):
        raise LinkRevoked()


def new_nonce() -> str:
    """A fresh nonce: 256 random bits, url-safe base64 (43 characters)."""
    return secrets.token_urlsafe(_NONCE_BYTES)


# -- signing --------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _ClockedTimestampSigner(TimestampSigner):
    """itsdangerous's TimestampSigner on an injected clock and HMAC-SHA256, accepting
    only the canonical base64 spelling of a signature.

    ``get_timestamp`` is the only place TimestampSigner reads the time: it stamps tokens
    in ``sign`` and measures their age in ``unsign``, so both follow the clock.
    ``timestamp_to_datetime`` is a pure conversion and needs no change.
    """

    default_digest_method = staticmethod(hashlib.sha256)
    default_key_derivation = "hmac"

    def __init__(self, *args: Any, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def verify_signature(self, value: str | bytes, sig: str | bytes) -> bool:
        # base64 ignores the spare low bits of the last character: without this check a
        # few spellings of one signature would all verify.
        sig = want_bytes(sig)
        try:
            canonical = base64_encode(base64_decode(sig)) == sig
        except Exception:
            return False
        return canonical and super().verify_signature(value, sig)

    def get_timestamp(self) -> int:
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the link clock must return an aware datetime")
        return int(now.timestamp())


def _keys_list(secret_keys: Sequence[str | bytes]) -> list[bytes]:
    if isinstance(secret_keys, str | bytes):
        raise TypeError("secret_keys must be a list of keys (newest first), not one key")
    keys = [k.encode("utf-8") if isinstance(k, str) else k for k in secret_keys]
    if not keys:
        raise ValueError("secret_keys must hold at least one key")
    for key in keys:
        if not isinstance(key, bytes):
            raise TypeError("each secret key must be str or bytes")
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(
                f"each secret key must be at least {MIN_KEY_BYTES} bytes; make one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
    return keys


class LinkSigner:
    """Signs and checks links.

    :param secret_keys: the keys, **newest first**. Tokens are signed with the first;
        a token signed with any of them is accepted. To rotate, put a new key in front;
        drop the old one once every link signed with it has expired (``max_age``), or
        at once to invalidate them. (itsdangerous itself wants the list oldest first and
        signs with the last key; this class reverses it.)
    :param max_age: how long a link is valid. Whole seconds; at least one.
    :param clock: returns the current time as an aware datetime; defaults to UTC now.
        Tests pass a frozen clock.
    """

    def __init__(
        self,
        secret_keys: Sequence[str | bytes],
        *,
        max_age: timedelta = DEFAULT_MAX_AGE,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        keys = _keys_list(secret_keys)
        seconds = max_age.total_seconds()
        if seconds < 1 or seconds != int(seconds):
            raise ValueError("max_age must be a whole number of seconds, at least one")
        self.max_age = max_age
        self._max_age_seconds = int(seconds)
        self._key_count = len(keys)
        self._clock = clock or _utc_now
        oldest_first = list(reversed(keys))
        self._serializers = {
            purpose: URLSafeTimedSerializer(
                oldest_first,
                salt=purpose.value,
                signer=_ClockedTimestampSigner,
                signer_kwargs={"clock": self._clock},
            )
            for purpose in Purpose
        }

    def __repr__(self) -> str:
        return f"LinkSigner(keys={self._key_count}, max_age={self.max_age!r})"

    def sign(self, signer_id: str, nonce: str, purpose: Purpose = Purpose.SIGN) -> str:
        """A token naming ``signer_id`` and ``nonce``, for ``purpose``, stamped now.

        Raises ``ValueError`` if the signer id is not an opaque id (1-64 of
        ``A-Z a-z 0-9 _ -``) or the nonce is not url-safe base64 of 22-128 characters.
        """
        if not isinstance(signer_id, str) or not _SIGNER_ID_RE.fullmatch(signer_id):
            raise ValueError("signer_id must be an opaque id: 1 to 64 letters, digits, '_' or '-'")
        if not isinstance(nonce, str) or not _NONCE_RE.fullmatch(nonce):
            raise ValueError("nonce must be url-safe base64 of 22 to 128 characters")
        token: str = self._serializers[Purpose(purpose)].dumps({"s": signer_id, "n": nonce})
        return token

    def unsign(self, token: str, purpose: Purpose = Purpose.SIGN) -> LinkClaims:
        """The claims of a token made here for ``purpose`` and not yet expired.

        Raises :class:`LinkTampered` or :class:`LinkExpired`. It does not check the
        nonce: pass the claims to :func:`check_nonce` with the signer's current one.
        """
        serializer = self._serializers[Purpose(purpose)]
        if not isinstance(token, str):
            raise LinkTampered("malformed")
        if len(token) > MAX_TOKEN_LENGTH:
            raise LinkTampered("too_long")
        if not _TOKEN_RE.fullmatch(token):
            raise LinkTampered("malformed")

        # Errors are raised after the try block, so they chain nothing: itsdangerous's
        # messages quote the signature.
        error: LinkError | None = None
        try:
            payload, issued_at = serializer.loads(
                token, max_age=self._max_age_seconds, return_timestamp=True
            )
        except SignatureExpired as exc:
            error = self._expired(exc.date_signed)
        except BadData:
            error = LinkTampered("signature")
        if error is not None:
            raise error

        claims = self._claims(payload, Purpose(purpose), issued_at)
        if claims is None:
            raise LinkTampered("payload")
        return claims

    def _expired(self, date_signed: datetime | None) -> LinkError:
        # itsdangerous raises SignatureExpired for a token dated in the future as well.
        if date_signed is None or date_signed > self._clock():
            return LinkTampered("future")
        return LinkExpired(expired_at=date_signed + timedelta(seconds=self._max_age_seconds + 1))

    def _claims(self, payload: Any, purpose: Purpose, issued_at: datetime) -> LinkClaims | None:
        if not isinstance(payload, dict) or payload.keys() != {"s", "n"}:
            return None
        signer_id, nonce = payload["s"], payload["n"]
        if not (
            isinstance(signer_id, str)
            and _SIGNER_ID_RE.fullmatch(signer_id)
            and isinstance(nonce, str)
            and _NONCE_RE.fullmatch(nonce)
        ):
            return None
        return LinkClaims(
            signer_id=signer_id,
            nonce=nonce,
            purpose=purpose,
            issued_at=issued_at,
            expires_at=issued_at + timedelta(seconds=self._max_age_seconds + 1),
        )


# -- URLs -----------------------------------------------------------------------------


def link_url(base_url: str, token: str, *, page: str = "s") -> str:
    """``{base_url}/s/{token}`` (``page``: ``checkin`` for a check-in record's link),
    from the configured base URL only (never a request's Host header).

    Raises ``ValueError`` for a base URL that is not ``http(s)://host[:port][/path]``
    (no credentials, query or fragment) or a string that is not shaped like a token.
    """
    base = _check_base_url(base_url)
    if (
        not isinstance(token, str)
        or len(token) > MAX_TOKEN_LENGTH
        or not _TOKEN_RE.fullmatch(token)
    ):
        raise ValueError("not a link token")
    return f"{base}/{page}/{token}"


def _check_base_url(base_url: str) -> str:
    bad = ValueError(
        "the base URL must look like https://host[:port][/path], "
        "without credentials, query or fragment"
    )
    if (
        not isinstance(base_url, str)
        or not base_url.isascii()
        or not base_url.isprintable()
        or any(c.isspace() or c == "\\" for c in base_url)
    ):
        raise bad
    parts = urlsplit(base_url)
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise bad from None
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
        or "?" in base_url
        or "#" in base_url
    ):
        raise bad
    return base_url.rstrip("/")

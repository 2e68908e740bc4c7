"""What the mail backends send: a plain, immutable :class:`Message`, and the errors they raise.

A message is complete before it reaches a backend: subject, both bodies and any attachments
are rendered already (:mod:`signing.domain.mail.compose`), so sending is plain data in, a provider
id out, and the same message may be sent again safely. ``idempotency_key`` names the
message across retries; ``custom_args`` carry opaque ids (an envelope id, a signer id) that
let the provider's events be matched to the envelope later. They travel to the provider and
show up in its logs and dashboards, so they never hold a name, an address or the word
"PIP": only ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from docgen.model import address_problem, name_problem
from signing.domain.errors import SigningError
from signing.domain.filenames import file_name

# -- errors ---------------------------------------------------------------------------


class MailError(SigningError):
    """A message could not be sent."""


class MailConfigError(MailError):
    """The mail settings cannot work (unknown backend, missing API key, ...)."""


class TransientMailError(MailError):
    """Worth trying again later: the provider was busy, down or out of reach.

    ``retry_after`` is the provider's own hint in seconds, when it gave one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentMailError(MailError):
    """The provider refused this message; sending it again will not help.

    ``status`` is the provider's HTTP status, or None when no request was made.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class InvalidMessage(PermanentMailError, ValueError):
    """A message that cannot be sent as built (a bad address, a line break in a header).

    Permanent like a provider's 4xx; also a ValueError, because the data is at fault.
    The text names the field, never its value (which may be an address).
    """


# -- the message ----------------------------------------------------------------------

_KEY = re.compile(r"^[!-~]{1,200}$")  # printable ASCII, no spaces
_ARG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_ARG_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
_ARG_SEGMENTS = re.compile(r"[._:-]")
_LINE_BREAK = re.compile(r"[\r\n\x00]")
_PIP = re.compile(r"\bpip\b", re.IGNORECASE)
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")

#: The custom argument a backend adds itself, holding the message's idempotency key.
IDEMPOTENCY_ARG = "idempotency_key"
MAX_CUSTOM_ARGS = 10


class Attachment(NamedTuple):
    filename: str
    content_type: str
    content: bytes

    def __repr__(self) -> str:
        return (f"Attachment(filename={self.filename!r}, content_type={self.content_type!r}, "
                f"{len(self.content)} bytes)")


def attachment_name(stem: str, extension: str, *, fallback: str) -> str:
    """A file name from ``stem`` (a translated word or two: "bilan-de-suivi", "خطة-الأداء")
    and ``extension`` ("pdf"), by the rule a download's name follows too
    (:func:`signing.domain.filenames.file_name`): spaces become hyphens; control and
    format characters (a line break, a right-to-left override) and the characters some
    system refuses in a file name are left out; the stem is bounded; a stem that leaves
    nothing gives ``fallback`` (the English stem). Not limited to ASCII: the backends
    encode a non-ASCII name as RFC 2231 says (filename*=utf-8''...), which mail clients
    decode."""
    return file_name(stem, extension, fallback=fallback)


class InlineImage(NamedTuple):
    """An image the HTML shows from within the message (``<img src="cid:...">``): the
    company's logo. Never a remote image, which mail clients block and which tells the
    sender when the message is opened."""

    content_id: str
    content_type: str
    content: bytes

    def __repr__(self) -> str:
        return f"InlineImage(content_id={self.content_id!r}, {len(self.content)} bytes)"


_CONTENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,60}$")


@dataclass(frozen=True, slots=True)
class Message:
    """One email to one recipient, ready to send.

    The repr leaves out the recipient and the bodies: bodies hold signing links, and
    neither they nor addresses belong in logs.
    """

    to: str = field(repr=False)
    subject: str
    text: str = field(repr=False)
    html: str = field(repr=False)
    idempotency_key: str
    attachments: tuple[Attachment, ...] = ()
    custom_args: Mapping[str, str] = field(default_factory=dict, hash=False)
    to_name: str | None = field(default=None, repr=False)
    reply_to: str | None = field(default=None, repr=False)
    inline_images: tuple[InlineImage, ...] = ()
    # The language the bodies are written in (Content-Language): the plan's for a signer,
    # the reader's own for HR's notices. None: no header.
    language: str | None = None

    def __post_init__(self) -> None:
        _check_address("to", self.to)
        if self.language is not None and not _LANGUAGE_TAG.match(self.language):
            raise InvalidMessage("language: a language tag such as en, fr or pt-BR")
        if self.reply_to is not None:
            _check_address("reply_to", self.reply_to)
        if name_problem(self.to_name or ""):
            raise InvalidMessage("to_name: must be a name on one line, without control "
                                 "characters")
        if not self.subject.strip():
            raise InvalidMessage("subject: a message needs a subject")
        _check_header("subject", self.subject)
        if _PIP.search(self.subject):
            raise InvalidMessage("subject: never name the plan type in a subject; mailbox "
                             "previews show it to anyone near the screen")
        if not _KEY.match(self.idempotency_key):
            raise InvalidMessage("idempotency_key: 1 to 200 printable ASCII characters, no spaces")
        attachments = tuple(Attachment(*a) for a in self.attachments)
        for attachment in attachments:
            _check_header("attachments.filename", attachment.filename)
            if not attachment.filename.strip() or "/" in attachment.filename:
                raise InvalidMessage(f"attachments.filename: {attachment.filename!r} is not a "
                                 "file name")
            if not re.match(r"^[\w.+-]+/[\w.+-]+$", attachment.content_type):
                raise InvalidMessage(f"attachments.content_type: {attachment.content_type!r} is "
                                 "not a MIME type such as text/calendar")
            if not isinstance(attachment.content, bytes):
                raise InvalidMessage("attachments.content: must be bytes")
        object.__setattr__(self, "attachments", attachments)
        images = tuple(InlineImage(*i) for i in self.inline_images)
        for image in images:
            if not _CONTENT_ID.match(image.content_id):
                raise InvalidMessage("inline_images.content_id: letters, digits and ._- only")
            if not image.content_type.startswith("image/"):
                raise InvalidMessage("inline_images.content_type: must be an image type")
        object.__setattr__(self, "inline_images", images)
        args = dict(self.custom_args)
        _check_custom_args(args)
        object.__setattr__(self, "custom_args", MappingProxyType(args))


def _check_address(name: str, value: str) -> None:
    # One address, no display name (that is Message.to_name), by the plan model's rule.
    if not isinstance(value, str) or address_problem(value):
        raise InvalidMessage(f"{name}: not a single email address")


def _check_header(name: str, value: str) -> None:
    if _LINE_BREAK.search(value):
        raise InvalidMessage(f"{name}: must not contain line breaks")


def _check_custom_args(args: dict[str, str]) -> None:
    """Only opaque ids: short, no spaces (names), no @ (addresses), no "PIP" segment."""
    if len(args) > MAX_CUSTOM_ARGS:
        raise InvalidMessage(f"custom_args: at most {MAX_CUSTOM_ARGS}")
    for key, value in args.items():
        if not isinstance(key, str) or not _ARG_NAME.match(key) or _PIP.search(
                key.replace("_", " ")):
            raise InvalidMessage(f"custom_args: {key!r} is not an argument name (lower_snake_case)")
        if key == IDEMPOTENCY_ARG:
            raise InvalidMessage(f"custom_args: {IDEMPOTENCY_ARG} is added by the backend from "
                             "Message.idempotency_key")
        if not isinstance(value, str) or not _ARG_VALUE.match(value):
            raise InvalidMessage(f"custom_args.{key}: only an opaque id (letters, digits and "
                             "._:-, up to 100) goes to the mail provider")
        if any(part.lower() == "pip" for part in _ARG_SEGMENTS.split(value)):
            raise InvalidMessage(f"custom_args.{key}: use an opaque id, not one that names the "
                             "plan type")

"""Mail backends: one small interface, two implementations, chosen by a setting.

``send(message)`` takes a finished :class:`~signing.domain.mail.message.Message` and returns a
:class:`SentMail`. Whatever a backend's library raises is turned into
:class:`~signing.domain.mail.message.TransientMailError` (try again later) or
:class:`~signing.domain.mail.message.PermanentMailError` (sending again will not help) here, at
the boundary, so the worker only knows about these two.

Sending the same message twice is safe: the file backend writes it once; the SendGrid
backend passes the idempotency key as a custom argument, so a message the provider
accepted on an attempt that then timed out can be recognised in its event stream.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email.utils
import hashlib
import http.client
import ipaddress
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote, urlsplit

from signing.domain.mail.message import (
    IDEMPOTENCY_ARG,
    MailConfigError,
    Message,
    PermanentMailError,
    TransientMailError,
)
from webhooks.schedule import parse_retry_after

log = logging.getLogger(__name__)

DEFAULT_SENDGRID_HOST = "https://api.sendgrid.com"
DEFAULT_TIMEOUT = 10.0
BACKENDS = ("file", "sendgrid")


@dataclass(frozen=True)
class SentMail:
    """What a backend reports back: the provider's id for the message, if it gave one."""

    provider_message_id: str | None


@runtime_checkable
class MailBackend(Protocol):
    def send(self, message: Message) -> SentMail:
        """Send one message. Raises TransientMailError or PermanentMailError."""
        ...


# -- file outbox ----------------------------------------------------------------------


class FileMailBackend:
    """One ``.eml`` file per message in a folder: the default that needs no account.

    The file is named from the idempotency key, so a message sent twice is written once.
    It is written to a temporary name, flushed and fsynced, then renamed into place, so
    a reader never sees half a message. Files are readable by their owner only: they
    hold signing links.
    """

    def __init__(self, folder: Path | str, *, from_email: str = "plansign@localhost",
                 from_name: str = "") -> None:
        self.folder = Path(folder)
        self.from_email = from_email
        self.from_name = from_name

    def __repr__(self) -> str:
        return f"FileMailBackend(folder={str(self.folder)!r})"

    def path_for(self, message: Message) -> Path:
        return self.folder / filename_for(message.idempotency_key)

    def send(self, message: Message) -> SentMail:
        target = self.path_for(message)
        if target.exists():
            log.info("mail %s already in the outbox; not written again", target.name)
            return SentMail(target.name)
        data = to_eml(message, from_email=self.from_email, from_name=self.from_name)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, data)
        except OSError as exc:
            # A full disk or a missing mount may well be fixed by the next attempt.
            raise TransientMailError(
                f"could not write the message to the outbox folder: {exc.strerror or exc}"
            ) from exc
        log.info("mail %s written to the outbox", target.name)
        return SentMail(target.name)


def filename_for(idempotency_key: str) -> str:
    """The key, percent-encoded (so two keys never share a name), as a file name."""
    name = quote(idempotency_key, safe="")
    if name.startswith(".") or len(name) > 200:
        name = "key-" + hashlib.sha256(idempotency_key.encode()).hexdigest()
    return f"{name}.eml"


def to_eml(message: Message, *, from_email: str, from_name: str = "") -> bytes:
    """The message as RFC 5322 bytes: text and HTML alternatives (the HTML with its inline
    images, multipart/related), then the attachments. ``from_name`` is the From
    header's display name (the company's, or mail_from_name)."""
    mail = EmailMessage()
    # mail_from may carry a display name of its own ("Plansign <plansign@...>").
    own_name, address = email.utils.parseaddr(from_email)
    mail["From"] = Address(display_name=from_name or own_name, addr_spec=address or from_email)
    mail["To"] = Address(display_name=message.to_name or "", addr_spec=message.to)
    if message.reply_to:
        mail["Reply-To"] = message.reply_to
    mail["Subject"] = message.subject
    mail["Date"] = email.utils.format_datetime(dt.datetime.now(dt.UTC))
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    mail["Message-ID"] = f"<{digest}@plansign.invalid>"
    mail["X-Plansign-Idempotency-Key"] = message.idempotency_key
    if message.custom_args:
        mail["X-Plansign-Custom-Args"] = json.dumps(dict(message.custom_args), sort_keys=True)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    if message.inline_images:
        html = mail.get_body(("html",))
        assert html is not None
        for image in message.inline_images:
            maintype, _, subtype = image.content_type.partition("/")
            html.add_related(image.content, maintype=maintype, subtype=subtype,
                             cid=f"<{image.content_id}>", disposition="inline")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                            filename=attachment.filename)
    if message.language:
        # Last: set_content and add_attachment move Content-* headers into the parts.
        mail["Content-Language"] = message.language
    return mail.as_bytes(policy=SMTP)


def _write_atomically(target: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    # The rename itself is durable only once the folder is synced.
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# -- SendGrid -------------------------------------------------------------------------


class _DropRecords(logging.Filter):
    """python_http_client logs every request's headers (the API key) and body (the
    signing link) at DEBUG. Whatever the logging configuration, those records go nowhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _silence_http_client_log() -> None:
    logger = logging.getLogger("python_http_client.client")
    if not any(isinstance(f, _DropRecords) for f in logger.filters):
        logger.addFilter(_DropRecords())


class SendGridMailBackend:
    """Sends through SendGrid's v3 mail API with the ``sendgrid`` package.

    ``host`` is the API's base URL (a local stand-in in tests); it must be HTTPS unless it
    is this machine, because the API key travels in a header. Click and open tracking are
    switched off: click tracking would route the signing link through the provider's
    redirector, and open tracking adds a remote image.
    """

    def __init__(self, api_key: str, *, host: str = DEFAULT_SENDGRID_HOST, from_email: str,
                 timeout: float = DEFAULT_TIMEOUT, from_name: str = "") -> None:
        from sendgrid import SendGridAPIClient

        if not api_key or not api_key.strip():
            raise MailConfigError("the SendGrid backend needs an API key; set "
                                  "PLANSIGN_SENDGRID_API_KEY in the environment")
        _check_host(host)
        name, address = email.utils.parseaddr(from_email)
        if "@" not in address:
            raise MailConfigError("the sender address for mail is not an email address")
        if timeout <= 0:
            raise MailConfigError("the mail timeout must be more than 0 seconds")
        self.host = host.rstrip("/")
        self.from_name = from_name or name or None
        self.from_address = address
        self.timeout = timeout
        self._secret = api_key
        self._client = SendGridAPIClient(api_key, host=self.host)
        # SendGridAPIClient has no timeout argument; its HTTP client carries one.
        self._client.client.timeout = timeout
        _silence_http_client_log()

    def __repr__(self) -> str:
        return f"SendGridMailBackend(host={self.host!r}, from_email={self.from_address!r})"

    def build(self, message: Message) -> dict[str, Any]:
        """The request body SendGrid's API receives for this message."""
        from sendgrid.helpers import mail as sg
        from sendgrid.helpers.mail.exceptions import SendGridException

        try:
            mail = sg.Mail(
                from_email=sg.From(self.from_address, self.from_name),
                to_emails=sg.To(message.to, message.to_name),
                subject=sg.Subject(message.subject),
                plain_text_content=sg.PlainTextContent(message.text),
                html_content=sg.HtmlContent(message.html),
            )
            if message.reply_to:
                mail.reply_to = sg.ReplyTo(message.reply_to)
            if message.language:
                mail.add_header(sg.Header("Content-Language", message.language))
            for key, value in {**message.custom_args,
                               IDEMPOTENCY_ARG: message.idempotency_key}.items():
                mail.add_custom_arg(sg.CustomArg(key, value))
            for attachment in message.attachments:
                mail.add_attachment(sg.Attachment(
                    sg.FileContent(_base64(attachment.content)),
                    sg.FileName(attachment.filename),
                    sg.FileType(attachment.content_type),
                    sg.Disposition("attachment"),
                ))
            for image in message.inline_images:
                mail.add_attachment(sg.Attachment(
                    sg.FileContent(_base64(image.content)), sg.FileName(image.content_id),
                    sg.FileType(image.content_type), sg.Disposition("inline"),
                    sg.ContentId(image.content_id)))
            mail.tracking_settings = sg.TrackingSettings(
                click_tracking=sg.ClickTracking(False, False),
                open_tracking=sg.OpenTracking(False),
                subscription_tracking=sg.SubscriptionTracking(False),
            )
            body: dict[str, Any] = mail.get()
            return body
        except (SendGridException, ValueError, TypeError) as exc:
            raise PermanentMailError(f"the message cannot be sent through SendGrid: "
                                     f"{type(exc).__name__}") from None

    def send(self, message: Message) -> SentMail:
        from python_http_client.exceptions import HTTPError

        body = self.build(message)
        try:
            response = self._client.send(body)
        except HTTPError as exc:
            # `from None`: the library's exception and its frames stay out of our tracebacks.
            raise self._error_for(exc) from None
        except (OSError, http.client.HTTPException) as exc:
            # URLError (refused, DNS), timeouts, resets, bad status lines: none say that
            # the provider refused the message, so another attempt may go through.
            raise TransientMailError(
                f"could not reach the mail provider: {self._redact(_reason(exc))}"
            ) from None
        provider_id = response.headers.get("X-Message-Id")
        log.info("mail %s accepted by SendGrid (status %s)", message.idempotency_key,
                 response.status_code)
        return SentMail(provider_id or None)

    def _error_for(self, exc: object) -> TransientMailError | PermanentMailError:
        status = int(getattr(exc, "status_code", 0) or 0)
        headers = getattr(exc, "headers", None)
        detail = self._redact(_provider_detail(getattr(exc, "body", b"")))
        text = f"SendGrid answered {status}" + (f": {detail}" if detail else "")
        if status == 429 or status >= 500:
            return TransientMailError(text, retry_after=retry_after(headers))
        return PermanentMailError(text, status=status or None)

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "[redacted]") if self._secret else text


def _check_host(host: str) -> None:
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MailConfigError("the SendGrid host must be a URL such as "
                              f"{DEFAULT_SENDGRID_HOST}")
    if parts.username or parts.password:
        raise MailConfigError("the SendGrid host must not carry credentials")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise MailConfigError("the SendGrid host must use https (the API key travels with "
                              "every request); plain http is for 127.0.0.1 only")


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _base64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)  # URLError wraps the socket error
    return str(reason if reason is not None else exc) or type(exc).__name__


def _provider_detail(body: object, limit: int = 300) -> str:
    """SendGrid's error messages ({"errors": [{"message", "field"}]}), shortened."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str) or not body.strip():
        return ""
    try:
        errors = json.loads(body).get("errors") or []
        text = "; ".join(
            f"{e.get('field')}: {e.get('message')}" if e.get("field") else str(e.get("message"))
            for e in errors if isinstance(e, dict)
        )
    except (ValueError, AttributeError):
        text = " ".join(body.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retry_after(headers: object, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date, read by the
    one parser, :func:`webhooks.schedule.parse_retry_after`), else from SendGrid's
    X-RateLimit-Reset (a Unix time); None when neither is there or readable."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    now = time.time() if now is None else now
    wait = parse_retry_after(get("Retry-After"), dt.datetime.fromtimestamp(now, dt.UTC))
    if wait is not None:
        return wait.total_seconds()
    reset = get("X-RateLimit-Reset")
    if reset:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            return None
    return None


# -- choosing one ---------------------------------------------------------------------


def backend_from_settings(name: str, *, folder: Path | str | None, api_key: str | None,
                          host: str | None, from_email: str,
                          timeout: float = DEFAULT_TIMEOUT, from_name: str = "") -> MailBackend:
    """The backend the ``mail_backend`` setting names: "file" or "sendgrid". Every
    message is from ``from_name`` <``from_email``>."""
    choice = (name or "").strip().lower()
    if choice == "file":
        if not folder:
            raise MailConfigError("the file mail backend needs a folder for its .eml files")
        return FileMailBackend(Path(folder), from_email=from_email, from_name=from_name)
    if choice == "sendgrid":
        if not api_key:
            raise MailConfigError("mail_backend is sendgrid but no SendGrid API key is set; "
                                  "set PLANSIGN_SENDGRID_API_KEY in the environment, or use "
                                  "the file backend")
        return SendGridMailBackend(api_key, host=host or DEFAULT_SENDGRID_HOST,
                                   from_email=from_email, timeout=timeout,
                                   from_name=from_name)
    raise MailConfigError(f"unknown mail backend {name!r}; choose one of: "
                          + ", ".join(BACKENDS))

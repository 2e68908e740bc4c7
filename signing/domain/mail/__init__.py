"""Email: messages, the backends that send them, and the messages plansign sends.

- :mod:`signing.domain.mail.message`: :class:`Message` and the mail errors.
- :mod:`signing.domain.mail.backends`: :class:`MailBackend` with a file outbox and SendGrid,
  chosen by :func:`backend_from_settings`.
- :mod:`signing.domain.mail.compose`: invitation, reminder, your copy, HR notice, voided.
- :mod:`signing.domain.mail.ics`: the check-in calendar attached to an invitation, and its
  cancellation attached to the notice that the plan was withdrawn.
"""

from signing.domain.mail.backends import (
    FileMailBackend,
    MailBackend,
    SendGridMailBackend,
    SentMail,
    backend_from_settings,
)
from signing.domain.mail.message import (
    Attachment,
    InlineImage,
    InvalidMessage,
    MailConfigError,
    MailError,
    Message,
    PermanentMailError,
    TransientMailError,
)

__all__ = [
    "Attachment",
    "FileMailBackend",
    "InlineImage",
    "InvalidMessage",
    "MailBackend",
    "MailConfigError",
    "MailError",
    "Message",
    "PermanentMailError",
    "SendGridMailBackend",
    "SentMail",
    "TransientMailError",
    "backend_from_settings",
]

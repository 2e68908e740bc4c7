"""Email: messages, the backends that send them, and the messages plansign sends.

- :mod:`signing.mail.message`: :class:`Message` and the mail errors.
- :mod:`signing.mail.backends`: :class:`MailBackend` with a file outbox and SendGrid,
  chosen by :func:`backend_from_settings`.
- :mod:`signing.mail.compose`: invitation, reminder, your copy, HR notice, voided.
- :mod:`signing.mail.ics`: the check-in calendar attached to an invitation, and its
  cancellation attached to the notice that the plan was withdrawn.
"""

from signing.mail.backends import (
    FileMailBackend,
    MailBackend,
    SendGridMailBackend,
    SentMail,
    backend_from_settings,
)
from signing.mail.message import (
    Attachment,
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

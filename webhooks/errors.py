"""The exceptions the webhooks package raises. Every one derives from :class:`WebhookError`."""

from __future__ import annotations

from collections.abc import Mapping


def N_(text: str) -> str:
    """Marks a message for the console's catalog (babel.cfg extracts it); the webhooks
    package speaks English, and the console translates ``msgid`` with ``values``."""
    return text


class WebhookError(Exception):
    """Base class of every error the webhooks package raises on purpose. One an admin may
    meet on a page keeps its message before its values apart (``msgid``, ``values``), as
    signing.domain.errors.Wording does (this package does not import signing; the console
    reads them by these attributes: signing.domain.errors.wording_of): its ``str`` stays
    the English the API and the command line show."""

    msgid: str | None = None
    values: Mapping[str, object] | None = None


class InvalidInput(WebhookError):
    """Input that cannot be used; names the field at fault. Nothing was changed.
    ``message`` (marked :func:`N_`) is filled with ``values`` for the English."""

    def __init__(self, field: str, message: str, **values: object) -> None:
        self.field = field
        self.msgid, self.values = message, values
        self.message = message % values if values else message
        super().__init__(f"{field}: {self.message}")


class EndpointNotFound(WebhookError):
    def __init__(self, endpoint_id: str) -> None:
        self.endpoint_id = endpoint_id
        super().__init__(f"no webhook endpoint {endpoint_id}")


class MessageNotFound(WebhookError):
    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        super().__init__(f"no webhook message {message_id}")


class ScopeNotAllowed(WebhookError):
    """An endpoint for every plan asked for by an owner who may not see every plan."""

    msgid = N_("an endpoint for every plan can only be registered with an admin key; limit "
               "it with manager, department or named_only (it then receives only the plans "
               "its owner may see)")

    def __init__(self) -> None:
        super().__init__(self.msgid)


class EndpointDisabled(WebhookError):
    """The endpoint is disabled, so nothing can be sent to it until it is enabled again."""

    def __init__(self, endpoint_id: str, reason: str | None) -> None:
        self.endpoint_id = endpoint_id
        super().__init__(f"webhook endpoint {endpoint_id} is disabled"
                         + (f" ({reason})" if reason else "")
                         + "; enable it first")


class UnsafeAddress(WebhookError):
    """The endpoint's host is, or resolves to, an address this service must not call
    (loopback, private, link-local, ...) and the configuration does not allow it."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        self.msgid = unsafe_address_message(host, address)
        self.values = {"host": host, "address": address}
        super().__init__(self.msgid % self.values)


def unsafe_address_message(host: str, address: str) -> str:
    """Why a host may not be called, as one sentence (its values apart)."""
    if host == address:
        return N_("%(host)s is not a public address; webhooks are only sent to public "
                  "addresses unless webhook_allow_private is set")
    return N_("%(host)s resolves to %(address)s, which is not a public address; webhooks "
              "are only sent to public addresses unless webhook_allow_private is set")

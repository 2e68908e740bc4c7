"""The exceptions the webhooks package raises. Every one derives from :class:`WebhookError`."""

from __future__ import annotations


class WebhookError(Exception):
    """Base class of every error the webhooks package raises on purpose."""


class InvalidInput(WebhookError):
    """Input that cannot be used; names the field at fault. Nothing was changed."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


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

    def __init__(self) -> None:
        super().__init__("an endpoint for every plan can only be registered with an admin "
                         "key; limit it with manager, department or named_only (it then "
                         "receives only the plans its owner may see)")


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
        where = host if host == address else f"{host} resolves to {address}, which"
        super().__init__(f"{where} is not a public address; webhooks are only sent to "
                         "public addresses unless webhook_allow_private is set")

"""The OpenID Connect handshake at the web edge, with Authlib's Flask client: discovery,
the authorization request (state, nonce, PKCE with S256), the token exchange with the
client secret, and the ID token's signature, issuer, audience, expiry and nonce.

What the handshake must remember between leaving for the provider and coming back
(state, nonce, PKCE verifier, where to go after) is kept in a short-lived cookie of its
own, signed with the app's key and scoped to the console, rather than in Flask's session
cookie, which the signer's pages own. It names no one: nobody is signed in until the
callback has checked it all.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, cast

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError
from requests import RequestException
from werkzeug.wrappers import Response as BaseResponse

from signing.domain.oidc import CALLBACK_PATH, OidcSettings
from signing.web import current

HANDSHAKE_COOKIE = "plansign_console_oidc"
HANDSHAKE_SECONDS = 600  # to sign in at the provider, a second factor there included
_EXTENSION = "plansign.console.oidc"
_TIMEOUT = 10  # seconds for each request to the provider


class HandshakeFailed(Exception):
    """The provider could not be reached, refused, or answered something that does not
    check out. ``reason`` is for the access log; the person gets a page in words."""

    def __init__(self, reason: str, *, provider_down: bool = False,
                 denied: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.provider_down, self.denied = reason, provider_down, denied


def settings() -> OidcSettings | None:
    """Single sign-on's settings, or None when it is off."""
    return OidcSettings.of(current.services().settings)


def _client(config: OidcSettings) -> Any:
    """The app's Authlib client for the provider (made once per app: it keeps the
    provider's discovery document and keys once fetched)."""
    app = cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    registry: OAuth | None = app.extensions.get(_EXTENSION)
    if registry is None:
        registry = OAuth(app)
        registry.register(
            "provider", client_id=config.client_id, client_secret=config.client_secret,
            server_metadata_url=config.discovery_url,
            client_kwargs={"scope": config.scopes, "code_challenge_method": "S256",
                           "default_timeout": _TIMEOUT})
        app.extensions[_EXTENSION] = registry
    return registry.create_client("provider")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="console-oidc")


def redirect_uri() -> str:
    base_url: str = current.services().settings.base_url
    return base_url.rstrip("/") + CALLBACK_PATH


@dataclass(frozen=True)
class Departure:
    url: str  # the provider's authorization page
    handshake: str  # for the cookie


def depart(config: OidcSettings, next_path: str | None) -> Departure:
    """Where to send the browser to sign in at the provider, and what to remember."""
    client = _client(config)
    try:
        metadata = client.load_server_metadata()
        if str(metadata.get("issuer", "")).rstrip("/") != config.issuer.rstrip("/"):
            # OpenID Connect Discovery 1.0 section 4.3: the document must be the issuer's own.
            raise HandshakeFailed(f"the discovery document names issuer "
                                  f"{metadata.get('issuer')!r}, not {config.issuer!r}",
                                  provider_down=True)
        started = client.create_authorization_url(redirect_uri())
    except RequestException as exc:
        raise HandshakeFailed(f"discovery failed: {type(exc).__name__}",
                              provider_down=True) from None
    except (ValueError, KeyError, RuntimeError) as exc:  # RuntimeError: no endpoint named
        raise HandshakeFailed(f"discovery document unusable: {exc}",
                              provider_down=True) from None
    handshake = _serializer().dumps({"state": started["state"], "nonce": started["nonce"],
                                     "verifier": started["code_verifier"],
                                     "next": next_path or ""})
    return Departure(started["url"], handshake)


@dataclass(frozen=True)
class Arrival:
    claims: dict[str, Any]  # the ID token's, validated
    next_path: str | None


def arrive(config: OidcSettings) -> Arrival:
    """Finish the handshake the provider sent the browser back to: the state must be the
    one this browser left with, then the code is exchanged (with the PKCE verifier) and
    the ID token checked (with the nonce)."""
    try:
        remembered = _serializer().loads(request.cookies.get(HANDSHAKE_COOKIE, ""),
                                         max_age=HANDSHAKE_SECONDS)
    except BadSignature:
        raise HandshakeFailed("no handshake cookie, or an expired one") from None
    if request.args.get("error"):
        raise HandshakeFailed(f"the provider said {request.args.get('error')!r}: "
                              f"{request.args.get('error_description', '')[:200]}",
                              denied=request.args.get("error") == "access_denied")
    state, code = request.args.get("state", ""), request.args.get("code", "")
    if not code or not hmac.compare_digest(state.encode(), remembered["state"].encode()):
        raise HandshakeFailed("the state is not the one this browser left with")
    client = _client(config)
    try:
        token = client.fetch_access_token(redirect_uri=redirect_uri(), code=code,
                                          code_verifier=remembered["verifier"])
        if "id_token" not in token:
            raise HandshakeFailed("the token response has no ID token")
        claims = client.parse_id_token(token, nonce=remembered["nonce"])
    except RequestException as exc:
        raise HandshakeFailed(f"token exchange failed: {type(exc).__name__}",
                              provider_down=True) from None
    except OAuthError as exc:
        raise HandshakeFailed(f"the provider refused the code: {exc.error}") from None
    except (JoseError, AuthlibBaseError) as exc:
        # joserfc's (signature, expiry, claims) or Authlib's: the token does not check out.
        raise HandshakeFailed(f"the ID token does not check out: {exc!r}"[:300]) from None
    return Arrival(dict(claims), remembered["next"] or None)


def remember(response: BaseResponse, handshake: str) -> BaseResponse:
    # Lax: the provider sends the browser back with a top-level GET, which Lax lets through.
    response.set_cookie(HANDSHAKE_COOKIE, handshake, max_age=HANDSHAKE_SECONDS, httponly=True,
                        samesite="Lax", path="/console/signin",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def forget(response: BaseResponse) -> BaseResponse:
    response.delete_cookie(HANDSHAKE_COOKIE, path="/console/signin")
    return response

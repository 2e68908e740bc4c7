"""Sending requests: aiohttp on an event loop in a thread of its own, so one worker keeps
many deliveries in flight while its main thread claims and records.

Each attempt has a timeout of its own (from when a connection slot is free for it, not
from when it was queued), follows no redirect, keeps no cookies, ignores proxy settings
in the environment, and reads at most a few KiB of the answer. Every connection's DNS
answer is checked (:class:`GuardedResolver`), so a name that points at this host or its
private network is refused at the moment it would be used, not only at registration.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from webhooks.addresses import check_address, literal_ip
from webhooks.errors import UnsafeAddress

USER_AGENT = "plansign-webhooks/1"
EXCERPT_CHARS = 500
# Enough of a body for its first 500 characters; a longer one closes the connection.
READ_LIMIT = 8 * 1024


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a status, or an error that stopped it before one."""

    status: int | None
    latency_ms: int
    excerpt: str | None = None
    error: str | None = None
    retry_after: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class GuardedResolver(ThreadedResolver):
    """The system resolver, refusing any answer that holds a non-public address."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        answers = await super().resolve(host, port, family)
        for answer in answers:
            check_address(host, answer["host"], allow_private=self.allow_private)
        return answers


class Transport:
    """A pool of connections on a background event loop; :meth:`send` from any thread."""

    def __init__(self, *, timeout: float, allow_private: bool, per_endpoint: int) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        self.per_endpoint = per_endpoint
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever,
                                        name="webhook-transport", daemon=True)
        self._thread.start()
        self._session: aiohttp.ClientSession | None = None
        self._slots: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.per_endpoint))

    def send(self, endpoint_id: str, url: str, body: bytes,
             headers: dict[str, str]) -> concurrent.futures.Future[Outcome]:
        """Start one attempt; the future's result is its :class:`Outcome` (never raises)."""
        return asyncio.run_coroutine_threadsafe(self._attempt(endpoint_id, url, body, headers),
                                                self._loop)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        if self._session is not None:
            asyncio.run_coroutine_threadsafe(self._session.close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def _attempt(self, endpoint_id: str, url: str, body: bytes,
                       headers: dict[str, str]) -> Outcome:
        async with self._slots[endpoint_id]:
            started = time.monotonic()
            try:
                return await self._request(url, body, headers, started)
            except UnsafeAddress as exc:
                return Outcome(None, _ms(started), error=str(exc))
            except TimeoutError:
                return Outcome(None, _ms(started),
                               error=f"timed out after {self.timeout:g} s")
            except aiohttp.ClientConnectorError as exc:
                cause = exc.os_error if isinstance(exc.os_error, UnsafeAddress) else None
                if cause is not None:
                    return Outcome(None, _ms(started), error=str(cause))
                return Outcome(None, _ms(started), error=_short(f"could not connect: {exc}"))
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                return Outcome(None, _ms(started), error=_short(f"{type(exc).__name__}: {exc}"))

    async def _request(self, url: str, body: bytes, headers: dict[str, str],
                       started: float) -> Outcome:
        host = urlsplit(url).hostname or ""
        if literal_ip(host) is not None:  # an address in the URL skips the resolver
            check_address(host, str(literal_ip(host)), allow_private=self.allow_private)
        session = self._session or self._open()
        async with session.post(url, data=body, headers={
                **headers, "content-type": "application/json", "user-agent": USER_AGENT},
                allow_redirects=False, timeout=aiohttp.ClientTimeout(total=self.timeout)) as r:
            start = await r.content.read(READ_LIMIT)
            excerpt = start.decode("utf-8", errors="replace")[:EXCERPT_CHARS] or None
            if not r.content.at_eof():
                r.close()  # the rest is not wanted; do not reuse a half-read connection
            return Outcome(r.status, _ms(started), excerpt=excerpt,
                           retry_after=r.headers.get("Retry-After"))

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(allow_private=self.allow_private),
            limit=0, limit_per_host=0, ttl_dns_cache=30)
        self._session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
            auto_decompress=False, raise_for_status=False)
        return self._session


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _short(text: str) -> str:
    return " ".join(text.split())[:EXCERPT_CHARS]



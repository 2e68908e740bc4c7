"""Where webhooks may go: endpoint URLs, and the addresses their hosts resolve to.

A webhook is a request this service makes to a URL someone typed in, so it must not
become a way to reach this host or its private network (SSRF). Endpoints must be public
unless ``allow_private`` is set (tests, or a receiver on the same private network), and
must use https unless their host is such an allowed private one. The URL is checked
when an endpoint is registered, and every connection is checked again after its DNS
lookup (:mod:`webhooks.transport`), since a name can point elsewhere later.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from webhooks.errors import N_, InvalidInput, UnsafeAddress, unsafe_address_message

MAX_URL_LENGTH = 2000
# How long registration waits for a DNS answer before leaving the check to delivery.
RESOLVE_TIMEOUT = 3.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]


# IPv6 forms that carry an IPv4 address in their last 32 bits, which is where the
# packet ends up: NAT64's well-known prefix (RFC 6052), the deprecated IPv4-compatible
# ::a.b.c.d, and SIIT's IPv4-translated ::ffff:0:a.b.c.d (RFC 2765). IPv4-mapped,
# 6to4 and Teredo have ipaddress properties of their own.
_CARRY_IPV4_LAST = tuple(ipaddress.IPv6Network(n) for n in (
    "64:ff9b::/96", "::/96", "::ffff:0:0:0/96"))
# NAT64 prefixes for local use (RFC 8215): a translator on some private network.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def is_public(address: str | IPAddress) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local,
    shared (CGNAT), multicast, reserved or unspecified, also when IPv4 hides in IPv6
    (then the IPv4 address is what is checked)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public(embedded)
    return ip.is_global and not ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if any(ip in network for network in _CARRY_IPV4_LAST):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)


def check_address(host: str, address: str, *, allow_private: bool) -> None:
    """Raise :class:`UnsafeAddress` for an address a webhook must not be sent to."""
    if not allow_private and not is_public(address.split("%", 1)[0]):
        raise UnsafeAddress(host, address)


def literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_local_name(host: str) -> bool:
    """Names that mean this machine whatever DNS says (RFC 6761)."""
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


def system_resolve(host: str) -> list[str]:
    """The addresses of ``host`` by the system's resolver; waits at most RESOLVE_TIMEOUT."""
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        infos = pool.submit(socket.getaddrinfo, host, None, type=socket.SOCK_STREAM)
        return sorted({str(info[4][0]) for info in infos.result(timeout=RESOLVE_TIMEOUT)})
    finally:
        pool.shutdown(wait=False)  # a lookup that hangs is left to finish on its own


def check_url(url: object, *, allow_private: bool,
              resolve: Resolver | None = system_resolve, field: str = "url") -> str:
    """The endpoint URL, checked; raises :class:`InvalidInput` naming ``field``.

    https is required, except for a host that is private (or this machine) when
    ``allow_private`` lets such hosts be used at all. A name that does not resolve is
    accepted: delivery checks every connection anyway, and DNS may not be set up yet.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput(field, N_("give the endpoint's URL, e.g. "
                                     "https://hris.example.com/hooks"))
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(field, N_("is longer than %(most)s characters"),
                           most=MAX_URL_LENGTH)
    if not url.isascii() or not url.isprintable() or any(c.isspace() for c in url):
        raise InvalidInput(field, N_("must be plain ASCII without spaces (write an "
                                     "international domain name in its xn-- form)"))
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidInput(field, N_("has an invalid port")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(field, N_("must be an https:// URL with a host name"))
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(field, N_("must not hold a user name or password; the signature "
                                     "authenticates each request"))
    if parts.fragment or url.endswith("#"):
        raise InvalidInput(field, N_("must not have a #fragment"))
    host = parts.hostname
    private = _private_addresses(host, resolve)
    if private and not allow_private:
        raise InvalidInput(field, unsafe_address_message(host, private[0]), host=host,
                           address=private[0])
    if parts.scheme == "http" and not private:
        raise InvalidInput(field, N_("must use https:// (plain http is only allowed for "
                                     "private hosts, when webhook_allow_private is set)"))
    return url


def _private_addresses(host: str, resolve: Resolver | None) -> list[str]:
    ip = literal_ip(host)
    if ip is not None:
        return [] if is_public(ip) else [str(ip)]
    if is_local_name(host):
        return ["127.0.0.1"]
    if resolve is None:
        return []
    try:
        addresses: Iterable[str] = resolve(host)
    except (OSError, concurrent.futures.TimeoutError, UnicodeError):
        return []
    return [a for a in addresses if not is_public(a.split("%", 1)[0])]

"""Which endpoint URLs are accepted, and which addresses are public."""

from __future__ import annotations

import pytest

from webhooks.addresses import check_url, is_public
from webhooks.errors import InvalidInput


def resolver(table):
    def resolve(host):
        if host not in table:
            raise OSError("Name or service not known")
        return table[host]
    return resolve


PUBLIC = resolver({"hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07::1"],
                   "intranet.example.com": ["10.1.2.3"],
                   "sneaky.example.com": ["93.184.215.14", "127.0.0.1"]})


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses(address):
    assert is_public(address)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "::",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "ff02::1"])
def test_private_and_special_addresses(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", [
    "64:ff9b::127.0.0.1", "64:ff9b::10.0.0.1", "64:ff9b::169.254.169.254",  # NAT64
    "64:ff9b:1::8.8.8.8", "64:ff9b:1:ffff::1",  # NAT64 for local use: a private network
    "::127.0.0.1", "::10.0.0.1", "::192.168.1.1",  # IPv4-compatible
    "::ffff:0:10.0.0.1", "::ffff:192.168.0.1", "::ffff:169.254.169.254"])
def test_private_ipv4_inside_ipv6_is_refused(address):
    """The IPv4 address an IPv6 form carries is where the request goes: it is the one
    checked."""
    assert not is_public(address)
    with pytest.raises(InvalidInput, match="private"):
        check_url(f"https://[{address}]/h", allow_private=False, resolve=PUBLIC)


@pytest.mark.parametrize("address", ["64:ff9b::8.8.8.8", "::ffff:93.184.215.14"])
def test_public_ipv4_inside_ipv6_is_public(address):
    assert is_public(address)


def test_a_public_https_url_is_accepted():
    url = "https://hooks.example.com/plansign?team=7"
    assert check_url(f"  {url} ", allow_private=False, resolve=PUBLIC) == url


def test_a_name_that_does_not_resolve_yet_is_accepted():
    assert check_url("https://new.example.org/h", allow_private=False, resolve=PUBLIC)


@pytest.mark.parametrize(("url", "message"), [
    ("http://hooks.example.com/h", "must use https://"),
    ("ftp://hooks.example.com/h", "must be an https:// URL"),
    ("https:///nohost", "must be an https:// URL"),
    ("https://user:pw@hooks.example.com/h", "must not hold a user name or password"),
    ("https://hooks.example.com/h#frag", "must not have a #fragment"),
    ("https://hooks.example.com:99999/h", "invalid port"),
    ("https://hooks.exämple.com/h", "plain ASCII"),
    ("https://hooks.example.com/a b", "plain ASCII"),
    ("https://127.0.0.1/h", "127.0.0.1 is not a public address"),
    ("https://[::1]/h", "::1 is not a public address"),
    ("https://localhost/h", "localhost resolves to 127.0.0.1"),
    ("https://intranet.example.com/h", "intranet.example.com resolves to 10.1.2.3"),
    ("https://sneaky.example.com/h", "resolves to 127.0.0.1"),
    ("https://169.254.169.254/latest/meta-data", "not a public address"),
    ("", "give the endpoint's URL"),
    (None, "give the endpoint's URL"),
    ("https://hooks.example.com/" + "a" * 2000, "longer than 2000"),
])
def test_bad_urls_are_refused_naming_the_field(url, message):
    with pytest.raises(InvalidInput, match=message) as info:
        check_url(url, allow_private=False, resolve=PUBLIC)
    assert info.value.field == "url"


def test_private_hosts_when_allowed_may_use_plain_http():
    assert check_url("http://127.0.0.1:8080/h", allow_private=True, resolve=PUBLIC)
    assert check_url("http://intranet.example.com/h", allow_private=True, resolve=PUBLIC)
    with pytest.raises(InvalidInput, match="must use https://"):
        check_url("http://hooks.example.com/h", allow_private=True, resolve=PUBLIC)

"""Signer links: real itsdangerous, a frozen clock, no sleeping."""

from __future__ import annotations

import base64
import json
import logging
import pickle
import traceback
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signing.domain.errors import SigningError
from signing.domain.links import (
    DEFAULT_MAX_AGE,
    MAX_TOKEN_LENGTH,
    LinkClaims,
    LinkError,
    LinkExpired,
    LinkRevoked,
    LinkSigner,
    LinkTampered,
    Purpose,
    check_nonce,
    link_url,
    new_nonce,
)

KEY_OLD = "old-secret-key-0123456789abcdef"
KEY_NEW = "new-secret-key-fedcba9876543210"
KEY_OTHER = b"another-key-nobody-configured!!"
SIGNER_ID = "3f2b9c1e-8d4a-4e7b-9a61-0c5d2e7f8a90"
T0 = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class FrozenClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def links(clock: FrozenClock) -> LinkSigner:
    return LinkSigner([KEY_NEW, KEY_OLD], clock=clock)


@pytest.fixture
def nonce() -> str:
    return new_nonce()


@pytest.fixture
def token(links: LinkSigner, nonce: str) -> str:
    return links.sign(SIGNER_ID, nonce)


def assert_reveals_nothing(exc: BaseException, *secrets: str) -> None:
    """Neither the exception nor its printed traceback holds a secret or a piece of one."""
    printed = "".join(traceback.format_exception(exc))
    texts = [str(exc), repr(exc), printed]
    pieces = [p for s in secrets for p in [s, *s.split(".")] if len(p) >= 6]
    for text in texts:
        for piece in pieces:
            assert piece not in text
    assert exc.__cause__ is None
    assert exc.__context__ is None


def payload_of(token: str) -> object:
    part = token.split(".")[0]
    assert not token.startswith(".")  # not compressed: tiny payload
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# -- round trip ----------------------------------------------------------------------


def test_round_trip(links: LinkSigner, token: str, nonce: str) -> None:
    claims = links.unsign(token)

    assert claims == LinkClaims(
        signer_id=SIGNER_ID,
        nonce=nonce,
        purpose=Purpose.SIGN,
        issued_at=T0,
        expires_at=T0 + DEFAULT_MAX_AGE + timedelta(seconds=1),
    )
    check_nonce(claims, nonce)


def test_token_is_url_safe_short_and_minimal(token: str, nonce: str) -> None:
    assert set(token) <= set(TOKEN_ALPHABET + ".")
    assert len(token) < 200 < MAX_TOKEN_LENGTH
    assert payload_of(token) == {"s": SIGNER_ID, "n": nonce}


def test_issued_at_is_whole_seconds_of_the_clock(clock: FrozenClock, nonce: str) -> None:
    clock.now = T0 + timedelta(microseconds=900_000)
    links = LinkSigner([KEY_NEW], clock=clock)

    assert links.unsign(links.sign(SIGNER_ID, nonce)).issued_at == T0


def test_claims_repr_leaves_out_the_nonce(links: LinkSigner, token: str, nonce: str) -> None:
    claims = links.unsign(token)

    assert nonce not in repr(claims)
    assert nonce not in str(claims)
    assert SIGNER_ID in repr(claims)


def test_signer_repr_shows_no_key(links: LinkSigner) -> None:
    assert KEY_NEW not in repr(links)
    assert KEY_OLD not in repr(links)
    assert repr(links) == f"LinkSigner(keys=2, max_age={DEFAULT_MAX_AGE!r})"


# -- nonces --------------------------------------------------------------------------


def test_new_nonce_is_random_url_safe_and_at_least_128_bits() -> None:
    nonces = {new_nonce() for _ in range(200)}

    assert len(nonces) == 200
    for value in nonces:
        assert set(value) <= set(TOKEN_ALPHABET)
        assert len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))) >= 16


# -- tampering -----------------------------------------------------------------------


def test_every_changed_character_is_refused(links: LinkSigner, token: str, nonce: str) -> None:
    # Every other character at every position, the last one of the signature included:
    # base64 would ignore its spare low bits, the signer does not.
    for i, char in enumerate(token):
        for other in TOKEN_ALPHABET + ".":
            if other == char:
                continue
            bad = token[:i] + other + token[i + 1 :]
            with pytest.raises(LinkTampered) as caught:
                links.unsign(bad)
            assert_reveals_nothing(caught.value, token, bad, nonce)


def test_one_token_per_claims_and_second(links: LinkSigner, nonce: str) -> None:
    assert links.sign(SIGNER_ID, nonce) == links.sign(SIGNER_ID, nonce)


@pytest.mark.parametrize("cut", [1, 2, 10, 43, 44, 50])
def test_truncated_token_is_refused(links: LinkSigner, token: str, cut: int) -> None:
    with pytest.raises(LinkTampered):
        links.unsign(token[:-cut])


def test_each_part_alone_or_missing_is_refused(links: LinkSigner, token: str) -> None:
    payload, timestamp, signature = token.split(".")
    for bad in [
        payload,
        f"{payload}.{timestamp}",
        f"{payload}.{signature}",
        f"{timestamp}.{signature}",
        f".{timestamp}.{signature}",
        f"{payload}..{signature}",
    ]:
        with pytest.raises(LinkTampered):
            links.unsign(bad)


@pytest.mark.parametrize("extra", ["A", "AAAA", ".", ".AAAA", "-", "_"])
def test_extended_token_is_refused(links: LinkSigner, token: str, extra: str) -> None:
    with pytest.raises(LinkTampered):
        links.unsign(token + extra)
    with pytest.raises(LinkTampered):
        links.unsign(extra + token)


def test_very_long_input_is_refused_before_parsing(
    links: LinkSigner, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed")

    for serializer in links._serializers.values():
        monkeypatch.setattr(serializer, "loads", must_not_parse)

    for bad in ["A" * 1_000_000, token + "A" * (1 << 20), "A" * (MAX_TOKEN_LENGTH + 1)]:
        with pytest.raises(LinkTampered) as caught:
            links.unsign(bad)
        assert caught.value.reason == "too_long"
        assert_reveals_nothing(caught.value, token)


def test_input_at_the_length_cap_is_parsed_and_refused(links: LinkSigner) -> None:
    with pytest.raises(LinkTampered) as caught:
        links.unsign("A" * MAX_TOKEN_LENGTH)
    assert caught.value.reason == "signature"


@pytest.mark.parametrize("bad", ["", ".", "..", "...", " ", "\x00"])
def test_empty_and_blank_are_refused(links: LinkSigner, bad: str) -> None:
    with pytest.raises(LinkTampered) as caught:
        links.unsign(bad)
    assert caught.value.reason in {"malformed", "signature"}


def test_non_ascii_is_refused(links: LinkSigner, token: str) -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in token)
    for bad in [
        "é" + token[1:],
        token + "\u200b",
        fullwidth,
        token.replace(".", "\u2024"),  # one dot leader
        token[:5] + "\x00" + token[5:],
        token + "\n",
        " " + token,
        "🔑",
    ]:
        with pytest.raises(LinkTampered) as caught:
            links.unsign(bad)
        assert caught.value.reason == "malformed"


def test_not_a_string_is_refused(links: LinkSigner, token: str) -> None:
    with pytest.raises(LinkTampered):
        links.unsign(token.encode())  # type: ignore[arg-type]
    with pytest.raises(LinkTampered):
        links.unsign(None)  # type: ignore[arg-type]


def test_a_signed_payload_of_the_wrong_shape_is_refused(clock: FrozenClock) -> None:
    # A token our key signed for this purpose, but not in our payload format.
    links = LinkSigner([KEY_NEW], clock=clock)
    serializer = links._serializers[Purpose.SIGN]
    for payload in [
        ["x", "y"],
        {"s": SIGNER_ID},
        {"s": SIGNER_ID, "n": new_nonce(), "name": "Alex"},
        {"s": 7, "n": new_nonce()},
        {"s": SIGNER_ID, "n": "short"},
        {"s": "alex@example.com", "n": new_nonce()},
    ]:
        with pytest.raises(LinkTampered) as caught:
            links.unsign(serializer.dumps(payload))
        assert caught.value.reason == "payload"


@given(st.text(max_size=MAX_TOKEN_LENGTH + 10))
def test_any_text_is_refused_as_tampered(text: str) -> None:
    links = LinkSigner([KEY_NEW], clock=lambda: T0)
    with pytest.raises(LinkTampered):
        links.unsign(text)


@given(st.text(alphabet=TOKEN_ALPHABET + ".", max_size=400))
def test_any_token_shaped_string_is_refused_as_tampered(text: str) -> None:
    links = LinkSigner([KEY_NEW], clock=lambda: T0)
    with pytest.raises(LinkTampered):
        links.unsign(text)


# -- purpose -------------------------------------------------------------------------


def test_wrong_purpose_is_refused(links: LinkSigner, nonce: str) -> None:
    sign_token = links.sign(SIGNER_ID, nonce, Purpose.SIGN)
    download_token = links.sign(SIGNER_ID, nonce, Purpose.DOWNLOAD)

    assert links.unsign(download_token, Purpose.DOWNLOAD).purpose is Purpose.DOWNLOAD
    with pytest.raises(LinkTampered) as caught:
        links.unsign(download_token)  # default purpose: SIGN
    assert caught.value.reason == "signature"
    with pytest.raises(LinkTampered):
        links.unsign(sign_token, Purpose.DOWNLOAD)


def test_purpose_values_are_distinct_salts() -> None:
    values = [p.value for p in Purpose]
    assert len(set(values)) == len(values)
    assert Purpose.SIGN == "plansign.sign"


def test_unknown_purpose_is_a_programming_error(links: LinkSigner, token: str) -> None:
    with pytest.raises(ValueError):
        links.sign(SIGNER_ID, new_nonce(), "plansign.other")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        links.unsign(token, "plansign.other")  # type: ignore[arg-type]


# -- expiry --------------------------------------------------------------------------


def test_valid_just_before_and_at_max_age(
    links: LinkSigner, clock: FrozenClock, token: str
) -> None:
    clock.advance(DEFAULT_MAX_AGE - timedelta(seconds=1))
    assert links.unsign(token).signer_id == SIGNER_ID
    clock.advance(timedelta(seconds=1, microseconds=999_999))  # still max_age, by the second
    assert links.unsign(token).signer_id == SIGNER_ID


def test_expired_just_after_max_age(
    links: LinkSigner, clock: FrozenClock, token: str, nonce: str
) -> None:
    claims = links.unsign(token)
    clock.advance(DEFAULT_MAX_AGE + timedelta(seconds=1))

    with pytest.raises(LinkExpired) as caught:
        links.unsign(token)

    exc = caught.value
    assert exc.expired_at == claims.expires_at == T0 + DEFAULT_MAX_AGE + timedelta(seconds=1)
    assert not hasattr(exc, "signer_id")
    assert str(exc) == "This link has expired. Please ask HR for a new link."
    assert_reveals_nothing(exc, token, nonce, SIGNER_ID)


def test_max_age_is_configurable(clock: FrozenClock, nonce: str) -> None:
    links = LinkSigner([KEY_NEW], max_age=timedelta(hours=1), clock=clock)
    token = links.sign(SIGNER_ID, nonce)

    clock.advance(timedelta(hours=1))
    links.unsign(token)
    clock.advance(timedelta(seconds=1))
    with pytest.raises(LinkExpired):
        links.unsign(token)


def test_expired_wins_over_revoked_only_through_the_caller(
    links: LinkSigner, clock: FrozenClock, token: str
) -> None:
    # unsign does not look at the nonce: an expired link is expired whatever the database
    # holds, so the page can say "expired" rather than "replaced".
    clock.advance(timedelta(days=30))
    with pytest.raises(LinkExpired):
        links.unsign(token)


def test_token_dated_in_the_future_is_refused(
    links: LinkSigner, clock: FrozenClock, token: str
) -> None:
    clock.now = T0 - timedelta(seconds=1)
    with pytest.raises(LinkTampered) as caught:
        links.unsign(token)
    assert caught.value.reason == "future"


def test_clock_must_be_aware(nonce: str) -> None:
    links = LinkSigner([KEY_NEW], clock=lambda: datetime(2026, 3, 2, 9, 30))
    with pytest.raises(ValueError, match="aware"):
        links.sign(SIGNER_ID, nonce)


def test_default_clock_is_real_utc_now(nonce: str) -> None:
    links = LinkSigner([KEY_NEW])
    before = datetime.now(UTC).replace(microsecond=0)
    issued = links.unsign(links.sign(SIGNER_ID, nonce)).issued_at
    assert before <= issued <= datetime.now(UTC)
    assert issued.tzinfo is not None


# -- key rotation --------------------------------------------------------------------


def test_old_key_accepted_while_listed_refused_once_dropped(clock: FrozenClock, nonce: str) -> None:
    before = LinkSigner([KEY_OLD], clock=clock)
    old_token = before.sign(SIGNER_ID, nonce)

    rotated = LinkSigner([KEY_NEW, KEY_OLD], clock=clock)
    assert rotated.unsign(old_token).nonce == nonce

    dropped = LinkSigner([KEY_NEW], clock=clock)
    with pytest.raises(LinkTampered) as caught:
        dropped.unsign(old_token)
    assert caught.value.reason == "signature"


def test_new_tokens_are_signed_with_the_first_key(clock: FrozenClock, nonce: str) -> None:
    rotated = LinkSigner([KEY_NEW, KEY_OLD], clock=clock)
    new_token = rotated.sign(SIGNER_ID, nonce)

    assert LinkSigner([KEY_NEW], clock=clock).unsign(new_token).signer_id == SIGNER_ID
    with pytest.raises(LinkTampered):
        LinkSigner([KEY_OLD], clock=clock).unsign(new_token)
    # Order is what matters: oldest first would sign with the old key.
    reversed_order = LinkSigner([KEY_OLD, KEY_NEW], clock=clock).sign(SIGNER_ID, nonce)
    assert reversed_order != new_token
    LinkSigner([KEY_OLD], clock=clock).unsign(reversed_order)


def test_unknown_key_is_refused(links: LinkSigner, clock: FrozenClock, nonce: str) -> None:
    foreign = LinkSigner([KEY_OTHER], clock=clock).sign(SIGNER_ID, nonce)
    with pytest.raises(LinkTampered):
        links.unsign(foreign)


def test_str_and_bytes_keys_are_the_same_key(clock: FrozenClock, nonce: str) -> None:
    token = LinkSigner([KEY_NEW], clock=clock).sign(SIGNER_ID, nonce)
    LinkSigner([KEY_NEW.encode()], clock=clock).unsign(token)


@pytest.mark.parametrize(
    ("keys", "error"),
    [
        (KEY_NEW, TypeError),  # one key, not a list: would be a list of characters
        (KEY_NEW.encode(), TypeError),
        ([], ValueError),
        ([""], ValueError),
        ([KEY_NEW, "short"], ValueError),
        ([KEY_NEW, 42], TypeError),
    ],
)
def test_bad_keys_are_refused(keys: object, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        LinkSigner(keys)  # type: ignore[arg-type]
    assert KEY_NEW not in str(caught.value)


@pytest.mark.parametrize(
    "max_age",
    [timedelta(0), timedelta(seconds=-1), timedelta(milliseconds=500), timedelta(seconds=1.5)],
)
def test_bad_max_age_is_refused(max_age: timedelta) -> None:
    with pytest.raises(ValueError):
        LinkSigner([KEY_NEW], max_age=max_age)


# -- revocation ----------------------------------------------------------------------


def test_nonce_mismatch_is_revoked(links: LinkSigner, token: str, nonce: str) -> None:
    claims = links.unsign(token)
    check_nonce(claims, nonce)

    reissued = new_nonce()
    for current in [reissued, None, "", nonce[:-1], nonce + "A", "é" * 43]:
        with pytest.raises(LinkRevoked) as caught:
            check_nonce(claims, current)
        assert_reveals_nothing(caught.value, token, nonce, reissued)
        assert "newer email" in str(caught.value)


def test_reissued_link_works_and_old_one_is_revoked(links: LinkSigner, nonce: str) -> None:
    old = links.sign(SIGNER_ID, nonce)
    current = new_nonce()  # resend: a new nonce is stored
    new = links.sign(SIGNER_ID, current)

    check_nonce(links.unsign(new), current)
    with pytest.raises(LinkRevoked):
        check_nonce(links.unsign(old), current)


# -- what may be signed --------------------------------------------------------------


@pytest.mark.parametrize(
    "signer_id",
    ["", "alex@example.com", "Alex Morgan", "a" * 65, "id/1", "é", 42],
)
def test_sign_takes_only_opaque_signer_ids(links: LinkSigner, signer_id: object) -> None:
    with pytest.raises(ValueError) as caught:
        links.sign(signer_id, new_nonce())  # type: ignore[arg-type]
    if isinstance(signer_id, str) and signer_id:
        assert signer_id not in str(caught.value)


@pytest.mark.parametrize("signer_id", ["1", "42", "a" * 64, SIGNER_ID, "0f" * 16, "sig_01-x"])
def test_sign_takes_common_id_shapes(links: LinkSigner, signer_id: str) -> None:
    assert links.unsign(links.sign(signer_id, new_nonce())).signer_id == signer_id


@pytest.mark.parametrize("bad", ["", "tooshort", "x" * 21, "a" * 129, "a+b/c=" * 5, "é" * 30])
def test_sign_takes_only_strong_url_safe_nonces(links: LinkSigner, bad: str) -> None:
    with pytest.raises(ValueError) as caught:
        links.sign(SIGNER_ID, bad)
    if bad:
        assert bad not in str(caught.value)


# -- URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://sign.example.com", "https://sign.example.com/s/"),
        ("https://sign.example.com/", "https://sign.example.com/s/"),
        ("https://example.com/plansign/", "https://example.com/plansign/s/"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/s/"),
        ("https://[::1]:8443", "https://[::1]:8443/s/"),
    ],
)
def test_link_url_is_built_from_the_base_url(token: str, base: str, expected: str) -> None:
    assert link_url(base, token) == expected + token


@pytest.mark.parametrize(
    "base",
    [
        "",
        "sign.example.com",
        "//sign.example.com",
        "ftp://sign.example.com",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://",
        "https:///path",
        "https://user:pw@sign.example.com",
        "https://evil.example@sign.example.com",
        "https://sign.example.com?next=x",
        "https://sign.example.com?",
        "https://sign.example.com#frag",
        "https://sign.example.com:99999",
        "https://sign.example.com:port",
        "https://sign.example.com\\@evil.example",
        "https://sign example.com",
        " https://sign.example.com",
        "https://sign.example.com\n",
        "https://bücher.example",
        None,
    ],
)
def test_link_url_rejects_bad_base_urls(token: str, base: object) -> None:
    with pytest.raises(ValueError) as caught:
        link_url(base, token)  # type: ignore[arg-type]
    assert token not in str(caught.value)


@pytest.mark.parametrize("bad", ["", "a/b", "../x", "x?y=1", "x#y", "a b", "A" * 2000])
def test_link_url_takes_only_token_shaped_strings(bad: str) -> None:
    with pytest.raises(ValueError):
        link_url("https://sign.example.com", bad)


# -- errors --------------------------------------------------------------------------


def test_error_hierarchy() -> None:
    for cls in (LinkTampered, LinkExpired, LinkRevoked):
        assert issubclass(cls, LinkError)
    assert issubclass(LinkError, SigningError)


def test_messages_are_friendly_and_say_what_to_do() -> None:
    for exc in (LinkTampered("signature"), LinkExpired(T0), LinkRevoked()):
        assert "ask HR for a new link" in str(exc)
        assert "envelope" not in str(exc).lower()
        assert "signature" not in str(exc).lower()


def test_reprs_carry_data_not_secrets() -> None:
    assert repr(LinkTampered("future")) == "LinkTampered(reason='future')"
    assert repr(LinkExpired(T0)) == "LinkExpired(expired_at='2026-03-02T09:30:00+00:00')"
    assert repr(LinkRevoked()) == "LinkRevoked()"


@pytest.mark.parametrize("exc", [LinkTampered("signature"), LinkExpired(T0), LinkRevoked()])
def test_errors_survive_pickling(exc: LinkError) -> None:
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is type(exc)
    assert repr(copy) == repr(exc)
    assert str(copy) == str(exc)


def test_nothing_is_logged(
    links: LinkSigner, clock: FrozenClock, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        links.unsign(token)
        for bad in [token[:-1], "A" * 5000]:
            with pytest.raises(LinkTampered):
                links.unsign(bad)
        clock.advance(timedelta(days=15))
        with pytest.raises(LinkExpired):
            links.unsign(token)
    assert caplog.records == []

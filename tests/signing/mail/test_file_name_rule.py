"""One rule names every file plansign gives someone (signing.domain.filenames): an
email's attachment is as safe as a download. Hostile names (a line break, quotes, a
right-to-left override, a name far too long, a name of nothing but unsafe characters)
are followed through to what leaves plansign: the JSON SendGrid is sent (the real
SendGrid client, pointed at a stand-in on 127.0.0.1), an email as a mail reader parses
it, and a download's ``Content-Disposition`` as a browser reads it."""

from __future__ import annotations

import dataclasses
import email
from collections.abc import Iterator
from email import policy

import pytest

from signing.domain.filenames import MAX_STEM
from signing.domain.mail.backends import to_eml
from signing.domain.mail.message import Attachment, attachment_name
from signing.web.downloads import content_disposition
from tests.disposition import disposition
from tests.signing.mail.sendgrid_standin import FakeSendGrid
from tests.signing.mail.test_mail_sendgrid import backend_for, invitation

UNSAFE = ('"', "\\", "/", ":", "\r", "\n", "\t", "\x00", "\x7f", "\u202e", "\u200b",
          "\u2028")
FALLBACK = "performance-plan-signed"  # the English stem, as documents.py gives it

HOSTILE = {
    # stem as typed -> the name every channel gives it
    "Ana\r\nSet-Cookie: session=stolen": "AnaSet-Cookie-session=stolen.pdf",
    'Zoë "O\'Brien"': "Zoë-O'Brien.pdf",
    "Noor \u202efdp.exe": "Noor-fdp.exe.pdf",  # shown as "Noor exe.pdf" with the override
    "Lee\u200bChen\u2028\tplan": "LeeChenplan.pdf",  # zero-width space, line separator, tab
    "خطة الأداء\u202b موقعة": "خطة-الأداء-موقعة.pdf",
}
NOTHING_SAFE = '\r\n"\u202e/\\:*?<>|\x00\u200b  ..'
TOO_LONG = "Léa Brändli " * 40


@pytest.fixture
def provider() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as fake:
        yield fake


def sent_names(provider: FakeSendGrid, *names: str) -> list[str]:
    """The attachments' file names as SendGrid is asked to send them."""
    message = dataclasses.replace(invitation(), attachments=tuple(
        Attachment(name, "application/pdf", b"%PDF-1.7 stand-in") for name in names))
    backend_for(provider.host).send(message)
    (request,) = provider.requests
    return [a["filename"] for a in request.json["attachments"]]


def read_names(*names: str) -> list[str | None]:
    """The attachments' file names as a mail reader reads them (SMTP, RFC 2231)."""
    message = dataclasses.replace(invitation(), attachments=tuple(
        Attachment(name, "application/pdf", b"%PDF-1.7 stand-in") for name in names))
    raw = to_eml(message, from_email="hr@example.com")
    parsed = email.message_from_bytes(raw, policy=policy.default)
    return [part.get_filename() for part in parsed.iter_attachments()]  # type: ignore[attr-defined]


def downloaded(name: str) -> str:
    raw = content_disposition(name)
    header = disposition(raw)  # well formed: its parameters and nothing else
    assert set(header.parameters) <= {"filename", "filename*"}
    assert raw.count(";") == len(header.parameters), raw
    return header.name


def test_a_hostile_name_reaches_sendgrid_and_the_browser_alike(provider):
    names = [attachment_name(stem, "pdf", fallback=FALLBACK) for stem in HOSTILE]
    assert names == list(HOSTILE.values())
    # (the SendGrid client does not keep the attachments' order)
    assert sorted(sent_names(provider, *names)) == sorted(HOSTILE.values())
    assert read_names(*names) == list(HOSTILE.values())
    assert [downloaded(f"{stem}.pdf") for stem in HOSTILE] == list(HOSTILE.values())
    for name in names:
        for unsafe in UNSAFE:
            assert unsafe not in name, (name, unsafe)


def test_a_name_far_too_long_is_cut_to_the_same_length_everywhere(provider):
    name = attachment_name(TOO_LONG, "pdf", fallback=FALLBACK)
    stem = name.removesuffix(".pdf")
    assert len(stem) == MAX_STEM  # 12 times "Léa-Brändli-", then "Léa-Br"
    assert stem == "Léa-Brändli-" * 12 + "Léa-Br"
    assert sent_names(provider, name) == [name]
    assert downloaded(f"{TOO_LONG}.pdf") == name


def test_a_name_of_nothing_safe_gives_a_sensible_name(provider):
    # An email's attachment takes its English name; a download with no other, "download".
    name = attachment_name(NOTHING_SAFE, "pdf", fallback=FALLBACK)
    assert name == "performance-plan-signed.pdf"
    assert sent_names(provider, name) == ["performance-plan-signed.pdf"]
    assert downloaded(f"{NOTHING_SAFE}.pdf") == "download.pdf"
    # Even a fallback made of nothing safe leaves a name.
    assert attachment_name(NOTHING_SAFE, "ics", fallback="\u202e\r\n") == "download.ics"

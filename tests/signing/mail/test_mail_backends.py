"""The file outbox and choosing a backend from settings."""

from __future__ import annotations

import datetime as dt
import json
import stat
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from docgen.sample import sample_plan
from docgen.schedule import schedule_for
from signing.domain.mail import compose
from signing.domain.mail.backends import (
    FileMailBackend,
    MailBackend,
    SendGridMailBackend,
    backend_from_settings,
    filename_for,
    retry_after,
)
from signing.domain.mail.message import MailConfigError, Message, TransientMailError

LINK = "https://plansign.example.com/s/TOKEN-abc.def"


def invitation(key: str = "env_7f3a:sig_91c2:invitation:1") -> Message:
    plan = sample_plan()
    return compose.invitation(
        to=plan.employee.email, name=plan.employee.name, link=LINK,
        deadline=dt.datetime(2026, 12, 14, 17, 0, tzinfo=ZoneInfo("Europe/London")),
        company=plan.company.name, contact=compose.Contact(plan.hr.name, plan.hr.email),
        envelope_id="env_7f3a", signer_id="sig_91c2", idempotency_key=key,
        now=dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
        meetings=schedule_for(plan).checkins, location=plan.checkins.location,
        video_link=plan.checkins.video_link, meeting_with=plan.checkins.with_)


def parse(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_file_backend_writes_a_parseable_eml_with_text_html_and_calendar(tmp_path: Path) -> None:
    backend = FileMailBackend(tmp_path / "outbox", from_email="Plansign <plansign@example.com>")
    assert isinstance(backend, MailBackend)
    message = invitation()

    sent = backend.send(message)

    (path,) = (tmp_path / "outbox").iterdir()
    assert sent.provider_message_id == path.name == "env_7f3a%3Asig_91c2%3Ainvitation%3A1.eml"
    mail = parse(path)
    assert mail["To"] == "Alex Sample <alex.sample@example.com>"
    assert mail["From"] == "Plansign <plansign@example.com>"
    assert mail["Reply-To"] == "riley.placeholder@example.com"
    assert mail["Subject"] == "Please review and acknowledge your performance plan"
    assert mail["X-Plansign-Idempotency-Key"] == message.idempotency_key
    assert json.loads(mail["X-Plansign-Custom-Args"]) == {"envelope_id": "env_7f3a",
                                                          "signer_id": "sig_91c2"}
    assert mail["Date"] and mail["Message-ID"]
    assert mail.get_content_type() == "multipart/mixed"

    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert _lf(text).strip() == message.text.strip()
    assert _lf(html).strip() == message.html.strip()
    assert LINK in text and f'href="{LINK}"' in html

    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "check-ins.ics"
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    events = calendar.walk("VEVENT")
    meetings = schedule_for(sample_plan()).checkins
    assert [e["DTSTART"].dt for e in events] == [m.starts for m in meetings]
    assert [e["DTEND"].dt for e in events] == [m.ends for m in meetings]
    assert [e["DTSTART"].dt.date() for e in events] == [m.date for m in meetings]
    assert all(e["DTSTART"].dt.tzinfo is not None for e in events)


def test_sending_the_same_message_twice_writes_it_once(tmp_path: Path) -> None:
    backend = FileMailBackend(tmp_path)
    first = backend.send(invitation())
    written = (tmp_path / first.provider_message_id).read_bytes()

    second = backend.send(invitation())

    assert second == first
    assert [p.name for p in tmp_path.iterdir()] == [first.provider_message_id]
    assert (tmp_path / first.provider_message_id).read_bytes() == written
    backend.send(invitation(key="env_7f3a:sig_91c2:invitation:2"))
    assert len(list(tmp_path.glob("*.eml"))) == 2


def test_outbox_files_are_private_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    sent = FileMailBackend(tmp_path).send(invitation())
    mode = stat.S_IMODE((tmp_path / sent.provider_message_id).stat().st_mode)
    assert mode == 0o600  # the file holds a signing link
    assert [p.name for p in tmp_path.iterdir()] == [sent.provider_message_id]


def test_keys_become_safe_distinct_file_names() -> None:
    assert filename_for("a/b") == "a%2Fb.eml"
    assert filename_for("../../etc/passwd").startswith("key-")
    assert filename_for("a:b") != filename_for("a_b")
    assert filename_for("x" * 300).startswith("key-")
    assert "/" not in filename_for("../../etc/passwd")


def test_a_folder_that_cannot_be_written_is_a_transient_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(TransientMailError, match="outbox folder"):
        FileMailBackend(blocker / "outbox").send(invitation())


# -- choosing a backend ---------------------------------------------------------------


def test_backend_from_settings_chooses_by_name(tmp_path: Path) -> None:
    common = dict(folder=tmp_path, api_key=None, host=None, from_email="p@example.com")
    assert isinstance(backend_from_settings("file", **common), FileMailBackend)
    assert isinstance(backend_from_settings(" File ", **common), FileMailBackend)
    sendgrid = backend_from_settings("sendgrid", **{**common, "api_key": "SG.k.k"})
    assert isinstance(sendgrid, SendGridMailBackend)
    assert sendgrid.host == "https://api.sendgrid.com"


def test_backend_from_settings_explains_what_is_wrong(tmp_path: Path) -> None:
    common = dict(folder=tmp_path, host=None, from_email="p@example.com")
    with pytest.raises(MailConfigError, match=r"unknown mail backend 'smtp'.*file, sendgrid"):
        backend_from_settings("smtp", api_key=None, **common)
    for missing in (None, ""):
        with pytest.raises(MailConfigError, match="no SendGrid API key"):
            backend_from_settings("sendgrid", api_key=missing, **common)
    with pytest.raises(MailConfigError, match="folder"):
        backend_from_settings("file", api_key=None, **{**common, "folder": ""})


def test_sendgrid_host_must_be_https_unless_local() -> None:
    key = "SG.secret-key.value"
    with pytest.raises(MailConfigError, match="https") as caught:
        SendGridMailBackend(key, host="http://api.sendgrid.com", from_email="p@example.com")
    assert key not in str(caught.value)
    for local in ("http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"):
        SendGridMailBackend(key, host=local, from_email="p@example.com")
    with pytest.raises(MailConfigError):
        SendGridMailBackend(key, host="https://user:pw@api.example.com", from_email="p@x.io")
    with pytest.raises(MailConfigError, match="sender"):
        SendGridMailBackend(key, from_email="nobody")


def test_retry_after_reads_seconds_dates_and_rate_limit_resets() -> None:
    now = 1_800_000_000.0
    assert retry_after({"Retry-After": "7"}, now=now) == 7.0
    assert retry_after({"Retry-After": "-3"}, now=now) is None  # not a wait: none given
    assert retry_after({"Retry-After": "Fri, 15 Jan 2027 08:00:30 GMT"},
                       now=dt.datetime(2027, 1, 15, 8, 0, tzinfo=dt.UTC).timestamp()) == 30.0
    assert retry_after({"X-RateLimit-Reset": str(int(now) + 12)}, now=now) == 12.0
    assert retry_after({"Retry-After": "soon"}, now=now) is None
    assert retry_after({}, now=now) is None
    assert retry_after(None) is None


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")

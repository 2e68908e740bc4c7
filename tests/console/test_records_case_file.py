"""A record's page in the console lists the closed case's sealed case file, as the
records API and the bundle give it: named in the person's language (on the page and in
the name it is saved under), hash-checked before it is served (a changed file is never
served), every download and refusal in the access log, for the people who may read the
record's other documents, and no one else. Before the plan's case closed, there is none.

The record is archived with stand-in documents; the case file is a stand-in blob,
recorded on the record as the case file's task records it."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest
from sqlalchemy import select

from archive import ArchivedRecord
from tests.console.test_console_language import set_preferences
from tests.console.test_records_checkins import SALES, SUPPORT, archive_plan, links, log
from tests.disposition import disposition

pytestmark = pytest.mark.database

WORDS = {"en": "Case file (sealed PDF: the check-ins, the progress and the outcome)",
         "fr": "Dossier de suivi (PDF scellé\u00a0: points de suivi, progrès et issue)",
         "ar": "ملف الحالة (PDF مختوم: اجتماعات المتابعة والتقدم والنتيجة)"}
SAVED_AS = {"en": "{id}-case-file.pdf", "fr": "{id}-dossier-de-suivi.pdf",
            "ar": "{id}-ملف-الحالة.pdf"}


def archived(services, sessions, *, closed: bool) -> tuple[str, str | None]:
    """A record of the Sales HR team's plan; with ``closed``, its case file sealed (a
    stand-in PDF): the record's id and the case file's SHA-256."""
    envelope_id = f"env-{uuid.uuid4().hex[:12]}"
    archive_plan(services, sessions, envelope_id)
    if not closed:
        return envelope_id, None
    with sessions.begin() as session:
        digest = services.store.put(f"%PDF-1.7 case file of {envelope_id}".encode())
        record = session.scalar(select(ArchivedRecord)
                                .where(ArchivedRecord.envelope_id == envelope_id))
        assert record is not None
        record.case_file_sha256, record.case_outcome = digest, "successful"
    return envelope_id, digest


@pytest.fixture
def closed(services, sessions) -> tuple[str, str]:
    envelope_id, digest = archived(services, sessions, closed=True)
    assert digest is not None
    return envelope_id, digest


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_case_file_is_listed_and_saved_in_the_persons_language(
        console, sessions, services, closed, language):
    envelope_id, digest = closed
    who = console.sign_in("records", display_name="Riley Records")
    if language != "en":
        set_preferences(sessions, who.username, language)
    listed = links(console.get(f"/console/records/{envelope_id}").get_data(as_text=True))
    href = listed[WORDS[language]]
    assert href == f"/console/records/{envelope_id}/case-file.pdf"
    # After the plan's own documents, before the bundle.
    order = list(listed)
    assert order.index(WORDS[language]) == 4 and order[-1] != WORDS[language]

    served = console.get(href)
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.data == services.store.get(digest)
    assert hashlib.sha256(served.data).hexdigest() == digest
    header = disposition(served.headers["Content-Disposition"])
    assert header.name == SAVED_AS[language].format(id=envelope_id)
    # A name that is not ASCII has the English one beside it, for old clients.
    assert header.fallback == (header.name if header.name.isascii()
                               else f"{envelope_id}-case-file.pdf")
    assert log(sessions, envelope_id)[0][:3] == ("download case-file.pdf", True,
                                                 "Riley Records")


def test_before_the_case_closed_there_is_no_case_file(console, sessions, services):
    envelope_id, _ = archived(services, sessions, closed=False)
    console.sign_in("records")
    listed = links(console.get(f"/console/records/{envelope_id}").get_data(as_text=True))
    assert WORDS["en"] not in listed
    assert "Final sealed PDF" in listed  # the page lists the others
    missing = console.get(f"/console/records/{envelope_id}/case-file.pdf")
    assert missing.status_code == 404 and b"%PDF" not in missing.data
    action, allowed, _, detail = log(sessions, envelope_id)[0]
    assert (action, allowed) == ("download case-file.pdf", True)
    assert "failed" in (detail or "")


@pytest.mark.parametrize("role,team", [("admin", None), ("hr", SALES)])
def test_those_who_read_the_record_download_it(console, sessions, services, closed, role,
                                                team):
    envelope_id, digest = closed
    who = console.sign_in(role, team=team)
    listed = links(console.get(f"/console/records/{envelope_id}").get_data(as_text=True))
    served = console.get(listed[WORDS["en"]])
    assert served.status_code == 200 and served.data == services.store.get(digest)
    assert log(sessions, envelope_id)[0][:3] == ("download case-file.pdf", True,
                                                 who.display_name)


def test_another_teams_hr_is_told_it_is_not_there_and_it_is_logged(console, sessions,
                                                                     closed):
    envelope_id, _ = closed
    who = console.sign_in("hr", team=SUPPORT)
    refused = console.get(f"/console/records/{envelope_id}/case-file.pdf")
    assert refused.status_code == 404
    assert b"%PDF" not in refused.data and "Page not found" in refused.get_data(as_text=True)
    action, allowed, actor, _ = log(sessions, envelope_id)[0]
    assert (action, allowed, actor) == ("download case-file.pdf", False, who.display_name)


def test_a_manager_may_not(console, sessions, closed):
    envelope_id, _ = closed
    console.sign_in("manager")
    refused = console.get(f"/console/records/{envelope_id}/case-file.pdf")
    assert refused.status_code == 403 and b"%PDF" not in refused.data
    assert "This page is not for your role" in refused.get_data(as_text=True)


def test_a_changed_case_file_is_never_served(console, sessions, services, closed):
    envelope_id, digest = closed
    console.sign_in("records")
    path = services.store.path(digest)
    os.chmod(path, 0o640)
    path.write_bytes(b"%PDF-1.7 changed")
    served = console.get(f"/console/records/{envelope_id}/case-file.pdf")
    assert served.status_code == 409 and b"changed" not in served.data
    assert "no longer matches its SHA-256" in served.get_data(as_text=True)
    action, allowed, _, detail = log(sessions, envelope_id)[0]
    assert (action, allowed) == ("download case-file.pdf", True)
    assert "failed" in (detail or "")

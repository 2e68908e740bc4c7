"""What the employee downloads is named in the plan's language (issue 18), as the emails
name the same documents: the plan from the signer's page, and the records page's links
(the signed plan, the case file). Each name is read from the header as a browser reads
it (filename* first, RFC 6266), with the English name as the ASCII filename beside a
name that is not ASCII; and the header itself (signing.web.downloads) keeps anything in
a name from adding to it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from archive.models import ArchivedRecord
from signing.domain.links import Purpose
from signing.domain.models import EnvelopeRow
from signing.web.current import services_of
from signing.web.downloads import content_disposition
from tests.disposition import disposition, downloaded_name
from tests.signing.signer_pages import token_for
from tests.signing.test_own_records import archive_plan, employee_of, make_app

pytestmark = pytest.mark.database


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return make_app(tmp_path, database_url)


# -- the header -----------------------------------------------------------------------------


def test_an_ascii_name_is_sent_as_it_always_was():
    assert content_disposition("performance-plan-signed.pdf") == \
        'attachment; filename="performance-plan-signed.pdf"'
    assert content_disposition("1234-final.pdf", inline=True) == \
        'inline; filename="1234-final.pdf"'


@pytest.mark.parametrize("name,fallback", [
    ("plan-de-performance-signé.pdf", "performance-plan-signed.pdf"),
    ("خطة-الأداء-موقعة.pdf", "performance-plan-signed.pdf"),
    ("Leistungsverbesserungsplan-Änderung-1.pdf", "performance-plan-amendment-1.pdf"),
])
def test_a_name_in_any_script_reads_back_whole_with_the_english_beside_it(name, fallback):
    header = disposition(content_disposition(name, fallback=fallback))
    assert header.kind == "attachment"
    assert header.name == name
    assert header.fallback == fallback


@pytest.mark.parametrize("typed", [
    'Zoë "Z" Brändli',                       # quotes
    "Ana\r\nSet-Cookie: session=stolen",     # a header of its own
    "Lee; filename=evil.exe",                # a parameter of its own
    "Sam\\\"; filename*=UTF-8''evil.exe",    # an escaped quote and an ext-value
    "Noor \u202efdp.exe",                    # a right-to-left override: "exe.pdf"
    "Tab\there\x00and\x7fcontrol",
    "a/b\\c:d*e?f<g>h|i",
    "   ",
])
def test_nothing_typed_in_a_name_adds_to_the_header(typed):
    raw = content_disposition(f"plan-{typed}.yaml", fallback=f"plan-{typed}.yaml")
    header = disposition(raw)  # well formed: its parameters and nothing else
    assert set(header.parameters) <= {"filename", "filename*"}
    assert raw.count(";") == len(header.parameters)
    assert header.name.startswith("plan") and header.name.endswith(".yaml")
    assert header.fallback.isascii()
    for unsafe in ('"', "\\", "/", "\r", "\n", "\t", "\x00", "\x7f", "\u202e"):
        assert unsafe not in header.name and unsafe not in header.fallback, (typed, unsafe)


# -- the signer's page ------------------------------------------------------------------


def test_the_signers_pdf_is_named_in_the_plans_language(client, signer):
    signer.open(language="fr")
    inline = client.get("/sign/document.pdf")
    assert disposition(inline.headers["Content-Disposition"]).kind == "inline"
    assert downloaded_name(inline) == "plan-de-performance.pdf"
    download = client.get("/sign/document.pdf?download=1")
    assert disposition(download.headers["Content-Disposition"]).kind == "attachment"
    assert downloaded_name(download) == "plan-de-performance.pdf"


def test_an_arabic_plans_pdf_has_its_arabic_name_and_the_english_for_old_clients(client,
                                                                                  signer):
    signer.open(language="ar")
    header = disposition(client.get("/sign/document.pdf?download=1")
                         .headers["Content-Disposition"])
    assert header.name == "خطة-الأداء.pdf"
    assert header.fallback == "performance-plan.pdf"


def test_an_english_plans_pdf_keeps_its_name(client, signer):
    signer.open()
    assert client.get("/sign/document.pdf?download=1").headers["Content-Disposition"] == \
        'attachment; filename="performance-plan.pdf"'


# -- the signed plan and the records page's links -----------------------------------------


def written_in(app, envelope_id: str, language: str) -> None:
    with services_of(app).sessions.begin() as session:
        row = session.get_one(EnvelopeRow, envelope_id)
        row.plan_data = {**row.plan_data, "language": language}


@pytest.mark.parametrize("language,signed,case_file", [
    ("fr", "plan-de-performance-signé.pdf", "plan-de-performance-dossier.pdf"),
    ("ar", "خطة-الأداء-موقعة.pdf", "خطة-الأداء-الملف-الكامل.pdf"),
    ("en", "performance-plan-signed.pdf", "performance-plan-case-file.pdf"),
])
def test_the_sealed_plan_and_the_case_file_have_the_names_their_emails_give(
        app, client, language, signed, case_file):
    envelope_id = archive_plan(app)
    written_in(app, envelope_id, language)
    services = services_of(app)
    employee = employee_of(app, envelope_id)
    with services.sessions.begin() as session:
        session.execute(update(ArchivedRecord)
                        .where(ArchivedRecord.envelope_id == envelope_id)
                        .values(case_file_sha256=services.store.put(b"%PDF-1.7 case file")))
    now = dt.datetime.now(dt.UTC)

    # The signer's page, once the record is sealed: the final document.
    reader = app.test_client()
    assert reader.get(f"/s/{token_for(app, services.sessions, employee)}").status_code == 303
    assert downloaded_name(reader.get("/sign/document.pdf?download=1")) == signed

    # The copy link of the "your copy" email, and the records page's links.
    copy = services.record_links.sign("plan", envelope_id, employee,
                                      purpose=Purpose.DOWNLOAD, now=now)
    assert downloaded_name(client.get(f"/copy/{copy}")) == signed
    for kind, name in (("plan", signed), ("case_file", case_file)):
        token = services.record_links.sign(kind, envelope_id, employee,
                                           purpose=Purpose.RECORDS_ACCESS, now=now)
        response = client.get(f"/my-records/{token}")
        assert response.status_code == 200, kind
        assert downloaded_name(response) == name
        assert disposition(response.headers["Content-Disposition"]).fallback.isascii()


def test_a_check_in_record_is_named_in_the_plans_language(app, client):
    """The record of one check-in, which the records page links while the case is open:
    "compte-rendu-de-suivi-1.pdf" for a French plan."""
    from tests.signing.cases.casekit import record_first, send_case_plan
    from tests.signing.cases.test_checkin_records import acknowledge, render

    services = services_of(app)
    envelope_id = send_case_plan(services.sessions)
    written_in(app, envelope_id, "fr")
    checkin_id = record_first(services.sessions, envelope_id)
    acknowledge(app, checkin_id)
    assert render(app) == 1
    token = services.record_links.sign("checkin", checkin_id, employee_of(app, envelope_id),
                                       purpose=Purpose.RECORDS_ACCESS,
                                       now=dt.datetime.now(dt.UTC))
    response = client.get(f"/my-records/{token}")
    assert response.status_code == 200
    header = disposition(response.headers["Content-Disposition"])
    assert header.name == "compte-rendu-de-suivi-1.pdf"
    assert header.fallback == header.name  # ASCII: sent as it is

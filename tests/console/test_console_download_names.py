"""The console's downloads are named in the person's own language (issue 18), whatever
the plan's: a plan's PDFs (named as the signers' copies are, with the envelope's id),
the archive's documents, an exported or previewed draft, the consistency CSV. Each name
is read from the header as a browser reads it (filename* first, RFC 6266), with an ASCII
filename beside it; a name made of what HR typed cannot add to the header. The HR API
names the same files in English, as it always has."""

from __future__ import annotations

import pytest

from signing.domain import apikeys
from tests.console.conftest import NOW
from tests.console.plankit import make_plan
from tests.console.test_console_language import set_preferences
from tests.console.test_drafts import start
from tests.console.test_records_pages import ids as ids  # the archived records fixture
from tests.disposition import disposition, downloaded_name

pytestmark = pytest.mark.database

SALES = "Sales HR"


def api_key(sessions, role: str) -> dict[str, str]:
    with sessions.begin() as session:
        _row, plaintext = apikeys.create_key(session, f"{role} desk", role, NOW,
                                             team=SALES if role == "hr" else None)
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.parametrize("language,original", [
    ("fr", "plan-de-performance-{id}.pdf"),
    ("de", "Leistungsverbesserungsplan-{id}.pdf"),
    ("ar", "خطة-الأداء-{id}.pdf"),
    (None, "performance-plan-{id}.pdf"),
])
def test_a_plans_pdf_is_named_in_the_persons_language_not_the_plans(console, sessions,
                                                                     language, original):
    hr = console.sign_in("hr", team=SALES)
    set_preferences(sessions, hr.username, language)
    # A Spanish plan: its signers read Spanish; HR read their own language.
    envelope_id = make_plan(sessions, owner=hr.actor, team=SALES, language="es")
    response = console.get(f"/console/plans/{envelope_id}/original.pdf")
    assert response.status_code == 200
    header = disposition(response.headers["Content-Disposition"])
    assert header.kind == "inline"
    assert header.name == original.format(id=envelope_id)
    # A name in ASCII is sent as it is; another with the English one beside it.
    assert header.fallback == (header.name if header.name.isascii()
                               else f"performance-plan-{envelope_id}.pdf")


def test_the_archives_documents_are_named_in_the_persons_language(console, sessions, ids):
    who = console.sign_in("records")
    set_preferences(sessions, who.username, "fr")
    names = {name: downloaded_name(console.get(f"/console/records/{ids[0]}/{name}"))
             for name in ("final.pdf", "original.pdf", "plan.json", "audit-trail.json",
                          "bundle.zip")}
    assert names == {"final.pdf": f"{ids[0]}-définitif-scellé.pdf",
                     "original.pdf": f"{ids[0]}-original-envoyé.pdf",
                     "plan.json": f"{ids[0]}-données-du-plan.json",
                     "audit-trail.json": f"{ids[0]}-piste-d’audit.json",
                     "bundle.zip": f"{ids[0]}-lot-du-dossier.zip"}
    set_preferences(sessions, who.username, "ar")
    final = console.get(f"/console/records/{ids[0]}/final.pdf")
    header = disposition(final.headers["Content-Disposition"])
    assert header.name == f"{ids[0]}-النهائي-المختوم.pdf"
    assert header.fallback == f"{ids[0]}-final.pdf"  # the English name, for old clients


def test_the_api_names_the_same_files_in_english(console, client, sessions, ids):
    """The HR API is for programs: its names do not follow anyone's language (README,
    "Languages"), byte for byte what they were."""
    who = console.sign_in("hr", team=SALES)
    set_preferences(sessions, who.username, "fr")
    envelope_id = make_plan(sessions, owner=who.actor, team=SALES, language="fr")
    headers = api_key(sessions, "hr")
    document = client.get(f"/api/v1/envelopes/{envelope_id}/document.pdf", headers=headers)
    assert document.status_code == 200
    assert document.headers["Content-Disposition"] == \
        f'attachment; filename="{envelope_id}.pdf"'
    records = api_key(sessions, "records")
    final = client.get(f"/api/v1/archive/records/{ids[0]}/final.pdf", headers=records)
    assert final.status_code == 200
    assert final.headers["Content-Disposition"] == f'attachment; filename="{ids[0]}-final.pdf"'


def test_the_consistency_csv_is_named_in_the_persons_language(console, sessions):
    hr = console.sign_in("hr", team=SALES)
    set_preferences(sessions, hr.username, "fr")
    response = console.get("/console/consistency/consistency.csv")
    assert response.status_code == 200
    name = downloaded_name(response)
    assert name.startswith("plansign-cohérence-") and name.endswith(".csv")


HOSTILE = 'Zoë "O\'Brien"; filename=evil.exe\r\nSet-Cookie: x=1\u202egpj.yaml'


def test_a_drafts_name_is_the_employees_and_nothing_typed_reaches_the_header(console,
                                                                               sessions):
    """An export is named after the employee, as HR typed the name (accents and all), in
    HR's language; quotes, a line break, a ';' or a right-to-left override in that name
    are left out of the name or encoded, never part of the header."""
    hr = console.sign_in("hr", team=SALES)
    set_preferences(sessions, hr.username, "fr")
    draft_id = start(console, "blank")
    saved = console.post(f"/console/drafts/{draft_id}",
                         data={"version": "1", "action": "save", "employee.name": HOSTILE},
                         token_from=f"/console/drafts/{draft_id}")
    assert saved.status_code == 302, saved.get_data(as_text=True)

    response = console.get(f"/console/drafts/{draft_id}/export.yaml")
    assert response.status_code == 200
    raw = response.headers["Content-Disposition"]
    header = disposition(raw)  # one well-formed header: nothing added to it
    assert set(header.parameters) == {"filename", "filename*"}
    assert header.kind == "attachment"
    assert header.name.startswith("plan-de-performance-Zoë-") and header.name.endswith(".yaml")
    assert raw.count(";") == 2  # the two separators: the typed ';' is encoded (%3B)
    for unsafe in ('"', "\r", "\n", "\u202e", "/", "\\"):
        assert unsafe not in header.name, unsafe
    assert "Set-Cookie" not in response.headers and "\n" not in raw
    assert header.fallback.isascii() and header.fallback.endswith(".yaml")
    assert header.fallback.startswith("plan-Zoe-")  # the English name, made ASCII
    assert set(header.fallback) <= set("abcdefghijklmnopqrstuvwxyz"
                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

"""The draft form's standard texts in the plan's language (issue 18): "Raising a
concern" and "Wellbeing support" hold plansign's standard wording unless HR write their
own; the form shows it in the plan's language (the default_language setting's for a
plan that names none), a text still equal to any language's standard wording follows the
plan's language when it changes, and a text HR wrote is never replaced. The plan's data
keeps the standard wording in English, as it always has, so its hash rules are as
before, and the PDF is made in the plan's language.

Through the console's test client, as a browser without JavaScript posts the form (the
page's script does the same as the language changes: test_draft_standard_texts_browser)."""

from __future__ import annotations

import html
import re
import subprocess

import pytest

from docgen.doclang import standard_sections
from docgen.model import DEFAULT_CONCERNS, DEFAULT_WELLBEING
from signing.web.app import create_app
from tests.console.test_drafts import draft_row, form_of, start

pytestmark = pytest.mark.database

OWN_CONCERNS = "Oluwaseun can raise any concern about this plan"  # engineer-90d's own


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    """Plans that name no language are written in Spanish here."""
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                       "default_language": "es"})


def shown(page: str, field: str) -> str:
    """The text a textarea of the editor shows."""
    found = re.search(rf'<textarea id="[^"]+" name="{re.escape(field)}"[^>]*>([^<]*)</textarea>',
                      page)
    assert found, field
    return html.unescape(found.group(1))


def editor(console, draft_id: str) -> str:
    response = console.get(f"/console/drafts/{draft_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def save(console, draft_id: str, **changes: str):
    fields = {**form_of(console, draft_id), **changes, "action": "save"}
    response = console.post(f"/console/drafts/{draft_id}", data=fields,
                            token_from=f"/console/drafts/{draft_id}")
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_plan_naming_no_language_shows_the_settings_language(console):
    console.sign_in("hr", team="Care HR")
    draft_id = start(console)  # support-agent-30d: no language, the standard texts
    page = editor(console, draft_id)
    assert shown(page, "concerns") == standard_sections("es")["concerns"]
    assert shown(page, "wellbeing") == standard_sections("es")["wellbeing"]
    assert 'data-default-language="es"' in page  # what "(not set)" means, for the script


def test_a_french_plan_shows_the_french_texts_and_its_data_keeps_the_english(console,
                                                                              sessions):
    console.sign_in("hr", team="Care HR")
    draft_id = start(console)
    save(console, draft_id, language="fr")  # the form's Spanish texts, and French chosen
    page = editor(console, draft_id)
    assert shown(page, "concerns") == standard_sections("fr")["concerns"]
    assert shown(page, "wellbeing") == standard_sections("fr")["wellbeing"]
    # The data as it always was: the standard wording in English, made into the plan's
    # language when the document is made.
    data = draft_row(sessions, draft_id).plan_data
    assert (data["language"], data["concerns"], data["wellbeing"]) == (
        "fr", DEFAULT_CONCERNS, DEFAULT_WELLBEING)

    # The review page reads it in French too.
    review = console.get(f"/console/drafts/{draft_id}/review").get_data(as_text=True)
    assert standard_sections("fr")["wellbeing"][:60] in review


def test_a_standard_text_follows_a_new_language_and_one_hr_wrote_stays(console, sessions):
    console.sign_in("hr", team="Care HR")
    draft_id = start(console)
    save(console, draft_id, language="fr")
    # HR write their own wellbeing text and change the language to German, without
    # JavaScript: the concerns text (still the French standard one) becomes German.
    own = "Talk to Dana in confidence; our assistance line is in the staff handbook."
    save(console, draft_id, language="de", wellbeing=own)
    page = editor(console, draft_id)
    assert shown(page, "concerns") == standard_sections("de")["concerns"]
    assert shown(page, "wellbeing") == own
    data = draft_row(sessions, draft_id).plan_data
    assert (data["concerns"], data["wellbeing"]) == (DEFAULT_CONCERNS, own)
    # Back to "not set": the setting's language, Spanish.
    save(console, draft_id, language="")
    assert shown(editor(console, draft_id), "concerns") == standard_sections("es")["concerns"]


def test_checking_the_plan_shows_the_new_languages_text_before_saving(console, sessions):
    console.sign_in("hr", team="Care HR")
    draft_id = start(console)
    fields = {**form_of(console, draft_id), "language": "ar", "action": "check"}
    response = console.post(f"/console/drafts/{draft_id}", data=fields,
                            token_from=f"/console/drafts/{draft_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert shown(page, "concerns") == standard_sections("ar")["concerns"]
    assert re.search(r'<textarea id="f-concerns" name="concerns"[^>]* dir="auto"', page)
    assert "language" not in draft_row(sessions, draft_id).plan_data  # nothing saved


def test_hrs_own_texts_are_never_replaced(console, sessions):
    console.sign_in("hr", team="Care HR")
    draft_id = start(console, "example:engineer-90d")  # its own concerns and wellbeing
    before = draft_row(sessions, draft_id).plan_data
    save(console, draft_id, language="fr")
    page = editor(console, draft_id)
    assert shown(page, "concerns") == before["concerns"]
    assert shown(page, "concerns").startswith(OWN_CONCERNS)
    after = draft_row(sessions, draft_id).plan_data
    assert (after["concerns"], after["wellbeing"]) == (before["concerns"], before["wellbeing"])


def test_the_standard_texts_are_listed_for_the_script_and_escaped(console):
    """Each standard textarea lists every language's wording (data-standard, JSON), as an
    attribute the page escapes: the French apostrophes and the Arabic arrive whole."""
    import json

    console.sign_in("hr", team="Care HR")
    page = editor(console, start(console))
    found = re.search(r'name="wellbeing"[^>]*data-standard="([^"]*)"', page)
    assert found
    listed = json.loads(html.unescape(found.group(1)))
    assert listed == {"en": DEFAULT_WELLBEING, **{language: standard_sections(language)[
        "wellbeing"] for language in ("es", "fr", "de", "ar")}}


@pytest.fixture
def converter_app(app, converter):
    from signing.web.current import services_of
    services_of(app).converter = converter
    return app


@pytest.mark.usefixtures("converter_app")
def test_the_preview_pdf_has_the_plans_languages_text(console, tmp_path):
    console.sign_in("hr", team="Care HR")
    draft_id = start(console)
    save(console, draft_id, language="fr")
    response = console.get(f"/console/drafts/{draft_id}/preview.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "preview.pdf"
    path.write_bytes(response.data)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    assert "peut faire part de toute préoccupation concernant ce plan" in text
    assert "Un plan d’amélioration des performances peut être source de stress" in text
    assert "can raise any concern" not in text

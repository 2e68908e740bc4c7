"""An address no page answers (issue 18): under /console, the console's own page in the
signed-in person's language, with its navigation, for a path no route matches (404) and
a method a route does not take (405), where no view ran to find out who is signed in;
before sign-in, the browser's language. The signer's side has no person and no plan to
go by there: the browser's language among those plansign has, else English."""

from __future__ import annotations

import pytest

from tests.console.test_console_errors_language import shown
from tests.console.test_console_language import html_tag, set_preferences

pytestmark = pytest.mark.database


@pytest.mark.parametrize("language,title,sign_out,direction", [
    ("fr", "Page introuvable", "Se déconnecter", "ltr"),
    ("ar", "الصفحة غير موجودة", "تسجيل الخروج", "rtl"),
])
def test_a_console_address_no_route_matches_is_in_the_persons_language(
        console, sessions, language, title, sign_out, direction):
    hr = console.sign_in("hr", team="EMEA")
    set_preferences(sessions, hr.username, language)
    for path in ("/console/nope", "/console/plans/a/b/c", "/console/records/x/y/z"):
        page = console.get(path, headers={"Accept-Language": "de"})  # the person's, not this
        assert page.status_code == 404, path
        text = shown(page)
        assert title in text and sign_out in text, text  # the console's page, signed in
        assert "console.css" in page.get_data(as_text=True)
        assert f'lang="{language}"' in html_tag(page) and f'dir="{direction}"' in html_tag(page)
        for english in ("Page not found", "There is no page", "Back to your plans",
                        "Seite nicht gefunden"):
            assert english not in text, (path, english)


def test_a_method_a_console_page_does_not_take_is_refused_in_french(console, sessions):
    hr = console.sign_in("hr", team="EMEA")
    set_preferences(sessions, hr.username, "fr")
    page = console.post("/console/account", data={})  # the settings page is GET only
    assert page.status_code == 405
    assert "GET" in page.headers["Allow"]
    text = shown(page)
    assert "Cette page ne peut pas être utilisée de cette façon" in text
    assert "Se déconnecter" in text
    assert "cannot be used that way" not in text and "Back to your plans" not in text


def test_before_sign_in_a_console_address_no_route_matches_is_in_the_browsers_language(
        client):
    page = client.get("/console/nope", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert page.status_code == 404
    text = shown(page)
    assert "Página no encontrada" in text and "Page not found" not in text
    assert "console.css" in page.get_data(as_text=True)
    english = client.get("/console/nope", headers={"Accept-Language": "ja"})
    assert "Page not found" in shown(english)  # a language plansign does not have


@pytest.mark.parametrize("accept,title", [
    ("fr-CH,fr;q=0.9,en;q=0.5", "Page introuvable"),
    ("ar", "الصفحة غير موجودة"),
    ("ja,ko;q=0.8", "Page not found"),
    (None, "Page not found"),
])
def test_the_signers_unmatched_addresses_speak_the_browsers_language(client, accept, title):
    headers = {"Accept-Language": accept} if accept else {}
    for path in ("/nope", "/sign/no/such/page"):
        page = client.get(path, headers=headers)
        assert page.status_code == 404, path
        assert title in shown(page), path
        assert "console.css" not in page.get_data(as_text=True)

"""The admin's Settings page in the admin's language (README, "Languages"): each
setting's help line, where its value comes from (the default, the environment, the
settings file, whose path is kept as it is) and the page's markers are translated; the
values themselves, as the admin types them, are not. English is the source."""

from __future__ import annotations

import html
import re

import pytest

from signing.web.app import create_app
from tests.console.test_console_language import set_preferences

pytestmark = pytest.mark.database


@pytest.fixture
def settings_file(tmp_path):
    path = tmp_path / "hr&legal settings.toml"
    path.write_text("retention_years = 9\n", encoding="utf-8")
    return path


@pytest.fixture
def app(tmp_path, database_url, clean_env, monkeypatch, settings_file):
    monkeypatch.setenv("PLANSIGN_CONFIG", str(settings_file))
    monkeypatch.setenv("PLANSIGN_CONSOLE_IDLE_MINUTES", "20")
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def rows(page: str) -> dict[str, list[str]]:
    """Each setting's row as its cells' text, as a reader sees them, by setting name."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        cells = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
                 for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        if cells:
            found[cells[0].split()[0]] = cells
    return found


def settings_page(console, sessions, language):
    admin = console.sign_in("admin")
    if language != "en":
        set_preferences(sessions, admin.username, language)
    page = console.get("/console/admin/settings")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_english_is_the_settings_tables_own(console, sessions, settings_file):
    shown = rows(settings_page(console, sessions, "en"))
    assert shown["retention_years"][1:] == [
        "9", f"settings file {settings_file}",
        "Years an archived plan is kept after completion before `archive purge` may "
        "delete it."]
    assert shown["console_idle_minutes"][2] == "environment"
    assert shown["serve_gc_freeze"][1:3] == ["true", "default"]
    assert shown["console_managers_send"][1] == "false"
    assert shown["company_name"][1] == "(empty)"
    assert shown["secret_keys"][1:3] == ["(secret, set)", "set by the program that runs plansign"]
    assert shown["seal_pkcs11_pin"][1] == "(secret, not set)"


def test_french_reads_the_help_and_where_each_value_comes_from(console, sessions,
                                                               settings_file):
    page = settings_page(console, sessions, "fr")
    shown = rows(page)
    assert shown["retention_years"][1:] == [
        "9", f"fichier de réglages {settings_file}",
        "Nombre d’années pendant lesquelles un plan archivé est conservé après son "
        "achèvement avant que `archive purge` puisse le supprimer."]
    assert shown["console_idle_minutes"][2] == "environnement"
    # A value stays as the environment takes it; the words around it are French.
    assert shown["serve_gc_freeze"][1:3] == ["true", "valeur par défaut"]
    assert shown["company_name"][1] == "(vide)"
    assert shown["secret_keys"][1] == "(secret, défini)"
    assert shown["seal_pkcs11_pin"][1] == "(secret, non défini)"
    assert "Years an archived plan" not in page and ">environment<" not in page


def test_arabic_reads_right_to_left_with_the_path_and_values_left_to_right(
        console, sessions, settings_file):
    page = settings_page(console, sessions, "ar")
    assert 'dir="rtl"' in page
    shown = rows(page)
    assert shown["retention_years"][2] == f"ملف الإعدادات {settings_file}"
    assert shown["retention_years"][3].startswith("عدد السنوات التي تُحفظ فيها الخطة المؤرشفة")
    # The path is isolated from the Arabic sentence, and escaped.
    assert (f'<bdi dir="ltr"><code>{html.escape(str(settings_file))}</code></bdi>'
            in page)
    assert shown["console_idle_minutes"][1:3] == ["20", "البيئة"]
    assert '<code dir="ltr">20</code>' in page
    assert shown["secret_keys"][1] == "(سرّي، مُعيَّن)"


@pytest.mark.parametrize("language,said", [
    ("es", "valor predeterminado"), ("fr", "valeur par défaut"), ("de", "Voreinstellung"),
    ("ar", "القيمة الافتراضية")])
def test_the_word_default_is_the_settings_own_by_its_context(language, said):
    """"default", where a value comes from, is a message with its context: a later
    ``_("default")`` meaning something else gets its own entry, never this translation;
    the page reads as before (above)."""
    from babel.messages.pofile import read_po
    from babel.support import Translations

    from tests.conftest import ROOT

    folder = ROOT / "signing" / "translations"
    with (folder / "messages.pot").open("rb") as pot:
        contexts = {m.context for m in read_po(pot) if m.id == "default"}
    assert contexts == {"where a setting's value comes from"}
    catalog = Translations.load(str(folder), [language], "messages")
    assert catalog.pgettext("where a setting's value comes from", "default") == said
    assert catalog.gettext("default") == "default"

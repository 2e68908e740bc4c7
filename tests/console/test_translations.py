"""The console's English gettext catalog (signing/translations/): every message the
console's code and templates give gettext is in it, so that a later issue can add
languages by copying it (`make translations` brings it up to date)."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "signing" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def extracted() -> set[str]:
    """What `make translations` extracts now (babel.cfg), as message ids."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_english_catalog_has_every_message_the_console_shows():
    with (CATALOG / "messages.po").open("rb") as po:
        catalog = read_po(po)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    found = extracted()
    assert "Sign in to plansign" in found  # the templates are read, not just the Python
    missing = sorted(found - known)
    assert not missing, f"run `make translations`: not in the catalog: {missing}"
    # English is the source: its messages stay untranslated (gettext shows the msgid),
    # so the compiled catalog is the header alone, but it must be the .po's.
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=True)
    assert (CATALOG / "messages.mo").read_bytes() == compiled.getvalue(), \
        "run `make translations`: messages.mo is not compiled from messages.po"


def test_the_app_finds_the_catalog(app):
    from signing.web.app import babel

    with app.test_request_context("/console/signin"):
        assert babel.domain_instance.translation_directories == [str(CATALOG.parents[1])]
        assert "en" in {str(locale) for locale in babel.list_translations()}

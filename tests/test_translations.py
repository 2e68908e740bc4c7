"""The gettext catalogs of signing/translations/ (`make translations`; README,
"Languages"), for each domain: ``messages`` (the console, in each person's language),
``signer`` (everything a signer reads, in every language plansign writes to
employees) and docgen/translations/'s ``docgen`` (the pages plansign adds to the final
PDF, in the same languages); each is translated into every language plansign speaks.

Each fails with what to do: a string a template or the code shows that is not in the
committed template (not marked, or marked since the last `make translations`); a
message some language's catalog lacks, leaves empty or marks fuzzy; a translation whose
placeholders are not the message's; a compiled catalog older than its .po."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from docgen.languages import SUPPORTED

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "signing" / "translations"
# Where each domain's catalogs live, when not in TRANSLATIONS: docgen reads its own.
CATALOG_DIRECTORIES = {"docgen": ROOT / "docgen" / "translations"}
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "L_": None,
            "ngettext": (1, 2), "N_": None,
            "NN_": (1, 2),  # as the Makefile's extraction (NN_: a counted Wording)
            "pgettext": ((1, "c"), 2)}  # pybabel's default: a message with its context
# Each domain: its extraction's mapping and the languages it must be translated into
# (English is the source language: its catalog's messages stay untranslated).
TRANSLATED = tuple(c for c in SUPPORTED if c != "en")
DOMAINS = {"messages": ("babel.cfg", TRANSLATED), "signer": ("babel-signer.cfg", TRANSLATED),
           "docgen": ("babel-docgen.cfg", TRANSLATED)}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogs(domain: str) -> Path:
    """The folder that holds ``domain``'s template and its <language>/LC_MESSAGES/."""
    return CATALOG_DIRECTORIES.get(domain, TRANSLATIONS)


def extracted(mapping: str) -> set[str]:
    """What `make translations` extracts now with ``mapping``, as message ids."""
    with (ROOT / mapping).open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {message[0] if isinstance(message, tuple) else message
            for _file, _line, message, _comments, _context in extract_from_dir(
                str(ROOT), method_map, options_map, keywords=KEYWORDS)}


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_shown_is_in_the_committed_template(domain):
    mapping, _languages = DOMAINS[domain]
    found = extracted(mapping)
    assert found, f"{mapping} extracts nothing"
    template = ids(read(catalogs(domain) / f"{domain}.pot"))
    new, gone = sorted(found - template), sorted(template - found)
    assert not new and not gone, (
        f"run `make translations` ({domain}): new messages {new}, no longer shown {gone}")


def test_the_templates_are_read_not_just_the_python():
    assert "Sign in to plansign" in extracted("babel.cfg")
    signer = extracted("babel-signer.cfg")
    assert "Type your full name" in signer  # sign.html
    assert "This link has expired. Please ask HR for a new link." in signer  # links.py
    record = extracted("babel-docgen.cfg")
    assert "Certificate of completion" in record  # docgen/stamp/certificate.py
    assert "email delivered" in record  # signing/domain/completion.py's event names


def test_every_settings_help_line_is_a_console_message():
    """The admin's Settings page shows each setting's help in the admin's language: the
    extraction (babel.cfg's settings_help, config/extract.py) finds every help line of the
    settings table, so a new setting's help not yet translated fails the completeness
    test below."""
    from config.settings import read_table

    helps = {setting.help for setting in read_table().values()}
    assert len(helps) > 100
    found = extracted("babel.cfg")
    assert not sorted(helps - found), "a setting's help is not extracted"
    with (catalogs("messages") / "messages.pot").open("rb") as pot:
        template = {m.id: m for m in read_po(pot) if m.id}
    for setting in read_table().values():
        assert f"setting {setting.name}" in template[setting.help].auto_comments


def test_no_signer_page_shows_text_outside_gettext():
    """Text between tags in the signer's templates is a gettext call, a variable or a
    trans block: extraction cannot find a sentence someone forgot to mark."""
    unmarked = []
    for template in (ROOT / "signing" / "web" / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        # Blocks and macros that write attributes (classes, ARIA ids), not words.
        text = re.sub(r"\{% block main_attributes %\}.*?\{% endblock %\}", "", text, flags=re.S)
        text = re.sub(r"\{% macro (field_class|described)\(.*?\{% endmacro %\}", "", text,
                      flags=re.S)
        text = re.sub(r"\{% trans.*?endtrans %\}", "", text, flags=re.S)
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text, flags=re.S)
        text = re.sub(r"<[^>]*>", "\n", text)
        unmarked += [f"{template.name}: {line.strip()}" for line in text.splitlines()
                     if re.search(r"[A-Za-z]{2,}", line)]
    assert not unmarked, unmarked


@pytest.mark.parametrize("domain,language", [
    (domain, language) for domain, (_m, languages) in DOMAINS.items()
    for language in ("en", *languages)])
def test_each_catalog_is_complete_and_compiled(domain, language):
    po = catalogs(domain) / language / "LC_MESSAGES" / f"{domain}.po"
    if not po.exists() and language == "en" and domain != "messages":
        pytest.skip("no English catalog")
    catalog = read(po, language)
    template = ids(read(catalogs(domain) / f"{domain}.pot"))
    missing, stale = sorted(template - ids(catalog)), sorted(ids(catalog) - template)
    assert not missing, f"run `make translations`: not in {po}: {missing}"
    assert not stale, f"run `make translations`: in {po} but no longer shown: {stale}"
    if language != "en":
        untranslated = [m.id for m in catalog if m.id and (
            not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
        fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
        assert not untranslated, f"translate in {po} (README, Languages): {untranslated}"
        assert not fuzzy, f"check and unmark the fuzzy entries of {po}: {fuzzy}"
        wrong = [m.id for m in catalog if m.id and not _same_placeholders(m.id, m.string)]
        assert not wrong, f"{po}: the translation's placeholders differ: {wrong}"
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=language == "en")
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.read_bytes() == compiled.getvalue(), \
        f"run `make translations`: {mo} is not compiled from {po.name}"


# French puts a space before ':' (no-break) and before ';', '?' and '!' (narrow no-break),
# so that the sign never starts a line: a plain space lets it, none is English's.
_FRENCH_SIGN = re.compile(r"(?:(?<![\u00a0\u202f])|(?<= ))[:;?!](?=\s|$)")
_NOT_PROSE = re.compile(r"https?://\S+|%\(\w+\)[sd]|<[^>]+>|`[^`]*`|\d:\d")


def _french_prose_breaking(domain: str, rule: re.Pattern[str]) -> list[str]:
    """Each French translation of ``domain`` whose prose (not its markup, code or
    placeholders) ``rule`` finds."""
    catalog = read(catalogs(domain) / "fr" / "LC_MESSAGES" / f"{domain}.po", "fr")
    return [form for m in catalog if m.id
            for form in (m.string if isinstance(m.string, tuple) else (m.string,))
            if rule.search(_NOT_PROSE.sub("", form or ""))]


@pytest.mark.parametrize("domain", DOMAINS)
def test_french_puts_its_no_break_space_before_two_part_signs(domain):
    wrong = _french_prose_breaking(domain, _FRENCH_SIGN)
    assert not wrong, ("French writes 'Lieu\u00a0:' and 'vraiment\u202f?' (README, "
                       f"Languages): {wrong}")


# French elides with the typographic apostrophe (l’entretien, qu’il), as its printed
# documents do: one catalog with both read as two hands.
_STRAIGHT_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


@pytest.mark.parametrize("domain", DOMAINS)
def test_french_elides_with_the_typographic_apostrophe(domain):
    wrong = _french_prose_breaking(domain, _STRAIGHT_APOSTROPHE)
    assert not wrong, f"French writes l’entretien, not l'entretien: {wrong}"


def _same_placeholders(msgid: str | tuple[str, ...], msgstr: str | tuple[str, ...]) -> bool:
    """Each translation names the message's placeholders; a plural form may leave out the
    number where its words say it ("one day", "two days" in Arabic)."""
    wanted = set(_PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[-1]))
    forms = [msgstr] if isinstance(msgstr, str) else list(msgstr)
    optional = {"num"} if not isinstance(msgid, str) else set()
    return all(wanted - optional <= set(_PLACEHOLDER.findall(form)) <= wanted
               for form in forms)


def test_the_app_finds_the_catalogs(tmp_path):
    from signing.web.app import babel, create_app
    from signing.web.language import SIGNER_DOMAIN

    app = create_app({"instance_path": str(tmp_path), "secret_keys": "k" * 40,
                      "database_url": f"sqlite:///{tmp_path / 'plansign.db'}"})

    with app.test_request_context("/console/signin"):
        assert babel.domain_instance.translation_directories == [str(TRANSLATIONS)]
        assert {"en", *SUPPORTED} <= {str(locale) for locale in babel.list_translations()}
        assert SIGNER_DOMAIN.translation_directories == [str(TRANSLATIONS)]


def test_the_record_reads_its_catalogs():
    """docgen finds its compiled catalogs (no Flask) and each language's words differ from
    English's; English is the source and needs none."""
    from docgen.stamp.wording import CATALOGS, record_words

    assert Path(CATALOGS) == catalogs("docgen")
    english = record_words("en")._("Certificate of completion")
    assert english == "Certificate of completion"
    said = {code: record_words(code)._("Certificate of completion") for code in SUPPORTED}
    assert len(set(said.values())) == len(SUPPORTED), said


# One thing, one name, in every domain of a language (the signer's pages and emails, the
# console, the record's pages): a reader who meets two words for the plan, or for the
# employee's refusal and a manager's decline, asks whether they are two things. Each rule:
# a message whose English matches ``about`` says ``must`` and never ``never``.
_FRENCH_EMPLOYEE_NEVER = r"\bsalariés?\b|(?<!personne )(?<!personnes )\bsalariées?\b"
_TERMS = [
    # (language, about (English), must (translation), never (translation))
    ("es", r"performance[- ](improvement[- ])?plan", r"plan[- ]de[- ]mejora[- ]del[- ]desempeño",
     r"plan[- ]de[- ]desempeño"),
    ("es", r"\bcheck-ins?\b", r"seguimiento", None),
    ("es", r"\bthe employee\b", None, r"\b(el|al|del) empleado\b"),
    ("es", r"\bdeclin", r"rechaz|rechác", r"declin"),
    ("de", r"performance[- ](improvement[- ])?plan", r"Leistungsverbesserungsplan",
     r"\bLeistungsplan"),
    # A check-in is a Feedbackgespräch; a Zwischengespräch is the plan's progress review.
    ("de", r"^(?!.*\breview).*\bcheck-ins?\b", None, r"Zwischengespräch"),
    ("de", r"\bemployee", None, r"Mitarbeiter/in|(?<!oder )\b(der|den|dem|des) Mitarbeiters?\b"),
    # The employee refuses (die Unterschrift verweigern); a manager or HR declines (die
    # Unterzeichnung ablehnen): German had "ablehnen" for both, on two buttons of a page.
    ("de", r"refus\w* to sign|\brefusal", r"verweiger", r"lehn"),
    ("de", r"\bdeclin", r"lehn", r"verweiger"),
    # French names the employee "la personne salariée" (a label: "Personne salariée"), with
    # the feminine agreement that follows ("elle", "informée"): plansign never knows a
    # person's gender, so never "le salarié", "Salarié" or "la salariée" alone, in any
    # message, whatever its English says ("employee", "staff", a role chip).
    ("fr", r"", None, _FRENCH_EMPLOYEE_NEVER),
]


@pytest.mark.parametrize("language", sorted({rule[0] for rule in _TERMS}))
def test_each_language_names_one_thing_one_way_in_every_domain(language):
    rules = [(re.compile(about, re.I), must and re.compile(must, re.I),
              never and re.compile(never, re.I)) for code, about, must, never in _TERMS
             if code == language]
    wrong = []
    for domain in DOMAINS:
        catalog = read(catalogs(domain) / language / "LC_MESSAGES" / f"{domain}.po", language)
        for message in catalog:
            if not message.id:
                continue
            english = " ".join(message.id) if isinstance(message.id, tuple) else message.id
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            for about, must, never in rules:
                # A message about both a refusal and a decline names each its own way.
                if not about.search(english) or (
                        re.search(r"refus|declin", about.pattern)
                        and re.search(r"\brefus", english, re.I)
                        and re.search(r"\bdeclin", english, re.I)):
                    continue
                for form in forms:
                    if (must and not must.search(form)) or (never and never.search(form)):
                        wrong.append(f"{domain}: {english!r} -> {form!r} "
                                     f"(for {about.pattern!r})")
    assert not wrong, "\n".join(wrong)


_WORD_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


def _word_paragraphs(path: Path) -> list[str]:
    """Each paragraph's text of a .docx: its body, headers and footers."""
    with zipfile.ZipFile(path) as docx:
        parts = [name for name in docx.namelist()
                 if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name)]
        xml = "".join(docx.read(name).decode("utf-8") for name in parts)
    return [html.unescape("".join(_WORD_TEXT.findall(p))) for p in xml.split("</w:p>")]


def test_french_word_templates_name_the_employee_as_the_catalogs_do():
    """The French plans and outcome letters (written by scripts/translate_templates.py
    from scripts/template_words.py) call the employee what the French catalogs do."""
    templates = Path(__file__).resolve().parents[1] / "templates"
    documents = sorted([*templates.glob("*.fr.docx"), *templates.glob("letters/*.fr.docx")])
    assert len(documents) >= 4, documents
    never = re.compile(_FRENCH_EMPLOYEE_NEVER, re.I)
    wrong = [f"{path.relative_to(templates)}: {text!r}" for path in documents
             for text in _word_paragraphs(path) if never.search(text)]
    assert not wrong, "\n".join(wrong)
    named = [path.name for path in documents
             if any("personne salariée" in text.lower() for text in _word_paragraphs(path))]
    assert named == [path.name for path in documents], named

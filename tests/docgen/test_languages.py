"""Documents in the plan's language: the template chosen by language, the context's words,
dates and numbers by locale, each shipped template checked, and every language's
documents made by real LibreOffice and read back with pdftotext (one document per
language and template, converted at once in the session's pool)."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from docgen import TemplateError, check_template, find_anchors, plan_from_data, sample_plan
from docgen.context import plan_context
from docgen.doclang import LANGUAGES, end_sentence, signature_anchors
from docgen.logo import logo_from_bytes
from docgen.render import (
    BUILTIN_TEMPLATES,
    localized_template,
    render_docx,
    resolve_template,
    template_language,
    template_names,
)
from tests.pdftext import pdf_text

TEMPLATES = ("standard", "sales")

# What each language's documents must say (and English words they must not).
SAYS = {
    "en": ["Performance Improvement Plan", "confirms receipt and understanding only",
           "Your employer", "Employee signature:", "1 December 2026"],
    "es": ["Plan de mejora del desempeño", "acuse de recibo", "no implica conformidad",
           "Su empresa", "Firma de la persona empleada:", "1 de diciembre de 2026"],
    "fr": ["Plan d’amélioration des performances", "accusé de réception",
           "ne vaut pas acceptation", "Votre employeur", "1er décembre 2026"],
    "de": ["Leistungsverbesserungsplan", "Empfang und die Kenntnisnahme",
           "kein Einverständnis", "Ihr Arbeitgeber", "Unterschrift Führungskraft:",
           "1. Dezember 2026"],
    "ar": ["خطة تحسين الأداء", "إقرار بالاستلام", "ولا يعني موافقة", "جهة العمل",
           "توقيع الموظف", "ديسمبر 2026"],
}
SAME_WORD = {"Source"}  # French writes it so too
ENGLISH = ("Confidential", "Employee signature", "Acknowledgement", "Page 1 of")


def png(width: int = 60, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (31, 56, 100)).save(out, "PNG")
    return out.getvalue()


def plain(text: str) -> str:
    """Text as read back, compared loosely: no bidi marks or Arabic vowel signs (pdftotext
    sets them apart), no-break spaces and line breaks as spaces."""
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Mn"))
    return " ".join(text.replace("\u00a0", " ").split())


def context(language: str, **extra):
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("company", None)
    return plan_context(plan_from_data(data), company_name=None, language=language, **extra)


# -- choosing the template ---------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_each_template_is_found_in_each_language(language):
    for name in TEMPLATES:
        path = resolve_template(name, language=language)
        assert template_language(path) == language
        assert path.name == (f"{name}.docx" if language == "en" else f"{name}.{language}.docx")
        assert localized_template(path, language) == path
    assert template_names(BUILTIN_TEMPLATES) == ["sales", "standard"]


def test_a_template_without_the_plans_language_is_refused_not_replaced(tmp_path: Path):
    (tmp_path / "mine.docx").write_bytes((BUILTIN_TEMPLATES / "standard.docx").read_bytes())
    with pytest.raises(TemplateError, match=r"template mine has no French version "
                                            r"\(mine\.fr\.docx\)"):
        resolve_template("mine", tmp_path, language="fr")
    assert resolve_template("mine", tmp_path) == tmp_path / "mine.docx"
    with pytest.raises(ValueError, match="'xx' is not a supported language"):
        resolve_template("mine", tmp_path, language="xx")


@pytest.mark.parametrize("path", sorted(BUILTIN_TEMPLATES.glob("*.docx")), ids=lambda p: p.name)
def test_every_shipped_template_passes_templates_check_in_its_language(path: Path):
    sample = plan_context(sample_plan(), company_name="Harbor & Finch Analytics, Inc.",
                          language=template_language(path))
    assert check_template(path, sample) == []


def test_a_translated_template_holds_no_english_run():
    english = {t.text for t in _runs(BUILTIN_TEMPLATES / "standard.docx")
               if t.text and re.search(r"[a-z]{4}", re.sub(r"\{[{%].*?[}%]\}", "", t.text))}
    for language in LANGUAGES[1:]:
        for name in TEMPLATES:
            left = english & {t.text for t in _runs(resolve_template(name, language=language))}
            assert left <= SAME_WORD, (name, language, left)


def test_arabic_templates_are_right_to_left():
    for name in TEMPLATES:
        with zipfile.ZipFile(resolve_template(name, language="ar")) as package:
            body = package.read("word/document.xml").decode()
            styles = package.read("word/styles.xml").decode()
        assert body.count("<w:p>") + body.count("<w:p ") <= body.count("<w:bidi/>")
        assert body.count("<w:tblPr>") == body.count("<w:bidiVisual/>") > 0
        assert 'w:cs="Noto Naskh Arabic"' in styles


def _runs(path: Path):
    from lxml import etree

    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")


# -- the context's words, dates and numbers ------------------------------------------------

def test_the_context_speaks_the_documents_language():
    french, german, arabic = context("fr"), context("de"), context("ar")
    assert french["plan"]["title"] == "Plan d’amélioration des performances"
    assert french["company"] == {"name": "", "reference": "votre employeur", "logo": ""}
    assert german["company"]["reference"] == "Ihr Arbeitgeber"
    assert arabic["company"]["reference"] == "جهة العمل"
    assert french["checkins"]["weekday"] == "mardi"
    assert german["checkins"]["cadence_label"] == "Wöchentlich"
    assert {s["anchor"] for s in arabic["signers"]} == set(signature_anchors("ar").values())
    assert french["timeline"]["reviews"][-1]["label"] == "Bilan final"
    assert "ressources humaines" in french["concerns"]
    assert german["milestones"]["heading"] in ("Wöchentliche Meilensteine", "Meilensteine")
    english = context("en")
    assert english["company"]["reference"] == "your employer"
    assert english["signers"][0]["anchor"] == "Employee signature:"


def test_amounts_and_percentages_are_written_as_each_language_writes_them():
    from docgen.doclang import amount, percent

    assert amount(90000, "USD", "en") == "$90,000"
    assert amount(90000, "EUR", "de") == "90.000\u00a0€"
    assert amount(1234.5, "EUR", "fr") == "1\u202f234,50\u00a0€"
    assert amount(12, "tickets", "es") == "12 tickets"
    assert percent(68, "en") == "68%"
    assert percent(68, "fr") == "68\u00a0%"
    assert amount(None, "USD", "ar") == "—"


def test_dates_follow_the_language_and_the_plans_zone():
    from docgen.generate import plan_today
    from docgen.render import longdate, shortdate

    def held(date: str) -> str:  # a document's date is held together (test_prose_rules)
        return date.replace(" ", "\u00a0")

    day = dt.date(2026, 12, 1)
    assert longdate(day) == held("1 December 2026")
    assert longdate(day, "es") == held("1 de diciembre de 2026")
    assert longdate(day, "de") == held("1. Dezember 2026")
    assert shortdate(day, "fr") == held("1er déc. 2026")  # French's first of the month
    assert longdate(day, "fr") == held("1er décembre 2026")
    assert longdate(day + dt.timedelta(days=1), "fr") == held("2 décembre 2026")
    plan = sample_plan()  # its check-ins are in Europe/London
    late = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)
    assert plan_today(plan, late) == dt.date(2026, 12, 1)
    tokyo = plan.model_copy(update={"checkins": plan.checkins.model_copy(
        update={"timezone": "Asia/Tokyo"})})
    assert plan_today(tokyo, late) == dt.date(2026, 12, 2)


def test_a_name_ending_in_a_full_stop_gets_no_second_one():
    assert end_sentence("Harbor & Finch Analytics, Inc.") == "Harbor & Finch Analytics, Inc."
    assert end_sentence("Harbor & Finch") == "Harbor & Finch."
    from docgen.render import endsentence

    assert endsentence("Acme Ltd.") == "Acme Ltd." and endsentence("") == ""


# -- real documents, every language ----------------------------------------------------------

@pytest.fixture(scope="module")
def documents(converter):
    """Each language's two templates rendered (no company named, a logo) and converted
    together in the session's pool."""
    logo = logo_from_bytes(png(), "logo.png")
    jobs = [(language, name) for language in LANGUAGES for name in TEMPLATES]

    def make(job):
        language, name = job
        docx = render_docx(resolve_template(name, language=language),
                           context(language, logo=logo))
        return docx, converter.convert(docx)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(jobs, pool.map(make, jobs), strict=True))


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_languages_documents_read_back_in_that_language(documents, language):
    for name in TEMPLATES:
        docx, pdf = documents[(language, name)]
        text = plain(pdf_text(pdf))
        for expected in SAYS[language]:
            assert plain(expected) in text, (name, expected)
        if language != "en":
            for english in ENGLISH:
                assert english not in text, (name, english)
        assert "Your Company" not in text and "the employer" not in text
        # The stamp finds every signature line by its text in this language.
        anchors = find_anchors(pdf, signature_anchors(language).values())
        assert len(anchors) == 3, (name, language)
        # The logo is an image in the header of the Word file.
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            assert any(n.startswith("word/media/") for n in package.namelist())
            header = "".join(package.read(n).decode() for n in package.namelist()
                             if n.startswith("word/header"))
        assert "<w:drawing>" in header or "<w:drawing " in header


def test_french_documents_name_the_plan_one_way_and_put_no_de_before_a_name(documents):
    """The term of the French catalogs ("plan d’amélioration des performances") in the
    French documents too, its history headed to match; a name is never after "de" or
    "que" (it would need "d’Amélie", "qu’Acme"), and the first of a month is "1er"."""
    standard = plain(pdf_text(documents[("fr", "standard")][1]))
    sales = plain(pdf_text(documents[("fr", "sales")][1]))
    for expected in ("Plan d’amélioration des performances",
                     "Le présent plan d’amélioration des performances précise les points sur "
                     "lesquels le travail fourni par Alex Sample ne répond pas encore",
                     "le soutien qu’apportera votre employeur", "Historique des performances",
                     "Alex Sample a pour responsable hiérarchique Morgan Example",
                     "concernant Alex Sample, du 1er décembre 2026 au",
                     "Le plan court du 1er décembre 2026 au"):
        assert plain(expected) in standard, expected
    for expected in ("Performances commerciales : Alex Sample",
                     "les résultats à atteindre par Alex Sample entre le 1er décembre 2026",
                     "l’accompagnement et le soutien qu’apportera votre employeur"):
        assert plain(expected) in sales, expected
    for name in TEMPLATES:  # a narrow no-break space before ";" (pdftotext reads a space)
        with zipfile.ZipFile(io.BytesIO(documents[("fr", name)][0])) as package:
            body = package.read("word/document.xml").decode()
        assert "\u202f;" in body and not re.search(r"[ \u00a0];", body), name
    for text in (standard, sales):
        assert "de la performance" not in text
        assert not re.search(r"(?<!\d)1 décembre", text)  # "31 décembre" is fine
        assert "heure de Europe" not in text

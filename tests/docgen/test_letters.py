"""Outcome letters and amended plans, rendered from the Word templates and converted by
real LibreOffice: each letter's outcome, goals with their evidence and the next steps the
plan stated; an amended plan marked as such on every page. Each letter in each of the
plan's languages, read back with pdftotext (Arabic in logical order); the company's logo
in the letter's header."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from docgen import Amendment, load_plan, plan_context, render_plan, resolve_template
from docgen.doclang import LANGUAGES, day_count, signature_anchors, standard_sections
from docgen.letters import (
    LETTER_TEMPLATES,
    Decision,
    Extension,
    GoalResult,
    LetterError,
    letter_context,
    letter_template,
    render_letter,
    sample_letter_context,
)
from docgen.logo import logo_from_bytes
from docgen.render import BUILTIN_TEMPLATES, template_language
from docgen.templatecheck import check_template
from tests.docgen.docxkit import docx_with
from tests.docgen.stamp.test_stamp_record import arabic_words
from tests.pdftext import pdf_text

ROOT = Path(__file__).resolve().parents[2]
PLAN = load_plan(ROOT / "examples" / "support-agent-30d.yaml")
RESULTS = [GoalResult(1, "met", "91.2% (week 5)", "Zendesk report ZD-FRT, weeks 4 and 5."),
           GoalResult(2, "not met", "2 h 40 min", "Median <b>2 h 40 min</b> & rising {{ 7*7 }}"),
           GoalResult(3, "partly met", "3 tickets", "Pending check of 3 February: 3 tickets.")]
EXTENSION = Extension(14, dt.date(2027, 2, 24), "Clear progress on goals 1 and 2.")
DECISION = Decision(PLAN.manager.name, dt.date(2027, 2, 8), PLAN.hr.name, dt.date(2027, 2, 10))


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("kind, says", [
    ("successful", "The goals were met, and the plan is completed successfully."),
    ("extension", "so the plan is extended by 14 days, to 24 February 2027."),
    ("not_met", "The goals of the plan were not met."),
])
def test_each_letter_states_its_outcome_the_evidence_and_the_plans_next_steps(
        converter, kind, says):
    context = letter_context(PLAN, kind=kind, date=dt.date(2027, 2, 10), results=RESULTS,
                             decision=DECISION,
                             summary="Goal 1 met; goals 2 and 3 below target.",
                             checkins_held=4, checkins_scheduled=5,
                             extension=EXTENSION if kind == "extension" else None)
    text = one_line(pdf_text(converter.convert(render_letter(context))))
    assert says in text
    assert "4 of the 5 check-ins scheduled were held" in text
    for result in RESULTS:
        assert result.result in text and result.assessment in text
    # People's text is text: escaped for Word, never markup or a template.
    assert "Median <b>2 h 40 min</b> & rising {{ 7*7 }}" in text
    next_steps = {"successful": PLAN.outcomes.success, "extension": PLAN.outcomes.extension,
                  "not_met": PLAN.outcomes.further_action}[kind]
    assert one_line(next_steps) in text
    # Only the employee signs the letter (its envelope's one signer): their line, the
    # stamping step's anchor, and no line for the manager or HR that would stay blank.
    assert text.count("Employee signature:") == 1
    assert "Manager signature:" not in text and "HR representative signature:" not in text
    assert "sign to confirm the outcome" not in text
    # Whose decision the letter records, and when.
    assert ("The outcome was proposed by Jürg Baumann on 8 February 2027 and approved by "
            "Sofía Castellanos on 10 February 2027.") in text


def test_a_one_day_extension_says_one_day(converter):
    context = letter_context(PLAN, kind="extension", date=dt.date(2027, 2, 10),
                             results=RESULTS, decision=DECISION,
                             extension=Extension(1, dt.date(2027, 2, 11), "One more report."))
    text = one_line(pdf_text(converter.convert(render_letter(context))))
    assert "so the plan is extended by 1 day, to 11 February 2027." in text
    assert "1 days" not in text


def test_an_amended_plan_says_so_on_every_page(converter):
    docx = render_plan(PLAN, resolve_template("standard"), company_name="X",
                       amendment=Amendment(2, dt.date(2027, 1, 11)))
    pages = pdf_text(converter.convert(docx)).split("\f")[:-1]
    assert len(pages) > 3
    assert all("Amendment 2 of the plan of 11 January 2027" in page for page in pages)
    plain = render_plan(PLAN, resolve_template("sales"), company_name="X")
    assert b"Amendment" not in plain


def test_letter_data_that_cannot_be_shown_is_refused_naming_the_field():
    with pytest.raises(LetterError, match="results: no result for goal 3"):
        letter_context(PLAN, kind="not_met", date=dt.date(2027, 2, 10), results=RESULTS[:2],
                       decision=DECISION)
    with pytest.raises(LetterError, match=r"results\[0\].assessment"):
        letter_context(PLAN, kind="not_met", date=dt.date(2027, 2, 10), decision=DECISION,
                       results=[GoalResult(1, "great", "", ""), *RESULTS[1:]])
    with pytest.raises(LetterError, match=r"^extension"):
        letter_context(PLAN, kind="extension", date=dt.date(2027, 2, 10), results=RESULTS,
                       decision=DECISION)
    with pytest.raises(LetterError, match=r"^kind"):
        letter_context(PLAN, kind="fired", date=dt.date(2027, 2, 10), results=RESULTS,
                       decision=DECISION)


def test_templates_check_checks_a_letter_against_a_sample_letter():
    plan_sample = plan_context(load_plan(ROOT / "examples" / "engineer-90d.yaml"),
                               company_name="X")
    for kind in LETTER_TEMPLATES:
        assert check_template(letter_template(kind), plan_sample) == []
    typo = docx_with("{{ letter.goals[0].evidense }} {{ letter.date }}")
    findings = check_template(typo, plan_sample)
    assert [f.code for f in findings] == ["T202"] and "evidense" in findings[0].message
    assert sample_letter_context()["letter"]["extension"]["days"] == 21


# -- in the plan's language ----------------------------------------------------------------

# What each language's letter of each kind must say, read back from the PDF (and the
# English it must not). Arabic is compared as pdftotext reads it: logical order.
LETTER_SAYS = {
    "en": {"successful": "The goals were met, and the plan is completed successfully.",
           "extension": "so the plan is extended by 14 days, to 24 February 2027.",
           "not_met": "The goals of the plan were not met."},
    "es": {"successful": "Los objetivos se han alcanzado y el plan se da por completado "
                         "satisfactoriamente.",
           "extension": "por lo que el plan se prorroga 14 días, hasta el 24 de febrero de "
                        "2027.",
           "not_met": "Los objetivos del plan no se han alcanzado."},
    "fr": {"successful": "Les objectifs ont été atteints et le plan est mené à bien.",
           "extension": "le plan est donc prolongé de 14 jours, jusqu’au 24 février 2027.",
           "not_met": "Les objectifs du plan n’ont pas été atteints."},
    "de": {"successful": "Die Ziele wurden erreicht; der Plan ist damit erfolgreich "
                         "abgeschlossen.",
           "extension": "der Plan wird daher um 14 Tage bis zum 24. Februar 2027 verlängert.",
           "not_met": "Die Ziele des Plans wurden nicht erreicht."},
    "ar": {"successful": "وقد تحققت الأهداف، واكتملت الخطة بنجاح.",
           "extension": "الخطة لمدة 14 يومًا، حتى 24 فبراير 2027.",
           "not_met": "ولم تتحقق أهداف الخطة."},
}
# Every kind: the receipt-not-agreement sentence, the assessments, the check-ins' count,
# the letter's date and the first signature line, in the language.
LETTER_ALWAYS = {
    "en": ["A signature confirms receipt only; it does not mean agreement",
           "partly met", "4 of the 5 check-ins scheduled were held", "10 February 2027",
           "Employee signature:", "Evidence:"],
    "es": ["a los solos efectos de acuse de recibo; no implica conformidad",
           "parcialmente alcanzado", "no alcanzado",
           "Reuniones de seguimiento celebradas: 4 de 5 previstas", "10 de febrero de 2027",
           "Firma de la persona empleada:", "Evidencias:", "Estimado/a Léa Brändli:"],
    "fr": ["vaut uniquement accusé de réception ; elle ne vaut pas acceptation",
           "partiellement atteint", "non atteint", "Points de suivi tenus : 4 sur 5 prévus",
           "10 février 2027", "Signature de la personne salariée :", "Éléments probants :"],
    "de": ["bestätigt ausschließlich den Empfang; sie bedeutet kein Einverständnis",
           "teilweise erreicht", "nicht erreicht",
           "Durchgeführte Feedbackgespräche: 4 von 5 geplanten", "10. Februar 2027",
           "Unterschrift Mitarbeitende(r):", "Nachweis:", "Guten Tag Léa Brändli,"],
    "ar": ["ويقتصر أثر التوقيع على إثبات الاستلام فقط، ولا يعني الموافقة", "تحقق جزئيا",
           "لم يتحقق", "عدد اجتماعات المتابعة التي عقدت: 4 من أصل 5", "10 فبراير 2027",
           "توقيع الموظف:", "الدليل:"],
}
ARABIC_IN_ORDER = ("نتيجة خطة تحسين الأداء الخاصة بكم", "نتيجة كل هدف والأدلة عليها",
                   "الأسئلة والملاحظات", "إقرار بالاستلام")
# Whose decision each language's letter records (DECISION), and the signature lines
# it must not draw: only the employee signs a letter.
LETTER_DECISION = {
    "en": "The outcome was proposed by Jürg Baumann on 8 February 2027 and approved by "
          "Sofía Castellanos on 10 February 2027.",
    "es": "Este resultado fue propuesto por Jürg Baumann el 8 de febrero de 2027 y aprobado "
          "por Sofía Castellanos el 10 de febrero de 2027.",
    "fr": "Cette issue a été proposée par Jürg Baumann le 8 février 2027 et approuvée par "
          "Sofía Castellanos le 10 février 2027.",
    "de": "Dieses Ergebnis wurde am 8. Februar 2027 von Jürg Baumann vorgeschlagen und am "
          "10. Februar 2027 von Sofía Castellanos genehmigt.",
    "ar": "اقترح هذه النتيجة Jürg Baumann في 8 فبراير 2027، واعتمدها Sofía Castellanos في "
          "10 فبراير 2027.",
}
LETTER_ENGLISH = ("Outcome of your", "Dear ", "Evidence:", "As the plan stated",
                  "partly met", "check-ins scheduled", "Employee signature")


def plain(text: str) -> str:
    """Text as read back, compared loosely: no bidi marks or Arabic vowel signs, no-break
    spaces as spaces, lines joined."""
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Mn"))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def letter_in(language: str, kind: str) -> dict[str, Any]:
    return letter_context(PLAN, kind=kind, date=dt.date(2027, 2, 10), results=RESULTS,
                          decision=DECISION,
                          summary="Goal 1 met; goals 2 and 3 below target.",
                          checkins_held=4, checkins_scheduled=5, language=language,
                          extension=EXTENSION if kind == "extension" else None)


@pytest.fixture(scope="module")
def letters_read(converter) -> dict[tuple[str, str], str]:
    """Every language's letter of every kind, made by real LibreOffice at once in the
    session's pool and read back with pdftotext."""
    keys = [(language, kind) for language in LANGUAGES for kind in LETTER_TEMPLATES]
    with ThreadPoolExecutor(2) as pool:
        pdfs = pool.map(lambda key: converter.convert(render_letter(letter_in(*key))), keys)
        return {key: plain(pdf_text(pdf)) for key, pdf in zip(keys, pdfs, strict=True)}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(LETTER_TEMPLATES))
def test_each_letter_is_written_in_the_plans_language(letters_read, language, kind):
    text = letters_read[(language, kind)]
    if language == "ar":
        # pdftotext breaks Arabic lines around numbers and marks: a sentence is compared
        # by its words, and phrases that stand on one line in logical (reading) order.
        for words in (LETTER_SAYS[language][kind], *LETTER_ALWAYS[language],
                      LETTER_DECISION[language]):
            assert arabic_words(words) <= arabic_words(text), words
        for words in ARABIC_IN_ORDER:
            assert words in text, words
    else:
        assert plain(LETTER_SAYS[language][kind]) in text
        for words in (*LETTER_ALWAYS[language], LETTER_DECISION[language]):
            assert plain(words) in text, words
    # One signature line, the employee's: the manager's and HR's would stay blank.
    anchors = signature_anchors(language)
    assert text.count(plain(anchors["employee"])) == 1
    assert plain(anchors["manager"]) not in text and plain(anchors["hr"]) not in text
    # The plan's own text stays as written; plansign's default concerns section is in
    # the letter's language.
    assert "Median <b>2 h 40 min</b> & rising {{ 7*7 }}" in text
    concerns = (PLAN.concerns if language == "en"
                else standard_sections(language)["concerns"])
    assert plain(concerns)[:60] in text
    if language != "en":
        for english in LETTER_ENGLISH:
            assert english not in text, english


def test_a_letter_template_missing_in_the_plans_language_is_refused_naming_it(tmp_path):
    (tmp_path / "letters").mkdir()
    for name in LETTER_TEMPLATES.values():
        (tmp_path / "letters" / f"{name}.docx").write_bytes(
            (BUILTIN_TEMPLATES / "letters" / f"{name}.docx").read_bytes())
    with pytest.raises(LetterError, match=r"template: template outcome-not-met has no German "
                                          r"version \(outcome-not-met\.de\.docx\)"):
        render_letter(letter_in("de", "not_met"), tmp_path)
    assert render_letter(letter_in("en", "not_met"), tmp_path)[:2] == b"PK"


@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_check_checks_each_letter_in_its_language(language):
    for kind in LETTER_TEMPLATES:
        path = letter_template(kind, language=language)
        assert path.name == (f"{LETTER_TEMPLATES[kind]}.docx" if language == "en"
                             else f"{LETTER_TEMPLATES[kind]}.{language}.docx")
        sample = plan_context(load_plan(ROOT / "examples" / "engineer-90d.yaml"),
                              company_name="Harbor & Finch Analytics, Inc.",
                              language=template_language(path))
        assert check_template(path, sample) == []
    sample = sample_letter_context(language=language)
    assert sample["plan"]["language"] == language
    assert sample["letter"]["extension"]["days_text"] == day_count(21, language)


def test_arabic_letters_are_right_to_left():
    for kind in LETTER_TEMPLATES:
        with zipfile.ZipFile(letter_template(kind, language="ar")) as package:
            body = package.read("word/document.xml").decode()
            styles = package.read("word/styles.xml").decode()
            title = package.read("docProps/core.xml").decode()
        assert body.count("<w:p>") + body.count("<w:p ") <= body.count("<w:bidi/>")
        assert body.count("<w:tblPr>") == body.count("<w:bidiVisual/>") > 0
        assert 'w:cs="Noto Naskh Arabic"' in styles
        assert "نتيجة خطة تحسين الأداء" in title


def test_days_and_assessments_are_counted_and_worded_by_the_language():
    assert [day_count(n, "en") for n in (1, 14)] == ["1 day", "14 days"]
    assert [day_count(n, "fr") for n in (1, 14)] == ["1\u00a0jour", "14\u00a0jours"]
    assert [day_count(n, "de") for n in (1, 14)] == ["1 Tag", "14 Tage"]
    # Arabic's six forms, as they read after "لمدة" (for).
    assert [day_count(n, "ar") for n in (1, 2, 3, 10, 11, 99, 100)] == [
        "يوم واحد", "يومين", "3 أيام", "10 أيام", "11 يومًا", "99 يومًا", "100 يوم"]
    context = letter_in("es", "extension")
    assert [g["assessment"] for g in context["letter"]["goals"]] == [
        "alcanzado", "no alcanzado", "parcialmente alcanzado"]
    assert [g["assessment_code"] for g in context["letter"]["goals"]] == [
        "met", "not met", "partly met"]
    assert context["letter"]["extension"]["days_text"] == "14 días"
    english = letter_in("en", "extension")["letter"]
    assert [g["assessment"] for g in english["goals"]] == ["met", "not met", "partly met"]


def test_a_letter_carries_the_companys_logo_in_its_header(converter):
    image = io.BytesIO()
    Image.new("RGB", (120, 40), (31, 56, 100)).save(image, "PNG")
    logo = logo_from_bytes(image.getvalue(), "logo.png")
    context = letter_context(PLAN, kind="not_met", date=dt.date(2027, 2, 10),
                             results=RESULTS, decision=DECISION, logo=logo, language="fr")
    pdf = converter.convert(render_letter(context))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert all(len(page.images) == 1 for page in pages)
    without = converter.convert(render_letter(letter_in("fr", "not_met")))
    assert all(not page.images for page in PdfReader(io.BytesIO(without)).pages)

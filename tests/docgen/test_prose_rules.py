"""Small grammar rules of the employee's language (issue 18), each kept in one place and
checked where a reader meets it.

- Spanish writes "y" as "e" before the sound /i/ and "o" as "u" before /o/
  (``docgen.languages.list_text``, which every list goes through: the pages' ``items``
  filter, the case file, the certificate).
- French sentences never make a participle or adjective agree with a person's name, and
  never write "(e)" or "·e": plansign does not know anyone's gender.
- French "à" before a place whose name has an article ("Le Havre") would have to
  contract ("au Havre"): the templates give the place after "Lieu de travail :" instead.
- A date in words in a document's prose keeps its day, month and year on one line
  (``docgen.dates.held_together``): LibreOffice never breaks "7 décembre 2026" after 7.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import subprocess
import zipfile

import pytest
from babel.messages.pofile import read_po
from docx import Document
from markupsafe import Markup

from docgen import load_plan, render_plan, resolve_template
from docgen.doclang import long_date, signature_anchors
from docgen.languages import list_text
from docgen.stamp.anchors import find_anchors
from docgen.stamp.wording import record_words
from signing.web import timefmt
from tests.conftest import ROOT
from tests.docgen.docxkit import docx_with

NB = "\u00a0"
PLAN = ROOT / "examples" / "support-agent-30d.yaml"


# 1. Spanish "y" → "e" before /i/, "o" → "u" before /o/.

@pytest.mark.parametrize("names,written", [
    (["Ana", "Isabel"], "Ana e Isabel"),
    (["Ana", "Íñigo"], "Ana e Íñigo"),
    (["Luis", "Hilario"], "Luis e Hilario"),
    (["Marta", "Luis", "Inés"], "Marta, Luis e Inés"),
    (["Juan", "Hielo"], "Juan y Hielo"),          # "hie-" begins with a consonant's sound
    (["Cobre", "Hierro"], "Cobre y Hierro"),
    (["Ana", "Yolanda"], "Ana y Yolanda"),
    (["Isabel", "Ana"], "Isabel y Ana"),          # only the word after the conjunction
    (["Ana", "«Irene»"], "Ana e «Irene»"),        # a quote before it does not count
])
def test_spanish_and_is_e_before_the_sound_i(names, written):
    assert list_text(names, "es") == written


@pytest.mark.parametrize("names,written", [
    (["Ana", "Olga"], "Ana u Olga"), (["Ana", "Horacio"], "Ana u Horacio"),
    (["Ana", "Marta"], "Ana o Marta"),
])
def test_spanish_or_is_u_before_the_sound_o(names, written):
    assert list_text(names, "es", style="or") == written


def test_other_languages_keep_their_conjunction():
    assert list_text(["Ana", "Isabel"], "fr") == "Ana et Isabel"
    assert list_text(["Ana", "Isabel"], "en") == "Ana and Isabel"
    assert list_text(["Ana", "Isabel"], "de") == "Ana und Isabel"


def test_a_pages_spanish_list_decides_on_each_items_words_not_its_markup():
    """The pages' filter hands the pattern placeholders; the rule still sees the names
    (an item that is markup by its text: "<bdi>Inés</bdi> (persona empleada)")."""
    said = timefmt.items(["Marta", Markup("<bdi>Inés</bdi> (persona empleada)")], "es")
    assert said == "<bdi>Marta</bdi> e <bdi>Inés</bdi> (persona empleada)"
    assert timefmt.items(["Inés", "<Hierro>"], "es") == (
        "<bdi>Inés</bdi> y <bdi>&lt;Hierro&gt;</bdi>")


# 2 and 3. French: no agreement with a name, no "(e)", no "à Le Havre".

_INCLUSIVE = re.compile(r"\(e\)|\(es\)|·e")
FRENCH_CATALOGS = (ROOT / "signing/translations/fr/LC_MESSAGES/signer.po",
                   ROOT / "signing/translations/fr/LC_MESSAGES/messages.po",
                   ROOT / "docgen/translations/fr/LC_MESSAGES/docgen.po")
# A name as a sentence's subject, then a verb whose participle or adjective would agree
# with it ("%(employee)s en est informé"; not "le plan concernant %(employee)s est ...").
_AGREES_WITH_NAME = re.compile(
    r"(?:^|(?<=[.:;!?] ))%\((?:employee|name|witness|manager|signer)\)s (?:en )?"
    r"(?:est|sera|a été|n’a pas été) \w+é\b")


@pytest.mark.parametrize("catalog", FRENCH_CATALOGS, ids=lambda p: p.name)
def test_no_french_message_writes_e_in_brackets_or_agrees_with_a_name(catalog):
    with catalog.open("rb") as po:
        messages = list(read_po(po))
    found = []
    for message in messages:
        for text in ([message.string] if isinstance(message.string, str)
                     else message.string):
            if text and (_INCLUSIVE.search(text) or _AGREES_WITH_NAME.search(text)
                         or "en est informé" in text):
                found.append(text)
    assert not found, found


def _docx_text(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _template_words(path) -> str:
    with zipfile.ZipFile(path) as docx:
        return " ".join(re.sub(r"<[^>]+>", "", docx.read(name).decode("utf-8"))
                        for name in docx.namelist() if name.startswith("word/")
                        and name.endswith(".xml"))


@pytest.mark.parametrize("path", sorted((ROOT / "templates").glob("**/*.fr.docx")),
                         ids=lambda p: p.name)
def test_no_french_template_writes_e_in_brackets_or_based_in(path):
    words = _template_words(path)
    assert not _INCLUSIVE.search(words), _INCLUSIVE.search(words)
    assert "Basé" not in words and "informé(e)" not in words
    assert not re.search(r"\}\} est \w+é\(?e?\)? ", words)


@pytest.mark.parametrize("template", ["standard", "sales"])
def test_a_french_plan_names_the_place_of_work_after_a_colon(template):
    """"Lieu de travail : Le Havre" where "Basé(e) à Le Havre" was: the place's own
    article stays as written, and nothing agrees with the employee."""
    plan = load_plan(PLAN)
    employee = plan.employee.model_copy(update={"employment_type": None,
                                                "location": "Le Havre"})
    plan = plan.model_copy(update={"language": "fr", "employee": employee})
    text = _docx_text(render_plan(plan, resolve_template(template), company_name="Ignored",
                                  generated_on=dt.date(2026, 11, 22)))
    # As a sentence ("Lieu de travail : Le Havre") or a table's row.
    assert re.search(f"Lieu de travail(?:{NB}: |\n)Le Havre", text), text
    assert "à Le Havre" not in text
    assert "(e)" not in text, text
    assert signature_anchors("fr")["employee"] in text
    assert "a pour responsable hiérarchique" in text or template == "sales"


# 4. A date in a document's prose is held together.

def test_a_documents_date_is_held_together_in_every_language():
    day = dt.date(2026, 12, 7)
    for language, written in (("fr", "7 décembre 2026"), ("es", "7 de diciembre de 2026"),
                              ("de", "7. Dezember 2026"), ("en", "7 December 2026")):
        assert long_date(day, language) == written.replace(" ", NB)
        assert record_words(language).long_date(day) == written.replace(" ", NB)


def _lines(pdf: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode("utf-8")
    return [" ".join(line.replace(NB, " ").split()) for line in text.splitlines()]


def _split_dates(lines: list[str]) -> list[tuple[str, str]]:
    """Each place a line ends on a day's number and the next begins with its month."""
    return [(a, b) for a, b in itertools.pairwise(lines)
            if re.search(r"\b7$", a) and b.startswith("décembre")]


def test_libreoffice_never_breaks_a_date_between_its_day_and_its_month(converter):
    """Paragraphs whose words before the date grow a letter at a time, so that in some
    of them the date meets the line's end; the date as docgen gives a template keeps its
    day and month together in every one, where the same date with plain spaces breaks
    after "7" in at least one (so the check can fail)."""
    held = long_date(dt.date(2026, 12, 7), "fr")
    plain = held.replace(NB, " ")
    lead = "Le point de suivi est fixé au "
    filler = ["x" * n + " " + "mot " * 14 for n in range(1, 25)]
    pdf_held = converter.convert(docx_with(*[f + lead + held + "." for f in filler]))
    pdf_plain = converter.convert(docx_with(*[f + lead + plain + "." for f in filler]))
    assert _split_dates(_lines(pdf_plain)), "no date met a line's end: lengthen the filler"
    lines = _lines(pdf_held)
    assert not _split_dates(lines), _split_dates(lines)
    assert sum("7 décembre 2026." in line for line in lines) == len(filler)


def test_a_plan_sent_with_the_former_french_signature_line_is_stamped_beside_it(converter):
    """A French plan sent before its employee's line was reworded has "Signature du ou de
    la salarié(e) :" in its PDF: stamping finds it by the wording asked for now."""
    now = signature_anchors("fr")["employee"]
    former = "Signature du ou de la salarié(e) :"
    pdf = converter.convert(docx_with("Texte du plan.", f"{former} ____________________",
                                      "Date : ____________"))
    found = find_anchors(pdf, [now])
    assert found[now].text == former and found[now].line is not None
    assert find_anchors(pdf, ["Signature de quelqu’un d’autre :"]) == {}

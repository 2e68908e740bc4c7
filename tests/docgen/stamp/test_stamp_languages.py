"""The final record in each language a plan is written in (issue 18): the example plan
rendered from its language's template, converted by real LibreOffice and stamped, one
record per language for the module, read back with pdftotext as a reader would.

Each checks the record's own words are the plan's language (acknowledgement page,
comments heading, certificate, stamps, footer), dates are the language's (Babel), the
stamps sit beside that template's signature lines and its Date: lines, its "Página 6
de 7" is recognised, and verify reads the certificate's rows back when the attached
audit trail is missing. Arabic reads in logical order, right to left.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata

import pdfplumber
import pytest

from docgen import load_plan, render_plan, resolve_template
from docgen.doclang import signature_anchors
from docgen.languages import SUPPORTED
from docgen.stamp import Comment, Completion, Stamped, find_anchors, stamp, stated_trail
from docgen.stamp.wording import record_words
from tests.conftest import ROOT
from tests.docgen.stamp import stampkit as kit
from tests.docgen.stamp.test_stamp_record import arabic_words
from tests.pdftext import pdf_text

PLAN = ROOT / "examples" / "support-agent-30d.yaml"
COMMENT = "Je souhaite un point sur la formation du niveau 2 avant la première revue."
# pdftotext marks right-to-left runs with embedding controls: not text.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclasses.dataclass(frozen=True)
class Record:
    language: str
    original: bytes
    completion: Completion
    stamped: Stamped

    @property
    def text(self) -> str:
        return _BIDI_CONTROLS.sub("", pdf_text(self.stamped.pdf))

    def page_text(self, page: int) -> str:
        """Page ``page`` (1-based), in reading order."""
        with pdfplumber.open(io.BytesIO(self.stamped.pdf)) as pdf:
            return _BIDI_CONTROLS.sub("", pdf.pages[page - 1].extract_text() or "")


def _completion(original: bytes, language: str) -> Completion:
    """Everyone acknowledged in their own zone (the employee in Zurich); the employee
    commented. The record's own words are the language's, the people's are their own."""
    completion = kit.acknowledged(original, comments=())
    anchors = signature_anchors(language)
    signers = tuple(dataclasses.replace(s, anchor=anchors[s.role],
                                        timezone="Europe/Zurich" if s.role == "employee"
                                        else None) for s in completion.signers)
    words = record_words(language)
    return dataclasses.replace(
        completion, language=language, signers=signers,
        title=words._("Performance Improvement Plan for %(name)s", name="Léa Brändli"),
        comments=(Comment("Léa Brändli", "employee", kit.at(12, 9, 10), COMMENT),))


@pytest.fixture(scope="module", params=SUPPORTED)
def record(request, converter) -> Record:
    language = request.param
    plan = load_plan(PLAN).model_copy(update={"language": language})
    docx = render_plan(plan, resolve_template("standard"), company_name="Ignored Co",
                       generated_on=dt.date(2026, 11, 22))
    original = converter.convert(docx)
    completion = _completion(original, language)
    return Record(language, original, completion, stamp(original, completion))


def test_the_added_pages_are_in_the_plans_language(record):
    words = record_words(record.language)
    text = record.text
    for heading in ("Acknowledgement record", "Employee comments",
                    "Certificate of completion", "Consent to electronic records",
                    "Signers and events"):
        said = words._(heading)
        if record.language == "ar":
            assert arabic_words(said) <= arabic_words(text), (heading, said)
        else:
            assert _squash(said) in _squash(text), (record.language, heading, said)
        if record.language != "en":
            assert heading not in text, (record.language, heading)
    assert COMMENT in text  # people's words stay as they were written
    assert kit.AUDIT_HEAD in text.replace("\n", "")


def test_each_stamp_is_beside_its_own_line_and_dated_on_the_date_line(record):
    """The template's signature lines and Date: lines are found in its language (an
    Arabic one's lines are left of their labels), so no stamp is moved to the
    acknowledgement page."""
    assert record.stamped.notes == ()
    words = record_words(record.language)
    employee = record.completion.signers[0]
    anchor = find_anchors(record.original, [employee.anchor])[employee.anchor]
    signatures = record.page_text(anchor.page + 1)
    assert employee.decided_at is not None
    day = words.signer_date(employee.decided_at, employee.timezone)
    reference = words._("Certificate p. %(page)s", page=record.stamped.certificate_page)
    if record.language == "ar":
        assert arabic_words(day) <= arabic_words(signatures)
        assert arabic_words(reference) <= arabic_words(signatures)
    else:  # pdfplumber spaces out the letters of a date drawn on its line
        assert _bare(day) in _bare(signatures)
        assert _bare(reference) in _bare(signatures)


def test_arabic_stamps_sit_left_of_their_labels_right_to_left(record):
    if record.language != "ar":
        pytest.skip("a left-to-right plan")
    anchor_text = signature_anchors("ar")["employee"]
    anchor = find_anchors(record.original, [anchor_text])[anchor_text]
    assert anchor.line is not None and anchor.line.x1 <= anchor.x0  # the line is left of it
    with pdfplumber.open(io.BytesIO(record.stamped.pdf)) as pdf:
        page = pdf.pages[anchor.page]
        names = [w for w in page.extract_words() if w["text"] in ("Léa", "Brändli")
                 and abs(w["bottom"] - anchor.baseline) < 8]
    assert names, "the employee's typed name is on their signature line"
    assert all(anchor.line.x0 <= w["x0"] and w["x1"] <= anchor.x0 for w in names)


def test_the_plans_own_page_numbers_are_recognised_and_the_added_pages_continue_them(record):
    words = record_words(record.language)
    total, originals = _pages(record.stamped.pdf), _pages(record.original)
    first_plan_page = _squash(record.page_text(1))
    # "the plan as sent is on pages 1–7; the record follows on pages 8–11", in its words
    said = words._("pages 1–%(last)d", last=originals)
    last = record.page_text(total)
    expected = words._("Page %(page)d of %(total)d · Final record of envelope %(envelope)s",
                       page=total, total=total, envelope=record.completion.envelope_id)
    if record.language == "ar":
        assert arabic_words(said) <= arabic_words(first_plan_page)
        assert arabic_words(expected) <= arabic_words(last)
    else:
        assert _squash(said) in first_plan_page
        assert _squash(expected) in _squash(last)


def test_dates_are_the_languages_in_the_signers_zone_with_the_zone_named(record):
    words = record_words(record.language)
    employee = record.completion.signers[0]
    assert employee.decided_at is not None
    # 09:14 UTC is 10:14 in Zurich in January: the zone is named, CET, as in English;
    # MEZ in German, with its "Uhr" (docgen.languages.clock_in_zone); in Arabic isolated
    # and held to its time, as the pages write it.
    said = words.signer_time(employee.decided_at, "Europe/Zurich")
    zone = "MEZ" if record.language == "de" else "CET"
    assert zone in said and "Europe/Zurich" in said
    expected = {"en": "12 Jan 2027, 10:14 CET", "es": "12 ene 2027, 10:14 CET",
                "fr": "12 janv. 2027 à 10:14 CET", "de": "12.01.2027, 10:14 Uhr MEZ",
                "ar": "12 يناير 2027، الساعة 10:14 ص \u2068CET\u2069",
                }[record.language]
    # The date's own spaces are no-break ones: a document's date is held together; so
    # are, in Arabic, the time and its zone.
    assert words.signer_short_time(employee.decided_at, "Europe/Zurich").replace(
        "\u00a0", " ") == expected
    text = record.text
    if record.language == "ar":
        assert arabic_words(said) <= arabic_words(text)
    else:
        assert _squash(said) in _squash(text)
    # The certificate's times stay exact, in UTC, in every language; its local time is
    # written the same way too, with the zone abbreviated as the other pages do.
    assert "2027-01-12 09:14:03 UTC" in text
    if record.language != "ar":  # (pdftotext orders an Arabic line otherwise)
        assert f"2027-01-12 10:14:03 {zone} (Europe/Zurich)" in _squash(text)


def test_a_time_keeps_its_zone_and_its_brackets_on_an_arabic_page(record):
    """The acknowledgement page's line "acknowledged on 12 January 2027, 10:14 AM CET
    (Europe/Zurich; ... 9:14 AM UTC)" in Arabic, as pdftotext gives it (in drawing
    order, left to right): the zone drawn to the left of its time (after it, reading
    right to left), the zone's IANA name to the left of the zone, inside the bracket
    that opens after the zone, and the bracket closing after "UTC" at the line's left
    end, also when the sentence wraps ("UTC)" was a line of its own, set left to right).
    Before, "CET (Europe/Zurich" was one left-to-right run and its bracket unmirrored."""
    if record.language != "ar":
        pytest.skip("a left-to-right plan")
    lines = [" ".join(line.split()) for line in record.text.splitlines()]
    # The certificate's "2027-01-12 10:14:03 CET (Europe/Zurich)" is the same in every
    # language (left to right); the acknowledgement's sentence is the one with "10:14 ص".
    said = [line for line in lines if "Europe/Zurich" in line and "10:14:03" not in line
            and re.search(r"ص ?10:14", line)]
    assert said, lines
    for line in said:
        assert re.search(r"Europe/Zurich\( CET ?ص ?10:14", line), line
        assert "CET (Europe/Zurich" not in line
    assert any(re.match(r"\)UTC ?ص ?9:14", line) for line in lines), lines
    assert not any(re.search(r"UTC\)$", line) for line in lines), lines


def test_arabic_text_reads_in_logical_order(record):
    if record.language != "ar":
        pytest.skip("a left-to-right plan")
    text = unicodedata.normalize("NFC", record.text)
    # Phrases without a lam-alef ligature, whose letters pdftotext gives in drawing
    # order (test_stamp_record): each reads right to left, word after word.
    for phrase in ("تعليقات الموظف", "التوقيت المحلي", "مرجع الخطة"):
        assert phrase in text, phrase


def test_verify_reads_the_certificate_in_any_language_without_the_attached_trail(record):
    """A record whose audit trail is not attached states its head on the certificate:
    verify finds the rows by their labels in the record's language (and in English,
    as every record made before the record had languages says them)."""
    stated = stated_trail(kit.without_attachments(record.stamped.pdf))
    assert stated is not None
    assert stated.envelope_id == record.completion.envelope_id
    assert stated.original_sha256 == record.completion.original_sha256
    assert stated.audit_head_hash == kit.AUDIT_HEAD
    assert stated.records is None


def _bare(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFC", text))


def _pages(pdf: bytes) -> int:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def _squash(text: str) -> str:
    """Text with its line breaks and runs of spaces (no-break ones too) as one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def test_each_signers_decision_and_its_exact_time_are_joined_by_the_languages_comma(record):
    """"Acknowledged, 2027-01-12 09:14:03 UTC" under the employee on the certificate; in
    Arabic with Arabic's own comma ("،"), never a Latin one."""
    words = record_words(record.language)
    comma = words._(", ").strip()
    assert comma == ("،" if record.language == "ar" else ",")
    employee = record.completion.signers[0]
    decision = _bare(words.decision_label(employee, record.completion))
    text = _bare(record.text)
    if record.language == "ar":
        # pdftotext gives the line in drawing order: "UTC09:14:0312-01-2027،" and the
        # decision after it (its first word: a lam-alef comes back as two letters).
        assert f"12-01-2027{comma}{decision[:2]}" in text, text
        assert "12-01-2027," not in text
    else:
        assert f"{decision}{comma}{_bare('2027-01-12 09:14:03 UTC')}" in text, text


def _on(signer, day: dt.datetime):
    """``signer`` with their decision (and its event) moved to ``day``."""
    events = tuple(dataclasses.replace(e, at=day) if e.at == signer.decided_at else e
                   for e in signer.events)
    return dataclasses.replace(signer, decided_at=day, events=events)


def test_french_writes_the_first_of_a_month_1er_on_the_added_pages(record):
    """"1er février 2027" on the Date: line, beside the signature and on the
    acknowledgement page; the 2nd stays "2 février 2027"; the certificate's exact UTC
    times are ISO, as in every language."""
    if record.language != "fr":
        pytest.skip("French's first of the month")
    first = dt.datetime(2027, 2, 1, 9, 14, 3, tzinfo=dt.UTC)
    employee, manager, hr = record.completion.signers
    completion = dataclasses.replace(record.completion, signers=(
        _on(employee, first), _on(manager, first + dt.timedelta(days=1)), hr))
    text = _squash(pdf_text(stamp(record.original, completion).pdf))
    for said in ("Date : 1er février 2027",  # on the employee's Date: line
                 "1er févr. 2027 à 10:14 CET",  # beside the signature, Zurich's clock
                 # the acknowledgement page, on the signer's clock and in UTC
                 "le 1er février 2027 à 10:14 CET (Europe/Zurich ; 1er février 2027 à "
                 "09:14 UTC)",
                 "Date : 2 février 2027", "2 févr. 2027 à 09:14 UTC",  # the manager's
                 "2027-02-01 09:14:03 UTC"):  # the certificate's exact time
        assert said in text, said
    assert not re.search(r"(?<!\d)1 févr", text)


def test_a_spanish_certificate_writes_e_before_a_name_that_begins_with_i(record):
    """"..., Jürg Baumann (...) e Isabel Ortega (...) aceptaron lo siguiente": the
    certificate's list of who consented goes through the one list rule
    (``docgen.languages.list_text``), read back from the stamped PDF."""
    if record.language != "es":
        pytest.skip("Spanish's conjunction")
    words = record_words("es")
    employee, manager, hr = record.completion.signers
    completion = dataclasses.replace(record.completion, signers=(
        employee, manager, dataclasses.replace(hr, name="Isabel Ortega",
                                               typed_name="Isabel Ortega")))
    text = _squash(_BIDI_CONTROLS.sub("", pdf_text(stamp(record.original, completion).pdf)))
    listed = (f"Jürg Baumann ({words.role_label('manager')}) e "
              f"Isabel Ortega ({words.role_label('hr')})")
    assert listed in text, text
    assert f"({words.role_label('manager')}) y Isabel" not in text

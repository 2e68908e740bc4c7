"""The final record of an outcome letter and of an amendment names that document, never
"the plan" where the letter or the amendment is meant (issue 18), in English, French and
Arabic: the letter rendered from its template and the amended plan from the standard
template with its amendment header, converted by real LibreOffice, stamped, and read
back with pdftotext as a reader would. One record per kind and language for the module.

The letter's employee refused on their own page and did not comment; the amendment's
acknowledged and commented. verify still reads each certificate's rows back when the
attached audit trail is missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

import pytest

from docgen import Amendment, load_plan, render_plan, resolve_template
from docgen.doclang import signature_anchors
from docgen.letters import Decision, GoalResult, letter_context, render_letter
from docgen.stamp import Comment, Completion, DocumentKind, Stamped, stamp, stated_trail
from docgen.stamp import kinds as k
from docgen.stamp.model import AMENDMENT, OUTCOME_LETTER, THE_PLAN
from docgen.stamp.wording import record_words
from tests.conftest import ROOT
from tests.docgen.stamp import stampkit as kit
from tests.docgen.stamp.test_stamp_record import arabic_words
from tests.pdftext import pdf_text

PLAN = ROOT / "examples" / "support-agent-30d.yaml"
LETTER = DocumentKind(OUTCOME_LETTER)
AMENDED = DocumentKind(AMENDMENT, 1, dt.date(2026, 11, 22))
COMMENT = "Merci pour le délai supplémentaire ; je reprends les objectifs révisés."
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Where English names the plan rightly on a letter's or an amendment's pages: in the
# title, the plan's reference, "amendment 1 to the plan", and plansign's own name.
_PLAN_RIGHTLY = re.compile(r"Performance Improvement Plan|Plan reference|amendment 1 to the "
                           r"plan|plansign", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Record:
    language: str
    document: DocumentKind
    original_pages: int
    completion: Completion
    stamped: Stamped

    @property
    def text(self) -> str:
        return _BIDI_CONTROLS.sub("", pdf_text(self.stamped.pdf))

    @property
    def added_text(self) -> str:
        """The pages plansign added: the acknowledgement, comments and certificate."""
        return "\f".join(self.text.split("\f")[self.original_pages:])


def _original(document: DocumentKind, language: str, converter) -> bytes:
    plan = load_plan(PLAN).model_copy(update={"language": language})
    if document.kind == OUTCOME_LETTER:
        results = [GoalResult(n, "not met", "72%", "Weekly report of 4 February")
                   for n in range(1, len(plan.goals) + 1)]
        docx = render_letter(letter_context(plan, kind="not_met", date=dt.date(2027, 2, 10),
                                            results=results, company_name="Ignored Co",
                                            decision=Decision("Sam Ortiz", dt.date(2027, 2, 8),
                                                              "Ana Ruiz", dt.date(2027, 2, 10))))
    else:
        assert document.number is not None and document.plan_date is not None
        docx = render_plan(plan, resolve_template("standard"), company_name="Ignored Co",
                           generated_on=dt.date(2027, 1, 20),
                           amendment=Amendment(document.number, document.plan_date))
    return converter.convert(docx)


def _completion(original: bytes, document: DocumentKind, language: str) -> Completion:
    anchor = signature_anchors(language)["employee"]
    if document.kind == OUTCOME_LETTER:
        employee = kit.signer("employee", "Léa Brändli", "refused", reason="Je conteste.")
        comments: tuple[Comment, ...] = ()
    else:
        employee = kit.signer("employee", "Léa Brändli")
        comments = (Comment("Léa Brändli", "employee", kit.at(12, 9, 10), COMMENT),)
    employee = dataclasses.replace(employee, anchor=anchor, timezone="Europe/Zurich")
    words = record_words(language)
    return dataclasses.replace(
        kit.completion(original, employee, comments=comments), language=language,
        document=document, title=words.about(k.TITLE, document, name="Léa Brändli"))


@pytest.fixture(scope="module", params=[(kind, language) for kind in ("letter", "amendment")
                                        for language in ("en", "fr", "ar")],
                ids=lambda p: "-".join(p))
def record(request, converter) -> Record:
    kind, language = request.param
    document = LETTER if kind == "letter" else AMENDED
    original = _original(document, language, converter)
    completion = _completion(original, document, language)
    pages = pdf_text(original).count("\f")
    return Record(language, document, pages, completion, stamp(original, completion))


def _said(record: Record, document: DocumentKind) -> list[str]:
    """What the record's pages say that names ``document``, in the record's language
    (but its title, which the letter's and the amendment's hold whole)."""
    c, w = record.completion, record_words(record.language)
    as_document = dataclasses.replace(c, document=document)
    said = [w.about(k.ACKNOWLEDGEMENT_MEANS, document),
            w.outcome_text(as_document, w.long_time(c.completed_at))]
    if c.comments:
        said += [w.comments_attached(document, len(c.comments)),
                 w.about(k.COMMENTS_INTRO, document)]
    else:
        said += [w.about(k.NO_COMMENTS, document)]
    return said


def test_the_record_names_the_letter_or_the_amendment(record):
    text = record.text
    title = record_words(record.language).about(k.TITLE, record.document, name="Léa Brändli")
    for sentence in [title, *_said(record, record.document)]:
        if record.language == "ar":
            assert arabic_words(sentence) <= arabic_words(text), sentence
        else:
            assert _squash(sentence) in _squash(text), (record.language, sentence)


def test_the_plans_sentences_are_not_used_for_it(record):
    if record.language == "ar":
        pytest.skip("pdftotext reorders Arabic words; the sentences' words are checked above")
    text = _squash(record.text)
    own = _said(record, record.document)
    for sentence in _said(record, THE_PLAN):
        if sentence not in own:  # "Completed on ...": the same for every kind
            assert _squash(sentence) not in text, (record.language, sentence)


def test_english_says_plan_only_where_the_plan_is_meant(record):
    if record.language != "en":
        pytest.skip("the English words")
    # The consent the signer agreed to is quoted as they were shown it.
    said = _squash(record.added_text).replace(_squash(kit.CONSENT), "")
    rest = _PLAN_RIGHTLY.sub("", said)
    assert not re.search(r"\bplan\b", rest, re.IGNORECASE), re.findall(
        r".{40}\bplan\b.{40}", rest, re.IGNORECASE)


def test_each_stamp_is_beside_its_signature_line(record):
    """The letter's and the amended plan's signature lines are found in the plan's
    language (the Arabic letter's too, now that its template is Arabic), so no stamp is
    moved to the acknowledgement page."""
    w = record_words(record.language)
    assert record.stamped.notes == ()
    reference = w._("Certificate p. %(page)s", page=record.stamped.certificate_page)
    signatures = "\f".join(record.text.split("\f")[:record.original_pages])
    if record.language == "ar":
        assert arabic_words(reference) <= arabic_words(signatures)
    else:
        assert _squash(reference) in _squash(signatures)


def test_verify_reads_the_certificate_without_the_attached_trail(record):
    stated = stated_trail(kit.without_attachments(record.stamped.pdf))
    assert stated is not None
    assert stated.envelope_id == record.completion.envelope_id
    assert stated.original_sha256 == record.completion.original_sha256
    assert stated.audit_head_hash == kit.AUDIT_HEAD


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()

"""The record's sentences name its document by kind (issue 18): a plan, its outcome
letter, an amendment, in every language, each sentence written whole for each kind; an
amendment's plan date written as the language writes dates. Pure: no PDF is drawn."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from docgen.languages import SUPPORTED
from docgen.stamp import CompletionInvalid, DocumentKind
from docgen.stamp import kinds as k
from docgen.stamp.footer import footer_text
from docgen.stamp.model import AMENDMENT, OUTCOME_LETTER, THE_PLAN, check_completion
from docgen.stamp.wording import record_words
from tests.docgen.stamp import stampkit as kit

LETTER = DocumentKind(OUTCOME_LETTER)
AMENDED = DocumentKind(AMENDMENT, 2, dt.date(2026, 11, 22))
SENTENCES = {name: said for name, said in vars(k).items() if isinstance(said, k.Said)}
SENTENCES |= {f"{name}[{outcome}]": said for name in ("ENDED_BEFORE_TURN", "UNANSWERED_WHEN")
              for outcome, said in getattr(k, name).items()}
VALUES = {"name": "Léa Brändli", "plan_id": "PIP-7", "outcome": "Completed",
          "reason": "Moved team", "when": "14 January 2027, 10:02 UTC", "line": "Employee",
          "envelope": "env_1", "plan": "pages 1–2", "pages": "pages 1–2", "rest": "page 3"}


@pytest.mark.parametrize("language", SUPPORTED)
@pytest.mark.parametrize("name", sorted(SENTENCES))
def test_each_sentence_is_whole_for_each_kind_in_every_language(language, name):
    words, said = record_words(language), SENTENCES[name]
    plan, letter, amendment = (words.about(said, d, **VALUES) for d in (THE_PLAN, LETTER,
                                                                        AMENDED))
    for text in (plan, letter, amendment):
        assert text.strip() and "%(" not in text, (language, name, text)
    if name != "UNANSWERED_WHEN[expired]":  # the envelope expired: no document named
        assert plan not in (letter, amendment), (language, name)
    if language != "en":  # translated, not the English left in place
        assert letter != said.letter and amendment != said.amendment % {
            "number": 2, "date": "22 November 2026", **VALUES}


def test_english_names_the_letter_and_the_amendment_in_full():
    w = record_words("en")
    assert w.about(k.TITLE, LETTER, name="Léa Brändli") == (
        "Outcome letter of the Performance Improvement Plan for Léa Brändli")
    assert w.about(k.TITLE, AMENDED, name="Léa Brändli") == (  # its date held together
        "Amendment 2 to the Performance Improvement Plan of 22\u00a0November\u00a02026 for "
        "Léa Brändli")
    # A plan's record reads exactly as before.
    assert w.about(k.TITLE, THE_PLAN, name="Léa Brändli") == (
        "Performance Improvement Plan for Léa Brändli")
    assert w.about(k.ACKNOWLEDGEMENT_MEANS, LETTER).startswith(
        "This page records how the employee responded to the outcome letter. The employee's "
        "signature confirms that the letter was received and understood; it does not mean "
        "agreement with it")


@pytest.mark.parametrize(("language", "expected"), [
    ("es", "Adenda n.º 2 al plan de mejora del desempeño de Léa Brändli del 22 de noviembre "
           "de 2026"),
    ("fr", "Avenant n° 2 au plan d’amélioration des performances du 22 novembre 2026 "
           "concernant Léa Brändli"),
    ("de", "Änderung Nr. 2 zum Leistungsverbesserungsplan für Léa Brändli vom "
           "22. November 2026"),
    ("ar", "التعديل رقم 2 على خطة تحسين الأداء الخاصة بـ Léa Brändli المؤرخة في "
           "22 نوفمبر 2026"),
])
def test_an_amendments_title_gives_the_plans_date_by_locale(language, expected):
    said = record_words(language).about(k.TITLE, AMENDED, name="Léa Brändli")
    # The date is a document's, held together by no-break spaces (test_prose_rules.py).
    assert "2026" in said and " 2026" not in said
    assert said.replace("\u00a0", " ") == expected


@pytest.mark.parametrize(("document", "refused", "withdrawn"), [
    (THE_PLAN, "Refused to sign by the employee; the plan takes effect. Completed on X",
     "Withdrawn (voided) on X. The plan was withdrawn and does not take effect. "
     "Reason: Moved"),
    (LETTER, "Refused to sign by the employee; the outcome the letter states stands. "
             "Completed on X",
     "Withdrawn (voided) on X. The outcome letter was withdrawn. Reason: Moved"),
    (AMENDED, "Refused to sign by the employee; the amendment takes effect. Completed on X",
     "Withdrawn (voided) on X. The amendment was withdrawn. Reason: Moved"),
])
def test_the_outcome_says_what_a_refusal_and_a_withdrawal_mean_for_each_kind(
        document, refused, withdrawn):
    w = record_words("en")
    base = kit.completion(b"%PDF", kit.signer("employee", "Léa Brändli", "refused"))
    assert w.outcome_text(dataclasses.replace(base, document=document), "X") == refused
    voided = dataclasses.replace(base, document=document, outcome="voided",
                                 voided_reason="Moved")
    assert w.outcome_text(voided, "X") == withdrawn


def test_a_signer_never_asked_and_the_comments_count_name_the_document():
    w = record_words("fr")
    never = kit.completion(b"%PDF", kit.signer("employee", "Léa Brändli", "no_response",
                                               not_asked=True), outcome="voided")
    assert w.not_asked(dataclasses.replace(never, document=LETTER))[1] == (
        "la lettre de conclusion a été retirée avant son tour")
    assert w.comments_attached(AMENDED, 2) == (
        "2 commentaires ont été joints à l’avenant\u202f; ils sont reproduits ci-après tels "
        "qu’ils ont été rédigés.")
    assert record_words("ar").comments_attached(LETTER, 1) == (
        "أُرفق بخطاب النتيجة تعليق واحد، ويرد أدناه كما كُتب تمامًا.")


def test_the_footer_of_a_numbered_page_names_the_document_as_sent():
    said = footer_text("env_1", 1, 4, originals=2, numbered=True, document=LETTER)
    assert said == ("Final record of envelope env_1 · the outcome letter as sent is on "
                    "pages 1–2; the record follows on pages 3–4")
    assert "the plan as sent is on pages 1–2" in footer_text("env_1", 1, 4, originals=2,
                                                             numbered=True)


@pytest.mark.parametrize(("document", "field"), [
    (DocumentKind("memo"), "document.kind"),
    (DocumentKind(AMENDMENT, None, dt.date(2026, 11, 22)), "document.number"),
    (DocumentKind(AMENDMENT, 0, dt.date(2026, 11, 22)), "document.number"),
    (DocumentKind(AMENDMENT, 1), "document.plan_date"),
])
def test_a_document_the_record_cannot_name_is_refused_naming_the_field(document, field):
    completion = dataclasses.replace(kit.acknowledged(b"%PDF"), document=document)
    with pytest.raises(CompletionInvalid, match=re.escape(field)):
        check_completion(completion)

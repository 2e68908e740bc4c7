"""The case file's own pages and the check-in record's PDF in the plan's language: a
French and an Arabic case file read with pdftotext show their words, dates by locale,
and still pass verify's checks (which read the manifest's data, never the pages' words).
One case file per language, built once for the module."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from database import Base
from docgen import load_plan
from docgen.casefile.checkin_record import CheckinRecordDocument, build_checkin_record
from docgen.casefile.manifest import read_case_file
from docgen.seal import create_self_signed, seal, validate
from signing.domain.case_verification import verify_case_file
from signing.domain.cases.casefile import make_case_file
from tests.docgen.seal.sealkit import make_pdf
from tests.docgen.stamp.test_stamp_record import arabic_words, squash
from tests.pdftext import pdf_text
from testsupport.casekit import sample_case

ROOT = Path(__file__).resolve().parents[2]
PLAN = load_plan(ROOT / "examples" / "support-agent-30d.yaml")


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return create_self_signed(tmp_path_factory.mktemp("key"), "Alpenglühn Mobile AG",
                              now=dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def english(key):
    return sample_case(PLAN, seal(make_pdf(2), key, reason="Sealed record"), meetings=3,
                       amendment_pdf=seal(make_pdf(1), key, reason="Amendment"),
                       letter_pdf=seal(make_pdf(1) + b"\n% the letter\n", key,
                                       reason="Outcome letter"))


@pytest.fixture(scope="module", params=["fr", "ar"])
def made(request, english, key):
    case = dataclasses.replace(english, language=request.param)
    return case, make_case_file(case, key, now=dt.datetime.now(dt.UTC)).pdf


def _pages(pdf: bytes) -> list[str]:
    return pdf_text(pdf).split("\f")


FRENCH = ("Dossier : plan d’amélioration des performances", "Objectifs non atteints", "Sommaire",
          "Entretien de suivi 2 sur 3", "Étapes prévues pour cet entretien", "Objectif 1 :",
          "Réponse de la personne salariée à ce compte rendu", "Prolongation 1", "janvier 2027",
          "Progression sur chaque objectif", "Certificat du dossier", "Événements")
ARABIC = ("ملف الحالة: خطة تحسين الأداء", "لم تتحقق الأهداف", "المحتويات",
          "المراحل المستحقة لهذا الاجتماع", "ردّ الموظف على هذا المحضر", "التمديد",
          "شهادة ملف الحالة", "الوقائع", "يناير")


def test_the_pages_are_in_the_plans_language(made):
    case, pdf = made
    text = pdf_text(pdf)
    if case.language == "fr":
        for words in FRENCH:
            assert squash(words) in squash(text), words
        assert "Check-in 2" not in text and "Certificate of the case" not in text
    else:
        found = arabic_words(text)
        for words in ARABIC:
            assert arabic_words(words) <= found, words
        assert "Certificate of the case" not in text and "Goals not met" not in text


def test_verify_still_holds_for_a_case_file_in_any_language(made, key):
    _, pdf = made
    stated = read_case_file(pdf)
    assert stated is not None
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        checks = verify_case_file(session, pdf, stated,
                                  lambda b: validate(b, trusted=[key.certificate]))
    # The plan was never archived in this database: the only check that cannot hold.
    assert {c.name for c in checks if not c.ok} == {"plan record archived"}
    assert [c.name for c in checks if c.name.startswith("check-in")] == [
        f"check-in {n} record hash" for n in (1, 2, 3)]


@pytest.mark.parametrize("language, words", [
    ("fr", ("Entretien de suivi 2 sur 3", "À propos de ce compte rendu",
            "Compte rendu de suivi")),
    ("ar", ("اجتماع المتابعة", "حول هذا المحضر"))])
def test_the_checkin_record_is_in_the_plans_language(english, language, words):
    page = english.checkins[1]
    pdf = build_checkin_record(CheckinRecordDocument(
        english.envelope_id, "chk_0002", english.plan_id, english.company, english.employee,
        english.zone, 3, page, 1, dt.datetime(2027, 1, 22, 9, tzinfo=dt.UTC), language))
    text = pdf_text(pdf)
    for said in words:
        if language == "ar":
            assert arabic_words(said) <= arabic_words(text), said
        else:
            assert squash(said) in squash(text), said


@pytest.mark.parametrize("language", ["en", "es", "fr", "de", "ar"])
@pytest.mark.parametrize("meeting", [0, 1, 2])
def test_the_checkin_records_about_block_is_never_split_across_pages(english, language,
                                                                      meeting):
    # Its rows and the note that explains them are read together: a page turn inside it
    # left one line of the note on a page of its own, headed "(continued)".
    page = english.checkins[meeting]
    doc = CheckinRecordDocument(
        english.envelope_id, f"chk_000{meeting + 1}", english.plan_id, english.company,
        english.employee, english.zone, 3, page, 1,
        dt.datetime(2027, 1, 22, 9, tzinfo=dt.UTC), language)
    pages = [" ".join(text.split()) for text in _pages(build_checkin_record(doc))]
    first = [n for n, text in enumerate(pages) if doc.checkin_id in text]
    last = [n for n, text in enumerate(pages) if "plansign verify" in text]
    assert len(first) == 1 and first == last, (first, last)
    assert doc.record_sha256 in pages[first[0]].replace(" ", "")

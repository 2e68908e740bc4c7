"""Every detail of a record's access log, on its page in the reader's language (issue
18): what plansign writes is worded from its data (a refused API request's method,
address and reason; a read that failed, by the archive's error; whose copy links were
withdrawn and with which check-in records'; the draft a plan was sent from; a webhook's
expired link); what a person typed (why the links were withdrawn, a hold's reason) is
shown as they wrote it, marked as their words (``dir="auto"``), never as English.

The refused requests are real ones, made to the HR API with records staff's key and
with none; the other entries are written as the code that writes them writes them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from archive import Reader, log_access
from signing.domain import apikeys
from tests.console.conftest import NOW
from tests.console.test_records_pages import trail_record
from tests.console.test_records_pages_language import NB, records_person, said

pytestmark = pytest.mark.database

AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
FRENCH_REASON = "Demande de l’employée (courriel du 3 mars)"
ARABIC_REASON = "طلب الموظفة بتاريخ 3 مارس"
PLAIN = re.compile(r'<span lang="en" dir="ltr">([^<]*)</span>')


def refused_requests(client, sessions, envelope_id: str) -> None:
    """Two requests the HR API refuses for their key, logged as it logs them: one with no
    key, one with records staff's key where HR's is needed."""
    with sessions.begin() as session:
        _row, key = apikeys.create_key(session, "records desk", "records", NOW)
    assert client.get(f"/api/v1/archive/records/{envelope_id}/final.pdf").status_code == 401
    assert client.post(f"/api/v1/envelopes/{envelope_id}/void", json={"reason": "x"},
                       headers={"Authorization": f"Bearer {key}"}).status_code == 403


def written(sessions, envelope_id: str, reason: str) -> None:
    entries = (
        ("copy.revoke", f"every signer: {reason}; with the records of check-in(s) 1, 2"),
        ("download case-file.pdf", "failed: blob " + "a" * 64 + " is corrupted: its "
                                   "content now hashes to " + "b" * 64),
        ("download final.pdf", "denied (403): this download link has expired; fetch the "
                               "sealed PDF from the records API with an API key: GET "
                               f"/api/v1/archive/records/{envelope_id}/final.pdf"),
        ("draft send", "draft 7f3a9c: version 4"),
        ("hold", reason),
    )
    with sessions.begin() as session:
        for action, detail in entries:
            log_access(session, Reader("Rémi Archives", "records"), action, now=AT,
                       envelope_id=envelope_id, detail=detail)


def test_every_detail_is_worded_in_french_and_a_persons_words_are_theirs(
        console, client, services, sessions):
    envelope_id = trail_record(services, sessions)
    refused_requests(client, sessions, envelope_id)
    written(sessions, envelope_id, FRENCH_REASON)
    records_person(console, sessions, "fr")
    page = console.get(f"/console/records/{envelope_id}")
    text, body = said(page), page.get_data(as_text=True)
    for french in (
            f"Retrait des liens de la personne salariée vers ses copies Les liens de tous les "
            f"signataires. Motif{NB}: {FRENCH_REASON} Avec les liens vers les comptes "
            "rendus des points de suivi 1 et 2.",
            f"Requête à l’API Refusé{NB}: la requête GET /api/v1/archive/records/"
            f"{envelope_id}/final.pdf est arrivée sans clé d’API valide.",
            f"Refusé{NB}: la requête POST /api/v1/envelopes/{envelope_id}/void n’est pas "
            f"ouverte à une clé d’API du rôle «{NB}archives{NB}».",
            f"Lecture impossible{NB}: le fichier ne correspond plus à son empreinte "
            f"SHA-256{NB}; il n’a donc pas été transmis.",
            f"Refusé{NB}: le lien de téléchargement avait expiré.",
            "Envoi du plan depuis son brouillon Depuis le brouillon 7f3a9c, version 4.",
            f"Pose d’une conservation légale Motif{NB}: {FRENCH_REASON}"):
        assert french in text, french
    # The person's words, marked as theirs, and not as English; nothing left in English.
    assert body.count(f'<bdi class="their-words" dir="auto">{FRENCH_REASON}</bdi>') == 2
    assert PLAIN.findall(body.split('id="h-log"', 1)[1]) == []
    for english in ("denied (", "a valid API key", "key may not", "is corrupted",
                    "has expired", "every signer", "with the records of", "draft 7f3a9c:"):
        assert english not in body, english


def test_every_detail_is_worded_in_arabic(console, client, services, sessions):
    envelope_id = trail_record(services, sessions)
    refused_requests(client, sessions, envelope_id)
    written(sessions, envelope_id, ARABIC_REASON)
    records_person(console, sessions, "ar")
    page = console.get(f"/console/records/{envelope_id}")
    body = page.get_data(as_text=True)
    log = body.split('id="h-log"', 1)[1]
    assert body.count(f'<bdi class="their-words" dir="auto">{ARABIC_REASON}</bdi>') == 2
    assert PLAIN.findall(log) == []
    request = f'<code dir="ltr">GET /api/v1/archive/records/{envelope_id}/final.pdf</code>'
    assert request in log
    text = said(page)
    for arabic in ("مرفوض: وصل الطلب", "مفتاح API صالح",
                   "لم يعد الملف مطابقًا لبصمة SHA-256 الخاصة به",
                   "مرفوض: انتهت صلاحية رابط التنزيل."):
        assert arabic in text, arabic
    for english in ("denied (", "a valid API key", "key may not", "is corrupted",
                    "has expired", "every signer", "with the records of"):
        assert english not in body, english


def test_what_plansign_cannot_word_stays_as_written_and_english(console, services,
                                                                  sessions):
    """A refusal for a reason this plansign does not know, a store's own error: as
    written, said to be English."""
    envelope_id = trail_record(services, sessions)
    with sessions.begin() as session:
        log_access(session, Reader("Rémi Archives", "records"), "request", now=AT,
                   envelope_id=envelope_id, allowed=False,
                   detail=f"denied (403) GET /api/v1/x/{envelope_id}: the moon is full")
        log_access(session, Reader("Rémi Archives", "records"), "view", now=AT,
                   envelope_id=envelope_id, detail="failed: [Errno 13] Permission denied")
    records_person(console, sessions, "fr")
    body = console.get(f"/console/records/{envelope_id}").get_data(as_text=True)
    assert sorted(PLAIN.findall(body.split('id="h-log"', 1)[1])) == [
        "[Errno 13] Permission denied", "the moon is full"]

"""The console's verify page in the person's language (issue 18): every check of
``plansign verify`` (signing.domain.verification), what it looked at and what it found,
in French and in Arabic, its times in the person's zone, its hashes, levels and ids as
they are (isolated, ``<bdi>``); the English the command line prints is unchanged.

The records are real: the sample plan sent (LibreOffice), acknowledged, then stamped,
sealed and archived by the worker's finalizer with the instance's own sealing key; one
is checked as it is, one with its final PDF changed in the archive, one with several
of its archived files gone or changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

import pytest
import yaml

from archive import get_record
from docgen import resolve_template
from docgen.seal import validate
from docgen.words import N_
from signing.domain import envelopes as svc
from signing.domain import outbox, people, verification
from signing.domain.errors import Wording
from signing.domain.sending import SendOptions, send_plan
from signing.domain.wording import STATEMENT
from signing.web import language, timefmt
from signing.web.console.checkwords import check_line
from tests.conftest import EXAMPLES
from tests.console.conftest import NOW, password_hash

pytestmark = pytest.mark.database

SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2068": "", "\u2069": ""})


def archived_plan(services, sessions, converter) -> str:
    """The sample plan sent to the employee alone, acknowledged, and archived by the
    finalizer (sealed with the instance's key, which verify trusts)."""
    data = yaml.safe_load(EXAMPLES[2].read_text(encoding="utf-8"))
    data["routing"] = {"manager": "none", "hr": "none"}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    envelope_id = send_plan(sessions, data, options=SendOptions(
        template=resolve_template("standard"), company_name="Harbor & Finch",
        expires_in=dt.timedelta(days=14)), converter=converter,
        actor=svc.Actor("hr:riley"), now=now - dt.timedelta(minutes=10))
    with sessions.begin() as session:
        employee = next(s.id for s in svc.load(session, envelope_id).signers
                        if s.role == "employee")
        svc.perform(session, envelope_id, "acknowledge", signer_id=employee,
                    actor=svc.Actor(f"signer:{employee}"), now=now - dt.timedelta(minutes=5),
                    typed_name="Léa Brändli", consent=True, statement=STATEMENT)
    assert outbox.run_once(sessions, {"finalize": services.finalizer}, now=now) >= 1
    return envelope_id


def reader(console, sessions, language_: str, zone: str):
    """An admin who reads the console in ``language_``, their times in ``zone``."""
    with sessions.begin() as session:
        who = people.create_person(
            session, username=f"reader-{language_}", display_name="Records Reader",
            email=f"reader-{language_}@example.com", role="admin", team=None,
            password_hash=password_hash(), now=NOW, created_by="cli:test",
            language=language_, time_zone=zone)
    console.sign_in(who)


def lines(page: str) -> list[str]:
    """Each check's line as a screen reader reads it: tags and the tick or cross (hidden
    from it) gone, entities read, spaces plain; a passed check's word is there for it."""
    items = re.findall(r"<li[^>]*>(.*?)</li>", page.split('class="plan-checks"', 1)[1], re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", re.sub(
        r'<span aria-hidden="true">[^<]*</span>', "", i))).translate(SPACES).split())
        for i in items]


def line(found: list[str], start: str) -> str:
    matching = [text for text in found if text.startswith(start)]
    assert matching, f"no line starting {start!r} in {found}"
    return matching[0]


def english_checks(sessions, services, envelope_id: str) -> list[str]:
    """The lines ``plansign verify`` prints for the record (signing.cli.service)."""
    from signing import instance

    trusted = instance.trusted_seal_certificates(services.settings)
    with sessions() as session:
        checks = verification.verify_envelope(session, services.store, envelope_id,
                                               lambda pdf: validate(pdf, trusted=trusted))
    return [f"{'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}" for c in checks]


def test_a_valid_record_in_french_every_check_in_french_times_in_paris(
        console, services, sessions, converter):
    envelope_id = archived_plan(services, sessions, converter)
    with sessions() as session:
        record = get_record(session, envelope_id)
        final_sha, original_sha, plan_id = (record.final_sha256, record.original_sha256,
                                            record.plan_id)
    sealed_at = validate(services.store.get(final_sha),
                         trusted=[services.sealing_key.certificate]).signed_at
    reader(console, sessions, "fr", "Europe/Paris")

    response = console.get(f"/console/plans/{envelope_id}/verify")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = lines(page)
    # Nothing on the page is English any more: no note saying so, nothing marked so.
    assert 'lang="en"' not in page and "anglais" not in page
    assert "Toutes les vérifications sont réussies" in page
    assert "Les heures sont" in page and "Europe/Paris" in page
    assert all(text.startswith("Réussi :") for text in found), found
    when = timefmt.local_time(sealed_at, "Europe/Paris", "fr", seconds=True).translate(SPACES)
    assert line(found, "Réussi : Dossier archivé :") == (
        f"Réussi : Dossier archivé : enveloppe {envelope_id}, plan {plan_id}, "
        f"réception attestée par la personne salariée")
    assert line(found, "Réussi : PDF final :") == (
        f"Réussi : PDF final : fichier présent, SHA-256 {final_sha}")
    assert line(found, "Réussi : PDF d’origine :").endswith(original_sha)
    seal = line(found, "Réussi : Sceau :")
    assert seal.startswith("Réussi : Sceau : valide (PAdES B-B), couvre l’intégralité du "
                           "fichier, apposé par ")
    assert seal.endswith(f" le {when}"), seal
    assert re.search(r"\d\d:\d\d:\d\d CES?T$", when)  # in Paris, to the second
    assert "horloge du serveur qui a scellé (PAdES B-B)" in line(
        found, "Réussi : Horodatages :")
    assert re.fullmatch(r"Réussi : Chaîne d’audit \(PDF scellé\) : \d+ événements de "
                        rf"l’enveloppe {envelope_id}, tête [0-9a-f]{{64}}, joints avant le "
                        r"scellement", line(found, "Réussi : Chaîne d’audit (PDF scellé)"))
    assert line(found, "Réussi : Heure du scellement :") == (
        f"Réussi : Heure du scellement : le sceau indique le {when} ; la piste d’audit "
        f"enregistre le scellement le {when}")
    assert line(found, "Réussi : Empreinte du PDF final :").endswith(
        "la piste d’audit enregistre le scellement de ce PDF final")
    for start in ("Réussi : Chaîne d’audit (archive) :",
                  "Réussi : Piste d’audit (archive) comparée au sceau :",
                  "Réussi : Empreinte du PDF d’origine :",
                  "Réussi : Empreinte du PDF d’origine comparée au sceau :",
                  "Réussi : Chaîne d’audit (base de données) :",
                  "Réussi : Piste d’audit (base de données) comparée au sceau :",
                  "Réussi : Piste d’audit archivée :", "Réussi : Données du plan :"):
        line(found, start)
    # Hashes and ids as they are, isolated from the sentence around them.
    assert f"<bdi>{final_sha}</bdi>" in page and f"<bdi>{envelope_id}</bdi>" in page
    for english in ("covers the whole file", "present", "events", "the audit trail",
                    "archive record", "seal time", " UTC"):
        assert not any(english in text for text in found), english

    # What the command line prints for the same record: English, as it always was.
    printed = english_checks(sessions, services, envelope_id)
    assert f"ok    archive record: envelope {envelope_id}, plan {plan_id}, acknowledged" \
        in printed
    assert f"ok    final PDF: present, SHA-256 {final_sha}" in printed
    assert any(re.fullmatch(r"ok    seal: valid \(PAdES B-B\), covers the whole file, by "
                            r".+ on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", p) for p in printed)
    assert (f"ok    seal time: the seal says {sealed_at:%Y-%m-%d %H:%M:%S} UTC; the audit "
            f"trail records sealing at {sealed_at:%Y-%m-%d %H:%M:%S} UTC") in printed
    assert ("ok    timestamps: none: when the seal was made rests on the sealing server's "
            "clock (PAdES B-B)") in printed


def test_a_record_whose_final_pdf_was_changed_in_arabic(console, services, sessions,
                                                        converter):
    envelope_id = archived_plan(services, sessions, converter)
    with sessions() as session:
        final_sha = get_record(session, envelope_id).final_sha256
    path = services.store.path(final_sha)
    path.write_bytes(path.read_bytes() + b"\n% added after sealing\n")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    reader(console, sessions, "ar", "Asia/Dubai")

    page = console.get(f"/console/plans/{envelope_id}/verify").get_data(as_text=True)
    found = lines(page)
    assert 'lang="en"' not in page
    assert "فشلت إحدى عمليات التحقق" in page
    failed = [text for text in found if not text.startswith("ناجح")]
    assert failed == [f"فاشل: ملف PDF النهائي: الملف {final_sha} تالف: بصمة محتواه الآن "
                      f"هي {actual}"], found
    assert f"<bdi>{final_sha}</bdi>" in page and f"<bdi>{actual}</bdi>" in page
    assert line(found, "ناجح: سلسلة التدقيق (الأرشيف):")
    for english in ("present", "valid", "events", "the audit trail", "corrupted"):
        assert not any(english in text for text in found), english

    printed = english_checks(sessions, services, envelope_id)
    assert (f"FAIL  final PDF: blob {final_sha} is corrupted: its content now hashes to "
            f"{actual}") in printed


def test_a_record_failing_several_checks_in_french(console, services, sessions, converter):
    envelope_id = archived_plan(services, sessions, converter)
    with sessions() as session:
        record = get_record(session, envelope_id)
        original_sha, plan_sha = record.original_sha256, record.plan_sha256
    services.store.path(original_sha).unlink()
    plan_data = services.store.path(plan_sha)
    plan_data.write_bytes(plan_data.read_bytes() + b" ")
    reader(console, sessions, "fr", "Europe/Paris")

    page = console.get(f"/console/plans/{envelope_id}/verify").get_data(as_text=True)
    found = lines(page)
    assert "Une vérification a échoué" in page
    failed = [text for text in found if text.startswith("Échoué")]
    assert f"Échoué : PDF d’origine : aucun fichier {original_sha} dans l’archive" in failed
    assert any(text.startswith(f"Échoué : Données du plan : le fichier {plan_sha} est "
                               "altéré : son contenu a désormais l’empreinte ")
               for text in failed), failed
    # The hashes agree; what fails is the file's absence, and the line says so.
    assert (f"Échoué : Empreinte du PDF d’origine : la piste d’audit indique {original_sha}, "
            "comme la fiche de l’archive, mais l’archive ne contient plus ce fichier") in failed
    assert len(failed) == 3 and 'lang="en"' not in page
    printed = english_checks(sessions, services, envelope_id)
    assert f"FAIL  original PDF: no blob {original_sha} in the archive" in printed
    assert (f"FAIL  original PDF hash: the audit trail names {original_sha}, as the "
            "archive's record does, but the archive no longer holds that file") in printed


@pytest.mark.parametrize("lang,expected", [
    ("fr", "le document a été modifié après son scellement : son empreinte ne correspond "
           "plus au sceau"),
    ("ar", "عُدِّل المستند بعد ختمه: لم تعد بصمته تطابق الختم"),
])
def test_a_tampered_seal_is_worded_and_a_librarys_message_stays_marked_english(
        app, services, lang, expected):
    """The seal's own findings, from validating real bytes: a PDF changed after sealing,
    and a file that is not a PDF, whose reader's message is the library's (kept as it
    is, marked English)."""
    from tests.docgen.seal.sealkit import make_pdf

    key = services.sealing_key
    from docgen.seal import seal

    sealed = bytearray(seal(make_pdf(1), key, reason="Sealed record"))
    spot = sealed.index(b"/Contents", len(sealed) // 4)
    sealed[spot - 40] ^= 0x01
    changed = verification.seal_check(validate(bytes(sealed), trusted=[key.certificate]))
    unreadable = verification.seal_check(validate(b"not a PDF", trusted=[key.certificate]))
    assert not changed.ok and not unreadable.ok
    assert str(unreadable.detail).startswith("the file is not a readable PDF (")
    with app.test_request_context():
        language.use_console_words(lang, "en", signed_in=True)
        shown = str(check_line(changed.name, changed.detail, "UTC"))
        assert expected in html.unescape(shown).translate(SPACES).replace("  ", " "), shown
        assert 'lang="en"' not in shown
        shown = str(check_line(unreadable.name, unreadable.detail, "UTC"))
        assert re.search(r'\(<span lang="en" dir="ltr">[^<]+</span>\)', shown), shown
        assert ("le fichier n’est pas un PDF lisible" if lang == "fr"
                else "الملف ليس ملف PDF قابلًا للقراءة") in html.unescape(shown)
        # Values are text, escaped wherever they come from (a plan id is the plan's own).
        shown = str(check_line(verification.ARCHIVE_RECORD, Wording(
            N_("envelope %(envelope)s, plan %(plan)s, %(outcome)s"), envelope="e-1",
            plan="<img src=x onerror=alert(1)>", outcome=verification.outcome_words(
                "voided")), "UTC"))
        assert "<img" not in shown and "<bdi>&lt;img src=x onerror=alert(1)&gt;</bdi>" in shown
        assert ("retiré" if lang == "fr" else "ملغاة") in shown

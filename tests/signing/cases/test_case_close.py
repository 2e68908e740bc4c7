"""A case's close on the database, end to end with real LibreOffice: an extension with an
adjusted goal (its amended plan acknowledged and archived), the outcome proposed
with evidence per goal (missing evidence refused by its field, nothing recorded),
returned and proposed again, approved; the outcome letter an envelope of its own sent
to the employee; its record archived closes the case (case.closed, its webhook, the
case file's outbox row in one transaction); the worker's case file task builds, seals
and archives the case file as a document of the plan's record, searchable by outcome,
verified, and mails the employee their copy. An early close needs no letter."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import unicodedata
import zipfile

import pytest
from sqlalchemy import func, select

from archive import ArchivedRecord, FolderStore, record_bundle
from archive.search import SearchQuery, search
from docgen.casefile.manifest import read_case_file
from docgen.seal import create_self_signed, validate
from signing.domain import case_close, outbox, verification
from signing.domain import envelopes as svc
from signing.domain.case_file_task import CaseFileMaker
from signing.domain.cases import CaseError
from signing.domain.events import EventType
from signing.domain.finalize import Finalizer
from signing.domain.links import LinkSigner
from signing.domain.mail import FileMailBackend
from signing.domain.models import AuditEventRow, CaseRow, Document, EnvelopeRow, OutboxRow
from signing.domain.notify import Mailer
from tests.docgen.seal.sealkit import pdfsig
from tests.docgen.stamp.test_stamp_record import arabic_words, squash
from tests.pdftext import pdf_text
from tests.signing.cases import closekit
from tests.signing.cases.closekit import AT_END, HR, PLAN, Parts
from testsupport.casekit import ARABIC_COMMENT

pytestmark = pytest.mark.database


@pytest.fixture
def seal_key(tmp_path):
    return create_self_signed(tmp_path / "seal", "Alpenglühn Mobile AG",
                              now=closekit.SENT - dt.timedelta(days=1))


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "archive")


@pytest.fixture
def parts(sessions, converter, store, seal_key):
    finalizer = Finalizer(sessions, store, sealing_key=lambda: seal_key,
                          company_name="Fallback Co")
    return Parts(sessions, converter, finalizer, closekit.letter_options(converter))


@pytest.fixture
def maker(sessions, store, seal_key):
    return CaseFileMaker(sessions, store, sealing_key=lambda: seal_key,
                         company_name="Fallback Co")


def counts(sessions, envelope_id):
    with sessions() as session:
        return (session.scalar(select(func.count()).select_from(AuditEventRow).where(
                    AuditEventRow.envelope_id == envelope_id)),
                session.scalar(select(func.count()).select_from(OutboxRow)),
                session.scalar(select(func.count()).select_from(EnvelopeRow)),
                session.get_one(CaseRow, envelope_id).proposal_state)


def trail(sessions, envelope_id):
    with sessions() as session:
        return [(r.type, r.data) for r in svc.audit_trail(session, envelope_id)]


def mailer(tmp_path) -> Mailer:
    return Mailer(FileMailBackend(tmp_path / "mail"), LinkSigner(["k" * 32]),
                  "https://plansign.example", "Fallback Co")


def job_of(row: OutboxRow) -> outbox.OutboxJob:
    return outbox.OutboxJob(row.id, row.dedupe_key, row.kind, row.name, row.envelope_id,
                            row.signer_id, row.payload, 0, row.created_at)


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "case-file.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return unicodedata.normalize("NFKC", out)


def test_a_not_met_case_closes_through_its_letter_into_a_sealed_case_file(
        parts, maker, sessions, store, seal_key, tmp_path):
    envelope_id = closekit.archived_plan(parts)
    closekit.record_checkins(sessions, envelope_id)

    # HR extend the plan by a week with goal 1's target adjusted: the amended plan is
    # acknowledged by the employee and archived; the outcome comes at the new end.
    extension = closekit.extend(parts, envelope_id, AT_END - dt.timedelta(hours=2))
    assert extension.amendment_envelope_id is not None
    closekit.acknowledge(sessions, extension.amendment_envelope_id,
                         AT_END + dt.timedelta(hours=1))
    closekit.finalize(parts, AT_END + dt.timedelta(hours=2))
    at_end = AT_END + dt.timedelta(days=closekit.EXTENSION_DAYS)

    # An outcome without evidence for each goal: refused by its field, nothing recorded.
    before = counts(sessions, envelope_id)
    evidence = {**closekit.EVIDENCE, "2": {"assessment": "partly met", "result": "2 h 10"}}
    with pytest.raises(CaseError) as raised:
        closekit.propose(sessions, envelope_id, at_end, goals=evidence)
    assert raised.value.field == "goals[2].evidence"
    assert counts(sessions, envelope_id) == before

    # Proposed, returned by HR with a comment, proposed again, approved.
    closekit.propose(sessions, envelope_id, at_end, summary="First try.")
    with sessions.begin() as session:
        case_close.return_outcome(session, envelope_id, "Name the report for goal 3.",
                                  actor=HR, now=at_end)
    with sessions() as session:
        view = case_close.read_outcome(session, envelope_id)
        assert (view.state, view.returned_comment) == ("returned",
                                                       "Name the report for goal 3.")
    closekit.propose(sessions, envelope_id, at_end)
    letter_id = closekit.approve(parts, envelope_id, at_end)
    with sessions() as session:
        letter = session.get_one(EnvelopeRow, letter_id)
        assert (letter.document_kind, letter.case_id, letter.state) == (
            "outcome_letter", envelope_id, "sent")
        assert [s.role for s in letter.signers] == ["employee"]
        assert case_close.read_outcome(session, envelope_id).state == "approved"
        assert session.get_one(CaseRow, envelope_id).state == "extended"  # not yet closed
        # The employee is asked to read the letter (not a plan), with no calendar.
        [invite] = session.scalars(select(OutboxRow).where(
            OutboxRow.envelope_id == letter_id, OutboxRow.name == "invitation"))
        invitation = mailer(tmp_path).compose(session, job_of(invite))
    assert "outcome letter" in invitation.subject and not invitation.attachments
    assert "outcome letter of your performance improvement plan" in invitation.text

    # The employee acknowledges the letter (receipt); its record archived closes the case.
    closekit.acknowledge(sessions, letter_id, at_end + dt.timedelta(days=1))
    closed_at = at_end + dt.timedelta(days=1, hours=1)
    closekit.finalize(parts, closed_at)
    with sessions() as session:
        case = session.get_one(CaseRow, envelope_id)
        assert (case.state, case.outcome, case.closed_at) == ("closed", "not_met", closed_at)
        jobs = session.scalars(select(OutboxRow).where(
            OutboxRow.envelope_id == envelope_id, OutboxRow.kind.in_(("case_file",
                                                                      "webhook")),
            OutboxRow.created_at == closed_at)).all()
    assert sorted((j.kind, j.name) for j in jobs) == [("case_file", "case_file"),
                                                      ("webhook", "case.closed")]
    webhook = next(j for j in jobs if j.kind == "webhook")
    assert set(webhook.payload) <= {"outcome", "seq"}  # thin: no reasons, no evidence
    # The letter's own record names the letter, not the plan (issue 18).
    with sessions() as session:
        final = session.get_one(Document, session.get_one(EnvelopeRow, letter_id)
                                .final_sha256).content
    record = squash(text_of(final, tmp_path))
    for said in (f"Outcome letter of the Performance Improvement Plan for {PLAN.employee.name}",
                 "This page records how the employee responded to the outcome letter.",
                 "No comments were attached to the outcome letter."):
        assert squash(said) in record, said
    assert "asked to sign the plan" not in record

    # The worker's task: the case file, sealed and archived with the plan's record.
    made_at = closed_at + dt.timedelta(minutes=1)
    assert outbox.run_once(sessions, {"case_file": maker}, now=made_at) == 1
    assert outbox.run_once(sessions, {"case_file": maker}, now=made_at) == 0
    with sessions() as session:
        record = session.get_one(ArchivedRecord, envelope_id)
        assert record.case_outcome == "not_met" and record.case_closed_at == closed_at
        pdf = store.get(record.case_file_sha256)
        found = search(session, SearchQuery(case_outcome="not_met"))
        assert [r.envelope_id for r in found.records] == [envelope_id]
        assert not search(session, SearchQuery(case_outcome="met")).records
        checks = verification.verify_file(
            session, store, pdf, lambda p: validate(p, trusted=[seal_key.certificate]))
        by_envelope = verification.verify_envelope(
            session, store, envelope_id, lambda p: validate(p, trusted=[seal_key.certificate]))
        bundle = zipfile.ZipFile(io.BytesIO(record_bundle(store, record)))
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert "case file archived" in [c.name for c in checks]
    # plansign verify ENVELOPE covers the case file too; the records bundle holds it.
    assert all(c.ok for c in by_envelope), [c for c in by_envelope if not c.ok]
    assert "case file: seal" in [c.name for c in by_envelope]
    assert bundle.read("case-file.pdf") == pdf
    assert f"{record.case_file_sha256}  case-file.pdf" in bundle.read("SHA256SUMS").decode()
    names = [c.name for c in checks]
    assert "outcome letter (outcome-letter.pdf) seal" in names and "plan record archived" in names
    # The amended plan, whole and sealed, with its hash.
    assert {"amendment (amendment-1.pdf) seal", "amendment (amendment-1.pdf) hash"} <= set(names)
    assert sum(n.startswith("check-in") for n in names) == 5
    report = pdfsig(pdf, tmp_path)
    assert "Signature is Valid" in report and "Total document signed" in report, report

    # Its text: the outcome, each check-in with its answer, the Arabic comment word for
    # word, the missed meeting, the letter, the charts, the certificate's events.
    text = text_of(pdf, tmp_path)
    flat = squash(text)
    for words in ("Goals not met", "Check-in 3 of 6: missed", "Acknowledged by Léa Brändli",
                  "Extension 1", "Amendment 1 of the plan of", closekit.AMENDED_TARGET,
                  "case extended (amendment 1): 7 days",
                  "employee acknowledged receipt of amended plan 1",
                  "amended plan's record sealed and archived",
                  "No answer within the days given", "Progress against each goal",
                  "Goal 1:", "Goal 2:", "Goal 3:", "Outcome letter",
                  "outcome letter's record sealed and archived", "case closed: goals not met",
                  "check-in 3 recorded as missed", "Certificate of the case"):
        assert squash(words) in flat, words
    assert arabic_words(ARABIC_COMMENT) <= arabic_words(text)
    # The charts: one per goal, titled by it, after the check-ins and the letter.
    progress = flat[flat.rindex(squash("Progress against each goal")):]
    for number in (1, 2, 3):
        assert squash(f"Goal {number}:") in progress, number
    stated = read_case_file(pdf)
    assert stated is not None and stated.data["outcome"] == "not_met"
    assert [d["kind"] for d in stated.data["documents"]] == ["plan", "amendment",
                                                             "outcome letter"]

    # On the plan's chain: proposed twice, returned, approved, closed, file archived once.
    types = [t for t, _ in trail(sessions, envelope_id)]
    assert types.count(EventType.CASE_OUTCOME_PROPOSED) == 2
    assert types[-2:] == [EventType.CASE_CLOSED, EventType.CASE_FILE_ARCHIVED]
    # The employee's copy, by email, the case file attached.
    with sessions() as session:
        [job] = session.scalars(select(OutboxRow).where(OutboxRow.name == "case_file_copy"))
        message = mailer(tmp_path).compose(session, job_of(job))
    assert message.to == PLAN.employee.email
    assert [a.content for a in message.attachments] == [pdf]


def test_an_early_close_closes_at_once_without_a_letter(parts, maker, sessions, store):
    envelope_id = closekit.archived_plan(parts)
    at = closekit.SENT + dt.timedelta(days=12)
    for outcome, reason, field in (("not_met", "x", "outcome"), ("resigned", " ", "reason")):
        with pytest.raises(CaseError) as raised, sessions.begin() as session:
            case_close.close_early(session, envelope_id, outcome, reason, actor=HR,
                                   closer=PLAN.hr.name, now=at)
        assert raised.value.field == field
    with sessions.begin() as session:
        case_close.close_early(session, envelope_id, "resigned",
                               "Léa resigned on 20 January 2027.", actor=HR,
                               closer=PLAN.hr.name, now=at)
    with sessions() as session:
        case = session.get_one(CaseRow, envelope_id)
        assert (case.state, case.outcome, case.closed_reason) == (
            "closed", "resigned", "Léa resigned on 20 January 2027.")
        assert session.scalar(select(func.count()).select_from(EnvelopeRow)) == 1
    # Nothing more is taken on a closed case.
    with pytest.raises(CaseError):
        closekit.propose(sessions, envelope_id)
    assert outbox.run_once(sessions, {"case_file": maker}, now=at) == 1
    with sessions() as session:
        record = session.get_one(ArchivedRecord, envelope_id)
        assert record.case_outcome == "resigned"
        stated = read_case_file(store.get(record.case_file_sha256))
    assert stated is not None and stated.data["outcome"] == "resigned"
    assert [d["kind"] for d in stated.data["documents"]] == ["plan"]


def one_line(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_a_french_plans_case_closes_with_its_outcome_letter_in_french(parts, sessions,
                                                                      tmp_path):
    """The plan's language, fixed into its envelope when it was sent, chooses the
    letter's template and writes its dates and assessments; the letter goes through the
    signing flow and closes the case as an English one does."""
    envelope_id = closekit.archived_plan(parts, language="fr")
    closekit.propose(sessions, envelope_id)
    letter_id = closekit.approve(parts, envelope_id)
    with sessions() as session:
        letter = session.get_one(EnvelopeRow, letter_id)
        assert letter.plan_data["language"] == "fr" and letter.document_kind == "outcome_letter"
        pdf = session.get_one(Document, letter.document_sha256).content
        [invite] = session.scalars(select(OutboxRow).where(
            OutboxRow.envelope_id == letter_id, OutboxRow.name == "invitation"))
        invitation = mailer(tmp_path).compose(session, job_of(invite))
    text = one_line(pdf_text(pdf))
    for words in ("Issue de votre plan d’amélioration des performances : objectifs non "
                  "atteints", "Madame, Monsieur,",
                  "Votre plan d’amélioration des performances a pris fin le 10 février "
                  "2027.", "Les objectifs du plan n’ont pas été atteints.",
                  "Points de suivi tenus : 0 sur 5 prévus.", "non atteint",
                  "partiellement atteint", "Éléments probants : Pending-queue check",
                  "Cette signature vaut uniquement accusé de réception",
                  "elle ne vaut pas acceptation de son contenu",
                  "Signature de la personne salariée :", "Page 1 sur 2",
                  "Cette issue a été proposée par Jürg Baumann le 10 février 2027 et "
                  "approuvée par Sofía Castellanos le 10 février 2027."):
        assert words in text, words
    for english in ("Outcome of your", "Dear ", "Evidence:", "partly met", "not met",
                    "Employee signature", "Where the goals"):
        assert english not in text, english
    assert "lettre" in invitation.subject.lower(), invitation.subject

    closekit.acknowledge(sessions, letter_id, AT_END + dt.timedelta(days=1))
    closekit.finalize(parts, AT_END + dt.timedelta(days=1, hours=1))
    with sessions() as session:
        case = session.get_one(CaseRow, envelope_id)
    assert (case.state, case.outcome) == ("closed", "not_met")


def test_a_voided_letter_closes_nothing_and_its_outcome_goes_back_to_hr(parts, maker, sessions,
                                                                     tmp_path):
    """HR void the outcome letter before the employee answers (it gave the wrong date):
    its record is archived as every voided envelope's is, but it states no outcome the
    employee was given, so the case stays open, the proposal waits for HR again, and the
    trail says why. Approved again, a new letter goes out, and that one closes the case."""
    envelope_id = closekit.archived_plan(parts)
    closekit.propose(sessions, envelope_id)
    voided_id = closekit.approve(parts, envelope_id)
    at = AT_END + dt.timedelta(hours=3)
    with sessions.begin() as session:
        svc.perform(session, voided_id, "void", reason="The letter gave the wrong end date.",
                    actor=HR, now=at)
    closekit.finalize(parts, at + dt.timedelta(minutes=5))
    with sessions() as session:
        voided = session.get_one(EnvelopeRow, voided_id)
        assert voided.state == "voided" and voided.final_sha256 is not None
        assert session.get(ArchivedRecord, voided_id) is not None  # the record is kept
        case = session.get_one(CaseRow, envelope_id)
        assert (case.state, case.outcome, case.closed_at) == ("active", None, None)
        view = case_close.read_outcome(session, envelope_id)
        assert (view.state, view.letter_envelope_id) == ("proposed", None)
        assert view.proposal is not None and view.proposal.outcome == "not_met"
        assert not session.scalars(select(OutboxRow).where(
            OutboxRow.envelope_id == envelope_id, OutboxRow.kind == "case_file")).all()
    voided_event = [(t, d) for t, d in trail(sessions, envelope_id)][-1]
    assert voided_event == (EventType.CASE_LETTER_VOIDED, {
        "outcome": "not_met", "letter_envelope_id": voided_id,
        "reason": "The letter gave the wrong end date."})
    assert [t for t, _ in trail(sessions, envelope_id)].count(EventType.CASE_LETTER_VOIDED) == 1
    # Archiving it again (a retried job) changes nothing more.
    with sessions.begin() as session:
        case_close.letter_archived(session, session.get_one(EnvelopeRow, voided_id),
                                   now=at + dt.timedelta(hours=1))
    assert trail(sessions, envelope_id)[-1] == voided_event

    # HR approve it again: a new letter, which states the decision and closes the case.
    letter_id = closekit.approve(parts, envelope_id, AT_END + dt.timedelta(days=1))
    assert letter_id != voided_id
    with sessions() as session:
        pdf = session.get_one(Document, session.get_one(EnvelopeRow, letter_id)
                              .document_sha256).content
    text = one_line(pdf_text(pdf))
    assert ("The outcome was proposed by Jürg Baumann on 10 February 2027 and approved by "
            "Sofía Castellanos on 11 February 2027.") in text
    assert text.count("signature:") == 1 and "Employee signature:" in text
    closekit.acknowledge(sessions, letter_id, AT_END + dt.timedelta(days=2))
    closekit.finalize(parts, AT_END + dt.timedelta(days=2, hours=1))
    with sessions() as session:
        case = session.get_one(CaseRow, envelope_id)
        assert (case.state, case.outcome) == ("closed", "not_met")
    closed = trail(sessions, envelope_id)[-1]
    assert closed[0] == EventType.CASE_CLOSED
    assert closed[1]["letter_envelope_id"] == letter_id
    # The case file tells the voided letter in its certificate, and holds the new one.
    assert outbox.run_once(sessions, {"case_file": maker},
                           now=AT_END + dt.timedelta(days=2, hours=2)) == 1
    with sessions() as session:
        record = session.get_one(ArchivedRecord, envelope_id)
        case_file = maker.store.get(record.case_file_sha256)
    flat = squash(text_of(case_file, tmp_path))
    assert squash("outcome letter voided by HR; the proposal is back with HR") in flat
    assert squash("case closed: goals not met") in flat


def voided_events(sessions, envelope_id):
    return [d for t, d in trail(sessions, envelope_id) if t == EventType.CASE_LETTER_VOIDED]


def test_hr_approve_again_as_soon_as_they_void_the_letter_whenever_the_worker_archives_it(
        parts, sessions):
    """The proposal is back with HR in the void's own transaction, not when the worker
    archives the voided letter: HR approve again at once (a new letter goes out), and the
    worker archiving the voided letter afterwards neither undoes the new approval nor
    tells the void twice. The new letter then closes the case."""
    envelope_id = closekit.archived_plan(parts)
    closekit.propose(sessions, envelope_id)
    voided_id = closekit.approve(parts, envelope_id)
    at = AT_END + dt.timedelta(hours=3)
    with sessions.begin() as session:
        svc.perform(session, voided_id, "void", reason="The letter gave the wrong end date.",
                    actor=HR, now=at)
    with sessions() as session:  # the worker has not run
        assert session.get(ArchivedRecord, voided_id) is None
        view = case_close.read_outcome(session, envelope_id)
    assert (view.state, view.letter_envelope_id, view.voided_letter_reason) == (
        "proposed", None, "The letter gave the wrong end date.")
    ((data, actor),) = [(r.data, r.actor) for r in _records(sessions, envelope_id)
                        if r.type == EventType.CASE_LETTER_VOIDED]
    assert data == {"outcome": "not_met", "letter_envelope_id": voided_id,
                    "reason": "The letter gave the wrong end date."}
    assert actor == HR.name  # who voided it

    letter_id = closekit.approve(parts, envelope_id, at)
    assert letter_id != voided_id
    before = counts(sessions, envelope_id)
    assert before[3] == "approved"
    # The worker archives the voided letter now (its own outbox row), and again.
    closekit.finalize(parts, at + dt.timedelta(hours=2))
    with sessions() as session:
        assert session.get(ArchivedRecord, voided_id) is not None
        assert session.get_one(EnvelopeRow, letter_id).state == "sent"
        case = session.get_one(CaseRow, envelope_id)
        assert (case.state, case.proposal_state, case.letter_envelope_id) == (
            "active", "approved", letter_id)
        view = case_close.read_outcome(session, envelope_id)
        assert (view.state, view.letter_state, view.voided_letter_reason) == (
            "approved", "sent", None)
    with sessions.begin() as session:
        case_close.letter_archived(session, session.get_one(EnvelopeRow, voided_id),
                                   now=at + dt.timedelta(hours=3))
    assert counts(sessions, envelope_id)[0] == before[0]  # nothing more on the plan's chain
    assert len(voided_events(sessions, envelope_id)) == 1

    closekit.acknowledge(sessions, letter_id, AT_END + dt.timedelta(days=1))
    closekit.finalize(parts, AT_END + dt.timedelta(days=1, hours=1))
    with sessions() as session:
        case = session.get_one(CaseRow, envelope_id)
        assert (case.state, case.outcome) == ("closed", "not_met")
    assert trail(sessions, envelope_id)[-1][1]["letter_envelope_id"] == letter_id
    assert len(voided_events(sessions, envelope_id)) == 1


def _records(sessions, envelope_id):
    with sessions() as session:
        return list(svc.audit_trail(session, envelope_id))

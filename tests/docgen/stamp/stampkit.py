"""Completion data for the stamping tests: realistic envelopes, built in a few lines."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io

from pypdf import PdfReader, PdfWriter

from docgen import SIGNATURE_ANCHORS
from docgen.stamp import Comment, Completion, SignerEvent, SignerOutcome

UTC = dt.UTC
# The example plan's pages (tests/docgen/stamp/conftest.py): the signatures have its last
# page to themselves; the record's acknowledgement page follows, then the comments.
PLAN_PAGES = 7
SIGNATURES = PLAN_PAGES  # page numbers count from 1
ACKNOWLEDGEMENT = PLAN_PAGES + 1
ANCHOR = SIGNATURE_ANCHORS["employee"]
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1")
STATEMENT = ("I confirm that I have received this Performance Improvement Plan and that it has "
             "been explained to me. My signature confirms receipt and understanding, not "
             "agreement.")
CONSENT = ("I agree to receive this plan and the records about it electronically, and that "
           "typing my name and pressing the button has the same effect as signing by hand.")
AUDIT_HEAD = "4be1f0c9a7d35e2286b0c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9"

# The employee's comments: markup-looking text, right-to-left Arabic, Chinese, Cyrillic.
MARKUP = ("Literal, not markup: <b>bold</b> <script>alert(1)</script> **not bold** "
          "_not italic_ {{ 7*7 }} {% if x %} {nb} &amp; [link](http://example.com)")
ARABIC = "أوافق على الأهداف، لكن التدريب لم يكن متاحًا في الوقت المحدد."
CHINESE = "我同意这些目标，但是第二级支持的响应时间需要改进。"
CYRILLIC = "Я согласна с целями, но прошу учесть мою нагрузку в декабре."
COMMENTS = (
    "I accept the goals, but the 90% escalation target depends on Tier 2 answering "
    "within a day, which has not been the case since November.\n\n" + MARKUP,
    f"{ARABIC}\n{CHINESE}\n{CYRILLIC}",
)


EMAILS = {"Léa Brändli": "lea.braendli@alpengluehn.example",
          "Jürg Baumann": "juerg.baumann@alpengluehn.example",
          "Sofía Castellanos": "sofia.castellanos@alpengluehn.example"}


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, minute, second, tzinfo=UTC)


def signer(role: str, name: str, decision: str = "acknowledged", *, day: int = 12,
           ip: str = "203.0.113.7", agent: str = CHROME, **fields) -> SignerOutcome:
    decided = at(day, 9, 14, 3) if decision != "no_response" else None
    events = [SignerEvent("sent", at(11, 8, 0, 0)),
              SignerEvent("email delivered", at(11, 8, 0, 40)),
              SignerEvent("viewed", at(11, 17, 40, 12), ip, agent)]
    if decided:
        events.append(SignerEvent("refused" if decision == "refused" else decision, decided,
                                  ip, agent))
    else:
        events.append(SignerEvent("no response", at(25, 0, 0, 0)))
    values = {"typed_name": name, "statement": STATEMENT} if decision == "acknowledged" else {}
    values.update(fields)
    email = EMAILS.get(name, "someone@example.com")
    return SignerOutcome(role=role, name=name, email=email, anchor=SIGNATURE_ANCHORS[role],
                         decision=decision, decided_at=decided, events=tuple(events), **values)


def completion(original: bytes, *signers: SignerOutcome, outcome: str = "completed",
               comments: tuple[Comment, ...] = ()) -> Completion:
    return Completion(
        envelope_id="env_7Hq2mXb9KpL4", plan_id="PIP-2027-0111-CS",
        title="Performance Improvement Plan for Léa Brändli", company="Alpenglühn Mobile AG",
        outcome=outcome, original_sha256=hashlib.sha256(original).hexdigest(),
        completed_at=at(25 if outcome == "expired" else 14, 0 if outcome == "expired" else 10,
                        0 if outcome == "expired" else 2, 31 if outcome != "expired" else 0),
        consent_text=CONSENT, audit_head_hash=AUDIT_HEAD, signers=signers, comments=comments)


def acknowledged(original: bytes, *, comments: tuple[str, ...] = COMMENTS) -> Completion:
    """Everyone acknowledged; the employee commented."""
    return completion(
        original,
        signer("employee", "Léa Brändli"),
        signer("manager", "Jürg Baumann", day=13, ip="198.51.100.23", agent=SAFARI),
        signer("hr", "Sofía Castellanos", day=14, ip="192.0.2.44"),
        comments=tuple(Comment("Léa Brändli", "employee", at(12, 9, 10 + i), text)
                       for i, text in enumerate(comments)))


REASON = ("I do not agree that my escalations were late: the ticket system was down on "
          "8 and 9 December. <i>I will not sign.</i>")


def refused(original: bytes) -> Completion:
    """The employee refused in a meeting; the manager recorded it with a witness."""
    return completion(
        original,
        signer("employee", "Léa Brändli", "refused", reason=REASON, witness="Anna Keller",
               recorded_by="Jürg Baumann"),
        signer("manager", "Jürg Baumann", day=13, ip="198.51.100.23", agent=SAFARI),
        signer("hr", "Sofía Castellanos", day=14, ip="192.0.2.44"))


def expired(original: bytes) -> Completion:
    """The employee never responded; the envelope expired."""
    return completion(
        original,
        signer("employee", "Léa Brändli", "no_response"),
        signer("manager", "Jürg Baumann", day=13, ip="198.51.100.23", agent=SAFARI),
        signer("hr", "Sofía Castellanos", "no_response"),
        outcome="expired")


def replace(value, **changes):
    return dataclasses.replace(value, **changes)


def without_attachments(pdf: bytes) -> bytes:
    """A record as plansign made them before it attached the audit trail."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    del writer.root_object["/Names"]
    del writer.root_object["/AF"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

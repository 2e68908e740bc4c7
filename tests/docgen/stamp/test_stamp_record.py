"""The final record, read back as a person would: with pdfplumber and pdftotext.

The plan is a real PDF from LibreOffice (made once per session); no part of stamping is
mocked.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import unicodedata
from collections import Counter

import pdfplumber
import pytest
from pypdf import PdfReader

from docgen import SIGNATURE_ANCHORS
from docgen.stamp import Comment, Stamped, find_anchors, stamp
from tests.docgen.stamp import stampkit as kit
from tests.pdftext import pdf_text

OUR_FONTS = "MPDFAA+"  # fpdf2's subset tag: the fonts stamping embeds
ARABIC_WORD = re.compile(r"[\u0620-\u064a\u066e-\u06d3]+")
RECORD_LINE = re.compile(r".*Final record of envelope (\S+)\b.*")
PAGE_NUMBER = re.compile(r"(?i)\bpage (\d+) of (\d+)\b")


def squash(text: str) -> str:
    """Text without whitespace and without the direction marks pdftotext puts around
    right-to-left runs, in NFKC (pdftotext returns Arabic presentation forms as such)."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


def page_text(pdf: bytes, page: int) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return doc.pages[page - 1].extract_text() or ""


def lines_of(pdf: bytes, page: int) -> list[dict]:
    """The page's text lines (pdfplumber), each with its box."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return doc.pages[page - 1].extract_text_lines()


@pytest.fixture(scope="module")
def acknowledged(plan_pdf) -> tuple[Stamped, object]:
    completion = kit.acknowledged(plan_pdf)
    return stamp(plan_pdf, completion), completion


# -- the original is untouched -----------------------------------------------------------


def test_the_final_pdf_is_the_original_plus_an_incremental_update(plan_pdf, acknowledged):
    stamped, _ = acknowledged
    assert stamped.pdf[:len(plan_pdf)] == plan_pdf
    assert hashlib.sha256(stamped.pdf[:len(plan_pdf)]).hexdigest() == kit.acknowledged(
        plan_pdf).original_sha256


def test_every_character_of_the_original_pages_is_where_it_was(plan_pdf, acknowledged):
    stamped, _ = acknowledged
    with pdfplumber.open(io.BytesIO(plan_pdf)) as before, \
            pdfplumber.open(io.BytesIO(stamped.pdf)) as after:
        assert len(after.pages) > len(before.pages)
        for old, new in zip(before.pages, after.pages, strict=False):
            was = [(c["text"], round(c["x0"], 1), round(c["top"], 1)) for c in old.chars]
            now = {(c["text"], round(c["x0"], 1), round(c["top"], 1)) for c in new.chars}
            assert was and all(c in now for c in was), f"page {old.page_number} changed"


def test_original_page_content_streams_are_kept_as_they_were(plan_pdf, acknowledged):
    stamped, _ = acknowledged
    before, after = PdfReader(io.BytesIO(plan_pdf)), PdfReader(io.BytesIO(stamped.pdf))
    for old, new in zip(before.pages, after.pages, strict=False):
        old_ref = old.raw_get("/Contents").idnum
        new_refs = [ref.idnum for ref in new["/Contents"]]
        assert old_ref in new_refs  # the original stream object itself, not a copy
        assert old.get_contents().get_data() == after.get_object(old_ref).get_data()


# -- stamps beside their anchors ---------------------------------------------------------


def visible(page):
    """The page without the original's space characters: LibreOffice draws a fill-in
    line as underlined spaces, which would split the words written on it."""
    return page.filter(lambda obj: obj.get("object_type") != "char" or not obj["text"].isspace()
                       or obj["fontname"].startswith(OUR_FONTS))


def words_near(pdf: bytes, page: int, *, right_of: float, top: float, bottom: float,
               left_of: float = 10_000) -> list[dict]:
    """Words (with their font) between two x positions and two heights."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words = visible(doc.pages[page - 1]).extract_words(extra_attrs=["fontname", "size"])
    return [w for w in words if w["x0"] > right_of and w["x1"] <= left_of
            and w["top"] >= top and w["bottom"] <= bottom]


def joined(words: list[dict]) -> str:
    return " ".join(w["text"] for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])))


@pytest.mark.parametrize(("role", "name"), [("employee", "Léa Brändli"),
                                            ("manager", "Jürg Baumann"),
                                            ("hr", "Sofía Castellanos")])
def test_each_signature_sits_on_its_line_right_of_its_anchor(plan_pdf, acknowledged, role,
                                                             name):
    stamped, _ = acknowledged
    anchor = find_anchors(plan_pdf, [SIGNATURE_ANCHORS[role]])[SIGNATURE_ANCHORS[role]]
    assert anchor.line is not None
    signature = words_near(stamped.pdf, anchor.page + 1, right_of=anchor.x1,
                           left_of=anchor.line.x1, top=anchor.top - 20,
                           bottom=anchor.line.bottom + 8)
    assert joined(signature) == name
    assert all("DancingScript" in w["fontname"] for w in signature)
    # Written on the line, as by hand: the baseline just above it, level with the anchor.
    for word in signature:
        assert word["x0"] >= anchor.line.x0
        assert abs(word["bottom"] - anchor.baseline) < 6


def test_decision_time_and_certificate_page_are_beside_the_line(plan_pdf, acknowledged):
    stamped, completion = acknowledged
    anchors = find_anchors(plan_pdf, SIGNATURE_ANCHORS.values())
    for signer in completion.signers:
        anchor = anchors[signer.anchor]
        small = words_near(stamped.pdf, kit.SIGNATURES, right_of=anchor.line.x1,
                           top=anchor.line.top - 20, bottom=anchor.line.top + 20)
        assert joined(small) == (f"Acknowledged {signer.decided_at.day} Jan 2027, 09:14 UTC "
                                 f"Certificate p. {stamped.certificate_page}")


def test_dates_go_on_the_date_lines(plan_pdf, acknowledged):
    stamped, _ = acknowledged
    with pdfplumber.open(io.BytesIO(stamped.pdf)) as doc:
        lines = visible(doc.pages[kit.SIGNATURES - 1]).extract_text_lines()
    dates = [line["text"] for line in lines if line["text"].startswith("Date:")]
    assert dates == ["Date: 12 January 2027", "Date: 13 January 2027", "Date: 14 January 2027"]


def test_stamps_cover_nothing_of_the_original(plan_pdf, acknowledged):
    stamped, _ = acknowledged
    with pdfplumber.open(io.BytesIO(plan_pdf)) as before, \
            pdfplumber.open(io.BytesIO(stamped.pdf)) as after:
        old = [c for c in before.pages[kit.SIGNATURES - 1].chars if not c["text"].isspace()]
        added = [c for c in after.pages[kit.SIGNATURES - 1].chars
                 if c["fontname"].startswith(OUR_FONTS)]
        assert len(added) > 100
        for char in added:
            for mine in old:
                overlap = (char["x0"] < mine["x1"] - 0.5 and mine["x0"] < char["x1"] - 0.5
                           and char["top"] < mine["bottom"] - 0.5
                           and mine["top"] < char["bottom"] - 0.5)
                assert not overlap, (char["text"], mine["text"], char["top"])


# -- the footer on every page ------------------------------------------------------------


def test_every_page_has_the_record_footer_below_the_original_footer(plan_pdf, acknowledged):
    stamped, completion = acknowledged
    with pdfplumber.open(io.BytesIO(plan_pdf)) as before, \
            pdfplumber.open(io.BytesIO(stamped.pdf)) as after:
        for number, page in enumerate(after.pages, 1):
            footers = [line for line in page.extract_text_lines()
                       if RECORD_LINE.fullmatch(line["text"])]
            assert len(footers) == 1, number
            footer = footers[0]
            assert RECORD_LINE.fullmatch(footer["text"]).group(1) == completion.envelope_id
            assert footer["bottom"] <= page.height - 5  # on the paper, not cut off
            if number <= len(before.pages):
                original = before.pages[number - 1]
                lowest = max(c["bottom"] for c in original.chars)
                assert footer["top"] > lowest, f"page {number}: footer overlaps the original"


def test_every_page_shows_one_page_number_and_it_is_right(plan_pdf, acknowledged, tmp_path):
    """The plan's pages keep their own "Page 6 of 6" and get no second number; the
    record's pages continue the file's count, so the stamps' "Certificate p. 9" is
    found where it says."""
    stamped, _ = acknowledged
    originals = len(PdfReader(io.BytesIO(plan_pdf)).pages)
    total = len(PdfReader(io.BytesIO(stamped.pdf)).pages)
    path = tmp_path / "final.pdf"
    path.write_bytes(stamped.pdf)
    for number in range(1, total + 1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(path),
                               "-"], capture_output=True, text=True, check=True).stdout
        found = PAGE_NUMBER.findall(" ".join(text.split()))
        expected = (number, originals) if number <= originals else (number, total)
        assert [tuple(map(int, f)) for f in found] == [expected], (number, found)
    last_plan_page = " ".join(page_text(stamped.pdf, originals).split())
    assert (f"the plan as sent is on pages 1–{originals}; the record follows on pages "
            f"{originals + 1}–{total}") in last_plan_page
    certificate = " ".join(page_text(stamped.pdf, stamped.certificate_page).split())
    assert f"Page {stamped.certificate_page} of {total}" in certificate


# -- the appended pages ------------------------------------------------------------------


def test_acknowledgement_page_holds_each_decision_and_statement(acknowledged):
    stamped, completion = acknowledged
    text = squash(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT))
    assert squash("Acknowledgement record") in text
    for signer in completion.signers:
        assert squash(signer.name) in text
        assert squash(f"Acknowledged on {signer.decided_at.day} January 2027, 09:14 UTC") in text
    assert squash(kit.STATEMENT) in text


def test_comments_are_verbatim_in_every_script_and_never_markup(acknowledged):
    stamped, _ = acknowledged
    text = pdf_text(stamped.pdf)
    for paragraph in (*kit.COMMENTS[0].split("\n"), kit.CHINESE, kit.CYRILLIC):
        assert squash(paragraph) in squash(text), paragraph
    assert "{{ 7*7 }}" in text and "<b>bold</b>" in text and "{nb}" in text
    # Right-to-left text: pdftotext rebuilds reading order itself, puts punctuation
    # between runs where it sees fit, and returns a ligature's letters (lam-alef) in
    # drawing order (it does so for LibreOffice's PDFs too). So Arabic is compared
    # word by word, each word as its letters.
    assert arabic_words(kit.ARABIC) <= arabic_words(text)


def arabic_words(text: str) -> Counter:
    """The Arabic words in ``text``, each as its sorted base letters (marks left out)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return Counter("".join(sorted(word)) for word in ARABIC_WORD.findall(text))


def test_certificate_holds_ids_hashes_addresses_and_browsers(acknowledged):
    stamped, completion = acknowledged
    reader = PdfReader(io.BytesIO(stamped.pdf))
    pages = range(stamped.certificate_page, len(reader.pages) + 1)
    text = squash("".join(page_text(stamped.pdf, p) for p in pages))
    assert squash("Certificate of completion") in squash(page_text(stamped.pdf,
                                                                   stamped.certificate_page))
    for value in (completion.envelope_id, completion.plan_id, completion.original_sha256,
                  completion.audit_head_hash, completion.consent_text):
        assert squash(value) in text
    for signer in completion.signers:
        for value in (signer.name, signer.email, signer.role if signer.role != "hr" else "HR"):
            assert squash(value).lower() in text.lower()
        for event in signer.events:
            assert squash(event.at.strftime("%Y-%m-%d %H:%M:%S UTC")) in text
            if event.ip:
                assert event.ip in text
            if event.user_agent:
                assert squash(event.user_agent) in text


def test_the_certificate_page_is_the_one_the_stamps_name(acknowledged):
    stamped, _ = acknowledged
    assert page_text(stamped.pdf, stamped.certificate_page).count("Certificate of completion")
    assert "Certificate of completion" not in page_text(stamped.pdf,
                                                        stamped.certificate_page - 1)
    assert stamped.notes == ()


# -- refusals, expiry, a template without a signature line -------------------------------


def test_a_refusal_recorded_in_a_meeting_names_manager_witness_and_reason(plan_pdf):
    completion = kit.refused(plan_pdf)
    stamped = stamp(plan_pdf, completion)
    anchor = find_anchors(plan_pdf, [kit.ANCHOR])[kit.ANCHOR]
    headline = words_near(stamped.pdf, kit.SIGNATURES, right_of=anchor.x1, left_of=anchor.line.x1,
                          top=anchor.top - 20, bottom=anchor.line.bottom + 8)
    # The manager recorded it: the line does not say the employee refused on their own.
    assert joined(headline) == "Refusal to sign recorded"
    assert all(abs(w["bottom"] - anchor.baseline) < 6 for w in headline)
    text = squash(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT))
    assert squash("Refusal to sign recorded on 12 January 2027, 09:14 UTC") in text
    assert squash("recorded by Jürg Baumann (manager) in a meeting with Léa Brändli, "
                  "witnessed by Anna Keller") in text
    assert squash("What was recorded as the employee's words") in text
    assert squash("Reason given") not in text
    assert squash(kit.REASON) in text  # "<i>" and all, as typed
    # nothing was signed
    assert "Date: 12 January 2027" not in page_text(stamped.pdf, kit.SIGNATURES)


def test_an_expired_envelope_says_no_response(plan_pdf):
    completion = kit.expired(plan_pdf)
    stamped = stamp(plan_pdf, completion)
    anchors = find_anchors(plan_pdf, SIGNATURE_ANCHORS.values())
    for role in ("employee", "hr"):
        anchor = anchors[SIGNATURE_ANCHORS[role]]
        headline = words_near(stamped.pdf, kit.SIGNATURES, right_of=anchor.x1,
                              left_of=anchor.line.x1, top=anchor.top - 20,
                              bottom=anchor.line.bottom + 8)
        assert joined(headline) == "No response"
        small = words_near(stamped.pdf, kit.SIGNATURES, right_of=anchor.line.x1,
                           top=anchor.line.top - 20, bottom=anchor.line.top + 20)
        assert joined(small) == (f"No response as of 25 Jan 2027, 00:00 UTC Certificate p. "
                                 f"{stamped.certificate_page}")
    text = squash(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT))
    assert squash("Expired on 25 January 2027, 00:00 UTC") in text
    assert squash("Léa Brändli had not responded when the envelope expired") in text
    certificate = squash(page_text(stamped.pdf, stamped.certificate_page))
    assert squash("Expired, 2027-01-25 00:00:00 UTC") in certificate


def test_a_missing_anchor_puts_the_stamp_on_the_acknowledgement_page(no_hr_pdf):
    completion = kit.acknowledged(no_hr_pdf)
    stamped = stamp(no_hr_pdf, completion)
    assert stamped.notes == (
        "no 'HR representative signature:' anchor in the document; its stamp is on the "
        "acknowledgement page",)
    assert SIGNATURE_ANCHORS["hr"] not in pdf_text(no_hr_pdf)
    reader = PdfReader(io.BytesIO(no_hr_pdf))
    acknowledgement = len(reader.pages) + 1
    lines = [line["text"] for line in lines_of(stamped.pdf, acknowledgement)]
    assert "Sofía Castellanos" in lines  # the script signature, on its own line
    assert f"Certificate p. {stamped.certificate_page}" in lines
    # The others are still stamped beside their anchors.
    anchor = find_anchors(no_hr_pdf, [kit.ANCHOR])[kit.ANCHOR]
    assert joined(words_near(stamped.pdf, kit.SIGNATURES, right_of=anchor.x1,
                             left_of=anchor.line.x1, top=anchor.top - 20,
                             bottom=anchor.line.bottom + 8)) == "Léa Brändli"


# -- long comments -----------------------------------------------------------------------


def test_a_20000_character_comment_runs_over_pages_in_order(plan_pdf):
    words = ("escalation", "tickets", "Tier", "response", "support", "customer", "training",
             "goals")
    long = " ".join(f"{words[i % len(words)]}{i}" for i in range(2600))[:20000]
    chinese = "".join(kit.CHINESE for _ in range(160))[:5000]
    completion = kit.acknowledged(plan_pdf, comments=(long, chinese))
    stamped = stamp(plan_pdf, completion)
    text = squash(pdf_text(stamped.pdf, body_only=True)).replace(
        squash("Employee comments (continued)"), "")
    assert squash(long) in text
    assert squash(chinese) in text
    # The comments start on the page after the acknowledgement and run over several.
    first = next(p for p in range(kit.ACKNOWLEDGEMENT, 30)
                 if "Employee comments" in page_text(stamped.pdf, p))
    assert first == kit.ACKNOWLEDGEMENT + 1
    assert stamped.certificate_page - first >= 4
    assert "Employee comments (continued)" in page_text(stamped.pdf, first + 1)


def test_comment_authors_other_than_the_employee_get_a_plain_heading(plan_pdf):
    completion = kit.replace(kit.acknowledged(plan_pdf), comments=(
        Comment("Jürg Baumann", "manager", kit.at(13, 8), "Noted; see you on Tuesday."),))
    stamped = stamp(plan_pdf, completion)
    lines = page_text(stamped.pdf, kit.ACKNOWLEDGEMENT + 1).splitlines()
    assert "Comments" in lines and "Employee comments" not in lines
    assert "Jürg Baumann (Manager)" in lines

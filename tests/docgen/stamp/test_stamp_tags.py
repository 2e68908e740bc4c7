"""The final record is a tagged PDF: the plan's own tags kept, the record's pages and
stamps tagged, so a screen reader reads them; checked with poppler and pypdf.

The original here is made by LibreOffice with its tagged PDF export (``UseTaggedPDF``),
run as its command line with a private profile.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from docgen.convert._worker import FONTCONFIG_FILE
from docgen.stamp import stamp
from tests.docgen.stamp import stampkit as kit
from tests.docgen.stamp.conftest import _docx

TAGGED_EXPORT = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
_MARKED = re.compile(rb"/(\w+) <</MCID (\d+)>> BDC")


@pytest.fixture(scope="module")
def tagged_plan_pdf(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("tagged")
    (folder / "plan.docx").write_bytes(_docx())
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless", "--norestore", "--convert-to", TAGGED_EXPORT,
                    "--outdir", str(folder), str(folder / "plan.docx")],
                   check=True, capture_output=True, timeout=180,
                   env={**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG_FILE)})
    pdf = (folder / "plan.pdf").read_bytes()
    assert "Tagged:          yes" in pdfinfo(pdf, folder)
    return pdf


@pytest.fixture(scope="module")
def tagged_final(tagged_plan_pdf) -> bytes:
    return stamp(tagged_plan_pdf, kit.acknowledged(tagged_plan_pdf)).pdf


def pdfinfo(pdf: bytes, folder: Path, *options: str) -> str:
    path = folder / "probe.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", *options, str(path)], capture_output=True, text=True,
                          check=True).stdout


def test_the_final_pdf_is_tagged_and_keeps_the_plans_own_tags(tagged_plan_pdf, tagged_final,
                                                              tmp_path):
    assert "Tagged:          yes" in pdfinfo(tagged_final, tmp_path)
    before = pdfinfo(tagged_plan_pdf, tmp_path, "-struct-text")
    after = pdfinfo(tagged_final, tmp_path, "-struct-text")
    # The plan's structure, whole and first; the record's after it, in the same Document.
    assert after.startswith(before)
    added = after[len(before):]
    assert added.startswith('  Sect "Record of completion"')


def test_the_added_pages_text_is_in_the_structure_tree(tagged_plan_pdf, tagged_final,
                                                       tmp_path):
    before = pdfinfo(tagged_plan_pdf, tmp_path, "-struct-text")
    added = pdfinfo(tagged_final, tmp_path, "-struct-text")[len(before):]
    completion = kit.acknowledged(tagged_plan_pdf)
    flat = " ".join(re.findall(r'"(.*)"', added))
    for heading in ("Acknowledgement record", "Employee comments", "Certificate of completion"):
        assert re.search(rf'H1 \(block\)\n\s+"{heading}"', added), heading
    for text in (kit.STATEMENT, completion.consent_text, completion.audit_head_hash,
                 *(s.name for s in completion.signers), "Signers and events"):
        assert " ".join(text.split()) in " ".join(flat.split()) or text in added, text
    # The event tables are tables: a header row of TH, rows of TD.
    assert re.search(r"Table \(block\)\n\s+TR\n\s+TH", added)
    assert '"Time (UTC)"' in added and '"203.0.113.7"' in added
    # The stamps on the signature lines are read too.
    assert re.search(r'P \(block\)\n\s+"Léa Brändli"\n\s+"Acknowledged"', added)
    # Page furniture is not: the record's line, page numbers, running headers.
    for furniture in ("Final record of envelope", "Page 7 of", "Confidential"):
        assert furniture not in added


def test_every_marked_sequence_leads_back_to_its_element(tagged_plan_pdf, tagged_final):
    """Through the page's (or overlay form's) StructParents entry in the ParentTree, each
    MCID names the element whose /K holds it; and the plan's own entries are kept."""
    reader = PdfReader(io.BytesIO(tagged_final))
    original = PdfReader(io.BytesIO(tagged_plan_pdf))
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    parents = _number_tree(tree["/ParentTree"])
    kept = _number_tree(original.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"])
    for key, value in kept.items():
        assert _ids(parents[key]) == _ids(value), key
    checked = 0
    for index, page in enumerate(reader.pages):
        holders = [page] if index >= len(original.pages) else []
        overlay = page["/Resources"]["/XObject"]["/PlansignRecord"].get_object()
        holders.append(overlay)
        for holder in holders:
            data = (holder.get_contents().get_data() if holder is page
                    else holder.get_data())
            found = _MARKED.findall(data)
            if not found:
                continue
            entry = parents[int(holder["/StructParents"])].get_object()
            assert len(entry) == len(found)
            for kind, mcid in found:
                element = entry[int(mcid)].get_object()
                assert element["/S"] == "/" + kind.decode()
                references = [k.get_object() for k in element["/K"]]
                mine = [r for r in references if isinstance(r, DictionaryObject)
                        and r.get("/MCID") == int(mcid)
                        and r.raw_get("/Pg").idnum == page.indirect_reference.idnum]
                assert len(mine) == 1
                assert ("/Stm" in mine[0]) == (holder is not page)
                checked += 1
    assert checked > 100
    assert int(tree["/ParentTreeNextKey"]) > max(parents)


def _ids(value) -> object:
    """An entry of the ParentTree by the object numbers it points to."""
    resolved = value.get_object()
    if isinstance(resolved, ArrayObject):
        return [getattr(item, "idnum", None) for item in resolved]
    return getattr(value, "idnum", None)


def _number_tree(node) -> dict:
    node = node.get_object()
    found = {}
    nums = node.get("/Nums", ArrayObject())
    for key, value in zip(nums[0::2], nums[1::2], strict=True):
        found[int(key)] = value
    for kid in node.get("/Kids", ArrayObject()):
        found.update(_number_tree(kid))
    return found


def test_pdftotext_still_reads_the_record(tagged_final, tmp_path):
    path = tmp_path / "final.pdf"
    path.write_bytes(tagged_final)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Acknowledgement record" in text and "Certificate of completion" in text
    total = len(PdfReader(io.BytesIO(tagged_final)).pages)
    assert "Employee signature:" in text and f"Page {total} of {total}" in text


def test_an_untagged_plan_gets_tags_for_the_record_but_is_not_claimed_tagged(plan_pdf,
                                                                            tmp_path):
    """A reader told a PDF is tagged reads its tags only: the plan's untagged pages would
    go unread. So the record's tags are written, and the claim is left to the plan."""
    untagged = _untagged(plan_pdf)
    assert "Tagged:          no" in pdfinfo(untagged, tmp_path)
    final = stamp(untagged, kit.acknowledged(untagged)).pdf
    assert "Tagged:          no" in pdfinfo(final, tmp_path)
    assert '"Certificate of completion"' in pdfinfo(final, tmp_path, "-struct-text")


def _untagged(pdf: bytes) -> bytes:
    """The plan as an older converter made it: no structure tree, not marked tagged."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for key in ("/MarkInfo", "/StructTreeRoot"):
        writer._root_object.pop(NameObject(key), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

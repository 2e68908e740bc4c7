"""Adding the record's tags to structure trees other than LibreOffice's: a ParentTree
split into leaves, a tree with several top elements, keys already used by annotations.

Each is made with pypdf, then added to as stamping does, in an incremental update."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)

from docgen.stamp.tagging import Element, Marked, Target, add_structure


def _element(writer: PdfWriter, kind: str, parent) -> object:
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject(kind),
        NameObject("/P"): parent}))


def tagged_writer(*, leaves: bool, tops: int, marked: bool = True) -> IncrementalPdfFileWriter:
    """Two pages; a structure tree whose ParentTree holds keys 0 (page 1) and 7 (an
    annotation's), as leaves under /Kids or as one /Nums."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(200, 200)
    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree)
    tops_refs = [_element(writer, "/Document" if tops == 1 else "/Sect", tree_ref)
                 for _ in range(tops)]
    tree[NameObject("/K")] = ArrayObject(tops_refs)
    first = ArrayObject([tops_refs[0]])
    nums = [NumberObject(0), writer._add_object(first), NumberObject(7), tops_refs[0]]
    if leaves:
        leaf = DictionaryObject({NameObject("/Limits"): ArrayObject([NumberObject(0),
                                                                     NumberObject(7)]),
                                 NameObject("/Nums"): ArrayObject(nums)})
        parent_tree = DictionaryObject({NameObject("/Kids"): ArrayObject(
            [writer._add_object(leaf)])})
    else:
        parent_tree = DictionaryObject({NameObject("/Nums"): ArrayObject(nums)})
    tree[NameObject("/ParentTree")] = writer._add_object(parent_tree)
    writer.pages[0][NameObject("/StructParents")] = NumberObject(0)
    writer.root_object[NameObject("/StructTreeRoot")] = tree_ref
    writer.root_object[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(marked)})
    return incremental(writer)


def incremental(writer: PdfWriter) -> IncrementalPdfFileWriter:
    """An incremental writer over what ``writer`` made, as stamping opens an original."""
    out = io.BytesIO()
    writer.write(out)
    return IncrementalPdfFileWriter(io.BytesIO(out.getvalue()))


def page(writer: IncrementalPdfFileWriter, index: int) -> Target:
    return Target(writer.find_page_for_modification(index)[0])


def record() -> Element:
    heading = Element("H1", [Marked(1, 0)])
    paragraph = Element("P", [Marked(1, 1), Marked(1, 2)])
    return Element("Sect", [heading, paragraph, Element("P")], title="Record of completion")


def reread(writer: IncrementalPdfFileWriter) -> PdfReader:
    out = io.BytesIO()
    writer.write(out)
    return PdfReader(io.BytesIO(out.getvalue()))


def entries(node) -> dict[int, object]:
    node = node.get_object()
    found = {}
    nums = node.get("/Nums", ArrayObject())
    for key, value in zip(nums[0::2], nums[1::2], strict=True):
        found[int(key)] = value
    for kid in node.get("/Kids", ArrayObject()):
        found.update(entries(kid))
    return found


def test_new_keys_follow_every_used_key_in_a_tree_of_leaves():
    writer = tagged_writer(leaves=True, tops=1)
    add_structure(writer, record(), lambda _: page(writer, 1))
    reader = reread(writer)
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    assert int(reader.pages[1]["/StructParents"]) == 8  # after the annotation's 7
    assert int(tree["/ParentTreeNextKey"]) == 9
    found = entries(tree["/ParentTree"])
    assert sorted(found) == [0, 7, 8]
    new_leaf = tree["/ParentTree"]["/Kids"][1]
    assert [int(k) for k in new_leaf["/Limits"]] == [8, 8]
    by_mcid = [e.get_object() for e in found[8].get_object()]
    assert [e["/S"] for e in by_mcid] == ["/H1", "/P", "/P"]
    assert by_mcid[1] is by_mcid[2] or by_mcid[1] == by_mcid[2]
    document = tree["/K"][0]
    section = document["/K"][-1]
    assert section["/S"] == "/Sect" and section["/T"] == "Record of completion"
    assert [kid["/S"] for kid in section["/K"]] == ["/H1", "/P"]  # the empty P is left out
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"].value is True


def test_a_tree_with_several_top_elements_gets_a_document_after_them():
    writer = tagged_writer(leaves=False, tops=2)
    add_structure(writer, record(), lambda _: page(writer, 1))
    tree = reread(writer).trailer["/Root"]["/StructTreeRoot"]
    kinds = [kid["/S"] for kid in tree["/K"]]
    assert kinds == ["/Sect", "/Sect", "/Document"]
    assert tree["/K"][2]["/K"][0]["/T"] == "Record of completion"
    assert sorted(entries(tree["/ParentTree"])) == [0, 7, 8]


def test_a_pdf_that_says_it_is_not_tagged_is_not_made_to_say_it_is():
    writer = tagged_writer(leaves=False, tops=1, marked=False)
    add_structure(writer, record(), lambda _: page(writer, 1))
    assert reread(writer).trailer["/Root"]["/MarkInfo"]["/Marked"].value is False


def test_an_untagged_pdf_gets_a_tree_but_no_claim_to_be_tagged():
    untagged = PdfWriter()
    untagged.add_blank_page(200, 200)
    writer = incremental(untagged)
    add_structure(writer, record(), lambda _: page(writer, 0))
    root = reread(writer).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is False
    tree = root["/StructTreeRoot"]
    assert tree["/K"][0]["/S"] == "/Document"
    assert sorted(entries(tree["/ParentTree"])) == [0]

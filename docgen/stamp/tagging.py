"""Tags for the pages stamping draws, so screen readers can read the record.

A tagged PDF says what its text is (a heading, a paragraph, a table cell) and in which
order it is read: each piece of text drawn is wrapped in a marked-content sequence
(``/P <</MCID 3>> BDC ... EMC``) that a structure element of the document's structure
tree points to, and the page's ``/StructParents`` entry leads from the sequence back to
its element through the tree's ``ParentTree``. What is not content (running headers
and footers, rules, the record's line on each page) is marked as an artifact, which
readers skip.

Drawing (:class:`docgen.stamp.document.RecordPdf`) records here which element each
sequence belongs to, by the drawing's own page numbers; :func:`add_structure` then
writes the elements into the final PDF, under the original's own structure tree (which
is kept whole) when the original is tagged, so the plan's tags and the record's read
as one document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pyhanko.pdf_utils.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    IndirectObject,
    NumberObject,
    PdfObject,
    TextStringObject,
    pdf_name,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


@dataclass(frozen=True)
class Marked:
    """One marked-content sequence: on which page of the drawing, with which MCID."""

    page: int  # 1-based, in the fpdf2 document
    mcid: int


@dataclass
class Element:
    """A structure element: its type (P, H1, Table, TD...) and its kids, in reading order."""

    type: str
    kids: list[Element | Marked] = field(default_factory=list)
    title: str | None = None
    lang: str | None = None  # BCP 47, for what is under it

    def marked(self) -> Iterator[tuple[Element, Marked]]:
        """Every marked-content sequence under this element, with the element it is in."""
        for kid in self.kids:
            if isinstance(kid, Marked):
                yield self, kid
            else:
                yield from kid.marked()

    def is_empty(self) -> bool:
        return not any(True for _ in self.marked())


@dataclass(frozen=True)
class Target:
    """Where the content of one page of the drawing ends up in the final PDF: on a page
    (an appended page's own content), or in a form XObject drawn on a page (an
    overlay)."""

    page: IndirectObject
    stream: IndirectObject | None = None  # the form XObject, for an overlay


def is_tagged(writer: IncrementalPdfFileWriter) -> bool:
    """True if the PDF says it is tagged and has a structure tree to add to."""
    root = writer.root
    mark_info = root.get("/MarkInfo")
    marked = mark_info.get_object().get("/Marked") if mark_info is not None else None
    # A BooleanObject is always truthy: its value says.
    return isinstance(marked, BooleanObject) and bool(marked.value) \
        and "/StructTreeRoot" in root


def add_structure(writer: IncrementalPdfFileWriter, record: Element,
                  targets: Callable[[int], Target]) -> None:
    """Add ``record`` to ``writer``'s structure tree, at the end of its document.

    ``targets`` maps a page of the drawing to where its content is in ``writer``. The
    original's structure tree, if it has one, is kept as it is, and only added to. The
    PDF is declared tagged only if the original was (a PDF whose own pages are untagged
    is not made to claim otherwise: a reader would then skip its untagged pages).
    """
    if record.is_empty():
        return
    was_tagged = is_tagged(writer)
    tree_ref = _tree_root(writer)
    tree = tree_ref.get_object()
    parent_ref = _document_element(writer, tree_ref)
    next_key = _next_key(tree)

    # One ParentTree entry per page or form that holds sequences: MCID -> element.
    keys: dict[tuple[int, int | None], int] = {}
    by_key: dict[int, dict[int, IndirectObject]] = {}

    def write(element: Element, parent: IndirectObject) -> IndirectObject:
        nonlocal next_key
        node = DictionaryObject({
            pdf_name("/Type"): pdf_name("/StructElem"),
            pdf_name("/S"): pdf_name(f"/{element.type}"),
            pdf_name("/P"): parent,
        })
        if element.title:
            node["/T"] = TextStringObject(element.title)
        if element.lang:
            node["/Lang"] = TextStringObject(element.lang)
        ref = writer.add_object(node)
        kids = ArrayObject()
        for kid in element.kids:
            if isinstance(kid, Element):
                if not kid.is_empty():
                    kids.append(write(kid, ref))
                continue
            target = targets(kid.page)
            where = (target.page.idnum, target.stream.idnum if target.stream else None)
            if where not in keys:
                keys[where] = next_key
                holder = (target.stream or target.page).get_object()
                assert isinstance(holder, DictionaryObject)  # a page or a form's stream
                holder["/StructParents"] = NumberObject(next_key)
                writer.update_container(holder)
                next_key += 1
            by_key.setdefault(keys[where], {})[kid.mcid] = ref
            reference = DictionaryObject({
                pdf_name("/Type"): pdf_name("/MCR"),
                pdf_name("/Pg"): target.page,
                pdf_name("/MCID"): NumberObject(kid.mcid),
            })
            if target.stream is not None:
                reference["/Stm"] = target.stream
            kids.append(reference)
        node["/K"] = kids
        first = next((k for k in element.kids if isinstance(k, Marked)), None)
        if first is not None:
            node["/Pg"] = targets(first.page).page
        return ref

    section = write(record, parent_ref)
    parent = parent_ref.get_object()
    parent_kids = parent.raw_get("/K") if "/K" in parent else None
    if parent_kids is None:
        parent["/K"] = ArrayObject([section])
    elif isinstance(parent_kids.get_object(), ArrayObject):
        parent_kids.get_object().append(section)
        writer.update_container(parent_kids.get_object())
    else:
        parent["/K"] = ArrayObject([parent_kids, section])
    writer.update_container(parent)

    entries: list[PdfObject] = []
    for key in sorted(by_key):
        mcids = by_key[key]
        entries += [NumberObject(key),
                    writer.add_object(ArrayObject(mcids[i] for i in range(max(mcids) + 1)))]
    _add_to_parent_tree(writer, tree, entries)
    tree["/ParentTreeNextKey"] = NumberObject(next_key)
    writer.update_container(tree)
    root = writer.root
    if not was_tagged and "/MarkInfo" not in root:
        # Structure for the record's pages only: said, but not claimed as a tagged PDF.
        root["/MarkInfo"] = DictionaryObject({pdf_name("/Marked"): BooleanObject(False)})
        writer.update_root()


def add_structure_to(pdf: bytes, structure: Element, placed: dict[int, int]) -> bytes:
    """``pdf`` with ``structure`` added to its structure tree (:func:`add_structure`), as
    an incremental update; ``placed`` maps each page of the drawing (1-based) to the page
    of ``pdf`` (0-based) it became."""
    import io

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pages = {number: writer.find_page_for_modification(index)[0]
             for number, index in placed.items()}
    add_structure(writer, structure, lambda number: Target(pages[number]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _tree_root(writer: IncrementalPdfFileWriter) -> IndirectObject:
    root = writer.root
    if "/StructTreeRoot" in root:
        existing = root.raw_get("/StructTreeRoot")
        if isinstance(existing, IndirectObject):
            return existing
    tree = writer.add_object(DictionaryObject({pdf_name("/Type"): pdf_name("/StructTreeRoot")}))
    root["/StructTreeRoot"] = tree
    writer.update_root()
    return tree


def _document_element(writer: IncrementalPdfFileWriter,
                      tree_ref: IndirectObject) -> IndirectObject:
    """The element the record's section goes under: the original's Document element
    when its tree has one at the top (as LibreOffice writes), else a new one."""
    tree = tree_ref.get_object()
    kids = tree.raw_get("/K") if "/K" in tree else None
    top = kids
    if top is not None and isinstance(top.get_object(), ArrayObject) \
            and len(top.get_object()) == 1:
        top = top.get_object().raw_get(0)
    if isinstance(top, IndirectObject) and isinstance(top.get_object(), DictionaryObject) \
            and top.get_object().get("/S") == "/Document":
        return top
    document = writer.add_object(DictionaryObject({
        pdf_name("/Type"): pdf_name("/StructElem"),
        pdf_name("/S"): pdf_name("/Document"),
        pdf_name("/P"): tree_ref,
    }))
    if kids is None:
        tree["/K"] = ArrayObject([document])
    else:
        # An original whose top has several elements: they stay first, in order.
        existing = kids.get_object()
        items = ArrayObject(existing.iterate()) if isinstance(existing, ArrayObject) \
            else ArrayObject([kids])
        items.append(document)
        tree["/K"] = items
    writer.update_container(tree)
    return document


def _next_key(tree: DictionaryObject) -> int:
    """The first ParentTree key no page, form or annotation of the original uses."""
    stated = tree.get("/ParentTreeNextKey")
    used = [int(k) for k in _keys(tree.get("/ParentTree"))]
    return max([int(stated.get_object()) if stated is not None else 0,
                *(k + 1 for k in used)])


def _keys(node: PdfObject | None) -> Iterator[int]:
    if node is None:
        return
    node = node.get_object()
    if not isinstance(node, DictionaryObject):
        return
    nums = node.get("/Nums")
    if nums is not None:
        yield from (int(k.get_object()) for k in list(nums.get_object().iterate())[0::2])
    kids = node.get("/Kids")
    for kid in (kids.get_object().iterate() if kids is not None else ()):
        yield from _keys(kid)


def _add_to_parent_tree(writer: IncrementalPdfFileWriter, tree: DictionaryObject,
                        entries: list[PdfObject]) -> None:
    if not entries:
        return
    existing = tree.get("/ParentTree")
    if existing is None:
        tree["/ParentTree"] = writer.add_object(
            DictionaryObject({pdf_name("/Nums"): ArrayObject(entries)}))
        return
    node = existing.get_object()
    assert isinstance(node, DictionaryObject)
    if "/Kids" in node:
        # A number tree with leaves: the new keys (all above the old ones) in a new leaf.
        leaf = DictionaryObject({
            pdf_name("/Limits"): ArrayObject([entries[0], entries[-2]]),
            pdf_name("/Nums"): ArrayObject(entries),
        })
        leaves = node["/Kids"]
        assert isinstance(leaves, ArrayObject)
        leaves.append(writer.add_object(leaf))
        writer.update_container(leaves)
        return
    nums = node.get("/Nums")
    if nums is None:
        node["/Nums"] = ArrayObject(entries)
        writer.update_container(node)
    else:
        nums.get_object().extend(entries)
        writer.update_container(nums.get_object())

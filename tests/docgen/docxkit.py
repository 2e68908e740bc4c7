"""Small .docx files made in the tests, paragraph by paragraph."""

from __future__ import annotations

import io

from docx import Document

DRAFT_MARK = "{% if plan.draft %}DRAFT: NOT FOR SIGNATURE{% endif %}"


def docx_with(*paragraphs: list[str] | str, table_rows: list[list[str]] | None = None,
              header: str | None = DRAFT_MARK) -> bytes:
    """A .docx whose paragraphs are given as run lists (a str is one run). Its header
    holds the DRAFT mark every template needs (``templates check`` T301), unless told
    otherwise."""
    document = Document()
    if header is not None:
        document.sections[0].header.paragraphs[0].add_run(header)
    for runs in paragraphs:
        p = document.add_paragraph()
        for text in [runs] if isinstance(runs, str) else runs:
            p.add_run(text)
    if table_rows:
        table = document.add_table(rows=0, cols=len(table_rows[0]))
        for row in table_rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

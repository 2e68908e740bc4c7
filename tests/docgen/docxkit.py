"""Small .docx files made in the tests, paragraph by paragraph."""

from __future__ import annotations

import io

from docx import Document


def docx_with(*paragraphs: list[str] | str, table_rows: list[list[str]] | None = None) -> bytes:
    """A .docx whose paragraphs are given as run lists (a str is one run)."""
    document = Document()
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

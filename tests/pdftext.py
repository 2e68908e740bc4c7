"""Reading a PDF's text as a person would, with poppler's pdftotext."""

from __future__ import annotations

import io
import subprocess

from pypdf import PdfReader

# Running headers and footers sit within this many points of the page edge.
MARGIN_BAND = 50


def pdf_text(pdf: bytes, *, body_only: bool = False) -> str:
    """The PDF's text in reading order; ``body_only`` leaves out the running header
    and footer so text that flows over a page break reads as one piece."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if body_only:
        box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        args += ["-r", "72", "-x", "0", "-y", str(MARGIN_BAND), "-W", str(int(box.width)),
                 "-H", str(int(box.height) - 2 * MARGIN_BAND)]
    result = subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")

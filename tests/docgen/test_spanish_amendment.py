"""Spanish names an amendment one way everywhere a person reads it: "adenda", as the
signer's pages, emails and records say it, the amended plan's page mark, the case
file's events and the console alike (never "modificación", which the case file once
said: a tribunal reading "adenda" on the signed page and "modificación" in the case file
asks whether they are two documents)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from docgen import Amendment, load_plan, render_plan, resolve_template
from tests.pdftext import pdf_text

ROOT = Path(__file__).resolve().parents[2]
SPANISH = [ROOT / "signing" / "translations" / "es" / "LC_MESSAGES" / f"{d}.po"
           for d in ("signer", "messages")] + [
    ROOT / "docgen" / "translations" / "es" / "LC_MESSAGES" / "docgen.po"]


@pytest.mark.parametrize("path", SPANISH, ids=lambda p: p.stem)
def test_every_spanish_message_of_an_amendment_says_adenda(path):
    with path.open("rb") as catalog:
        messages = [m for m in read_po(catalog, locale="es") if m.id]
    about = 0
    for message in messages:
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        spanish = message.string if isinstance(message.string, tuple) else (message.string,)
        if any(re.search(r"\bamendment\b", e, re.I) for e in english):
            about += 1
            assert all("adenda" in s.lower() for s in spanish), (english[0], spanish)
        assert not any(re.search(r"\bmodificaci[oó]n\b", s, re.I) for s in spanish), spanish
    assert about  # each catalog names amendments


def test_a_spanish_amended_plan_is_marked_adenda_on_every_page(converter):
    plan = load_plan(ROOT / "examples" / "support-agent-30d.yaml").model_copy(
        update={"language": "es"})
    docx = render_plan(plan, resolve_template("standard", language="es"), company_name="X",
                       amendment=Amendment(2, dt.date(2027, 1, 11)))
    pages = pdf_text(converter.convert(docx)).replace("\u00a0", " ").split("\f")[:-1]
    assert len(pages) > 3
    assert all("Adenda n.º 2 al plan del 11 de enero de 2027" in page for page in pages)
    assert not any("Modificación" in page for page in pages)

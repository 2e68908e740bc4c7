"""Write each language's Word templates from the English ones HR edit.

    python scripts/translate_templates.py [--out templates]

For every templates/NAME.docx (English), and every outcome letter
templates/letters/NAME.docx, it writes NAME.es.docx, NAME.fr.docx, NAME.de.docx and
NAME.ar.docx beside it (or in --out, letters in its letters/): the same document, styles and
layout, with each run's text replaced by its translation in scripts/template_words.py
(a run with no translation stops the script, naming it: nothing English is left in a
translated template; a run of Jinja tags alone is kept as it is, unless the words give a
language its own, as German's comma after a weekday), the document's language set, and
for Arabic the whole document right to left: every paragraph bidi, every table laid out
right to left (bidiVisual), complex-script bold and sizes on every run, and Noto Naskh
Arabic (Debian's fonts-noto-core) as the complex-script font.

This is how a translated template is made again after HR change the English one; HR may
also edit a translated template in Word directly (it is then theirs, as the English
ones are: rerunning this writes over it).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from template_words import ENTRIES, LETTER_TITLES, TITLES  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
LANGUAGE_TAGS = {"es": "es-ES", "fr": "fr-FR", "de": "de-DE", "ar": "ar-SA"}
ARABIC_FONT = "Noto Naskh Arabic"
LETTERS = "letters"  # the outcome letters' folder in the templates folder (docgen.letters)
_TAG = re.compile(r"\{[{%#].*?[}%#]\}", re.DOTALL)
_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml$")

# pPr children that come after w:bidi, in schema order (Word is strict about order).
_PPR_AFTER_BIDI = ("adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
                   "mirrorIndents", "suppressOverlap", "jc", "textDirection",
                   "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
                   "rPr", "sectPr", "pPrChange")
_TBLPR_AFTER_BIDI = ("tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
                     "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout",
                     "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange")
_RPR_AFTER_BCS = ("i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
                  "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
                  "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
                  "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
                  "lang", "eastAsianLayout", "specVanish", "oMath")


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _key(text: str) -> str:
    return text.replace("\u00a0", "~")


def _text(value: str) -> str:
    return value.replace("~", "\u00a0")


def needs_translation(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]", _TAG.sub("", text)))


def _insert_before(parent: etree._Element, child: etree._Element,
                   later: tuple[str, ...]) -> None:
    for i, existing in enumerate(parent):
        if etree.QName(existing).localname in later:
            parent.insert(i, child)
            return
    parent.append(child)


def _ensure(parent: etree._Element, tag: str, later: tuple[str, ...],
            first: bool = False) -> etree._Element:
    found = parent.find(q(tag))
    if found is None:
        found = etree.Element(q(tag))
        if first:
            parent.insert(0, found)
        else:
            _insert_before(parent, found, later)
    return found


def translate_part(xml: bytes, language: str, words: dict[str, str],
                   missing: list[str]) -> bytes:
    root = etree.fromstring(xml)
    for t in root.iter(q("t")):
        text = t.text or ""
        translated = words.get(_key(text))
        if not needs_translation(text) and translated is None:
            continue  # tags alone: as they are, unless the language writes them otherwise
        if translated is None:
            missing.append(text)
            continue
        t.text = _text(translated)
        if t.text != t.text.strip():
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    if language == "ar":
        _right_to_left(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _right_to_left(root: etree._Element) -> None:
    for p in root.iter(q("p")):
        ppr = p.find(q("pPr"))
        if ppr is None:
            ppr = etree.Element(q("pPr"))
            p.insert(0, ppr)
        _ensure(ppr, "bidi", _PPR_AFTER_BIDI)
    for tblpr in root.iter(q("tblPr")):
        _ensure(tblpr, "bidiVisual", _TBLPR_AFTER_BIDI)
    for rpr in root.iter(q("rPr")):
        _complex_script(rpr)


def _complex_script(rpr: etree._Element) -> None:
    """Bold and size apply to Arabic only as their complex-script twins (bCs, szCs)."""
    if rpr.find(q("b")) is not None and rpr.find(q("bCs")) is None:
        _insert_before(rpr, etree.Element(q("bCs")), _RPR_AFTER_BCS)
    size = rpr.find(q("sz"))
    if size is not None and rpr.find(q("szCs")) is None:
        szcs = etree.Element(q("szCs"))
        szcs.set(q("val"), size.get(q("val")))
        size.addnext(szcs)


def translate_styles(xml: bytes, language: str) -> bytes:
    root = etree.fromstring(xml)
    tag = LANGUAGE_TAGS[language]
    for lang in root.iter(q("lang")):
        lang.set(q("val"), tag if language != "ar" else "en-GB")
        lang.set(q("bidi"), "ar-SA")
    if language == "ar":
        for fonts in root.iter(q("rFonts")):
            fonts.set(q("cs"), ARABIC_FONT)
        for rpr in root.iter(q("rPr")):
            _complex_script(rpr)
        defaults = root.find(f"{q('docDefaults')}/{q('pPrDefault')}")
        if defaults is not None:
            ppr = _ensure(defaults, "pPr", (), first=True)
            _ensure(ppr, "bidi", _PPR_AFTER_BIDI)
        for style in root.iter(q("style")):
            if style.get(q("type")) == "paragraph":
                ppr = style.find(q("pPr"))
                if ppr is not None:
                    _ensure(ppr, "bidi", _PPR_AFTER_BIDI)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def translate_core(xml: bytes, title: str) -> bytes:
    root = etree.fromstring(xml)
    for element in root.iter("{http://purl.org/dc/elements/1.1/}title"):
        element.text = _text(title)  # "~" is a no-break space here too
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def translate(source: Path, language: str) -> tuple[bytes, list[str]]:
    name = source.name.split(".")[0]
    narrow = f"{language}@{name}"
    # A letter's document title is its own ("Outcome of your ... : extended"), a plan's
    # the plan's.
    title = LETTER_TITLES[name][language] if name in LETTER_TITLES else TITLES[language]
    words = {_key(en): by_language.get(narrow, by_language[language])
             for en, by_language in ENTRIES}
    missing: list[str] = []
    zin = zipfile.ZipFile(source)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if _PARTS.match(info.filename):
                data = translate_part(data, language, words, missing)
            elif info.filename == "word/styles.xml":
                data = translate_styles(data, language)
            elif info.filename == "docProps/core.xml":
                data = translate_core(data, title)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            zout.writestr(entry, data)
    return out.getvalue(), list(dict.fromkeys(missing))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=Path, default=ROOT / "templates",
                        help="folder of the English NAME.docx templates")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write NAME.LANG.docx (default: beside them)")
    parser.add_argument("--languages", default=",".join(LANGUAGE_TAGS))
    args = parser.parse_args(argv)
    out = args.out or args.templates
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    sources = [p for p in [*sorted(args.templates.glob("*.docx")),
                           *sorted((args.templates / LETTERS).glob("*.docx"))]
               if p.name.count(".") == 1]
    for source in sources:
        folder = out / LETTERS if source.parent.name == LETTERS else out
        folder.mkdir(parents=True, exist_ok=True)
        for language in args.languages.split(","):
            data, missing = translate(source, language)
            if missing:
                failed = True
                for text in missing:
                    print(f"{source.name} ({language}): no translation for {text!r}",
                          file=sys.stderr)
                continue
            target = folder / f"{source.stem}.{language}.docx"
            target.write_bytes(data)
            print(f"wrote {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

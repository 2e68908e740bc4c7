"""Checks a Word template before any plan is rendered with it.

Word's editing habits break Jinja tags in ways that only show at render time, if at all:
a tag split across runs by spell-check or a formatting change, typographic quotes typed
by AutoCorrect inside ``{% %}``, a loop in a plain paragraph that leaves a blank line per
item, a tag broken over two paragraphs. This module finds them, plus Jinja syntax
errors and variables the plan context does not provide.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docx import Document
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree

from docgen.lint import Severity
from docgen.render import not_a_docx, template_environment

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_OPENERS = re.compile(r"\{\{|\{%|\{#")
_CLOSERS = re.compile(r"\}\}|%\}|#\}")
_BLOCK = re.compile(r"^\{%-?\s*(for|endfor|if|elif|else|endif|with|endwith|set)\b")
# docxtpl turns these into straight quotes inside tags; the others break the tag.
_REPAIRED_QUOTES = "“”‘’"
_BROKEN_QUOTES = "„‚«»‹›〝〞＂"


@dataclass(frozen=True)
class TemplateFinding:
    code: str
    severity: Severity
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity} {self.code} {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": str(self.severity), "where": self.where,
                "message": self.message}


@dataclass(frozen=True)
class _Paragraph:
    where: str
    runs: list[str]
    in_table_row: bool

    @property
    def text(self) -> str:
        return "".join(self.runs)


def check_template(
    template: Path | bytes, sample_context: dict[str, Any] | None = None
) -> list[TemplateFinding]:
    """Every problem in a template. With a sample context (a real plan's), variables the
    template uses that the context lacks are reported, down to attributes. A template
    that uses ``letter`` is an outcome letter, checked against a sample letter's context
    (:func:`docgen.letters.sample_letter_context`) in the sample plan's language instead
    of a plan's."""
    data = template if isinstance(template, bytes) else Path(template).read_bytes()
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for bad files
        return [TemplateFinding("T001", Severity.ERROR, "file", not_a_docx(exc))]
    paragraphs = list(_paragraphs(document))
    findings = [f for p in paragraphs for f in _check_paragraph(p)]
    findings += _check_promises(paragraphs)
    findings += _check_jinja(data, sample_context)
    return findings


# What a plan with lint errors must not say unless lint passed (see plan.lint_passed).
# In every language plansign has templates in (docgen.doclang.LANGUAGES).
_QUALITY_CLAIMS = re.compile(
    r"specific and measurable|measured as stated|\bSMART\b"
    r"|específico y medible|se mide tal como se indica"
    r"|précis et mesurable|mesuré comme indiqué"
    r"|spezifisch und messbar|wie angegeben gemessen"
    r"|محدد وقابل للقياس|يُقاس كل هدف على النحو المبيَّن", re.I)
_WEEKLY_MILESTONES = re.compile(
    r"\bweekly milestones?\b|hitos semanales|jalons hebdomadaires"
    r"|wöchentliche meilensteine|المراحل الأسبوعية", re.I)


def _check_promises(paragraphs: list[_Paragraph]) -> Iterator[TemplateFinding]:
    """What the documents must say or must not say whatever the plan: a forced plan is
    marked DRAFT on every page, claims of quality depend on lint, and milestones are
    called weekly only when they are."""
    running = [p for p in paragraphs if not p.where.startswith("body")]
    if not any("plan.draft" in p.text for p in running):
        yield TemplateFinding(
            "T301", Severity.WARNING, "header",
            "the header and footer never show plan.draft, so a plan generated with --force "
            "despite lint errors would not be marked DRAFT on every page; add "
            "{%p if plan.draft %}DRAFT: NOT FOR SIGNATURE{%p endif %} to the header")
    for p in paragraphs:
        claim = _QUALITY_CLAIMS.search(p.text)
        if claim and "plan.lint_passed" not in p.text:
            yield TemplateFinding(
                "T302", Severity.WARNING, p.where,
                f'"{claim.group()}" is claimed for every plan, also one generated with lint '
                "errors; put it inside {% if plan.lint_passed %} ... {% endif %}")
        if _WEEKLY_MILESTONES.search(_TAG.sub("", p.text)):
            yield TemplateFinding(
                "T303", Severity.WARNING, p.where,
                "milestones are called weekly whatever their dates; write "
                "{{ milestones.heading }} instead")


def _paragraphs(document: Any) -> Iterator[_Paragraph]:
    parts = [("body", document.element.body)]
    for n, section in enumerate(document.sections, 1):
        for kind in ("header", "footer", "first_page_header", "first_page_footer",
                     "even_page_header", "even_page_footer"):
            part = getattr(section, kind)
            if not part.is_linked_to_previous:
                parts.append((f"{kind.replace('_', ' ')} of section {n}", part._element))
    for label, element in parts:
        for i, p in enumerate(element.iter(qn("w:p")), 1):
            runs = ["".join(t.text or "" for t in r.iter(qn("w:t"))) for r in p.iter(qn("w:r"))]
            in_row = any(a.tag == qn("w:tr") for a in p.iterancestors())
            yield _Paragraph(f"{label}, paragraph {i}", runs, in_row)


def _check_paragraph(p: _Paragraph) -> Iterator[TemplateFinding]:
    text = p.text
    snippet = _shorten(text)
    if len(_OPENERS.findall(text)) != len(_CLOSERS.findall(text)):
        yield TemplateFinding(
            "T101", Severity.ERROR, p.where,
            f"a tag is opened or closed but not both in this paragraph ({snippet}); "
            "a tag must not be broken over two paragraphs")
    bounds = _run_bounds(p.runs)
    for match in _TAG.finditer(text):
        tag = match.group()
        if _runs_spanned(bounds, match.start(), match.end()) > 1:
            yield TemplateFinding(
                "T102", Severity.WARNING, p.where,
                f"{_shorten(tag)} is split across several runs (spell-check marks or a "
                "formatting change inside it); select the tag, clear its formatting and retype it")
        broken = [c for c in tag if c in _BROKEN_QUOTES]
        if broken:
            yield TemplateFinding(
                "T103", Severity.ERROR, p.where,
                f"{_shorten(tag)} contains the typographic quote {broken[0]}; use straight "
                "quotes (\" or ') inside tags")
        elif any(c in _REPAIRED_QUOTES for c in tag):
            yield TemplateFinding(
                "T104", Severity.WARNING, p.where,
                f"{_shorten(tag)} contains curly quotes from AutoCorrect; they are repaired "
                "when rendering, but turn off smart quotes and retype them to be safe")
        block = _BLOCK.match(tag)
        if block and text.strip() == tag.strip():
            prefix = "tr" if p.in_table_row else "p"
            yield TemplateFinding(
                "T105", Severity.WARNING, p.where,
                f"{_shorten(tag)} stands alone in a paragraph, which leaves an empty line in "
                f"the document; write it as {{%{prefix} {block.group(1)} ... %}}")


def _check_jinja(data: bytes, sample_context: dict[str, Any] | None) -> list[TemplateFinding]:
    doc = DocxTemplate(io.BytesIO(data))
    env = template_environment()
    try:
        variables = doc.get_undeclared_template_variables(jinja_env=env)
    except jinja2.TemplateSyntaxError as exc:
        near = _shorten(re.sub(r"<[^>]+>", "", exc.source.splitlines()[exc.lineno - 1])
                        if exc.source and exc.lineno else "")
        return [TemplateFinding("T201", Severity.ERROR, f"near {near}" if near else "template",
                                f"Jinja syntax error: {exc.message}")]
    if sample_context is None:
        return []
    if "letter" in variables and "letter" not in sample_context:
        # An outcome letter (templates/letters/): checked against a sample letter, which
        # has the plan's context and the letter's.
        from docgen.letters import sample_letter_context

        plan = sample_context.get("plan")
        language = plan.get("language") if isinstance(plan, dict) else None
        # In the language the plan's sample is in (the template's, as `templates check`
        # reads it from the file's name), so its dates and words are that language's.
        sample_context = sample_letter_context(language=language or "en")
    findings = []
    for name in sorted(variables - set(sample_context)):
        findings.append(TemplateFinding(
            "T202", Severity.ERROR, "template",
            f"unknown variable {name}{_suggest(name, sample_context)}; "
            "see templates/VARIABLES.md for the names a template may use"))
    if findings:
        return findings
    # Escaping is judged once the template renders at all.
    return _trial_render(data, sample_context) or _check_escaping(data, sample_context)


# Plan text a template must print as text, never as Word markup: a name that closes the
# run and opens another, and every character XML gives a meaning.
_HOSTILE = "</w:t></w:r><w:r><w:t>&amp; <b> \"O'Neill\" & Co."
_UNESCAPED = re.compile(r"\|\s*safe\b|autoescape\s+false", re.I)


def _check_escaping(data: bytes, context: dict[str, Any]) -> list[TemplateFinding]:
    """Plan text reaches the document escaped: no ``|safe`` or ``autoescape false`` in
    the template, and a plan whose every text holds markup renders to a valid document
    that shows that markup as text."""
    text = "".join(t.text or "" for t in etree.fromstring(_document_xml(data)).iter())
    if _UNESCAPED.search(text):
        return [TemplateFinding("T204", Severity.ERROR, "template",
                                "the template turns autoescaping off (|safe or autoescape "
                                "false): plan text could become Word markup; remove it")]
    doc = DocxTemplate(io.BytesIO(data))
    try:
        doc.render(_hostile(context), jinja_env=template_environment(), autoescape=True)
        out = io.BytesIO()
        doc.save(out)
        rendered = etree.fromstring(_document_xml(out.getvalue()))
    except (jinja2.TemplateError, etree.LxmlError, ValueError) as exc:
        return [TemplateFinding("T204", Severity.ERROR, "template",
                                f"plan text with markup in it breaks the document ({exc})")]
    shown = "".join(t.text or "" for t in rendered.iter("{*}t"))
    if "</w:t></w:r><w:r><w:t>" not in shown and _TAG.search(text):
        return [TemplateFinding("T204", Severity.ERROR, "template",
                                "plan text became Word markup: a field is not escaped")]
    return []


def _document_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read("word/document.xml")


def _hostile(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _hostile(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v) for v in value]
    if isinstance(value, str) and value and key not in ("language", "anchor"):
        return value + _HOSTILE
    return value


def _trial_render(data: bytes, context: dict[str, Any]) -> list[TemplateFinding]:
    """Render against a real context, collecting every attribute that is not there."""
    missing: list[str] = []

    class Recording(jinja2.ChainableUndefined):
        def __init__(self, hint: str | None = None, obj: Any = jinja2.utils.missing,
                     name: str | None = None,
                     exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError) -> None:
            super().__init__(hint, obj, name, exc)
            if name is not None and isinstance(obj, dict):
                missing.append(f"{name}" + _suggest(name, obj))

    env = template_environment(undefined=Recording)
    doc = DocxTemplate(io.BytesIO(data))
    try:
        doc.render(context, jinja_env=env, autoescape=True)
    except jinja2.TemplateError as exc:
        return [TemplateFinding("T203", Severity.ERROR, "template",
                                f"rendering a sample plan failed: {exc}")]
    return [
        TemplateFinding("T202", Severity.ERROR, "template",
                        f"unknown attribute {m}; see templates/VARIABLES.md")
        for m in dict.fromkeys(missing)
    ]


def _suggest(name: str, options: dict[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _run_bounds(runs: list[str]) -> list[int]:
    bounds, total = [], 0
    for run in runs:
        total += len(run)
        bounds.append(total)
    return bounds


def _runs_spanned(bounds: list[int], start: int, end: int) -> int:
    first = next(i for i, b in enumerate(bounds) if b > start)
    last = next(i for i, b in enumerate(bounds) if b >= end)
    # Runs with no text (bookmarks, proofing marks) between the two don't matter.
    return 1 + sum(1 for i in range(first + 1, last + 1) if bounds[i] > bounds[i - 1])


def _shorten(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."

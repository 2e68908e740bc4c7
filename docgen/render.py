"""Filling a Word template with a plan's context (docxtpl) and producing .docx bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from docgen.doclang import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    checked_language,
    end_sentence,
    long_date,
    short_date,
    weekday_name,
)
from docgen.errors import TemplateError
from docgen.logo import Logo
from docgen.resources import package_path

# The Word templates HR edit live in the top-level templates/ folder; docgen/templates
# links to it, so a wheel carries them as docgen's package data (README, Architecture).
BUILTIN_TEMPLATES = package_path("docgen", "templates")


def _language(context: Any) -> str:
    plan = context.get("plan") if context is not None else None
    language = plan.get("language") if isinstance(plan, dict) else None
    return language if isinstance(language, str) and language in LANGUAGES else "en"


def longdate(value: dt.date | None, language: str = DEFAULT_LANGUAGE) -> str:
    """``1 December 2026``: unambiguous in every English-speaking country; in the
    document's own language otherwise (``1 de diciembre de 2026``)."""
    return "" if value is None else long_date(value, language)


def shortdate(value: dt.date | None, language: str = DEFAULT_LANGUAGE) -> str:
    return "" if value is None else short_date(value, language)


def weekday(value: dt.date | None, language: str = DEFAULT_LANGUAGE) -> str:
    return "" if value is None else weekday_name(value, language)


# The filters templates use: each reads the document's language from the context.


@jinja2.pass_context
def _longdate_filter(context: Any, value: dt.date | None) -> str:
    return longdate(value, _language(context))


@jinja2.pass_context
def _shortdate_filter(context: Any, value: dt.date | None) -> str:
    return shortdate(value, _language(context))


@jinja2.pass_context
def _weekday_filter(context: Any, value: dt.date | None) -> str:
    return weekday(value, _language(context))


@jinja2.pass_context
def nobreak(context: Any, value: Any) -> str:
    """The value as it prints, with non-breaking spaces: ``Issued: 6 December 2026`` is
    never split over two lines."""
    shown = _finalize(context, value)
    return str(shown).replace(" ", "\u00a0")


def endsentence(value: Any) -> str:
    """The value with a full stop after it, unless it has one ("Analytics, Inc.")."""
    return "" if value is None or value == "" else end_sentence(str(value))


@jinja2.pass_context
def _finalize(context: Any, value: Any) -> Any:
    # A missing optional field prints nothing rather than "None"; a date prints as
    # people read it rather than as ISO.
    if value is None:
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return long_date(value, _language(context))
    return value


FILTERS = {"longdate": _longdate_filter, "shortdate": _shortdate_filter,
           "weekday": _weekday_filter, "nobreak": nobreak, "endsentence": endsentence}


def template_environment(
    undefined: type[jinja2.Undefined] = jinja2.StrictUndefined,
) -> jinja2.Environment:
    """The Jinja environment every template is rendered (and checked) with.

    Autoescaping is on: user text reaches Word XML as text, so ``&`` or ``<w:t>`` in a
    plan can never become markup. Sandboxed: a template is a document someone edited in
    Word, and must not be able to reach Python.
    """
    env = SandboxedEnvironment(autoescape=True, finalize=_finalize, undefined=undefined)
    env.filters.update(FILTERS)
    return env


# docxtpl ships no types, so its class is Any to mypy; subclassing it is the point here.
class _CachingDocxTemplate(DocxTemplate):  # type: ignore[misc]
    """docxtpl cleans each part's XML with some thirty regular expressions and compiles
    it with ``from_string`` on every render; both cost more than rendering itself and
    give the same result for the same template, so both are kept per XML text.
    Document properties are left as they are."""

    def patch_xml(self, src_xml: str) -> str:
        return _patch_xml(src_xml)

    def render_xml_part(self, src_xml: str, part: Any, context: dict[str, Any],
                        jinja_env: jinja2.Environment | None = None) -> str:
        cached = _CompiledCache(jinja_env) if jinja_env is not None else None
        rendered: str = super().render_xml_part(src_xml, part, context, cached)
        return rendered

    def render_properties(self, context: dict[str, Any],
                          jinja_env: jinja2.Environment | None = None) -> None:
        # Document properties (title, author) are plain text HR set in Word; rendering
        # them through the autoescaping environment would turn O'Neill into O&#39;Neill.
        return None


class _CompiledCache:
    """Stands in for the environment docxtpl is given, memoising ``from_string``."""

    def __init__(self, env: jinja2.Environment) -> None:
        self._env = env

    def from_string(self, source: str) -> jinja2.Template:
        return _compile(self._env, source)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._env, name)


@lru_cache(maxsize=64)
def _patch_xml(src_xml: str) -> str:
    patched: str = DocxTemplate.patch_xml(None, src_xml)  # uses nothing of the instance
    return patched


@lru_cache(maxsize=64)
def _compile(env: jinja2.Environment, source: str) -> jinja2.Template:
    return env.from_string(source)


def resolve_template(name_or_path: str | Path, templates_dir: Path = BUILTIN_TEMPLATES,
                     language: str = DEFAULT_LANGUAGE) -> Path:
    """A template by name (``standard``) from the templates folder, or by path, in
    ``language`` (:func:`localized_template`)."""
    candidate = Path(name_or_path)
    if candidate.suffix.lower() == ".docx" or candidate.parent != Path("."):
        path = candidate
    else:
        path = templates_dir / f"{name_or_path}.docx"
    if not path.is_file():
        known = ", ".join(template_names(templates_dir)) or "none"
        # A name is looked for in the server's templates folder, whose path is none of
        # the caller's business (an API client names templates); a path was theirs.
        where = "" if path is candidate else " in the templates folder"
        raise TemplateError(f"template {name_or_path} not found{where}; "
                            f"known templates: {known}")
    return localized_template(path, language)


def template_names(templates_dir: Path) -> list[str]:
    """The named templates of a folder: ``standard``, not each of its languages."""
    return sorted({template_language_split(p)[0] for p in templates_dir.glob("*.docx")})


def template_language_split(path: Path) -> tuple[str, str]:
    """``standard.fr.docx`` is (``standard``, ``fr``); ``standard.docx`` is English."""
    stem = path.name[: -len(".docx")] if path.name.lower().endswith(".docx") else path.stem
    base, dot, suffix = stem.rpartition(".")
    if dot and suffix.lower() in LANGUAGES:
        return base, suffix.lower()
    return stem, DEFAULT_LANGUAGE


def template_language(path: Path) -> str:
    """The language a template file is written in, by its name."""
    return template_language_split(path)[1]


def localized_template(path: Path, language: str) -> Path:
    """The version of the template at ``path`` written in ``language``: ``NAME.docx`` is
    English and ``NAME.fr.docx`` beside it French. A template in another language than
    the plan's is never used in its place: an employee must be able to read the plan."""
    language = checked_language(language)
    base, current = template_language_split(path)
    if current == language:
        return path
    wanted = path.with_name(f"{base}.docx" if language == DEFAULT_LANGUAGE
                            else f"{base}.{language}.docx")
    if not wanted.is_file():
        raise TemplateError(f"template {base} has no {LANGUAGE_NAMES[language]} version "
                            f"({wanted.name}); add one beside {path.name}, or send the "
                            f"plan in a language it has")
    return wanted


def not_a_docx(exc: BaseException) -> str:
    """What is wrong with a file python-docx cannot open, for template checks and
    rendering alike: damaged, not a zip, or XML that lxml refuses (a DTD whose entities
    expand without bound, say)."""
    return f"not a Word .docx file ({type(exc).__name__}); save it as .docx"


_ENV = template_environment()


LOGO_HEIGHT_MM = 9.0  # the header's logo: as tall as two lines of its text
LOGO_MAX_WIDTH_MM = 45.0


def render_docx(template: Path | bytes, context: dict[str, Any]) -> bytes:
    """Render a .docx template (path or bytes) with a context; return the .docx bytes."""
    source = io.BytesIO(template) if isinstance(template, bytes) else str(template)
    doc = _CachingDocxTemplate(source)
    try:
        context = _with_images(doc, context)
        doc.render(context, jinja_env=_ENV, autoescape=True)
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, etree.LxmlError) as exc:
        name = "the template" if isinstance(template, bytes) else f"template {Path(template).name}"
        raise TemplateError(f"{name} is {not_a_docx(exc)}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"the template has a Jinja syntax error: {exc.message}; "
            "run `plansign templates check` on it"
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"the template uses a variable the plan does not provide: {exc.message}; "
            "run `plansign templates check` on it"
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"the template could not be rendered: {exc}") from None
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _with_images(doc: Any, context: dict[str, Any]) -> dict[str, Any]:
    """The context with the company's logo as an image of this document (docxtpl's
    InlineImage belongs to one template object)."""
    company = context.get("company")
    if not isinstance(company, dict) or not isinstance(company.get("logo"), Logo):
        return context
    logo: Logo = company["logo"]
    height = LOGO_HEIGHT_MM
    if logo.width_for_height(height) > LOGO_MAX_WIDTH_MM:  # a wide wordmark
        height = LOGO_MAX_WIDTH_MM * logo.height_px / logo.width_px
    image = InlineImage(doc, io.BytesIO(logo.png), height=Mm(height))
    return {**context, "company": {**company, "logo": image}}

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
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from docgen.errors import TemplateError
from docgen.resources import package_path

# The Word templates HR edit live in the top-level templates/ folder; docgen/templates
# links to it, so a wheel carries them as docgen's package data (README, Architecture).
BUILTIN_TEMPLATES = package_path("docgen", "templates")


def longdate(value: dt.date | None) -> str:
    """``1 December 2026``: unambiguous in every English-speaking country."""
    return "" if value is None else f"{value.day} {value:%B %Y}"


def shortdate(value: dt.date | None) -> str:
    return "" if value is None else f"{value.day} {value:%b %Y}"


def weekday(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%A}"


def nobreak(value: Any) -> str:
    """The value as it prints, with non-breaking spaces: ``Issued: 6 December 2026`` is
    never split over two lines."""
    shown = _finalize(value)
    return str(shown).replace(" ", "\u00a0")


def _finalize(value: Any) -> Any:
    # A missing optional field prints nothing rather than "None"; a date prints as
    # people read it rather than as ISO.
    if value is None:
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return longdate(value)
    return value


FILTERS = {"longdate": longdate, "shortdate": shortdate, "weekday": weekday,
           "nobreak": nobreak}


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


def resolve_template(name_or_path: str | Path, templates_dir: Path = BUILTIN_TEMPLATES) -> Path:
    """A template by name (``standard``) from the templates folder, or by path."""
    candidate = Path(name_or_path)
    if candidate.suffix.lower() == ".docx" or candidate.parent != Path("."):
        path = candidate
    else:
        path = templates_dir / f"{name_or_path}.docx"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in templates_dir.glob("*.docx"))) or "none"
        # A name is looked for in the server's templates folder, whose path is none of
        # the caller's business (an API client names templates); a path was theirs.
        where = "" if path is candidate else " in the templates folder"
        raise TemplateError(f"template {name_or_path} not found{where}; "
                            f"known templates: {known}")
    return path


def not_a_docx(exc: BaseException) -> str:
    """What is wrong with a file python-docx cannot open, for template checks and
    rendering alike: damaged, not a zip, or XML that lxml refuses (a DTD whose entities
    expand without bound, say)."""
    return f"not a Word .docx file ({type(exc).__name__}); save it as .docx"


_ENV = template_environment()


def render_docx(template: Path | bytes, context: dict[str, Any]) -> bytes:
    """Render a .docx template (path or bytes) with a context; return the .docx bytes."""
    source = io.BytesIO(template) if isinstance(template, bytes) else str(template)
    doc = _CachingDocxTemplate(source)
    try:
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

"""The exceptions docgen raises. Every one derives from :class:`DocgenError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docgen.lint import Finding


class DocgenError(Exception):
    """Base class of every error docgen raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, tied to where it is."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PlanError(DocgenError):
    """Plan data that cannot be used. Carries one :class:`Problem` per fault and, where
    the rest of the plan could be linted (:func:`docgen.lint_data`), its findings, so that
    one round of fixes covers both."""

    def __init__(self, problems: list[Problem], source: str | None = None,
                 findings: list[Finding] | None = None) -> None:
        self.problems = problems
        self.source = source
        self.findings = findings or []
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(str(p) for p in problems))


class TemplateError(DocgenError):
    """A template that cannot be used to render a plan."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


class LintFailed(DocgenError):
    """A plan with lint errors was given to generation without ``force``."""

    def __init__(self, findings: list[Finding], source: str | None = None) -> None:
        self.findings = findings
        self.source = source
        count = sum(1 for f in findings if str(f.severity) == "error")
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{count} lint error(s)")


class BuildFailed(DocgenError):
    """Rendering or converting one plan of a batch failed; names the plan."""

    def __init__(self, source: str, error: DocgenError) -> None:
        self.source = source
        self.error = error
        super().__init__(f"{source}: {error}")


class ConversionError(DocgenError):
    """LibreOffice could not turn a document into PDF."""


class ConversionTimeout(ConversionError):
    """LibreOffice did not finish converting the document in time, on any try."""

    def __init__(self, message: str, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(message)


class ConverterUnavailable(ConversionError):
    """LibreOffice (or its Python UNO bridge) is not installed or will not start."""

"""docgen: plan data in, linted Word and PDF Performance Improvement Plans out.

Pure functions over data and bytes; the only outside process it drives is LibreOffice.
"""

import importlib
from typing import Any

from docgen.context import SIGNATURE_ANCHORS, plan_context
from docgen.convert import ConverterPool
from docgen.errors import (
    BuildFailed,
    ConversionError,
    ConverterUnavailable,
    DocgenError,
    LintFailed,
    PlanError,
    Problem,
    TemplateError,
)
from docgen.files import write_atomic
from docgen.generate import FORMATS, Job, Output, build, build_many, check, render_plan
from docgen.lint import RULES, Finding, Severity, lint
from docgen.loading import load_plan, load_plan_text, plan_from_data
from docgen.model import Plan
from docgen.render import BUILTIN_TEMPLATES, render_docx, resolve_template
from docgen.sample import sample_plan
from docgen.schedule import Schedule, schedule_for
from docgen.templatecheck import TemplateFinding, check_template

# docgen.seal's names are re-exported lazily: importing pyHanko takes about 0.4 s, which
# every `plansign lint` or `generate` would otherwise pay without ever sealing.
# `seal` is the package docgen.seal itself, which is callable as its seal function.
_SEAL_NAMES = frozenset({
    "SealError",
    "SealReport",
    "SealingKey",
    "create_self_signed",
    "load_sealing_key",
    "sealing_key_for",
    "validate",
})


def __getattr__(name: str) -> Any:
    if name == "seal":
        return importlib.import_module("docgen.seal")
    if name in _SEAL_NAMES:
        return getattr(importlib.import_module("docgen.seal"), name)
    raise AttributeError(f"module 'docgen' has no attribute {name!r}")


__all__ = [
    "BUILTIN_TEMPLATES",
    "FORMATS",
    "RULES",
    "SIGNATURE_ANCHORS",
    "BuildFailed",
    "ConversionError",
    "ConverterPool",
    "ConverterUnavailable",
    "DocgenError",
    "Finding",
    "Job",
    "LintFailed",
    "Output",
    "Plan",
    "PlanError",
    "Problem",
    "Schedule",
    "SealError",
    "SealReport",
    "SealingKey",
    "Severity",
    "TemplateError",
    "TemplateFinding",
    "build",
    "build_many",
    "check",
    "check_template",
    "create_self_signed",
    "lint",
    "load_plan",
    "load_plan_text",
    "load_sealing_key",
    "plan_context",
    "plan_from_data",
    "render_docx",
    "render_plan",
    "resolve_template",
    "sample_plan",
    "schedule_for",
    "seal",
    "sealing_key_for",
    "validate",
    "write_atomic",
]

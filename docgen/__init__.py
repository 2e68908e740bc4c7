"""docgen: plan data in, linted Word and PDF Performance Improvement Plans out.

Pure functions over data and bytes; the only outside process it drives is LibreOffice.
"""

from docgen.context import SIGNATURE_ANCHORS, Amendment, plan_context
from docgen.convert import ConverterPool
from docgen.errors import (
    BuildFailed,
    ConversionError,
    ConversionTimeout,
    ConverterUnavailable,
    DocgenError,
    LintFailed,
    PlanError,
    Problem,
    TemplateError,
)
from docgen.files import StagedFiles, write_atomic, write_once
from docgen.generate import FORMATS, Job, Output, build, build_many, check, render_plan
from docgen.lint import RULES, Finding, Severity, lint
from docgen.lintdata import DataLint, lint_data
from docgen.loading import load_plan, load_plan_data, load_plan_text, plan_from_data
from docgen.model import Plan
from docgen.render import BUILTIN_TEMPLATES, render_docx, resolve_template
from docgen.sample import sample_plan
from docgen.schedule import Schedule, schedule_for
from docgen.size import PlanLimits
from docgen.stamp import (
    Anchor,
    Comment,
    Completion,
    SignerEvent,
    SignerOutcome,
    Stamped,
    StampError,
    find_anchors,
    stamp,
)
from docgen.templatecheck import TemplateFinding, check_template

# docgen.seal (the PAdES seal) is imported by name where it is used, not from here:
# importing pyHanko takes about 0.4 s, which `plansign lint` or `generate` would pay
# without ever sealing.


__all__ = [
    "BUILTIN_TEMPLATES",
    "FORMATS",
    "RULES",
    "SIGNATURE_ANCHORS",
    "Amendment",
    "Anchor",
    "BuildFailed",
    "Comment",
    "Completion",
    "ConversionError",
    "ConversionTimeout",
    "ConverterPool",
    "ConverterUnavailable",
    "DataLint",
    "DocgenError",
    "Finding",
    "Job",
    "LintFailed",
    "Output",
    "Plan",
    "PlanError",
    "PlanLimits",
    "Problem",
    "Schedule",
    "Severity",
    "SignerEvent",
    "SignerOutcome",
    "StagedFiles",
    "StampError",
    "Stamped",
    "TemplateError",
    "TemplateFinding",
    "build",
    "build_many",
    "check",
    "check_template",
    "find_anchors",
    "lint",
    "lint_data",
    "load_plan",
    "load_plan_data",
    "load_plan_text",
    "plan_context",
    "plan_from_data",
    "render_docx",
    "render_plan",
    "resolve_template",
    "sample_plan",
    "schedule_for",
    "stamp",
    "write_atomic",
    "write_once",
]

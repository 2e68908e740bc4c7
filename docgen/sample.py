"""A complete plan that fills every field, for checking templates and for tests."""

from __future__ import annotations

from functools import cache

from docgen.loading import load_plan
from docgen.model import Plan
from docgen.resources import package_path

SAMPLE_PLAN_PATH = package_path("docgen", "sample-plan.yaml")
#: The example plans (the top-level examples/ folder, which docgen/examples links to):
#: the demo generates them and sends one.
EXAMPLES = package_path("docgen", "examples")


@cache
def sample_plan() -> Plan:
    return load_plan(SAMPLE_PLAN_PATH)

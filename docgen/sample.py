"""A complete plan that fills every field, for checking templates and for tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from docgen.loading import load_plan
from docgen.model import Plan

SAMPLE_PLAN_PATH = Path(__file__).with_name("sample-plan.yaml")


@cache
def sample_plan() -> Plan:
    return load_plan(SAMPLE_PLAN_PATH)

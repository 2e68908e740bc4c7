"""templates/VARIABLES.md lists exactly the variables the context provides."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docgen import Amendment, plan_context, sample_plan
from docgen.letters import sample_letter_context

VARIABLES_MD = Path(__file__).resolve().parents[2] / "templates" / "VARIABLES.md"


def leaves(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict) and value:
        return {leaf for key, item in value.items()
                for leaf in leaves(item, f"{prefix}.{key}" if prefix else key)}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return leaves(value[0], f"{prefix}[]")
    return {prefix}


def test_variables_md_matches_the_context():
    plan = sample_plan()
    context = plan_context(plan, company_name="X", amendment=Amendment(1, plan.timeline.start))
    context["letter"] = sample_letter_context()["letter"]
    documented = re.findall(r"^\| `([\w.\[\]]+)` \|", VARIABLES_MD.read_text(), re.M)
    assert len(documented) == len(set(documented)), "a variable is listed twice"
    assert set(documented) == leaves(context)

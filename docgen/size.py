"""How big a plan may be: its text in all before it is converted, and its pages after.

The model bounds each field and list (docgen.model); these bound the whole, so that a
plan nobody would read never ties up LibreOffice, and a refusal names the fields to
shorten. Pure functions over a plan and bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from docgen.errors import PlanError, Problem
from docgen.model import Plan

LONGEST_NAMED = 3  # fields a refusal names, longest first


@dataclass(frozen=True)
class PlanLimits:
    """``max_chars``: characters of text in the whole plan (checked before rendering);
    ``max_pages``: pages of its PDF."""

    max_chars: int
    max_pages: int


def text_lengths(plan: Plan) -> list[tuple[str, int]]:
    """Every text field of the plan, as its path (``goals[2].statement``) and length,
    longest first."""
    found: list[tuple[str, int]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str):
            found.append((path, len(value)))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(plan.model_dump(mode="json", by_alias=True, exclude_none=True), "")
    return sorted(found, key=lambda field: -field[1])


def check_text_size(plan: Plan, limits: PlanLimits, *, source: str | None = None) -> None:
    """Refuse a plan whose text in all is over ``limits.max_chars``, naming its longest
    fields: it would never be converted in good time, nor read."""
    lengths = text_lengths(plan)
    total = sum(length for _, length in lengths)
    if total > limits.max_chars:
        raise too_big(lengths, f"the plan holds {total:,} characters of text; a plan may "
                               f"hold at most {limits.max_chars:,} (max_plan_chars)",
                      source=source)


def check_page_count(plan: Plan, pdf: bytes, limits: PlanLimits, *,
                     source: str | None = None) -> None:
    """Refuse a plan whose PDF runs past ``limits.max_pages``, naming its longest fields."""
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if pages > limits.max_pages:
        raise too_big(text_lengths(plan), f"the plan runs to {pages} pages; a plan may have "
                                          f"at most {limits.max_pages} (max_plan_pages)",
                      source=source)


def too_slow(plan: Plan, seconds: float, *, source: str | None = None) -> PlanError:
    """The error for a plan LibreOffice could not convert in time: almost always one too
    long, so it names the fields to shorten rather than asking to try again later."""
    return too_big(text_lengths(plan), f"LibreOffice could not convert the plan within "
                                       f"{seconds:g} s; it is most likely too long",
                   source=source)


def too_big(lengths: list[tuple[str, int]], what: str, *,
            source: str | None = None) -> PlanError:
    """A :class:`PlanError`: what is too big, then the longest fields by path."""
    longest = lengths[:LONGEST_NAMED]
    named = "; shorten its longest fields, named below" if longest else ""
    return PlanError([Problem("", f"{what}{named}"),
                      *(Problem(path, f"is {length:,} characters long, one of the plan's "
                                      "longest fields")
                        for path, length in longest)], source)

"""Lint over plan data that is not valid yet: both lists at once.

A plan whose data has an error (a date that does not parse, a missing field) is not a
:class:`~docgen.model.Plan`, and the lint rules take plans. HR fixing a draft still want
to hear that goal 2 is vague while goal 1's date is wrong, so :func:`lint_data` checks
what can be checked: it sets each invalid field aside (an optional field is left out, a
required text is given a stand-in no rule reads into, a list item that cannot be read is
dropped), lints the plan that remains, and keeps only the findings that say nothing about
what was set aside. Paths stay those of the data HR wrote.
"""

from __future__ import annotations

import copy
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from docgen.errors import PlanError, Problem
from docgen.lint import Finding, lint
from docgen.loading import field_path, model_in, plan_from_data
from docgen.model import Plan

# Stand-ins for a required text that is missing or invalid: no lint rule matches them.
_STAND_IN_TEXT = "(not readable)"
_STAND_IN_EMAIL = "stand-in-{n}@example.com"
# Setting fields aside can reveal others (a signer's address that is now shared):
# a few rounds, then give up.
_ROUNDS = 4


@dataclass
class DataLint:
    """What a plan's data gets: its problems (the data is not valid when there are any)
    and the lint findings for what could be checked. ``linted`` is False when nothing
    could be (no timeline, say), so an empty ``findings`` means nothing."""

    problems: list[Problem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    linted: bool = True
    plan: Plan | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


def lint_data(data: Any, *, source: str | None = None) -> DataLint:
    """Validate plan data and lint it, or as much of it as is valid."""
    try:
        plan = plan_from_data(data, source=source)
    except PlanError as exc:
        problems = exc.problems
    else:
        return DataLint(findings=lint(plan), plan=plan)
    if not isinstance(data, dict):
        return DataLint(problems, linted=False)
    readable, set_aside = _readable(data)
    if readable is None:
        return DataLint(problems, linted=False)
    findings = [Finding(f.code, f.severity, _restore_path(f.path, set_aside.removed),
                        f.message) for f in lint(readable)]
    untouched = [f for f in findings
                 if not any(_overlaps(f.path, path) for path in set_aside.paths)]
    return DataLint(problems, untouched)


@dataclass
class _SetAside:
    paths: list[str] = field(default_factory=list)  # as HR wrote the data
    # List path (as HR wrote it) -> the indices of items dropped from it.
    removed: dict[str, list[int]] = field(default_factory=dict)


def _readable(data: dict[str, Any]) -> tuple[Plan | None, _SetAside]:
    """The plan that remains once every invalid field is set aside, or None."""
    work = copy.deepcopy(data)
    set_aside = _SetAside()
    stand_ins = 0
    stood_in: set[tuple[int | str, ...]] = set()
    for round_ in range(_ROUNDS):
        try:
            return Plan.model_validate(work, context={"stored": False}), set_aside
        except ValidationError as exc:
            errors = exc.errors()
        drops: list[tuple[list[Any], int, str]] = []
        for err in errors:
            loc = tuple(p for p in err["loc"]
                        if not (isinstance(p, str) and p.startswith("function-")))
            set_aside.paths.append(_restore_path(field_path(loc), set_aside.removed))
            # A stand-in the field's own rule refuses too (a time zone): set aside more.
            action = _repair(loc, stand_in=loc not in stood_in)
            if action is None:
                return None, set_aside
            if _set_aside_above(work, loc):
                continue  # its parent was set aside this round: nothing left to repair
            if action[0] == "stand-in":
                stand_ins += 1
                stood_in.add(loc)
                _container(work, loc)[loc[-1]] = action[1].format(n=stand_ins)
            elif action[0] == "drop-key":
                _container(work, action[1])[action[1][-1]] = _MISSING
            else:  # drop an item: later, from the end, so indices stay right meanwhile
                if round_ > 0:
                    return None, set_aside  # indices would no longer be HR's
                item_loc = action[1]
                drops.append((_container(work, item_loc), int(item_loc[-1]),
                              field_path(item_loc[:-1])))
        _remove_missing(work)
        for items, index, list_path in sorted(drops, key=lambda d: -d[1]):
            if index < len(items) and index not in set_aside.removed.get(list_path, []):
                del items[index]
                set_aside.removed.setdefault(list_path, []).append(index)
    return None, set_aside


_MISSING = object()


def _repair(loc: tuple[int | str, ...], *, stand_in: bool) -> tuple[str, Any] | None:
    """How to set the field at ``loc`` aside: ``("stand-in", text)`` for a required text,
    ``("drop-key", loc)`` for the nearest optional field holding it, ``("drop-item", loc)``
    for the nearest list item holding it; None when only a required section holds it."""
    if not loc:
        return None
    annotations = _annotations_along(loc)
    leaf = annotations[-1]
    if stand_in and leaf is not None and leaf[1] and _is_text(leaf[0]):
        return ("stand-in", _STAND_IN_EMAIL if loc[-1] == "email" else _STAND_IN_TEXT)
    for depth in range(len(loc), 0, -1):
        part = loc[depth - 1]
        if isinstance(part, int):
            return ("drop-item", loc[:depth])
        spec = annotations[depth - 1]
        if spec is None or not spec[1]:  # a field the model does not know, or optional
            return ("drop-key", loc[:depth])
    return None


def _annotations_along(loc: tuple[int | str, ...]) -> list[tuple[Any, bool] | None]:
    """For each part of ``loc``: the field's annotation and whether it is required, or
    None for a list index or a name the model does not know."""
    out: list[tuple[Any, bool] | None] = []
    model: Any = Plan
    for part in loc:
        if isinstance(part, int) or model is None:
            out.append(None)
            continue
        fields = getattr(model, "model_fields", {})
        spec = fields.get(part) or next(
            (f for f in fields.values() if f.alias == part), None)
        if spec is None:
            out.append(None)
            model = None
            continue
        out.append((spec.annotation, spec.is_required()))
        model = model_in(spec.annotation)
    return out


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    return typing.get_origin(annotation) is typing.Annotated and \
        typing.get_args(annotation)[0] is str


def _set_aside_above(data: Any, loc: tuple[int | str, ...]) -> bool:
    """True if a field above ``loc`` was set aside (marked missing) in this round."""
    node = data
    for part in loc[:-1]:
        node = node[part]
        if node is _MISSING:
            return True
    return False


def _container(data: Any, loc: tuple[int | str, ...]) -> Any:
    node = data
    for part in loc[:-1]:
        node = node[part]
    return node


def _remove_missing(node: Any) -> None:
    if isinstance(node, dict):
        for key in [k for k, v in node.items() if v is _MISSING]:
            del node[key]
        for value in node.values():
            _remove_missing(value)
    elif isinstance(node, list):
        for value in node:
            _remove_missing(value)


_INDEX = re.compile(r"\[(\d+)\]")


def _restore_path(path: str, removed: dict[str, list[int]]) -> str:
    """``path`` in the data as HR wrote it: an index after a dropped item moves up."""
    if not removed:
        return path
    out, at = "", 0
    for match in _INDEX.finditer(path):
        out += path[at:match.start()]
        index = int(match.group(1))
        for gone in sorted(removed.get(out, [])):
            if gone <= index:
                index += 1
        out += f"[{index}]"
        at = match.end()
    return out + path[at:]


def _overlaps(finding_path: str, aside: str) -> bool:
    """Whether a finding at ``finding_path`` is about something set aside at ``aside``:
    the one holds the other (``goals[1]`` and ``goals[1].due``), or is the other."""
    if not aside:
        return True
    return any(a == b or a.startswith(b + ".") or a.startswith(b + "[")
               for a, b in ((finding_path, aside), (aside, finding_path)))

"""Reading plan data from YAML or JSON into a :class:`~docgen.model.Plan`.

Every problem comes back at once, each naming the field path and the value, in the
words HR would use to fix it (``goals[2].due: 2026-13-01 is not a date``).
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from docgen.errors import PlanError, Problem
from docgen.model import Plan

if typing.TYPE_CHECKING:
    # Checked as the pure-Python loader: both have the constructor and resolver used here.
    _SafeLoader = yaml.SafeLoader
else:
    # libyaml's parser is some twenty times faster than the pure-Python one; both take the
    # resolvers below, which live on the Python side.
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlanYamlLoader(_SafeLoader):
    """YAML 1.1 minus its surprises for plan data.

    Dates stay strings so that ``2026-13-01`` reaches the model and is reported with its
    field path instead of crashing the parser, and ``10:30`` stays a time instead of the
    base-60 integer 630.
    """


    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # A key given twice would silently drop the first value (a whole goals list).
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool | None):
                # A YAML complex key (``? {a: 1}``): no plan field is named by a map or list.
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a name, not a list or a map",
                    key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"{key} is given twice (first at line {seen[key] + 1}); keep one",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_DROPPED = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
_PlanYamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in _DROPPED
        and not (tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
                 and regexp.match("10:30"))
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Only true and false are booleans: a location of NO (Norway) or a "yes" stays text.
_PlanYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
# Numbers keep working; only the sexagesimal forms are dropped above.
_PlanYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_PlanYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]+([eE][-+][0-9]+)?$"),
    list("-+0123456789."),
)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise _DuplicateKey(f"{key} is given twice; keep one")
    return dict(pairs)


def parse_plan_text(text: str, *, fmt: str = "yaml", source: str | None = None) -> Any:
    """Parse YAML or JSON text into plain data, reporting syntax errors with a line."""
    try:
        if fmt == "json":
            return json.loads(text, object_pairs_hook=_unique_keys)
        return yaml.load(text, Loader=_PlanYamlLoader)
    except _DuplicateKey as exc:
        raise PlanError([Problem("", f"not valid plan JSON: {exc}")], source) from None
    except json.JSONDecodeError as exc:
        raise PlanError(
            [Problem("", f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")],
            source,
        ) from None
    except yaml.YAMLError as exc:
        raise PlanError([Problem("", _yaml_message(exc))], source) from None
    except RecursionError:
        raise PlanError([Problem("", f"not valid plan {fmt.upper()}: lists or maps are "
                                     "nested too deeply")], source) from None


def _yaml_message(exc: yaml.YAMLError) -> str:
    """``not valid YAML at line 2, column 1: did not find expected ',' or ']' (while
    parsing a flow sequence that starts at line 1, column 11)``."""
    def at(mark: Any) -> str:
        return f"line {mark.line + 1}, column {mark.column + 1}"

    mark = getattr(exc, "problem_mark", None)
    message = "not valid YAML" + (f" at {at(mark)}" if mark else "")
    message += f": {getattr(exc, 'problem', None) or exc}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark:
        message += f" ({context} that starts at {at(context_mark)})"
    return message


def plan_from_data(data: Any, *, source: str | None = None, stored: bool = False) -> Plan:
    """Validate plain data (as parsed from YAML or JSON) into a plan. ``stored``: the
    plan as an envelope stored it when it was sent, read back by the rules it was sent
    under, not those added since (limits, stricter addresses; see ``model.sending``)."""
    if not isinstance(data, dict):
        raise PlanError(
            [Problem("", "the plan must be a mapping of sections (employee, goals, ...)")],
            source,
        )
    try:
        return Plan.model_validate(data, context={"stored": stored})
    except ValidationError as exc:
        raise PlanError([_problem(err) for err in exc.errors()], source) from None


def load_plan_text(text: str, *, fmt: str = "yaml", source: str | None = None) -> Plan:
    return plan_from_data(parse_plan_text(text, fmt=fmt, source=source), source=source)


def load_plan(path: str | Path) -> Plan:
    """Read a plan file; ``.json`` is read as JSON, anything else as YAML."""
    return plan_from_data(load_plan_data(path), source=str(path))


def load_plan_data(path: str | Path) -> Any:
    """A plan file's data, parsed but not yet validated (see :func:`plan_from_data`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError([Problem("", "file not found")], str(path)) from None
    except UnicodeDecodeError:
        problem = Problem("", "not UTF-8 text; save the file as UTF-8")
        raise PlanError([problem], str(path)) from None
    except OSError as exc:
        raise PlanError([Problem("", f"cannot be read: {exc.strerror}")], str(path)) from None
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse_plan_text(text, fmt=fmt, source=str(path))


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("goals", 2, "due")`` -> ``goals[2].due``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + ("with" if part == "with_" else part)
    return out


def _suggest_field(loc: tuple[int | str, ...]) -> str:
    """" (did you mean employee?)" for a misspelt field, from the model's own fields."""
    model: Any = Plan
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return ""
        model = model_in(field.annotation)
    names = list(getattr(model, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``list[X]``, ``X | None`` and the like."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "date_type": "a date",
    "date_parsing": "a date",
    "date_from_datetime_parsing": "a date",
    "date_from_datetime_inexact": "a date",
    "time_type": "a time",
    "time_parsing": "a time",
}

_HINTS = {
    "a date": " (write it as YYYY-MM-DD)",
    "a time": " (write it as HH:MM, 24-hour)",
}


def _problem(err: ErrorDetails) -> Problem:
    # Pydantic puts the tagged-union / validator function name in loc; keep fields only.
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    path = field_path(loc)
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        message = "is required but missing"
    elif kind == "extra_forbidden":
        message = "is not a field here; check the spelling" + _suggest_field(loc)
    elif kind in _TYPE_WORDS:
        wanted = _TYPE_WORDS[kind]
        message = f"{_show(value)} is not {wanted}{_HINTS.get(wanted, '')}"
    elif kind == "enum":
        message = f"{_show(value)} is not one of {ctx.get('expected', 'the allowed values')}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        message = f"{_show(value)} is out of range ({err['msg'].lower()})"
    elif kind == "string_too_short":
        message = "must not be empty"
    elif kind in ("string_too_long", "too_long") and isinstance(value, str):
        message = (f"is {len(value):,} characters long; at most {ctx['max_length']:,} may be "
                   "given")
    elif kind == "too_long":
        message = (f"has {ctx.get('actual_length', 'too many')} items; at most "
                   f"{ctx['max_length']} may be given")
    elif kind == "value_error":
        message = str(ctx.get("error", err["msg"]))
    else:
        message = f"{_show(value)}: {err['msg']}"
    return Problem(path, message)

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
from docgen.words import N_, NN_, Words

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
                    None, None, Words(N_("a key must be a name, not a list or a map")),
                    key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    Words(N_("%(key)s is given twice (first at line %(line)s); keep one"),
                          key=str(key), line=str(seen[key] + 1)),
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
            raise _DuplicateKey(key)
    return dict(pairs)


def parse_plan_text(text: str, *, fmt: str = "yaml", source: str | None = None) -> Any:
    """Parse YAML or JSON text into plain data, reporting syntax errors with a line."""
    try:
        if fmt == "json":
            return json.loads(text, object_pairs_hook=_unique_keys)
        return yaml.load(text, Loader=_PlanYamlLoader)
    except _DuplicateKey as exc:
        raise PlanError([Problem("", Words(N_("not valid plan JSON: %(key)s is given twice; "
                                              "keep one"), key=str(exc)))], source) from None
    except json.JSONDecodeError as exc:
        # The parser's own words (exc.msg) stay English inside the sentence.
        raise PlanError(
            [Problem("", Words(N_("not valid JSON at line %(line)s, column %(column)s: "
                                  "%(problem)s"), line=str(exc.lineno),
                               column=str(exc.colno), problem=exc.msg))],
            source,
        ) from None
    except yaml.YAMLError as exc:
        raise PlanError([Problem("", _yaml_message(exc))], source) from None
    except RecursionError:
        raise PlanError([Problem("", Words(N_("not valid plan %(format)s: lists or maps are "
                                              "nested too deeply"), format=fmt.upper()))],
                        source) from None


def _yaml_message(exc: yaml.YAMLError) -> Words:
    """``not valid YAML at line 2, column 1: did not find expected ',' or ']' (while
    parsing a flow sequence that starts at line 1, column 11)``: the parser's own words
    stay English inside the sentence (plansign's own, such as a key given twice, are
    Words the console translates too)."""
    problem: object = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return Words(N_("not valid YAML: %(problem)s"), problem=problem)
    at = {"line": str(mark.line + 1), "column": str(mark.column + 1), "problem": problem}
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark:
        return Words(N_("not valid YAML at line %(line)s, column %(column)s: %(problem)s "
                        "(%(context)s that starts at line %(context_line)s, column "
                        "%(context_column)s)"), **at, context=context,
                     context_line=str(context_mark.line + 1),
                     context_column=str(context_mark.column + 1))
    return Words(N_("not valid YAML at line %(line)s, column %(column)s: %(problem)s"), **at)


def plan_from_data(data: Any, *, source: str | None = None, stored: bool = False) -> Plan:
    """Validate plain data (as parsed from YAML or JSON) into a plan. ``stored``: the
    plan as an envelope stored it when it was sent, read back by the rules it was sent
    under, not those added since (limits, stricter addresses; see ``model.sending``)."""
    if not isinstance(data, dict):
        raise PlanError(
            [Problem("", Words(N_("the plan must be a mapping of sections (employee, goals, "
                                  "...)")))],
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
    """The field a misspelt one was meant to be (``employee``), from the model's own
    fields; "" when none is close."""
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
    return close[0] if close else ""


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


# What a value of the wrong kind was not, one whole sentence per kind (the hint on how to
# write a date or a time belongs to its sentence).
_NOT_TEXT = N_("%(value)s is not text")
_NOT_WHOLE = N_("%(value)s is not a whole number")
_NOT_NUMBER = N_("%(value)s is not a number")
_NOT_LIST = N_("%(value)s is not a list")
_NOT_MAPPING = N_("%(value)s is not a mapping of fields")
_NOT_BOOL = N_("%(value)s is not true or false")
_NOT_DATE = N_("%(value)s is not a date (write it as YYYY-MM-DD)")
_NOT_TIME = N_("%(value)s is not a time (write it as HH:MM, 24-hour)")
_TYPE_WORDS = {
    "string_type": _NOT_TEXT,
    "int_type": _NOT_WHOLE,
    "int_parsing": _NOT_WHOLE,
    "int_from_float": _NOT_WHOLE,
    "float_type": _NOT_NUMBER,
    "float_parsing": _NOT_NUMBER,
    "list_type": _NOT_LIST,
    "dict_type": _NOT_MAPPING,
    "model_type": _NOT_MAPPING,
    "model_attributes_type": _NOT_MAPPING,
    "bool_type": _NOT_BOOL,
    "bool_parsing": _NOT_BOOL,
    "date_type": _NOT_DATE,
    "date_parsing": _NOT_DATE,
    "date_from_datetime_parsing": _NOT_DATE,
    "date_from_datetime_inexact": _NOT_DATE,
    "time_type": _NOT_TIME,
    "time_parsing": _NOT_TIME,
}
# A number out of its field's range, in pydantic's English as before, each a sentence.
_RANGES = {
    "greater_than": N_("%(value)s is out of range (input should be greater than %(limit)s)"),
    "greater_than_equal": N_("%(value)s is out of range (input should be greater than or "
                             "equal to %(limit)s)"),
    "less_than": N_("%(value)s is out of range (input should be less than %(limit)s)"),
    "less_than_equal": N_("%(value)s is out of range (input should be less than or equal "
                          "to %(limit)s)"),
}
_RANGE_LIMIT = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt",
                "less_than_equal": "le"}


def _problem(err: ErrorDetails) -> Problem:
    # Pydantic puts the tagged-union / validator function name in loc; keep fields only.
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    return Problem(field_path(loc), _problem_words(err, loc))


def _problem_words(err: ErrorDetails, loc: tuple[int | str, ...]) -> str:
    """What is wrong with one field, as a :class:`Words` for every error plansign's model
    can produce; pydantic's own English for any other (none is known)."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return Words(N_("is required but missing"))
    if kind == "extra_forbidden":
        close = _suggest_field(loc)
        if close:
            return Words(N_("is not a field here; check the spelling (did you mean "
                            "%(field)s?)"), field=close)
        return Words(N_("is not a field here; check the spelling"))
    if kind in _TYPE_WORDS:
        return Words(_TYPE_WORDS[kind], value=_show(value))
    if kind == "enum":
        return Words(N_("%(value)s is not one of %(allowed)s"), value=_show(value),
                     allowed=ctx.get("expected", "the allowed values"))
    if kind in _RANGES and _RANGE_LIMIT[kind] in ctx:
        return Words(_RANGES[kind], value=_show(value), limit=ctx[_RANGE_LIMIT[kind]])
    if kind in _RANGES:
        return f"{_show(value)} is out of range ({err['msg'].lower()})"
    if kind == "string_too_short":
        return Words(N_("must not be empty"))
    if kind in ("string_too_long", "too_long") and isinstance(value, str):
        return Words.counted(NN_(
            "is %(count)s character long; at most %(most)s may be given",
            "is %(count)s characters long; at most %(most)s may be given"),
            len(value), most=ctx["max_length"])
    if kind == "too_long" and isinstance(ctx.get("actual_length"), int):
        return Words.counted(NN_("has %(count)s item; at most %(most)s may be given",
                                 "has %(count)s items; at most %(most)s may be given"),
                             ctx["actual_length"], most=ctx["max_length"])
    if kind == "too_long":
        return Words(N_("has too many items; at most %(most)s may be given"),
                     most=ctx["max_length"])
    if kind == "too_short" and isinstance(ctx.get("min_length"), int):
        return Words.counted(NN_("must have at least %(count)s item",
                                 "must have at least %(count)s items"), ctx["min_length"])
    if kind == "value_error" and {"address", "first"} <= ctx.keys():
        return Words(N_("%(address)s is also %(first)s.email; each signer needs an address "
                        "of their own"), address=ctx["address"], first=ctx["first"])
    if kind == "value_error":
        # The model's own rules raise ValueError(Words(...)): keep the Words.
        error = ctx.get("error")
        said = error.args[0] if isinstance(error, ValueError) and error.args else None
        return said if isinstance(said, str) else str(error or err["msg"])
    return f"{_show(value)}: {err['msg']}"

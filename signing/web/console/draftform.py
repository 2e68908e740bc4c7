"""The plan editor's form: every section of docgen's plan model as labelled fields, the
form's fields back into plan data, and lint findings placed beside the fields they name.

Each field is named by its path in the plan data as docgen's errors and lint findings
name it (``goals[0].milestones[1].due``), so a finding finds its field without a table
of its own: a finding about a field the form has no input for (``goals[0]``, a whole
section) is shown beside the nearest part that has one. Pure: no request, no database.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.dates import get_day_names
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from docgen import doclang, lint_data
from docgen.doclang import standard_sections
from docgen.languages import SUPPORTED, format_locale
from docgen.model import DEFAULT_CONCERNS, DEFAULT_WELLBEING
from signing.web import language
from signing.web.console.signedin import words_text

# -- the form's shape ---------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str
    label: Any  # a lazy string: translated when shown
    kind: str = "text"  # text, textarea, date, email, integer, number, time, select, list
    hint: Any = ""
    choices: tuple[tuple[str, Any], ...] = ()
    required: bool = False
    default: str = ""  # shown in an empty form; an empty field takes the model's default
    # The section of plansign's standard wording the field holds unless HR write their
    # own ("concerns", "wellbeing"): shown in the plan's language (:func:`standard_text`).
    standard: str = ""


@dataclass(frozen=True)
class Group:
    """A section of fields (a mapping in the plan data); ``optional`` sections left empty
    are left out of the data."""

    key: str
    title: Any
    parts: tuple[Part, ...]
    hint: Any = ""
    optional: bool = False


@dataclass(frozen=True)
class Repeat:
    """A list of items (goals, milestones, evidence rows), each a set of fields."""

    key: str
    title: Any
    item: Any  # "Goal" -> "Goal 1", "Goal 2"
    parts: tuple[Part, ...]
    hint: Any = ""


Part = Field | Group | Repeat

_YES_NO = (("true", _l("Higher is better")), ("false", _l("Lower is better")))
_ROUTING = (("before", _l("Signs before the employee")),
            ("after", _l("Signs after the employee")),
            ("none", _l("Does not sign")))
# A support's kind and a weekday in the reader's language: the documents' own words for
# the kinds (docgen.doclang), the locale's names for the days (Babel).
_SUPPORT = tuple((kind, LazyString(lambda kind=kind: doclang.words(
                     language.current()).support[kind]))
                 for kind in ("training", "mentoring", "coaching", "workload", "tools", "other"))
_CADENCE = (("weekly", _l("Weekly")), ("biweekly", _l("Every two weeks")),
            ("monthly", _l("Monthly")))
_STANDARD_HINT = _l("plansign's standard wording, in the plan's language: it changes with "
                    "the language until you write your own")
# Each language by its own name, as its readers look for it.
_LANGUAGES = (("en", "English"), ("es", "Español"), ("fr", "Français"), ("de", "Deutsch"),
              ("ar", "العربية"))
_WEEKDAYS = tuple((day, LazyString(lambda index=index: get_day_names(
                      "wide", locale=format_locale(language.current()))[index].capitalize()))
                  for index, day in enumerate(("monday", "tuesday", "wednesday", "thursday",
                                               "friday", "saturday", "sunday")))


def _person(key: str, title: Any, *extra: Field) -> Group:
    return Group(key, title, (
        Field("name", _l("Full name"), required=True),
        Field("email", _l("Email address"), "email", required=True),
        Field("title", _l("Job title")), *extra))


def sections(templates: Iterable[str] = ("standard", "sales")) -> tuple[Part, ...]:
    """The editor's sections, in the order HR write a plan."""
    return (
        Group("", _l("The plan"), (
            Field("plan_id", _l("Plan reference"), hint=_l("Your own reference, such as "
                                                          "PIP-2027-0111")),
            Field("template", _l("Template"), "select",
                  choices=tuple((name, name.title()) for name in templates),
                  hint=_l("The Word template the PDF is made from")),
            Field("language", _l("Language"), "select", choices=_LANGUAGES,
                  hint=_l("What the employee reads the plan's pages, emails and record "
                          "in; not set: plansign's default language"))), ),
        Group("company", _l("Company"), (Field("name", _l("Company name")),), optional=True,
              hint=_l("Leave empty to use the company name of plansign's settings")),
        _person("employee", _l("Employee"),
                Field("employee_id", _l("Employee number")),
                Field("department", _l("Department"), required=True),
                Field("location", _l("Location")),
                Field("hire_date", _l("Hire date"), "date"),
                Field("employment_type", _l("Employment type"),
                      hint=_l("Such as full-time, permanent"))),
        _person("manager", _l("Manager"),
                Field("webhook", _l("Manager's webhook endpoint"),
                      hint=_l("Optional: the name of a registered webhook endpoint"))),
        _person("hr", _l("HR contact")),
        Field("role_summary", _l("Role summary"), "textarea", required=True,
              hint=_l("What the role does, in a few sentences")),
        Group("performance_history", _l("Performance so far"), (
            Field("start", _l("From"), "date", required=True),
            Field("end", _l("To"), "date", required=True),
            Field("summary", _l("Summary"), "textarea", required=True),
            Repeat("entries", _l("History entries"), _l("Entry"), (
                Field("period", _l("Period"), required=True),
                Field("note", _l("What happened"), "textarea", required=True))),
            Repeat("results", _l("Measured results"), _l("Result"), (
                Field("period", _l("Period"), required=True),
                Field("metric", _l("Metric"), required=True),
                Field("target", _l("Target"), "number"),
                Field("actual", _l("Actual"), "number"),
                Field("unit", _l("Unit"), hint=_l("Such as “%” or “calls”")),
                Field("higher_is_better", _l("Direction"), "select", choices=_YES_NO))))),
        Repeat("areas", _l("Areas of concern and evidence"), _l("Area"), (
            Field("title", _l("Area"), required=True),
            Field("description", _l("Description"), "textarea"),
            Repeat("evidence", _l("Evidence"), _l("Evidence row"), (
                Field("date", _l("Date"), "date"),
                Field("fact", _l("Fact"), "textarea", required=True),
                Field("source", _l("Source"), hint=_l("A report, ticket or document")))))),
        Repeat("goals", _l("Goals"), _l("Goal"), (
            Field("statement", _l("Goal"), "textarea", required=True,
                  hint=_l("Specific and measurable: what, how much, by when")),
            Field("area", _l("Area of concern it addresses")),
            Field("metric", _l("Metric"), hint=_l("How progress is measured")),
            Field("baseline", _l("Baseline"), hint=_l("Where the employee is now")),
            Field("target", _l("Target"), hint=_l("The level that meets the goal")),
            Field("due", _l("Due"), "date"),
            Repeat("milestones", _l("Milestones"), _l("Milestone"), (
                Field("due", _l("Due"), "date", required=True),
                Field("description", _l("Milestone"), "textarea", required=True))))),
        Repeat("support", _l("Support"), _l("Support item"), (
            Field("kind", _l("Kind"), "select", choices=_SUPPORT, required=True),
            Field("description", _l("What is offered"), "textarea", required=True),
            Field("provider", _l("Given by")),
            Field("when", _l("When")))),
        Group("timeline", _l("Dates and duration"), (
            Field("start", _l("Start date"), "date", required=True),
            Field("length_days", _l("Length in days"), "integer",
                  hint=_l("30, 60 or 90; or give an end date instead")),
            Field("end", _l("End date"), "date"),
            Field("review_every_days", _l("Review every (days)"), "integer", default="30"),
            Field("review_dates", _l("Review dates"), "list",
                  hint=_l("Dates as YYYY-MM-DD, separated by commas; empty: every "
                          "review period from the start")))),
        Group("checkins", _l("Check-in schedule"), (
            Field("cadence", _l("How often"), "select", choices=_CADENCE),
            Field("weekday", _l("Day"), "select", choices=_WEEKDAYS, required=True),
            Field("time", _l("Time"), "time", required=True, hint=_l("24-hour, HH:MM")),
            Field("timezone", _l("Time zone"), required=True,
                  hint=_l("Such as Europe/London")),
            Field("duration_minutes", _l("Minutes"), "integer", default="30"),
            Field("location", _l("Location")),
            Field("video_link", _l("Video link")),
            Field("with", _l("With")),
            Field("skip", _l("Dates skipped"), "list",
                  hint=_l("Dates as YYYY-MM-DD, separated by commas"))), optional=True),
        Group("outcomes", _l("Outcomes"), (
            Field("success", _l("If the goals are met"), "textarea"),
            Field("extension", _l("If progress is clear but not complete"), "textarea"),
            Field("further_action", _l("If the goals are not met"), "textarea")),
            optional=True, hint=_l("Leave a field empty for plansign's standard wording")),
        Group("", _l("Concerns, wellbeing and notes"), (
            Field("concerns", _l("Raising a concern"), "textarea", standard="concerns",
                  hint=_STANDARD_HINT),
            Field("wellbeing", _l("Wellbeing support"), "textarea", standard="wellbeing",
                  hint=_STANDARD_HINT),
            Field("notes", _l("Notes"), "textarea"))),
        Group("routing", _l("Signers and routing"), (
            Field("manager", _l("The manager"), "select", choices=_ROUTING),
            Field("hr", _l("HR"), "select", choices=_ROUTING)), optional=True,
            hint=_l("The employee always signs; say when the manager and HR sign")),
    )


# -- plansign's standard wording ---------------------------------------------------------
#
# The concerns and wellbeing sections hold plansign's standard wording unless HR write
# their own. The plan's data keeps that wording in English, as it always has (docgen's
# model default; its hash and every record made before unchanged), and the document is
# made with the plan language's wording (docgen.context). The form shows it in the plan's
# language; a text still equal to any language's standard wording is the standard one,
# so it follows the plan's language when that changes, and goes back into the data in
# English; a text HR changed is theirs, and stays as they wrote it.

_ENGLISH_STANDARD = {"concerns": DEFAULT_CONCERNS, "wellbeing": DEFAULT_WELLBEING}


def standard_text(section: str, language: str) -> str:
    """plansign's standard wording of ``section`` in ``language``."""
    if language == "en":
        return _ENGLISH_STANDARD[section]
    return standard_sections(language)[section]


@functools.cache
def standard_texts(section: str) -> dict[str, str]:
    """``section``'s standard wording in every language, by language."""
    return {language: standard_text(section, language) for language in SUPPORTED}


def is_standard(section: str, text: str) -> bool:
    """Whether ``text`` is the standard wording of ``section`` in some language."""
    return text.replace("\r\n", "\n").strip() in standard_texts(section).values()


def plan_language(data: Mapping[str, Any], default: str) -> str:
    """The language the plan is written to its employee in: its own, else ``default``
    (the default_language setting)."""
    language = data.get("language")
    return language if isinstance(language, str) and language in SUPPORTED else default


# -- data into the form ---------------------------------------------------------------------


@dataclass
class Node:
    """One thing the editor shows: a field with its value, a section, a list, or one item
    of a list; ``path`` as findings name it (``""`` for the plan itself)."""

    kind: str  # field, group, repeat, item
    path: str
    title: Any = ""
    part: Any = None
    value: str = ""
    children: list[Node] = field(default_factory=list)
    # More attributes of the field's input (data-* for the page's script).
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return dom_id(self.path)

    @property
    def shown(self) -> str:
        """The value as the review page shows it: a choice by its words in the reader's
        language ("Hebdomadaire", not ``weekly``; "Wednesday" in a plan file is the
        choice wednesday), anything else as written."""
        choices = {key.lower(): words for key, words in getattr(self.part, "choices", ())}
        return str(choices.get(self.value.lower(), self.value))


_NOT_ID = re.compile(r"[^A-Za-z0-9_]+")


@functools.lru_cache(maxsize=4096)
def dom_id(path: str) -> str:
    """An element id for a path: ``goals[0].due`` -> ``f-goals-0-due``."""
    return "f-" + (_NOT_ID.sub("-", path).strip("-") or "plan")


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent and key else parent or key


def form_tree(data: Mapping[str, Any], parts: tuple[Part, ...] | None = None, *,
              default_language: str = "en") -> list[Node]:
    """The editor's nodes for ``data`` (plan data, maybe not valid: what cannot be shown
    in a field is shown as text); plansign's standard wording in the plan's language,
    ``default_language`` (the setting) for a plan that names none."""
    language = plan_language(data, default_language)
    return [_node(part, data, "", language, default_language)
            for part in (parts or sections())]


def _node(part: Part, data: Any, parent: str, language: str, default_language: str) -> Node:
    here = data if isinstance(data, Mapping) else {}
    if isinstance(part, Field):
        return _field(part, here.get(part.key), _join(parent, part.key), language,
                      default_language)
    if isinstance(part, Group):
        path = _join(parent, part.key)
        inner = here.get(part.key) if part.key else here
        return Node("group", path, part.title, part,
                    children=[_node(p, inner, path, language, default_language)
                              for p in part.parts])
    path = _join(parent, part.key)
    items = here.get(part.key)
    items = items if isinstance(items, list) else []
    return Node("repeat", path, part.title, part, children=[
        Node("item", f"{path}[{n}]", f"{part.item} {n + 1}", part,
             children=[_node(p, item, f"{path}[{n}]", language, default_language)
                       for p in part.parts])
        for n, item in enumerate(items)])


def _field(part: Field, value: Any, path: str, language: str,
           default_language: str) -> Node:
    if part.standard:
        # The standard wording (absent, or any language's) in the plan's language; the
        # page's script puts another language's in its place when the language changes.
        text = "" if value is None else _text(value)
        if value is None or is_standard(part.standard, text):
            text = standard_text(part.standard, language)
        return Node("field", path, part.label, part, text, attrs={
            "data-standard": json.dumps(standard_texts(part.standard), ensure_ascii=False)})
    shown = part.default if value is None else _text(value)
    if path == "language":
        # What "(not set)" means: the language the plan is then written in.
        return Node("field", path, part.label, part, shown,
                    attrs={"data-default-language": default_language})
    return Node("field", path, part.label, part, shown)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def slots(nodes: Iterable[Node]) -> Iterator[str]:
    """Every path the editor has a place for findings at (fields, sections, lists and
    their items)."""
    for node in nodes:
        if node.path:
            yield node.path
        yield from slots(node.children)


# -- the form back into data --------------------------------------------------------------

_PATH = re.compile(r"[a-z_]+(\[\d{1,3}\])*(\.[a-z_]+(\[\d{1,3}\])*)*")
_STEP = re.compile(r"([a-z_]+)|\[(\d+)\]")


def form_data(form: Iterable[tuple[str, str]] | Posted,
              parts: tuple[Part, ...] | None = None) -> dict[str, Any]:
    """Plan data from the editor's fields (``name`` is a field's path): empty fields left
    out, items of a list kept in order even when empty (so the linter says what they
    lack), optional sections left empty left out. Names that are not fields of the
    form are ignored."""
    posted = form if isinstance(form, Posted) else Posted(form)
    return _collect(parts or sections(), posted, "")


class Posted:
    """The editor's posted fields, read once: their values by path, the items of each
    list, the sections with any field under them, and every path the form has a place
    for findings at (:attr:`slots`: each field, and each list, item and section above
    it)."""

    def __init__(self, form: Iterable[tuple[str, str]]) -> None:
        self.values: dict[str, str] = {}
        self.items: dict[str, set[int]] = {}
        self.sections: set[str] = set()
        self.slots: set[str] = set()
        for name, value in form:
            if not _PATH.fullmatch(name):
                continue
            self.values[name] = value
            self.slots.add(name)
            for at, char in enumerate(name):
                if char == ".":
                    self.sections.add(name[:at])
                    self.slots.add(name[:at])
                elif char == "[":
                    head = name[:at]
                    self.slots.add(head)
                    self.items.setdefault(head, set()).add(
                        int(name[at + 1:name.index("]", at)]))


def _collect(parts: tuple[Part, ...], posted: Posted, parent: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in parts:
        path = _join(parent, part.key)
        if isinstance(part, Field):
            raw = posted.values.get(path)
            if raw is not None and raw.strip():
                out[part.key] = _value(part, raw)
                if part.standard and is_standard(part.standard, raw):
                    # Kept in English, as the data always has (see standard_text).
                    out[part.key] = _ENGLISH_STANDARD[part.standard]
        elif isinstance(part, Group):
            inner = _collect(part.parts, posted, path)
            if not part.key:
                out.update(inner)
            elif inner or (not part.optional and path in posted.sections):
                out[part.key] = inner
        else:
            items = [_collect(part.parts, posted, f"{path}[{n}]")
                     for n in sorted(posted.items.get(path, ()))]
            if items:
                out[part.key] = items
    return out


def _value(part: Field, raw: str) -> Any:
    text = raw.strip() if part.kind != "textarea" else raw.strip().replace("\r\n", "\n")
    if part.kind == "list":
        return [item.strip() for item in re.split(r"[,\n]", text) if item.strip()]
    if part.kind == "integer" and re.fullmatch(r"[+-]?\d{1,9}", text):
        return int(text)
    if part.kind == "number" and re.fullmatch(r"[+-]?\d{1,12}(\.\d{1,6})?", text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if part.key == "higher_is_better" and text in ("true", "false"):
        return text == "true"
    return text  # the model says what is wrong with anything else, by its path


# -- editing lists (the add and remove buttons) ------------------------------------------


def add_item(data: dict[str, Any], list_path: str) -> dict[str, Any]:
    """``data`` with an empty item at the end of the list at ``list_path``."""
    container, key = _locate(data, list_path)
    if container is not None:
        items = container.get(key)
        container[key] = [*(items if isinstance(items, list) else []), {}]
    return data


def remove_item(data: dict[str, Any], item_path: str) -> dict[str, Any]:
    """``data`` without the list item at ``item_path`` (``goals[2]``)."""
    found = re.fullmatch(r"(.+)\[(\d+)\]", item_path)
    if found:
        container, key = _locate(data, found.group(1))
        items = container.get(key) if container is not None else None
        if isinstance(items, list) and int(found.group(2)) < len(items):
            del items[int(found.group(2))]
            if not items:
                del container[key]  # type: ignore[union-attr]
    return data


def _locate(data: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    """The mapping holding the last step of ``path``, made where missing, and its key."""
    if not _PATH.fullmatch(path):
        return None, ""
    steps = [m.group(1) if m.group(1) else int(m.group(2)) for m in _STEP.finditer(path)]
    node: Any = data
    for step, following in itertools.pairwise(steps):
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return None, ""
            node = node[step]
        else:
            if not isinstance(node, dict):
                return None, ""
            node = node.setdefault(step, [] if isinstance(following, int) else {})
    last = steps[-1]
    return (node, last) if isinstance(node, dict) and isinstance(last, str) else (None, "")


def focus_after(nodes: Iterable[Node], action: str, path: str) -> str:
    """Where the cursor belongs after adding (the new item's first field) or removing
    (the list's add button, named by the list's path) an item."""
    if action == "remove":
        return re.sub(r"\[\d+\]$", "", path)
    for node in _walk(nodes):
        if node.kind == "repeat" and node.path == path and node.children:
            first = next((n for n in _walk(node.children[-1].children) if n.kind == "field"),
                         None)
            return first.path if first is not None else path
    return path


def _walk(nodes: Iterable[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


# -- findings beside their fields --------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """One finding or data problem, as the editor shows it."""

    severity: str  # error, warning, info
    message: str
    path: str
    code: str = ""
    where: str = ""  # the path in the form's words: "Goal 1 › Metric"


@dataclass
class Findings:
    """Lint's verdict on the form's data: notes by the slot they are shown at."""

    by_slot: dict[str, list[Note]]
    notes: list[Note]
    valid: bool
    linted: bool = True  # False: the data's errors kept lint from checking the rest

    @property
    def errors(self) -> int:
        return sum(1 for n in self.notes if n.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.notes) - self.errors


def findings_for(data: Mapping[str, Any], known: Container[str],
                 parts: tuple[Part, ...] | None = None) -> Findings:
    """Lint ``data`` (docgen's :func:`lint_data`: problems with the data and lint findings
    together) and place each note at its field, or the nearest part of the form above it
    (``known``: the paths the form has a place at, :func:`slots`), each message in the
    reader's language (docgen words them apart from their values: :mod:`docgen.words`)."""
    checked = lint_data(dict(data))
    raw = [("error", p.message, p.path, "") for p in checked.problems]
    raw += [(str(f.severity), f.message, f.path, f.code) for f in checked.findings]
    notes: list[Note] = []
    by_slot: dict[str, list[Note]] = {}
    for severity, message, path, code in raw:
        slot = _slot(path, known)
        note = Note(severity, words_text(message), path, code,
                    describe(slot, parts or sections()) or str(_l("The plan")))
        notes.append(note)
        by_slot.setdefault(slot, []).append(note)
    return Findings(by_slot, notes, checked.valid, checked.linted)


def describe(path: str, parts: tuple[Part, ...]) -> str:
    """``path`` in the form's words: "Goal 1 › Milestone 2 › Due"."""
    words: list[str] = []
    level: tuple[Part, ...] = parts
    for step in _STEP.finditer(path):
        if step.group(2) is not None:
            continue  # an item: named with its list below
        part = _part_named(level, step.group(1))
        if part is None:
            break
        if isinstance(part, Repeat):
            index = path[step.end():].partition("]")[0].lstrip("[")
            words.append(f"{part.item} {int(index) + 1}" if index.isdigit() else str(part.title))
            level = part.parts
        elif isinstance(part, Group):
            words.append(str(part.title))
            level = part.parts
        else:
            words.append(str(part.label))
    return " › ".join(words)


def _part_named(parts: tuple[Part, ...], key: str) -> Part | None:
    for part in parts:
        if part.key == key:
            return part
        if isinstance(part, Group) and not part.key:
            found = _part_named(part.parts, key)
            if found is not None:
                return found
    return None


def _slot(path: str, known: Container[str]) -> str:
    here = path
    while here:
        if here in known:
            return here
        cut = max(here.rfind("."), here.rfind("["))
        here = here[:cut] if cut > 0 else ""
    return ""


# -- findings as HTML (the fragment has a slot per field: rendered here, not by macro) ----


def notes_html(notes: Iterable[Note], words: Mapping[str, str]) -> Markup:
    """Each note as the editor shows it; ``words`` names the severities ("Error:")."""
    return Markup("").join(
        Markup('<p class="finding {0}"><span class="severity">{1}</span> {2}{3}</p>').format(
            note.severity, words.get(note.severity, note.severity), note.message,
            Markup(' <span class="code">({0})</span>').format(note.code) if note.code else "")
        for note in notes)


def fragment(found: Findings, paths: Iterable[str], words: Mapping[str, str]) -> Markup:
    """The lint round trip's answer: every slot's notes, each to be swapped into place out
    of band (an empty one clears what was there)."""
    # Ids are letters, digits, '-' and '_' (dom_id): nothing in them to escape.
    return Markup("\n".join(
        f'<div id="x-{dom_id(path)}" hx-swap-oob="innerHTML">'
        f'{notes_html(found.by_slot[path], words) if path in found.by_slot else ""}</div>'
        for path in paths))

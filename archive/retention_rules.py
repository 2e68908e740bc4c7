"""How long a record is kept: retention rules by department and jurisdiction.

The rules are data (the ``retention_rules`` setting: a list of tables, each naming a
department, a jurisdiction or both, and the years a record is kept after completion);
a record that matches none is kept ``retention_years``. Pure: no I/O.

Which rule applies when several match: one naming both the department and the
jurisdiction wins over one naming only one of them (it was written for that case);
among equally specific rules, the longest, so that no rule that applies is cut short;
among equal ones, the first. The rule that applied is recorded on the record, in words
(:attr:`AppliedRetention.rule`), so that a later change of the rules does not change
what was decided for it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archive.errors import ArchiveError

SETTING = "retention_rules"
FIELDS = ("department", "jurisdiction", "years")
MAX_YEARS = 100
MAX_TEXT = 200


class RetentionRulesError(ArchiveError):
    """A retention rule that cannot be used; the message names the rule and the field."""

    def __init__(self, message: str, field: str = SETTING) -> None:
        self.field = field
        super().__init__(message)


def normal(text: str | None) -> str:
    """A department or jurisdiction as rules compare them: case and spacing ignored."""
    return " ".join((text or "").split()).casefold()


@dataclass(frozen=True)
class RetentionRule:
    years: int
    department: str | None = None
    jurisdiction: str | None = None
    number: int = 0  # its place in the setting, from 1, to name it

    @property
    def specificity(self) -> int:
        return (self.department is not None) + (self.jurisdiction is not None)

    def matches(self, department: str | None, jurisdiction: str | None) -> bool:
        return ((self.department is None or normal(self.department) == normal(department))
                and (self.jurisdiction is None
                     or normal(self.jurisdiction) == normal(jurisdiction)))

    @property
    def name(self) -> str:
        """The rule as people find it in the settings: ``retention_rules[2] (department
        "Sales", jurisdiction "US-CA")``."""
        named = ", ".join(f'{field} "{value}"' for field, value in (
            ("department", self.department), ("jurisdiction", self.jurisdiction)) if value)
        return f"{SETTING}[{self.number}] ({named})"


@dataclass(frozen=True)
class AppliedRetention:
    """The retention a record got: its years, and the rule in words."""

    years: int
    rule: str

    @property
    def period(self) -> dt.timedelta:
        # As retention_years always counted: Julian years, rounded to whole days.
        return dt.timedelta(days=round(365.25 * self.years))

    def until(self, completed_at: dt.datetime) -> dt.datetime:
        return completed_at + self.period


@dataclass(frozen=True)
class RetentionPolicy:
    default_years: int
    rules: tuple[RetentionRule, ...] = ()

    def applying(self, department: str | None, jurisdiction: str | None) -> AppliedRetention:
        """The retention for a record of this department and jurisdiction."""
        matching = [r for r in self.rules if r.matches(department, jurisdiction)]
        if not matching:
            return AppliedRetention(self.default_years, _default_words(self.default_years))
        best = max(matching, key=lambda r: (r.specificity, r.years, -r.number))
        return AppliedRetention(best.years, _rule_words(best))


def _default_words(years: int) -> str:
    return f"retention_years: {_years(years)} (no rule of {SETTING} matched)"


def _rule_words(rule: RetentionRule) -> str:
    return f"{rule.name}: {_years(rule.years)}"


@dataclass(frozen=True)
class RuleParts:
    """What a record's rule in words (:attr:`AppliedRetention.rule`, kept as written,
    in English, as the API gives it) says, read back so that a page can say it in its
    reader's language: the years, and the rule's place in the setting and what it
    names (``number`` None: no rule matched, ``retention_years`` applied)."""

    years: int
    number: int | None = None
    department: str | None = None
    jurisdiction: str | None = None


_DEFAULT_WORDS = re.compile(rf"retention_years: ([0-9]{{1,3}}) years? "
                            rf"\(no rule of {SETTING} matched\)")
_RULE_WORDS = re.compile(rf"{SETTING}\[([0-9]{{1,4}})\] \((?:department \"(.+?)\")?"
                         rf"(?:, )?(?:jurisdiction \"(.+)\")?\): ([0-9]{{1,3}}) years?",
                         re.DOTALL)


def read_rule(words: str | None) -> RuleParts | None:
    """The parts of a rule in words :meth:`RetentionPolicy.applying` wrote; None for
    words it did not write (none kept, or kept by an older plansign in other words),
    which are shown as they are. A reading counts only if writing its parts again gives
    the very same words, and if no value holds a quotation mark (then the words could
    be read more than one way: they too are shown as they are)."""
    if not words:
        return None
    found = _DEFAULT_WORDS.fullmatch(words)
    if found:
        parts = RuleParts(int(found.group(1)))
        return parts if _default_words(parts.years) == words else None
    found = _RULE_WORDS.fullmatch(words)
    if not found:
        return None
    number, department, jurisdiction, years = found.groups()
    rule = RetentionRule(int(years), department, jurisdiction, int(number))
    if (rule.specificity == 0 or _rule_words(rule) != words
            or '"' in (department or "") + (jurisdiction or "")):
        return None
    return RuleParts(rule.years, rule.number, rule.department, rule.jurisdiction)


def parse_rules(entries: Any, *, default_years: int) -> RetentionPolicy:
    """The policy from the setting's value, or :class:`RetentionRulesError` naming the
    first rule that is wrong and what to correct."""
    if not isinstance(entries, Sequence) or isinstance(entries, str | bytes):
        raise RetentionRulesError(
            f"{SETTING} must be a list of rules, each a table with department and/or "
            f"jurisdiction and years (in the environment: JSON), not {entries!r}")
    rules: list[RetentionRule] = []
    seen: dict[tuple[str, str], RetentionRule] = {}
    for number, entry in enumerate(entries, start=1):
        rule = _rule(number, entry)
        key = (normal(rule.department), normal(rule.jurisdiction))
        if key in seen:
            raise RetentionRulesError(f"{rule.name} matches the same records as "
                                      f"{seen[key].name}; keep one of them")
        seen[key] = rule
        rules.append(rule)
    return RetentionPolicy(default_years, tuple(rules))


def _rule(number: int, entry: Any) -> RetentionRule:
    where = f"{SETTING}[{number}]"
    if not isinstance(entry, Mapping):
        raise RetentionRulesError(f"{where} must be a table such as "
                                  f'{{department = "Sales", years = 10}}, not {entry!r}')
    unknown = sorted(str(k) for k in entry if k not in FIELDS)
    if unknown:
        raise RetentionRulesError(f"{where}: {', '.join(unknown)} is not a field of a rule; "
                                  f"a rule has {', '.join(FIELDS)}")
    texts: dict[str, str | None] = {}
    for field in ("department", "jurisdiction"):
        value = entry.get(field)
        if value is not None and (not isinstance(value, str) or not value.strip()
                                  or len(value) > MAX_TEXT):
            raise RetentionRulesError(f"{where}: {field} must be text of 1 to {MAX_TEXT} "
                                      f"characters, not {value!r}")
        texts[field] = " ".join(value.split()) if value is not None else None
    rule = RetentionRule(0, texts["department"], texts["jurisdiction"], number)
    if rule.specificity == 0:
        raise RetentionRulesError(f"{where} names neither a department nor a jurisdiction; "
                                  f"give one or both (retention_years is the default)")
    years = entry.get("years")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise RetentionRulesError(f"{rule.name}: years must be a whole number from 1 to "
                                  f"{MAX_YEARS}, not {years!r}")
    return RetentionRule(years, rule.department, rule.jurisdiction, number)


def _years(years: int) -> str:
    return f"{years} year" + ("" if years == 1 else "s")

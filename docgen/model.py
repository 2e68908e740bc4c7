"""The plan model: what HR writes, validated, with nothing derived yet.

The model accepts drafts: a goal without a metric or a plan without support is still a
plan, because judging whether it is a *good* plan is the linter's job (`docgen.lint`).
What the model refuses is data that cannot mean anything: wrong types, dates that do
not parse, unknown time zones, an end before the start.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from email.headerregistry import Address
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from docgen.languages import check_language
from docgen.words import N_, Words

# XML 1.0 forbids these; Word and LibreOffice refuse a document that holds one.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# An address the mailer can put in a To or Reply-To header as it is: one addr-spec in
# dot-atom form (RFC 5322 atext), in ASCII (the mail library refuses a non-ASCII local
# part, and writes a non-ASCII domain as an encoded word no server reads).
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# Characters that end a header line or hide one: a name holding one cannot be mailed.
_LINE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _clean_text(value: str) -> str:
    bad = _CONTROL_CHARS.search(value)
    if bad:
        raise ValueError(Words(N_("contains the control character %(code)s; remove it"),
                               code=f"U+{ord(bad.group()):04X}"))
    return value.strip()


_NOT_AN_ADDRESS = N_("%(address)s is not an email address")


def address_problem(value: str) -> Words | None:
    """Why ``value`` is not one email address the mailer can send to, or None.

    The one rule for addresses: the plan model checks it when a plan is loaded, and
    :class:`signing.domain.mail.Message` again before anything is sent. Checked without the
    network: the form only, as the mail library will build the header from it.
    """
    if any(unicodedata.category(c) in _LINE_CATEGORIES for c in value):
        return Words(N_("contains a line break or a control character; give one address on "
                        "one line"))
    if "@" not in value or any(c.isspace() for c in value):
        return Words(_NOT_AN_ADDRESS, address=value)
    if not value.isascii():
        return Words(N_("%(address)s has characters outside ASCII, which the mailer cannot "
                        "send to; write an international domain in its xn-- form"),
                     address=value)
    if any(c in value for c in ',;<>()[]\\":'):
        return Words(N_("%(address)s is not one email address: give the address alone, such "
                        "as name@example.com, without a name, quotes, brackets or a second "
                        "address"), address=value)
    local, _, domain = value.rpartition("@")
    if not local or not domain:
        return Words(N_("%(address)s is not an email address, such as name@example.com"),
                     address=value)
    if not _LOCAL_PART.fullmatch(local):
        return Words(N_("%(address)s is not an email address: the part before the @ is not "
                        "valid"), address=value)
    if len(local) > 64 or len(value) > 254:
        return Words(N_("%(address)s is too long for an email address (at most 64 characters "
                        "before the @, 254 in all)"), address=value)
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels) \
            or labels[-1].isdigit():
        return Words(N_("%(address)s is not an email address: %(domain)s is not a domain name "
                        "such as example.com"), address=value, domain=domain)
    # The mail library must read back exactly what it was given.
    try:
        readback = Address(addr_spec=value).addr_spec
    except ValueError:
        readback = None
    if readback != value:
        return Words(N_("%(address)s is not an email address the mailer can use"),
                     address=value)
    return None


def name_problem(value: str) -> Words | None:
    """Why ``value`` cannot be the name on an email (its To header), or None: the one
    rule for names that the plan model and :class:`signing.domain.mail.Message` both apply."""
    if any(unicodedata.category(c) in _LINE_CATEGORIES for c in value):
        return Words(N_("contains a line break, a tab or a control character; write the name "
                        "on one line"))
    return None


def sending(info: ValidationInfo) -> bool:
    """Whether a plan is being checked to be sent (the default), rather than read back as
    an envelope stored it (``plan_from_data(..., stored=True)``). A stored plan was valid
    by the rules in force when it was sent; a rule added since (a limit, a stricter
    address) must not make its envelope unreadable, so those rules ask this first."""
    return not (info.context or {}).get("stored", False)


# Read back from a stored plan: the form of an address as plansign first took it.
_STORED_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str, info: ValidationInfo) -> str:
    if not sending(info):
        if not _STORED_EMAIL.match(value):
            raise ValueError(Words(_NOT_AN_ADDRESS, address=value))
        return value
    problem = address_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _check_person_name(value: str, info: ValidationInfo) -> str:
    problem = name_problem(value) if sending(info) else None
    if problem:
        raise ValueError(problem)
    return value


def _at_most_chars(limit: int) -> Callable[[str, ValidationInfo], str]:
    def check(value: str, info: ValidationInfo) -> str:
        if sending(info) and len(value) > limit:
            raise PydanticCustomError("string_too_long",
                                      "String should have at most {max_length} characters",
                                      {"max_length": limit})
        return value
    return check


def _at_most_items(limit: int) -> Callable[[list[Any], ValidationInfo], list[Any]]:
    def check(value: list[Any], info: ValidationInfo) -> list[Any]:
        if sending(info) and len(value) > limit:
            raise PydanticCustomError("too_long", "List should have at most {max_length} items",
                                      {"max_length": limit, "actual_length": len(value)})
        return value
    return check


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise ValueError(Words(N_("%(zone)s is not a known IANA time zone (use a name such as "
                                  "Europe/London)"), zone=value)) from None
    return value


def _not_before(end: dt.date, start: dt.date | None, *, strict: bool = False) -> dt.date:
    # start is missing from info.data when it failed its own validation; that
    # problem is reported on its own, so there is nothing to compare here.
    if start is not None and (end <= start if strict else end < start):
        raise ValueError(Words(N_("%(end)s is before the start date %(start)s"), end=end,
                               start=start) if end < start
                         else Words(N_("%(end)s is the same day as the start date"), end=end))
    return end


def _parse_time(value: object) -> object:
    # YAML 1.1 reads 10:30 as the base-60 integer 630. plansign's own loader keeps it a
    # string, but data parsed elsewhere may arrive as that integer: refuse it rather
    # than read 630 seconds as 00:10:30.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(Words(N_('%(value)s is not a time; write it in quotes as "HH:MM"'),
                               value=str(value)))
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        return value.strip().zfill(5)
    return value


# The name of a webhook endpoint, as `plansign webhooks add --name` registers it. The
# webhooks package checks the same pattern (webhooks.endpoints.NAME_PATTERN; a test keeps
# the two equal); whether such an endpoint exists is checked when the plan is sent.
WEBHOOK_NAME_PATTERN = r"[a-z0-9][a-z0-9._-]{0,63}"


def _check_webhook_name(value: str) -> str:
    if not re.fullmatch(WEBHOOK_NAME_PATTERN, value):
        raise ValueError(Words(N_("%(name)s is not a webhook endpoint name: 1 to 64 lower-case "
                                  "letters, digits, '.', '_' or '-', starting with a letter "
                                  "or digit"), name=value))
    return value


def _check_template_name(value: str) -> str:
    # Plan data names a template; only the person running plansign may point at a file.
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):
        raise ValueError(Words(N_("%(name)s is not a template name (such as standard or "
                                  "sales)"), name=value))
    return value


# How long a plan's free text may be: a line for titles, metrics and the like, a few
# paragraphs for prose (a summary, a fact, a goal). Nobody reads a plan longer than
# that, and every character is LibreOffice's work when the plan is converted; the plan
# as a whole has a limit of its own (max_plan_chars, docgen.size). Lists are bounded too:
# a plan with a thousand goals is no plan, and takes LibreOffice minutes.
LINE_CHARS = 1_000
PROSE_CHARS = 10_000
MAX_ITEMS = 50

Line = AfterValidator(_at_most_chars(LINE_CHARS))
Paragraphs = AfterValidator(_at_most_chars(PROSE_CHARS))
Items = AfterValidator(_at_most_items(MAX_ITEMS))
Text = Annotated[str, AfterValidator(_clean_text), Line]
TemplateName = Annotated[str, AfterValidator(_check_template_name)]
# The language the employee reads the plan's pages, emails and record in (docgen.languages).
LanguageCode = Annotated[str, AfterValidator(check_language)]
WebhookName = Annotated[str, AfterValidator(_check_webhook_name)]
NonEmptyText = Annotated[str, AfterValidator(_clean_text), Field(min_length=1), Line]
Prose = Annotated[str, AfterValidator(_clean_text), Paragraphs]
NonEmptyProse = Annotated[str, AfterValidator(_clean_text), Field(min_length=1), Paragraphs]
# Text the signing database keeps in columns of a fixed length (signers, the archive's
# index): PostgreSQL refuses longer text, so the plan does, whatever the database.
Name = Annotated[str, AfterValidator(_clean_text), Field(min_length=1, max_length=200)]
# A person's name: also the name on the emails they are sent.
PersonName = Annotated[Name, AfterValidator(_check_person_name)]
Identifier = Annotated[str, AfterValidator(_clean_text), Field(max_length=100)]
# 254: the longest address SMTP can deliver to (RFC 5321 with its erratum).
Email = Annotated[str, Field(max_length=254), AfterValidator(_clean_text),
                  AfterValidator(_check_email)]
TimeZoneName = Annotated[str, AfterValidator(_check_zone)]
TimeOfDay = Annotated[dt.time, BeforeValidator(_parse_time)]


class _Model(BaseModel):
    # coerce_numbers_to_str: an unquoted employee id (10442) is still an id.
    # allow_inf_nan: NaN or infinity is never a result, and cannot be printed or compared.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True,
                              coerce_numbers_to_str=True, allow_inf_nan=False)


class Person(_Model):
    name: PersonName
    email: Email
    title: Text | None = None


class Manager(Person):
    # The manager's own webhook endpoint, by name: the plan's events go to it whatever
    # the endpoint's filter. Routing only; templates never see it.
    webhook: WebhookName | None = None


class Employee(Person):
    employee_id: Identifier | None = None
    department: Name
    location: Text | None = None
    # Where the employee's employment law applies (e.g. "US-CA", "GB"): which retention
    # rule keeps the record. Routing only, like a manager's webhook; shown if a template asks.
    jurisdiction: Identifier | None = None
    hire_date: dt.date | None = None
    # No default: a document must not state an employment type HR never gave.
    employment_type: Text | None = None


class Company(_Model):
    name: NonEmptyText


class HistoryEntry(_Model):
    period: NonEmptyText
    note: NonEmptyProse


class Result(_Model):
    """One measured period, e.g. a month's quota against what was closed."""

    period: NonEmptyText
    metric: NonEmptyText
    target: float | None = None
    actual: float | None = None
    unit: Text = ""
    higher_is_better: bool = True


class PerformanceHistory(_Model):
    start: dt.date
    end: dt.date
    summary: NonEmptyProse
    entries: Annotated[list[HistoryEntry], Items] = []
    results: Annotated[list[Result], Items] = []

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        return _not_before(end, info.data.get("start"))


class Evidence(_Model):
    date: dt.date | None = None
    fact: NonEmptyProse
    source: Text | None = None


class Area(_Model):
    title: NonEmptyText
    description: Prose = ""
    evidence: Annotated[list[Evidence], Items] = []


class Milestone(_Model):
    due: dt.date
    description: NonEmptyProse


class Goal(_Model):
    statement: NonEmptyProse
    area: Text | None = None
    metric: Text | None = None
    baseline: Text | None = None
    target: Text | None = None
    due: dt.date | None = None
    milestones: Annotated[list[Milestone], Items] = []


class SupportKind(StrEnum):
    TRAINING = "training"
    MENTORING = "mentoring"
    COACHING = "coaching"
    WORKLOAD = "workload"
    TOOLS = "tools"
    OTHER = "other"


class Support(_Model):
    kind: SupportKind
    description: NonEmptyProse
    provider: Text | None = None
    when: Text | None = None


def _check_plan_year(value: dt.date) -> dt.date:
    # Dates are counted forward from (check-ins, reviews): one near the calendar's end
    # would run off it. No plan starts or ends outside these years.
    if not 1900 <= value.year <= 2199:
        raise ValueError(Words(N_("%(date)s is not a plausible plan date (years 1900 to "
                                  "2199)"), date=value))
    return value


PlanDate = Annotated[dt.date, AfterValidator(_check_plan_year)]


class Timeline(_Model):
    """Start and length; the end and review dates follow unless HR sets them."""

    start: PlanDate
    # A year at most: lint asks for 30 to 90 days; longer is not a plan at all.
    length_days: int | None = Field(default=None, gt=0, le=366)
    end: PlanDate | None = None
    review_every_days: int = Field(default=30, gt=0, le=366)
    review_dates: Annotated[list[PlanDate], Items] | None = None

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return end if end is None else _not_before(end, info.data.get("start"), strict=True)

    @model_validator(mode="after")
    def _end_or_length(self) -> Timeline:
        if self.end is None and self.length_days is None:
            raise ValueError(Words(N_("give either length_days (30, 60 or 90) or an explicit "
                                      "end date")))
        if self.end is not None and self.length_days is not None:
            raise ValueError(Words(N_("give length_days or an end date, not both")))
        return self


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        return list(Weekday).index(self)


def _lower(value: object) -> object:
    # Accept "Tuesday" for tuesday, but leave other text as typed for the error message.
    if isinstance(value, str) and value.strip().lower() in {*Weekday, *Cadence, *RoutingPlace}:
        return value.strip().lower()
    return value


class CheckIns(_Model):
    cadence: Annotated[Cadence, BeforeValidator(_lower)] = Cadence.WEEKLY
    weekday: Annotated[Weekday, BeforeValidator(_lower)]
    time: TimeOfDay
    timezone: TimeZoneName
    duration_minutes: int = Field(default=30, gt=0, le=480)
    location: Text | None = None
    video_link: Text | None = None
    with_: Text | None = Field(default=None, alias="with")
    skip: Annotated[list[dt.date], Items] = []

    model_config = ConfigDict(populate_by_name=True)


class Outcomes(_Model):
    success: Prose = (
        "The plan closes, and the employee continues in the role with regular "
        "performance management."
    )
    extension: Prose = (
        "Where clear progress has been made but the goals are not fully met, the plan "
        "may be extended once, by up to 30 days, with the same check-ins."
    )
    further_action: Prose = (
        "Where the goals are not met, further action may follow, up to and including "
        "termination of employment, in line with company policy."
    )


# Standard content HR expect in every plan, worded so that it holds for any employer: it
# names no procedure, service or telephone number the company may not have, and sends
# the employee to HR for the details. HR replace it with their own words, or write ""
# to leave the section out.
DEFAULT_CONCERNS = (
    "The employee can raise any concern about this plan, the facts in it or how it is "
    "carried out with their manager or with the HR contact named in this plan, at a "
    "check-in or at any other time, and can add written comments to the plan. Where the "
    "employee wishes to raise a formal complaint or appeal, they should ask HR which "
    "procedure applies, how to use it and whether any time limits apply."
)
DEFAULT_WELLBEING = (
    "Being on a performance improvement plan can be stressful. The employee can ask HR, "
    "in confidence, what wellbeing support is available to them, such as an employee "
    "assistance programme, and how to reach it. If health or personal circumstances are "
    "affecting their work, the employee is encouraged to tell their manager or HR, so "
    "that support or adjustments can be considered."
)


class RoutingPlace(StrEnum):
    BEFORE = "before"
    AFTER = "after"
    NONE = "none"


class Routing(_Model):
    """Who signs besides the employee, and whether before or after them. By default
    every signature line is signed by its role: the manager confirms the plan before the
    employee is sent it, and HR countersign once the employee has answered (and HR have
    read any comments). ``none`` leaves a role's line unsigned."""

    manager: Annotated[RoutingPlace, BeforeValidator(_lower)] = RoutingPlace.BEFORE
    hr: Annotated[RoutingPlace, BeforeValidator(_lower)] = RoutingPlace.AFTER


class Plan(_Model):
    """A Performance Improvement Plan as HR writes it."""

    plan_id: Identifier | None = None
    company: Company | None = None
    template: TemplateName | None = None
    # None: the default_language setting's, fixed into the envelope when it is sent.
    language: LanguageCode | None = None
    employee: Employee
    manager: Manager
    hr: Person
    role_summary: NonEmptyProse
    performance_history: PerformanceHistory
    areas: Annotated[list[Area], Items] = []
    goals: Annotated[list[Goal], Items] = []
    support: Annotated[list[Support], Items] = []
    timeline: Timeline
    checkins: CheckIns | None = None
    outcomes: Outcomes = Outcomes()
    # How to raise a concern or appeal, and what wellbeing support there is: shown in
    # every template; "" leaves the section out.
    concerns: Prose = DEFAULT_CONCERNS
    wellbeing: Prose = DEFAULT_WELLBEING
    notes: Prose | None = None
    routing: Routing = Routing()

    def signers(self) -> list[tuple[str, Person, RoutingPlace | None]]:
        """Who signs, by field name: the employee (no routing place), then the manager and
        HR where the routing adds them."""
        people: list[tuple[str, Person, RoutingPlace | None]] = [
            ("employee", self.employee, None)]
        for name, person, place in (("manager", self.manager, self.routing.manager),
                                    ("hr", self.hr, self.routing.hr)):
            if place is not RoutingPlace.NONE:
                people.append((name, person, place))
        return people

    @model_validator(mode="after")
    def _one_address_per_signer(self, info: ValidationInfo) -> Plan:
        # Each signer gets their own link by email: two at one address would read each
        # other's, and the provider's reports could not tell them apart.
        if not sending(info):
            return self
        seen: dict[str, str] = {}
        for name, person, _ in self.signers():
            first = seen.setdefault(person.email.casefold(), name)
            if first != name:
                raise ValidationError.from_exception_data(type(self).__name__, [InitErrorDetails(
                    type=PydanticCustomError(
                        "value_error", "{address} is also {first}.email; each signer needs "
                        "an address of their own", {"address": person.email, "first": first}),
                    loc=(name, "email"), input=person.email)])
        return self

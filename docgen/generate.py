"""From plan to documents: lint gate, render, convert.

The functions here take plans and bytes and give bytes back; writing files is the
caller's business (see :func:`docgen.files.write_atomic`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from docgen.context import Amendment, plan_context
from docgen.doclang import plan_language
from docgen.errors import BuildFailed, ConversionTimeout, DocgenError, LintFailed
from docgen.lint import Finding, errors, lint
from docgen.logo import Logo
from docgen.model import Plan
from docgen.render import localized_template, render_docx
from docgen.schedule import Meeting, schedule_for
from docgen.size import PlanLimits, check_page_count, check_text_size, too_slow

FORMATS = ("docx", "pdf")


class PdfConverter(Protocol):
    def convert(self, docx: bytes) -> bytes: ...


@dataclass(frozen=True)
class Job:
    """One plan to turn into documents, and the name its files get. ``findings``: the
    plan's lint findings when the caller has linted it already (``lint_data`` does), so
    that a plan is linted once however many steps need its findings."""

    name: str
    plan: Plan
    template: Path
    source: str | None = None
    findings: tuple[Finding, ...] | None = None
    amendment: Amendment | None = None  # an amended plan: marked so in every page's header

    def lint_findings(self) -> list[Finding]:
        return list(self.findings) if self.findings is not None else lint(self.plan)


@dataclass
class Output:
    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def check(job: Job, *, force: bool = False) -> list[Finding]:
    """The plan's lint findings; raises :class:`LintFailed` on errors unless forced."""
    findings = job.lint_findings()
    if errors(findings) and not force:
        raise LintFailed(findings, job.source)
    return findings


def render_plan(plan: Plan, template: Path | bytes, *, company_name: str | None,
                generated_on: dt.date | None = None, lint_passed: bool | None = None,
                draft: bool = False, amendment: Amendment | None = None,
                logo: Logo | None = None,
                meetings: tuple[Meeting, ...] | None = None) -> bytes:
    """The plan's .docx, in the plan's language: a template given as a path is taken in
    that language (``standard.fr.docx`` for ``standard.docx``). ``lint_passed`` None: lint
    the plan to know (the documents claim its goals are specific and measurable only
    when it has no lint errors). With ``amendment``, every page's header marks it as
    that amendment of the plan. ``meetings``: the check-in meetings to print instead of
    those the plan's cadence gives (an amendment's: the meetings held under the old
    cadence stay as they were, the new cadence runs from the extension on)."""
    schedule = schedule_for(plan)
    if meetings is not None:
        schedule = replace(schedule, checkins=meetings)
    language = plan_language(plan)
    if isinstance(template, Path):
        template = localized_template(template, language)
    if lint_passed is None:
        lint_passed = not errors(lint(plan, schedule))
    context = plan_context(plan, company_name=company_name, schedule=schedule,
                           generated_on=generated_on, lint_passed=lint_passed, draft=draft,
                           amendment=amendment, language=language, logo=logo)
    return render_docx(template, context)


def plan_today(plan: Plan, now: dt.datetime) -> dt.date:
    """Today's date where the plan happens (its check-in zone), for "Issued: ..."; the
    server's own date where the plan names no zone."""
    zone = plan.checkins.timezone if plan.checkins else None
    if zone and now.tzinfo is not None:
        try:
            return now.astimezone(ZoneInfo(zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return now.date()


def build(job: Job, *, formats: Sequence[str], company_name: str | None,
          converter: PdfConverter | None, generated_on: dt.date | None = None,
          limits: PlanLimits | None = None, for_signature: bool = False,
          logo: Logo | None = None, generated_at: dt.datetime | None = None) -> Output:
    """The plan's documents. With ``limits``, a plan too big is refused (PlanError naming
    its longest fields) before it is rendered, or after conversion by its page count.
    A conversion that timed out is such a refusal too: the plan is the likely cause.

    A plan with lint errors (built only when forced, see :func:`check`) never claims its
    goals are specific and measurable. Its documents are marked DRAFT on every page,
    unless they are ``for_signature``: what an employee is asked to sign is the plan
    itself, never a draft, so a forced send drops the claim but not the document's
    standing (the sender chose to send it as it is). ``generated_at``: the moment it is
    made, dated in the plan's zone (:func:`plan_today`) unless ``generated_on`` says."""
    if limits is not None:
        check_text_size(job.plan, limits, source=job.source)
    lint_passed = not errors(job.lint_findings())
    if generated_on is None and generated_at is not None:
        generated_on = plan_today(job.plan, generated_at)
    docx = render_plan(job.plan, job.template, company_name=company_name,
                       generated_on=generated_on, lint_passed=lint_passed,
                       draft=not lint_passed and not for_signature, amendment=job.amendment,
                       logo=logo)
    out = Output(job.name)
    if "docx" in formats:
        out.files["docx"] = docx
    if "pdf" in formats:
        if converter is None:
            raise DocgenError("PDF output needs a converter")
        try:
            out.files["pdf"] = converter.convert(docx)
        except ConversionTimeout as exc:
            raise too_slow(job.plan, exc.seconds, source=job.source) from exc
        if limits is not None:
            check_page_count(job.plan, out.files["pdf"], limits, source=job.source)
    return out


def build_many(
    jobs: Iterable[Job],
    *,
    formats: Sequence[str],
    company_name: str | None,
    converter: PdfConverter | None,
    workers: int = 1,
    generated_on: dt.date | None = None,
    on_done: Callable[[Output], None] | None = None,
    logo: Logo | None = None,
    generated_at: dt.datetime | None = None,
) -> list[Output]:
    """Build several jobs, rendering one while LibreOffice converts another.

    Rendering holds the GIL but conversion waits on LibreOffice, so ``workers`` threads
    (one per converter instance) keep every instance busy. Results keep the jobs' order.
    The first failure stops the batch (jobs not yet begun are dropped) and is raised as
    :class:`BuildFailed` naming the plan, so that callers can write all or nothing.
    """

    def one(job: Job) -> Output:
        try:
            out = build(job, formats=formats, company_name=company_name,
                        converter=converter, generated_on=generated_on, logo=logo,
                        generated_at=generated_at)
        except DocgenError as exc:
            raise BuildFailed(job.source or job.name, exc) from exc
        if on_done:
            on_done(out)
        return out

    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        return [one(job) for job in jobs]
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plansign-build")
    try:
        return list(pool.map(one, jobs))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

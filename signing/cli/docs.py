"""CLI commands for documents: ``lint``, ``generate`` and ``templates``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from config import Settings
from docgen import (
    BUILTIN_TEMPLATES,
    FORMATS,
    Amendment,
    BuildFailed,
    DataLint,
    Finding,
    Job,
    LintFailed,
    Output,
    PlanError,
    Severity,
    StagedFiles,
    build_many,
    check,
    check_template,
    lint_data,
    load_plan_data,
    plan_context,
    resolve_template,
    sample_plan,
)
from docgen.doclang import LANGUAGES
from docgen.render import template_language, template_names
from signing.services import Services

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_findings(console: Console, source: str, findings: list[Finding]) -> None:
    if not findings:
        console.print(f"[green]✓[/] {escape(source)}: no problems")
        return
    console.print(f"[bold]{escape(source)}[/]")
    for f in findings:
        colour = _COLOURS[f.severity]
        console.print(f"  [{colour}]{f.severity:<7}[/] {f.code}  [cyan]{escape(f.path)}[/]  "
                      f"{escape(f.message)}")


def print_plan_error(console: Console, error: PlanError) -> None:
    console.print(f"[bold]{escape(error.source or 'plan')}[/]: [red]the plan data is not valid[/]")
    for problem in error.problems:
        console.print(f"  [red]invalid[/] [cyan]{escape(problem.path or '(file)')}[/]  "
                      f"{escape(problem.message)}")


@click.command("lint")
@click.argument("plans", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def lint_cmd(plans: tuple[Path, ...], as_json: bool) -> None:
    """Check plans against good PIP practice. Exits 1 if any plan has an error.

    A plan whose data is not valid gets both lists: what is wrong with the data, and the
    lint findings for every part that could be read."""
    results: list[dict[str, Any]] = []
    failed = False
    for path in plans:
        try:
            checked = lint_data(load_plan_data(path), source=str(path))
        except PlanError as exc:  # not even YAML or JSON: there is nothing to lint
            checked = DataLint(exc.problems, linted=False)
        failed |= not checked.valid or any(f.severity is Severity.ERROR
                                           for f in checked.findings)
        results.append({"file": str(path), "valid": checked.valid, "linted": checked.linted,
                        "problems": [{"path": p.path, "message": p.message}
                                     for p in checked.problems],
                        "findings": [f.to_dict() for f in checked.findings]})
        if not as_json:
            _print_checked(_console(), str(path), checked)
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        counts = Counter(f["severity"] for r in results for f in r["findings"])
        invalid = sum(not r["valid"] for r in results)
        _console().print(
            f"{counts['error']} error(s), {counts['warning']} warning(s)"
            + (f", {invalid} invalid plan(s)" if invalid else "")
            + f" in {len(results)} plan(s)")
    sys.exit(1 if failed else 0)


def _print_checked(console: Console, source: str, checked: DataLint) -> None:
    if checked.valid:
        print_findings(console, source, checked.findings)
        return
    print_plan_error(console, PlanError(checked.problems, source))
    if not checked.linted:
        console.print("  [yellow]lint could not run: fix the data above first[/]")
        return
    for f in checked.findings:
        console.print(f"  [{_COLOURS[f.severity]}]{f.severity:<7}[/] {f.code}  "
                      f"[cyan]{escape(f.path)}[/]  {escape(f.message)}")
    if checked.findings:
        console.print("  [dim](lint findings for the parts of the plan that could be read)[/]")


def _parse_formats(value: str) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(
            f"{', '.join(unknown) or 'nothing'} is not a format; choose from {', '.join(FORMATS)}",
            param_hint="--format")
    return formats


def templates_dir(settings: Settings) -> Path:
    return Path(settings.templates_dir) if settings.templates_dir else BUILTIN_TEMPLATES


def _prepare_jobs(plans: tuple[Path, ...], template: str | None, settings: Settings,
                  force: bool, console: Console) -> list[Job]:
    """Load, lint and resolve every plan before anything is written; exit on any problem."""
    jobs: list[Job] = []
    names: dict[str, str] = {}
    failed = False
    for path in plans:
        try:
            checked = lint_data(load_plan_data(path), source=str(path))
            if checked.plan is None:
                # The data's problems and the lint findings for what could be read, so
                # that one round of fixes covers both.
                _print_checked(console, str(path), checked)
                failed = True
                continue
            plan = checked.plan
            name = template or plan.template or settings.default_template
            job = Job(path.stem, plan, resolve_template(name, templates_dir(settings)), str(path),
                      findings=tuple(checked.findings))
            findings = check(job, force=force)
        except PlanError as exc:
            print_plan_error(console, exc)
            failed = True
            continue
        except LintFailed as exc:
            print_findings(console, str(path), exc.findings)
            console.print(f"  [red]{escape(str(exc))}; fix them, or pass --force to generate "
                          "anyway[/]")
            failed = True
            continue
        if job.name in names:
            console.print(f"[red]error:[/] {escape(str(path))} and {escape(names[job.name])} "
                          "would write files of the same name; rename one of them")
            failed = True
        names[job.name] = str(path)
        if findings:
            print_findings(console, str(path), findings)
        jobs.append(job)
    if failed:
        console.print("[bold red]Nothing was written.[/]")
        sys.exit(1)
    return jobs


@click.command("generate")
@click.argument("plans", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--template", "-t", help="Template name (e.g. standard, sales) or .docx path; "
              "overrides the plan's own.")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write to (default: the output_dir setting).")
@click.option("--format", "formats", default="docx,pdf", show_default=True,
              help="Comma-separated formats to write.")
@click.option("--force", is_flag=True, help="Generate even when the plan has lint errors.")
@click.pass_obj
def generate_cmd(services: Services, plans: tuple[Path, ...], template: str | None,
                 out_dir: Path | None, formats: str, force: bool) -> None:
    """Render plans into Word and PDF documents."""
    settings = services.settings
    branding = services.branding  # a bad logo stops the command here, naming the setting
    console = _console()
    wanted = _parse_formats(formats)
    out_dir = out_dir or Path(settings.output_dir)
    # Started while the plans are read; stopped when the command ends (Services.close).
    converter = services.converter_pool if "pdf" in wanted else None
    instances = min(converter.size, len(plans)) if converter else 1
    if converter is not None:
        converter.begin_start(instances)
    jobs = _prepare_jobs(plans, template, settings, force, console)
    # One more thread than instances: the next plan is rendered, and the last one's files
    # written, while every instance converts.
    threads = instances + 1 if converter is not None else 1
    # Each document is written under a temporary name as soon as it is made, and all get
    # their real names once every one is made: a plan that fails to render or convert
    # stops the batch, and nothing is written.
    written: dict[str, list[Path]] = {}
    with StagedFiles() as staged, Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True,
            disable=len(jobs) < 2) as progress:
        task = progress.add_task("Generating", total=len(jobs))

        def stage(output: Output) -> None:
            paths = [out_dir / f"{output.name}.{fmt}" for fmt in output.files]
            for path, data in zip(paths, output.files.values(), strict=True):
                staged.stage(path, data)
            written[output.name] = paths
            output.files.clear()  # on disk now: 100 PDFs need not stay in memory too
            progress.advance(task)

        try:
            build_many(jobs, formats=wanted, company_name=branding.legal_name,
                       logo=branding.logo, converter=converter, workers=threads,
                       generated_at=dt.datetime.now(dt.UTC), on_done=stage)
        except BuildFailed as exc:
            progress.stop()
            console.print(f"[bold red]error:[/] {escape(str(exc))}")
            console.print("[bold red]Nothing was written.[/]")
            sys.exit(1)
        except OSError as exc:
            progress.stop()
            _cannot_write(console, out_dir, exc, [])
        if converter is not None:
            # Its work is done: stopped now rather than when the command ends, and at once,
            # as its profile goes with it (the command's exit waits for this).
            converter.close(kill=True)
        try:
            staged.publish()
        except OSError as exc:
            _cannot_write(console, out_dir, exc, staged.published)
    console.print(f"[green]Wrote {len(jobs)} plan(s) to {escape(str(out_dir))}[/]")
    for job in jobs:
        files = ", ".join(escape(str(p)) for p in written[job.name])
        console.print(f"  {escape(job.source or job.name)} ({escape(job.template.stem)}) → "
                      f"{files}")


def _cannot_write(console: Console, out_dir: Path, exc: OSError, done: list[Path]) -> None:
    console.print(f"[bold red]error:[/] cannot write to {escape(str(out_dir))}: "
                  f"{escape(exc.strerror or str(exc))}; choose another folder with --out")
    if done:
        console.print(f"Already written: {escape(', '.join(map(str, done)))}")
    else:
        console.print("[bold red]Nothing was written.[/]")
    sys.exit(1)


@click.group("templates")
def templates_group() -> None:
    """Work with Word templates."""


@templates_group.command("list")
@click.pass_obj
def templates_list(services: Services) -> None:
    """List the named templates, each with the languages it is written in."""
    settings = services.settings
    folder = templates_dir(settings)
    for name in template_names(folder):
        english = folder / f"{name}.docx"
        languages = [language for language in LANGUAGES
                     if (folder / (f"{name}.docx" if language == "en"
                                   else f"{name}.{language}.docx")).is_file()]
        click.echo(f"{name}\t{' '.join(languages)}\t{english}")


@templates_group.command("check")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.pass_obj
def templates_check(services: Services, files: tuple[Path, ...], as_json: bool) -> None:
    """Find broken tags, Jinja errors and unknown variables in templates."""
    settings = services.settings
    console, report, failed = _console(), [], False
    for path in files:
        # Each in its own language (standard.fr.docx: French), so that its dates,
        # labels and words are what a plan in that language gives it.
        # With an amendment, so that the header's amendment mark is rendered and checked
        # too; a letter template is checked against a sample letter (see check_template).
        sample = sample_plan()
        context = plan_context(sample, company_name=settings.company_name,
                               language=template_language(path),
                               amendment=Amendment(1, sample.timeline.start))
        findings = check_template(path, context)
        failed |= any(f.severity is Severity.ERROR for f in findings)
        report.append({"file": str(path), "findings": [f.to_dict() for f in findings]})
        if as_json:
            continue
        if not findings:
            console.print(f"[green]✓[/] {escape(str(path))}: no problems")
        for f in findings:
            console.print(f"{escape(str(path))}: {escape(f.where)}: "
                          f"[{_COLOURS[f.severity]}]{f.severity}[/] {f.code} {escape(f.message)}")
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    sys.exit(1 if failed else 0)

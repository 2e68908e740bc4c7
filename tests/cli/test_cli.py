"""The plansign CLI as HR use it: what they see, exit status, and what lands on disk."""

from __future__ import annotations

import json
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from signing.cli import main
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def bad_plan(tmp_path, plan_data):
    plan_data["goals"][0]["due"] = "2026-13-01"
    plan_data["checkins"]["timezone"] = "Europe/Lundon"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(plan_data))
    return path


@pytest.fixture
def vague_plan(tmp_path, plan_data):
    plan_data["goals"][0]["statement"] = "Improve attitude towards customers."
    plan_data["support"] = []
    path = tmp_path / "vague.yaml"
    path.write_text(yaml.safe_dump(plan_data))
    return path


def test_lint_examples_are_clean(runner):
    result = runner.invoke(main, ["lint", *map(str, EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert result.output.count("no problems") == len(EXAMPLES) == 3
    assert "0 error(s), 0 warning(s) in 3 plan(s)" in result.output


def test_lint_reports_errors_for_people(runner, vague_plan):
    result = runner.invoke(main, ["lint", str(vague_plan)])
    assert result.exit_code == 1
    assert "PIP202  goals[0].statement" in result.output
    assert '"improve attitude" is vague' in result.output
    assert "PIP401  support" in result.output
    assert "2 error(s), 0 warning(s) in 1 plan(s)" in result.output


def test_lint_json_for_machines(runner, vague_plan, bad_plan):
    result = runner.invoke(main, ["lint", "--json", str(vague_plan), str(bad_plan)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert [f["code"] for f in report[0]["findings"]] == ["PIP202", "PIP401"]
    assert report[0]["findings"][0] == {
        "code": "PIP202", "severity": "error", "path": "goals[0].statement",
        "message": '"improve attitude" is vague; say what the employee will do and how it '
                   "will be measured"}
    assert report[1]["valid"] is False
    assert {"path": "goals[0].due",
            "message": "2026-13-01 is not a date (write it as YYYY-MM-DD)"} in report[1]["problems"]


def test_lint_shows_findings_even_when_the_data_has_errors(runner, tmp_path, plan_data):
    plan_data["goals"][0]["due"] = "2026-13-01"
    plan_data["performance_history"]["summary"] = "Lazy about the queue since June."
    plan_data["goals"][0]["metric"] = "Manager opinion"
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump(plan_data))
    result = runner.invoke(main, ["lint", str(path)])
    assert result.exit_code == 1
    assert "the plan data is not valid" in result.output
    assert "invalid goals[0].due  2026-13-01 is not a date" in result.output
    assert "PIP303  performance_history.summary" in result.output
    assert "PIP211  goals[0].metric" in result.output
    assert "2 error(s), 0 warning(s), 1 invalid plan(s) in 1 plan(s)" in result.output
    report = json.loads(runner.invoke(main, ["lint", "--json", str(path)]).output)
    assert report[0]["valid"] is False and report[0]["linted"] is True
    assert {f["code"] for f in report[0]["findings"]} == {"PIP211", "PIP303"}


def test_generate_refuses_bad_data_and_writes_nothing(runner, bad_plan, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", str(EXAMPLES[0]), str(bad_plan), "--out", str(out)])
    assert result.exit_code == 1
    assert "goals[0].due  2026-13-01 is not a date" in result.output
    assert "checkins.timezone  Europe/Lundon is not a known IANA time zone" in result.output
    assert "Nothing was written." in result.output
    assert not out.exists()


def test_generate_refuses_lint_errors_unless_forced(runner, vague_plan, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", str(vague_plan), "--out", str(out),
                                  "--format", "docx"])
    assert result.exit_code == 1
    assert "2 lint error(s); fix them, or pass --force to generate anyway" in result.output
    assert not out.exists()
    result = runner.invoke(main, ["generate", str(vague_plan), "--out", str(out),
                                  "--format", "docx", "--force"])
    assert result.exit_code == 0, result.output
    assert (out / "vague.docx").is_file()


def test_a_plan_that_fails_to_render_stops_the_batch_and_writes_nothing(runner, tmp_path):
    from tests.docgen.docxkit import docx_with

    broken = tmp_path / "broken.docx"
    broken.write_bytes(docx_with("Dear {{ employee.nmae }}"))
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", *map(str, EXAMPLES), "--template", str(broken),
                                  "--out", str(out), "--format", "docx"])
    assert result.exit_code == 1
    assert f"error: {EXAMPLES[0]}: the template uses a variable the plan does not provide" \
        in result.output
    assert "Nothing was written." in result.output
    assert not out.exists()


def test_a_later_plan_that_fails_takes_back_the_files_already_made(runner, tmp_path,
                                                                     plan_data):
    """Files are written under temporary names as they are made: a failure after the
    first plan leaves neither its files nor the output folder."""
    import shutil

    from docgen import BUILTIN_TEMPLATES
    from tests.docgen.docxkit import docx_with

    templates = tmp_path / "templates"
    templates.mkdir()
    for name in ("standard", "sales"):
        shutil.copy(BUILTIN_TEMPLATES / f"{name}.docx", templates / f"{name}.docx")
    (templates / "broken.docx").write_bytes(docx_with("Dear {{ employee.nmae }}"))
    plan_data["template"] = "broken"
    second = tmp_path / "second.yaml"
    second.write_text(yaml.safe_dump(plan_data))
    out = tmp_path / "new" / "out"
    result = runner.invoke(main, ["generate", str(EXAMPLES[0]), str(second), "--out", str(out),
                                  "--format", "docx"],
                           env={"PLANSIGN_TEMPLATES_DIR": str(templates)})
    assert result.exit_code == 1
    assert f"error: {second}: the template uses a variable the plan does not provide" \
        in result.output
    assert "Nothing was written." in result.output
    assert not (tmp_path / "new").exists()


def test_an_output_folder_that_cannot_be_written(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(main, ["generate", str(EXAMPLES[0]), "--out", str(blocker / "out"),
                                  "--format", "docx"])
    assert result.exit_code == 1
    assert f"cannot write to {blocker / 'out'}" in result.output
    assert "choose another folder with --out" in result.output
    assert "Traceback" not in result.output


def test_markup_in_user_text_is_printed_not_interpreted(runner):
    result = runner.invoke(main, ["settings"], env={"PLANSIGN_CONVERTER_TIMEOUT": "[/]"})
    assert result.exit_code == 1
    assert "'[/]' is not a number" in result.output


def test_generate_unknown_template_and_format(runner, tmp_path):
    result = runner.invoke(main, ["generate", str(EXAMPLES[0]), "--template", "fancy",
                                  "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "template fancy not found" in result.output
    assert "known templates: sales, standard" in result.output
    result = runner.invoke(main, ["generate", str(EXAMPLES[0]), "--format", "odt"])
    assert result.exit_code == 2
    assert "odt is not a format; choose from docx, pdf" in result.output


def docx_with_dtd(path):
    """The shipped template, its document.xml given a DTD whose entities expand a billion
    times (lxml refuses it)."""
    laughs = b"<!DOCTYPE w:document [<!ENTITY l0 \"lol\">" + b"".join(
        b"<!ENTITY l%d \"%s\">" % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10)) + b"]>"
    with zipfile.ZipFile("templates/standard.docx") as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, rest = data.split(b"?>", 1)
                data = head + b"?>" + laughs + rest.replace(b"<w:t>", b"<w:t>&l9;", 1)
            out.writestr(item, data)
    return path


def test_a_template_with_a_dtd_is_a_clear_error_not_a_traceback(runner, tmp_path):
    template = docx_with_dtd(tmp_path / "laughs.docx")
    checked = runner.invoke(main, ["templates", "check", str(template)])
    assert checked.exit_code == 1
    said = "not a Word .docx file (XMLSyntaxError); save it as .docx"
    assert said in checked.output
    result = runner.invoke(main, ["generate", str(EXAMPLES[0]), "--template", str(template),
                                  "--format", "docx", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert f"template laughs.docx is {said}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_bad_setting_is_a_message_not_a_traceback(runner):
    result = runner.invoke(main, ["settings"], env={"PLANSIGN_CONVERTER_TIMEOUT": "soon"})
    assert result.exit_code == 1
    assert "PLANSIGN_CONVERTER_TIMEOUT: 'soon' is not a number" in result.output
    assert "Traceback" not in result.output


def test_settings_lists_sources(runner):
    result = runner.invoke(main, ["settings", "--json"], env={"PLANSIGN_COMPANY_NAME": "Acme"})
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows["company_name"]["value"] == "Acme"
    assert rows["company_name"]["source"] == "environment"
    assert rows["converter_timeout"]["source"] == "default"


def test_templates_check_shipped_and_broken(runner, tmp_path):
    result = runner.invoke(main, ["templates", "check", "templates/standard.docx",
                                  "templates/sales.docx"])
    assert result.exit_code == 0, result.output
    assert result.output.count("no problems") == 2
    from tests.docgen.docxkit import docx_with

    broken = tmp_path / "broken.docx"
    broken.write_bytes(docx_with("Dear {{ employe.name }}"))
    result = runner.invoke(main, ["templates", "check", str(broken)])
    assert result.exit_code == 1
    assert "T202 unknown variable employe (did you mean employee?)" in result.output


def _soffice_processes_in(folder: Path) -> list[str]:
    """LibreOffice processes whose profile lies in ``folder`` (other tests' pools, which
    may run at the same time in other processes, have theirs elsewhere)."""
    ps = subprocess.run(["ps", "-eo", "pid,stat,args"], capture_output=True, text=True).stdout
    return [line for line in ps.splitlines() if "soffice.bin" in line and str(folder) in line]


def test_generate_examples_to_word_and_pdf(runner, tmp_path, monkeypatch):
    """The real thing, end to end: its own LibreOffice pool, gone when the command ends."""
    pools = tmp_path / "pools"  # where the command's pool keeps its private folder
    pools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(pools))
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        made.append(real_mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", *map(str, EXAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote 3 plan(s) to {out}" in result.output
    for example in EXAMPLES:
        pdf = out / f"{example.stem}.pdf"
        assert (out / f"{example.stem}.docx").is_file()
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "Employee signature:" in text
        assert "Performance Improvement Plan" in text
    assert not list(out.glob(".*.tmp"))
    assert any(Path(folder).parent == pools for folder in made)  # the pool's, here
    assert _soffice_processes_in(pools) == []

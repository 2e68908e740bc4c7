"""`plansign verify` on a sealed case file: its seal, each included document's hash and
seal, the plan being the archived record of its envelope, each check-in record's hash.
The plan is sent, signed and finalized by the real flow (LibreOffice, the worker, the
instance's self-signed seal); the case file is built around its archived final PDF, with
a real outcome letter and amended plan (rendered and converted, then sealed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
import yaml

from config import load_settings
from database import make_session_factory
from docgen import Amendment, plan_from_data, render_plan, resolve_template
from docgen.casefile.manifest import read_case_file
from docgen.letters import Decision, GoalResult, letter_context, render_letter
from docgen.seal import seal, validate
from signing import instance
from signing.cli import main
from signing.domain import verification
from signing.domain.case_verification import verify_case_file
from signing.domain.cases.casefile import make_case_file, write_case_file
from tests.signing.clikit import EXAMPLES, archive_one
from testsupport.casekit import sample_case

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def sealed_case(runner, env, tmp_path, converter):
    envelope_id, record, _ = archive_one(runner, env, tmp_path)
    settings = load_settings(env)
    key = instance.sealing_key(settings)
    plan = plan_from_data(yaml.safe_load(EXAMPLES[2].read_text()))
    final = instance.blob_store(settings).get(record.final_sha256)
    now = dt.datetime.now(dt.UTC)
    results = [GoalResult(n, "not met", "below target", "Final review figures.")
               for n in range(1, len(plan.goals) + 1)]
    letter = converter.convert(render_letter(letter_context(
        plan, kind="not_met", date=now.date(), results=results,
        decision=Decision(plan.manager.name, now.date(), plan.hr.name, now.date()),
        checkins_held=4,
        checkins_scheduled=5)))
    amended = converter.convert(render_plan(plan, resolve_template("standard"),
                                            company_name="X",
                                            amendment=Amendment(1, plan.timeline.start)))
    case = sample_case(plan, final, meetings=5,
                       amendment_pdf=seal(amended, key, reason="Amendment", now=now),
                       letter_pdf=seal(letter, key, reason="Outcome letter", now=now),
                       envelope_id=envelope_id)
    made = make_case_file(case, key, now=now)
    path = tmp_path / "case-file.pdf"
    write_case_file(path, made.pdf)
    return path, case, settings


def test_verify_accepts_a_sealed_case_file_and_reports_what_does_not_hold(runner, env,
                                                                        sealed_case):
    # One test, as making the archived plan it includes takes the whole flow.
    path, case, settings = sealed_case
    result = runner.invoke(main, ["verify", str(path)], env=env)
    assert result.exit_code == 0, result.output
    names = [re.match(r"ok\s+([^:]+):", line).group(1) for line in result.output.splitlines()]
    assert names[:2] == ["case file", "seal"]
    for doc in ("plan (plan.pdf)", "amendment (amendment-1.pdf)",
                "outcome letter (outcome-letter.pdf)"):
        assert f"{doc} hash" in names and f"{doc} seal" in names
    assert "plan record archived" in names
    assert [n for n in names if n.startswith("check-in")] == [
        f"check-in {c.meeting} record hash" for c in case.checkins]

    pdf = path.read_bytes()
    trusted = instance.trusted_seal_certificates(settings)
    stated = read_case_file(pdf)
    assert stated is not None
    # A manifest that states another hash for a check-in, and a plan of another envelope.
    data = dict(stated.data)
    data["checkins"] = [dict(data["checkins"][0], sha256="0" * 64), *data["checkins"][1:]]
    data["envelope_id"] = "env-elsewhere"
    sessions = make_session_factory(instance.database_engine(settings))
    with sessions() as session:
        checks = verify_case_file(session, pdf, dataclasses.replace(stated, data=data),
                                  lambda b: validate(b, trusted=trusted))
        failed = {c.name for c in checks if not c.ok}
        assert failed == {"check-in 1 record hash", "plan record archived"}
        # The case file before it was sealed: its own seal fails, nothing else.
        unsealed = pdf[:pdf.rindex(b"%%EOF", 0, len(pdf) - 10) + 5]
        checks = verification.verify_file(session, None, unsealed,
                                          lambda b: validate(b, trusted=trusted))
        assert [c.name for c in checks if not c.ok] == ["seal"]

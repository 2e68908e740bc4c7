"""`plansign send` and `plansign status`, end to end with real LibreOffice and the file
outbox standing in for the signers' mailboxes."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
import yaml

from signing.cli import main
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.usefixtures("clean_env")


def test_send_then_status(runner, env, tmp_path):
    """The default routing: every signature line is signed by its role, the manager
    first, then the employee, then HR; the manager is invited now."""
    plan = tmp_path / "plan.yaml"
    data = yaml.safe_load(EXAMPLES[2].read_text())
    assert "routing" not in data
    plan.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(main, ["send", str(plan)], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    envelope_id = lines[0]
    assert len(envelope_id) == 36
    [delivered] = [line for line in lines if line.startswith("invitation for signer")]
    eml = Path(delivered.split(": ", 1)[1])
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == data["manager"]["email"]
    body = message.get_body(("plain",)).get_content()
    assert "https://sign.example.com/s/" in body
    assert f"sign the performance improvement plan for {data['employee']['name']} as their " \
           "manager" in body
    assert "https://sign.example.com/s/" not in result.output  # the link is only in the email

    status = runner.invoke(main, ["status", envelope_id], env=env)
    assert status.exit_code == 0, status.output
    assert f"envelope {envelope_id}: sent" in status.output
    assert f"1. manager  {data['manager']['name']} <{data['manager']['email']}>: notified" \
        in status.output
    assert f"2. employee {data['employee']['name']} <{data['employee']['email']}>: waiting" \
        in status.output
    assert f"3. hr       {data['hr']['name']} <{data['hr']['email']}>: waiting" in status.output
    assert "envelope.created" in status.output and "signer.notified" in status.output
    assert "/s/" not in status.output


def test_send_with_the_manager_and_hr_left_out(runner, env, tmp_path):
    plan = tmp_path / "plan.yaml"
    data = yaml.safe_load(EXAMPLES[2].read_text())
    data["routing"] = {"manager": "none", "hr": "none"}
    plan.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(main, ["send", str(plan)], env=env)
    assert result.exit_code == 0, result.output
    status = runner.invoke(main, ["status", result.output.splitlines()[0]], env=env)
    assert f"2. employee {data['employee']['name']}" in status.output
    assert ": notified" in status.output
    assert "manager" not in status.output and "hr " not in status.output


def test_send_refuses_a_plan_with_lint_errors(runner, env, tmp_path):
    plan = tmp_path / "vague.yaml"
    data = yaml.safe_load(EXAMPLES[2].read_text())
    data["support"] = []
    plan.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(main, ["send", str(plan)], env=env)
    assert result.exit_code == 1
    assert "PIP401  support" in result.output
    assert "Nothing was sent." in result.output
    assert not list((tmp_path / "instance").glob("mail/*.eml"))


def test_send_of_invalid_data_lists_its_problems_and_the_lint_findings(runner, env, tmp_path):
    plan = tmp_path / "both.yaml"
    data = yaml.safe_load(EXAMPLES[2].read_text())
    data["employee"]["email"] = "not an address"
    data["support"] = []
    plan.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(main, ["send", str(plan)], env=env)
    assert result.exit_code == 1, result.output
    assert "employee.email" in result.output  # what is wrong with the data
    assert "PIP401  support" in result.output  # and the findings for the rest
    assert "Nothing was sent." in result.output and "Traceback" not in result.output
    assert not list((tmp_path / "instance").glob("mail/*.eml"))


@pytest.mark.parametrize(("person", "field", "value"), [
    ("employee", "email", "lea,attacker<x>@example.com"), ("hr", "name", "Sofia\nCastellanos")])
def test_send_and_lint_refuse_a_plan_that_cannot_be_emailed(runner, env, tmp_path, person,
                                                           field, value):
    plan = tmp_path / "plan.yaml"
    data = yaml.safe_load(EXAMPLES[2].read_text())
    data[person][field] = value
    plan.write_text(yaml.safe_dump(data, allow_unicode=True))
    sent = runner.invoke(main, ["send", str(plan)], env=env)
    assert sent.exit_code != 0 and f"{person}.{field}" in sent.output, sent.output
    assert "Traceback" not in sent.output
    assert not list((tmp_path / "instance").glob("mail/*.eml"))
    linted = runner.invoke(main, ["lint", str(plan)], env=env)
    assert linted.exit_code == 1 and f"{person}.{field}" in linted.output, linted.output


def test_send_refuses_two_signers_at_one_address(runner, env, tmp_path):
    plan = tmp_path / "plan.yaml"
    data = yaml.safe_load(EXAMPLES[2].read_text())
    data["hr"]["email"] = data["employee"]["email"]
    plan.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(main, ["send", str(plan)], env=env)
    assert result.exit_code != 0 and "hr.email" in result.output, result.output
    assert "employee.email" in result.output


def test_send_refuses_a_plan_over_max_plan_chars_naming_its_longest_field(runner, env,
                                                                          tmp_path):
    plan = tmp_path / "long.yaml"
    data = yaml.safe_load(EXAMPLES[2].read_text())
    data["notes"] = "N" * 9_000
    plan.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(main, ["send", str(plan)],
                           env={**env, "PLANSIGN_MAX_PLAN_CHARS": "8000"})
    assert result.exit_code == 1
    assert "a plan may hold at most 8,000 (max_plan_chars)" in result.output
    assert "invalid notes  is 9,000 characters long" in result.output
    assert not list((tmp_path / "instance").glob("mail/*.eml"))


def test_status_of_an_unknown_envelope(runner, env):
    result = runner.invoke(main, ["status", "nope"], env=env)
    assert result.exit_code == 1
    assert "no envelope nope" in result.output


def test_send_for_a_team(runner, env, tmp_path, database_url):
    from sqlalchemy import create_engine, text

    plan = tmp_path / "plan.yaml"
    plan.write_text(EXAMPLES[2].read_text())
    result = runner.invoke(main, ["send", str(plan), "--team", " Sales   HR"], env=env)
    assert result.exit_code == 0, result.output
    envelope_id = result.output.splitlines()[0]
    assert runner.invoke(main, ["status", envelope_id], env=env).exit_code == 0
    engine = create_engine(database_url)
    with engine.connect() as connection:
        owner, team = connection.execute(text("SELECT owner, team FROM envelopes WHERE id = :id"),
                                         {"id": envelope_id}).one()
        logged = connection.execute(text("SELECT actor, action, allowed FROM archive_access "
                                         "WHERE envelope_id = :id"), {"id": envelope_id}).all()
    engine.dispose()
    assert owner.startswith("cli:") and team == "Sales HR"
    assert [(a.split(":")[0], action, bool(ok)) for a, action, ok in logged] == [
        ("cli", "envelope status", True)]  # reading a person's record is logged

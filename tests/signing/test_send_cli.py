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
    plan = tmp_path / "plan.yaml"
    data = yaml.safe_load(EXAMPLES[2].read_text())
    data["routing"] = {"manager": "after"}
    plan.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(main, ["send", str(plan)], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    envelope_id = lines[0]
    assert len(envelope_id) == 36
    [delivered] = [line for line in lines if line.startswith("invitation for signer")]
    eml = Path(delivered.split(": ", 1)[1])
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == data["employee"]["email"]
    assert "https://sign.example.com/s/" in message.get_body(("plain",)).get_content()
    assert "https://sign.example.com/s/" not in result.output  # the link is only in the email

    status = runner.invoke(main, ["status", envelope_id], env=env)
    assert status.exit_code == 0, status.output
    assert f"envelope {envelope_id}: sent" in status.output
    assert f"2. employee {data['employee']['name']}" in status.output
    assert ": notified" in status.output and "3. manager" in status.output
    assert "envelope.created" in status.output and "signer.notified" in status.output
    assert "/s/" not in status.output


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
    assert "notes: is 9,000 characters long" in result.output
    assert not list((tmp_path / "instance").glob("mail/*.eml"))


def test_status_of_an_unknown_envelope(runner, env):
    result = runner.invoke(main, ["status", "nope"], env=env)
    assert result.exit_code == 1
    assert "no envelope nope" in result.output

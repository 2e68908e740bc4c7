"""`plansign webhooks` and the worker's deliveries, wired from settings, against a real
HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from config import load_settings
from database import make_session_factory
from docgen import sample_plan
from signing import instance
from signing.cli import main
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from testsupport.receivers import serve_receiver, spec_verify

pytestmark = pytest.mark.usefixtures("clean_env")
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def env(tmp_path, database_url):
    return {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
            "PLANSIGN_DATABASE_URL": database_url,
            "PLANSIGN_BASE_URL": "https://sign.example.com",
            "PLANSIGN_SECRET_KEYS": "k" * 40, "PLANSIGN_WEBHOOK_ALLOW_PRIVATE": "true",
            "PLANSIGN_WEBHOOK_TIMEOUT": "2"}


def run(runner, env, *args: str):
    result = runner.invoke(main, list(args), env=env)
    return result


def test_add_list_rotate_disable(runner, env):
    added = run(runner, env, "webhooks", "add", "https://hooks.example.com/plansign",
                "--events", "signer.acknowledged, envelope.completed", "--name", "hris",
                "--department", "Customer Support")
    assert added.exit_code == 0, added.output
    endpoint_id, secret = added.stdout.splitlines()[:2]
    assert endpoint_id.startswith("ep_") and secret.startswith("whsec_")
    assert "cannot be shown again" in added.stderr

    listed = run(runner, env, "webhooks", "list")
    assert endpoint_id in listed.output and "hris" in listed.output
    assert "department Customer Support" in listed.output
    assert "signer.acknowledged, envelope.completed" in listed.output
    assert secret not in listed.output

    rotated = run(runner, env, "webhooks", "rotate-secret", endpoint_id, "--overlap-hours", "2")
    assert rotated.exit_code == 0 and rotated.stdout.startswith("whsec_")
    assert rotated.stdout.strip() != secret

    disabled = run(runner, env, "webhooks", "disable", endpoint_id, "--reason", "moved")
    assert disabled.exit_code == 0 and "disabled: moved (cli:" in disabled.output
    assert "disabled" in run(runner, env, "webhooks", "list").output
    assert run(runner, env, "webhooks", "enable", endpoint_id).exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (["https://hooks.example.com/h", "--events", "envelope.finished"],
     "events: 'envelope.finished' is not an event type"),
    (["http://hooks.example.com/h", "--events", "envelope.sent"], "url: must use https://"),
    (["https://hooks.example.com/h", "--events", "envelope.sent", "--manager", "x"],
     "manager: 'x' is not an email address"),
    (["https://hooks.example.com/h", "--events", "envelope.sent", "--name", "A B"],
     "name: 'A B' is not an endpoint name"),
])
def test_bad_input_is_a_message_naming_the_field(runner, env, args, message):
    result = run(runner, env, "webhooks", "add", *args)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert "no webhook endpoints" in run(runner, env, "webhooks", "list").output


def test_unknown_ids_are_messages(runner, env):
    for args in (["disable", "ep_nope"], ["rotate-secret", "ep_nope"],
                 ["redeliver", "msg_nope"], ["deliveries", "--endpoint", "ep_nope"]):
        result = run(runner, env, "webhooks", *args)
        assert result.exit_code == 1 and "no webhook" in result.output, args


def test_the_worker_announces_and_delivers_then_the_log_shows_it(runner, env):
    with serve_receiver() as receiver:
        added = run(runner, env, "webhooks", "add", receiver.url, "--events",
                    "envelope.sent,envelope.voided")
        endpoint_id, secret = added.stdout.splitlines()[:2]
        receiver.respond = lambda request, index: (
            (200, {}, b"thanks") if spec_verify(secret, request.headers, request.body)
            else (401, {}, b""))
        settings = load_settings(env)
        sessions = make_session_factory(instance.database_engine(settings))
        plan = sample_plan()
        with sessions.begin() as session:
            envelope_id = svc.create_envelope(
                session, plan_data=plan.model_dump(mode="json", by_alias=True,
                                                   exclude_none=True),
                template="standard", pdf=b"%PDF fake",
                signers=[svc.SignerSpec(wf.Role.EMPLOYEE, "Alex", "alex@example.com", 1)],
                actor=svc.Actor("hr:test"), now=NOW)
            svc.perform(session, envelope_id, "send", actor=svc.Actor("hr:test"), now=NOW,
                        expires_in=dt.timedelta(days=14))
            svc.perform(session, envelope_id, "void", reason="wrong employee",
                        actor=svc.Actor("hr:test"), now=NOW)

        worker = run(runner, env, "worker", "--once")
        assert worker.exit_code == 0, worker.output
        assert "made 2 webhook delivery attempts" in worker.output
        assert [json.loads(r.body)["type"] for r in receiver.received] == [
            "envelope.sent", "envelope.voided"]

        log = run(runner, env, "webhooks", "deliveries", "--endpoint", endpoint_id)
        assert log.exit_code == 0
        assert log.output.count("delivered") == 2 and "#1" in log.output
        assert "200" in log.output and "'thanks'" in log.output
        message_id = receiver.ids()[0]
        again = run(runner, env, "webhooks", "redeliver", message_id)
        assert again.exit_code == 0 and message_id in again.output
        assert "made 1 webhook delivery attempt" in run(runner, env, "worker", "--once").output
        assert receiver.ids() == [*receiver.ids()[:2], message_id]
        assert run(runner, env, "webhooks", "deliveries", "--failed").output == "no deliveries\n"

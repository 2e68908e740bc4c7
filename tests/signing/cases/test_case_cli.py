"""``plansign case show`` and ``plansign case checkin --file``: the same service as the
console and the API, as the server's operator; bad input names its field, no traceback."""

from __future__ import annotations

import yaml

from config import load_settings
from database import make_session_factory
from docgen import plan_from_data
from signing import instance
from signing.cli import main
from signing.domain.models import EnvelopeRow
from tests.signing.cases.casekit import past_meeting, send_case_plan


def test_record_a_check_in_from_a_file_then_show_the_case(runner, env, tmp_path):
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    envelope_id = send_case_plan(sessions)
    meeting = past_meeting()
    checkin = tmp_path / "checkin.yaml"
    checkin.write_text(yaml.safe_dump({
        "meeting": 1, "held_at": meeting.starts.strftime("%Y-%m-%dT%H:%M"),
        "attendees": ["Morgan Example", "Alex Sample"],
        "goals": {1: {"status": "at_risk", "value": "78%", "note": "A dip."}},
        "notes": "Reviewed the queue.", "employee_view": "ما زلت أتعلم النظام"},
        allow_unicode=True), encoding="utf-8")
    recorded = runner.invoke(main, ["case", "checkin", envelope_id, "--file", str(checkin)],
                             env=env)
    assert recorded.exit_code == 0, recorded.output
    assert "recorded check-in 1" in recorded.output
    shown = runner.invoke(main, ["case", "show", envelope_id], env=env)
    assert shown.exit_code == 0, shown.output
    assert "goal 1 at_risk 78" in shown.output and "not yet answered" in shown.output
    as_json = runner.invoke(main, ["case", "show", envelope_id, "--json"], env=env)
    assert '"ما زلت أتعلم النظام"' in as_json.output
    again = runner.invoke(main, ["case", "checkin", envelope_id, "--file", str(checkin)],
                          env=env)
    assert again.exit_code == 1 and "meeting: check-in 1 was already recorded" in again.output
    assert "Traceback" not in again.output


def test_a_bad_file_names_the_field(runner, env, tmp_path):
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    envelope_id = send_case_plan(sessions)
    checkin = tmp_path / "checkin.yaml"
    checkin.write_text("meeting: 1\nheld_at: 2026-01-01T10:00\nattendee: [Sam]\n")
    refused = runner.invoke(main, ["case", "checkin", envelope_id, "--file", str(checkin)],
                            env=env)
    assert refused.exit_code == 1 and "attendee: unknown field" in refused.output
    assert "Traceback" not in refused.output


def test_the_worker_chases_an_unrecorded_check_in_once(runner, env):
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    envelope_id = send_case_plan(sessions, days_ago=20)  # meetings 1 and 2 are long past
    first = runner.invoke(main, ["worker", "--once"], env=env)
    assert first.exit_code == 0, first.output
    assert f"reminded the manager of envelope {envelope_id} to record check-in 1" in \
        first.output
    assert f"alerted HR: check-in 1 of envelope {envelope_id} has no record" in first.output
    again = runner.invoke(main, ["worker", "--once"], env=env)
    assert again.exit_code == 0 and "reminded the manager" not in again.output
    shown = runner.invoke(main, ["case", "show", envelope_id], env=env)
    assert "check-in 1 has no record; the manager was reminded, and HR alerted" in \
        shown.output


def test_propose_return_and_close_a_case_from_the_command_line(runner, env, tmp_path):
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    envelope_id = send_case_plan(sessions, days_ago=62)  # the sample plan's 60 days over
    outcome = tmp_path / "outcome.yaml"
    outcome.write_text(yaml.safe_dump({"outcome": "not_met", "goals": {
        1: {"assessment": "not met", "result": "78%"}}}), encoding="utf-8")
    missing = runner.invoke(main, ["case", "propose", envelope_id, "--file", str(outcome)],
                            env=env)
    assert missing.exit_code == 1 and "goals[1].evidence:" in missing.output
    assert "Traceback" not in missing.output
    outcome.write_text(yaml.safe_dump({"outcome": "not_met", "summary": "Below target.",
                                       "goals": {1: {"assessment": "not met",
                                                     "result": "78%",
                                                     "evidence": "Report of Friday."}}}),
                       encoding="utf-8")
    proposed = runner.invoke(main, ["case", "propose", envelope_id, "--file", str(outcome)],
                             env=env)
    assert proposed.exit_code == 0 and "waits for HR's approval" in proposed.output
    returned = runner.invoke(main, ["case", "return", envelope_id, "--comment",
                                    "Date the report."], env=env)
    assert returned.exit_code == 0, returned.output
    closed = runner.invoke(main, ["case", "close", envelope_id, "--outcome", "withdrawn",
                                  "--reason", "The role was made redundant."],
                           env=env, input="y\n")
    assert closed.exit_code == 0 and "closed the case" in closed.output
    shown = runner.invoke(main, ["case", "show", envelope_id], env=env)
    assert "closed" in shown.output


def test_extend_a_case_from_the_command_line(runner, env, tmp_path):
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    envelope_id = send_case_plan(sessions)
    goals = tmp_path / "goals.yaml"
    goals.write_text(yaml.safe_dump([{"goal": 2, "target": "85%"}]), encoding="utf-8")
    for args, said in ((["--days", "0", "--reason", "More time."], "days: "),
                       (["--days", "10", "--reason", " "], "reason: "),
                       (["--days", "10", "--reason", "More time.", "--goals", str(goals)],
                        "goals[0]: the plan has no goal 2")):
        refused = runner.invoke(main, ["case", "extend", envelope_id, *args], env=env)
        assert refused.exit_code == 1 and said in refused.output, refused.output
        assert "Traceback" not in refused.output
    goals.write_text(yaml.safe_dump([{"goal": 1, "target": "85%"}]), encoding="utf-8")
    extended = runner.invoke(main, ["case", "extend", envelope_id, "--days", "14",
                                    "--reason", "Clear progress.", "--goals", str(goals)],
                             env=env)
    assert extended.exit_code == 0, extended.output
    assert "by 14 days" in extended.output and "amendment 1" in extended.output
    shown = runner.invoke(main, ["case", "show", envelope_id], env=env)
    assert ": extended," in shown.output


def test_the_record_names_a_person_not_the_operators_login(runner, env, tmp_path):
    """The employee reads who recorded the check-in: the plan's manager by default, or
    the name given with --as; never ``cli:<login>`` (the audit trail keeps that)."""
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    envelope_id = send_case_plan(sessions)
    with sessions() as session:
        manager = plan_from_data(session.get_one(EnvelopeRow, envelope_id).plan_data).manager
    checkin = first_checkin_file(tmp_path)
    blank = runner.invoke(main, ["case", "checkin", envelope_id, "--file", str(checkin),
                                 "--as", "   "], env=env)
    assert blank.exit_code == 1 and "--as: give the name" in blank.output
    assert "Traceback" not in blank.output
    assert "recorded by" not in runner.invoke(main, ["case", "show", envelope_id],
                                              env=env).output  # nothing was recorded
    recorded = runner.invoke(main, ["case", "checkin", envelope_id, "--file", str(checkin)],
                             env=env)
    assert recorded.exit_code == 0, recorded.output
    shown = runner.invoke(main, ["case", "show", envelope_id], env=env).output
    assert f"recorded by {manager.name}" in shown and "recorded by cli:" not in shown


def test_as_names_who_recorded_it(runner, env, tmp_path):
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    envelope_id = send_case_plan(sessions)
    checkin = first_checkin_file(tmp_path)
    recorded = runner.invoke(main, ["case", "checkin", envelope_id, "--file", str(checkin),
                                    "--as", " Dana   Whitfield "], env=env)
    assert recorded.exit_code == 0, recorded.output
    shown = runner.invoke(main, ["case", "show", envelope_id], env=env).output
    assert "recorded by Dana Whitfield" in shown


def first_checkin_file(tmp_path):
    """Check-in 1, held, goal 1 on track: a file ``plansign case checkin`` takes."""
    checkin = tmp_path / "checkin.yaml"
    checkin.write_text(yaml.safe_dump({
        "meeting": 1, "held_at": past_meeting().starts.strftime("%Y-%m-%dT%H:%M"),
        "attendees": ["Morgan Example"], "goals": {1: {"status": "on_track"}}}),
        encoding="utf-8")
    return checkin

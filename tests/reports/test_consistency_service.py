"""The consistency report from the database: its rows, who may read what, the access
log, and the API (both databases)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from archive.models import AccessEntry
from docgen import sample_plan
from docgen.schedule import end_date
from signing.domain import apikeys, envelopes
from signing.domain.access import Principal, Role
from signing.domain.consistency import Metric
from signing.domain.models import EnvelopeRow
from signing.reports import rows, service
from signing.reports.rows import Filters
from signing.web.app import create_app
from signing.web.current import services_of
from tests.reports.casefactory import NOW, START, make_case

pytestmark = pytest.mark.database

TEAM_A, TEAM_B = "Sales HR", "Support HR"


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "consistency_min_group_size": 3})


@pytest.fixture
def plans(sessions):
    """Team A: Sales holds 1 of 4 check-ins a plan, Support all 4 (5 plans each); team B:
    two plans of Finance; one plan of HR's own without a team."""
    with sessions.begin() as session:
        for i in range(5):
            make_case(session, department="Sales", manager="Mo Khan", team=TEAM_A, held=1,
                      missed=3, start=START.replace(day=7 + (i % 2) * 7))
            make_case(session, department="Support", manager="Ana Ruiz", team=TEAM_A,
                      held=4, lint=None if i == 0 else 2)
        for _ in range(2):
            make_case(session, department="Finance", manager="Li Wei", team=TEAM_B,
                      outcome="withdrawn", closed_after=10, held=1)
        make_case(session, department="People", owner="person:solo", state="active", held=0)


def principal(role: Role, team: str | None = None, actor: str = "person:dana") -> Principal:
    return Principal(actor, role, team, label=f"{actor} (Dana Whitfield)")


def test_rows_carry_what_the_report_counts(services, plans):
    with services.readers() as session:
        found = rows.plan_rows(session, principal(Role.ADMIN), Filters())
    assert len(found) == 13
    sales = [r for r in found if r.department == "Sales"]
    assert all(len(r.held) == 1 and r.missed == 3 for r in sales)
    assert json.loads(sales[0].checkins)["weekday"] == "monday"
    assert all(r.planned_end - r.start == dt.timedelta(days=30) for r in found)
    assert sales[0].held[0].tzinfo is not None
    assert {r.lint_findings for r in found if r.department == "Support"} == {None, 2}
    finance = next(r for r in found if r.department == "Finance")
    assert finance.outcome == "withdrawn" and finance.closed_at.tzinfo is not None


def test_filters_by_start_and_department(services, plans):
    who = principal(Role.ADMIN)
    with services.readers() as session:
        later = rows.plan_rows(session, who, Filters(started_from=START.replace(day=10)))
        one_day = rows.plan_rows(session, who, Filters(START, START, "Sales"))
        assert rows.departments(session, who) == ["Finance", "People", "Sales", "Support"]
    assert {r.department for r in later} == {"Sales"} and len(later) == 2
    assert len(one_day) == 3


@pytest.mark.parametrize(("who", "departments"), [
    (principal(Role.ADMIN), {"Sales", "Support", "Finance", "People"}),
    (principal(Role.HR, TEAM_A), {"Sales", "Support"}),
    (principal(Role.HR, TEAM_B), {"Finance"}),
    (principal(Role.HR, None, actor="person:solo"), {"People"}),
    (principal(Role.HR, None), set()),
])
def test_hr_sees_their_teams_plans_only_and_admins_all(services, plans, who, departments):
    report = service.consistency_report(services, who, Filters(), now=NOW)
    assert {g.name for g in report.departments} == departments
    with services.readers() as session:
        assert set(rows.departments(session, who)) == departments


def test_each_view_is_logged_with_the_person_and_refusals_too(services, sessions, plans):
    report = service.consistency_report(services, principal(Role.HR, TEAM_A),
                                        Filters(department="Sales"), now=NOW, how="export csv")
    assert report.company.plans == 5
    for role in (Role.RECORDS, Role.MANAGER):
        with pytest.raises(service.ReportRefused):
            service.consistency_report(services, principal(role), Filters(), now=NOW)
    with sessions() as session:
        log = list(session.scalars(select(AccessEntry).order_by(AccessEntry.id)))
    assert [(e.actor, e.action, e.allowed) for e in log] == [
        ("person:dana (Dana Whitfield)", "consistency report export csv", True),
        ("person:dana (Dana Whitfield)", "consistency report view", False),
        ("person:dana (Dana Whitfield)", "consistency report view", False)]
    assert log[0].detail == "department=Sales; 5 plans, 0 groups flagged"


def test_the_report_flags_the_department_that_holds_fewer_check_ins(services, plans):
    report = service.consistency_report(services, principal(Role.HR, TEAM_A), Filters(),
                                        now=NOW)
    sales = next(g for g in report.departments if g.name == "Sales")
    assert sales.flags[0].metric is Metric.CHECKINS_HELD
    assert sales.flags[0].reason == (
        "Sales: 1 of 4 check-ins held per plan on average (25%) against 2.5 of 4 (63%) "
        "across your team's plans")


def key(sessions, role: str, team: str | None = None) -> dict[str, str]:
    with sessions.begin() as session:
        _row, plaintext = apikeys.create_key(session, f"{role} desk", role, NOW, team=team)
    return {"Authorization": f"Bearer {plaintext}"}


def test_the_api_answers_hr_and_admin_keys_with_their_own_plans(client, sessions, plans):
    admin = client.get("/api/v1/reports/consistency", headers=key(sessions, "admin"))
    assert admin.status_code == 200
    body = admin.get_json()
    assert body["scope"] == "company" and body["all_plans"]["plans"] == 13
    hr = client.get("/api/v1/reports/consistency?department=Sales",
                    headers=key(sessions, "hr", TEAM_B)).get_json()
    assert hr["scope"] == "department" and hr["all_plans"]["plans"] == 0
    team_a = client.get("/api/v1/reports/consistency",
                        headers=key(sessions, "hr", TEAM_A)).get_json()
    sales = next(g for g in team_a["departments"] if g["name"] == "Sales")
    assert sales["flagged"] and sales["flags"][0]["metric"] == "checkins_held"
    assert sales["figures"]["checkins_held"] == 5 and sales["figures"]["checkins_scheduled"] == 20
    assert "against 2.5 of 4 (63%) across your team's plans" in sales["flags"][0]["reason"]


def test_the_api_refuses_other_keys_and_bad_filters_and_logs_refusals(client, sessions,
                                                                       plans):
    records = client.get("/api/v1/reports/consistency", headers=key(sessions, "records"))
    assert records.status_code == 403
    assert client.get("/api/v1/reports/consistency").status_code == 401
    bad = client.get("/api/v1/reports/consistency?started_from=2026-10-01"
                     "&started_to=2026-09-01", headers=key(sessions, "admin"))
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["path"] == "started_to"
    wrong = client.get("/api/v1/reports/consistency?started_from=someday",
                       headers=key(sessions, "admin"))
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["path"] == "started_from"
    with sessions() as session:
        denied = list(session.scalars(select(AccessEntry).where(
            AccessEntry.allowed.is_(False))))
    assert len(denied) == 2
    assert any("records desk" in e.actor for e in denied)


def test_an_envelope_keeps_what_the_report_reads_of_its_plan(sessions):
    plan = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    with sessions.begin() as session:
        envelope_id = envelopes.create_envelope(
            session, plan_data=plan, template="standard", pdf=b"%PDF-1.7 test", signers=[],
            actor=envelopes.Actor("apikey:psk_test"), now=NOW, lint_findings=2)
    with sessions() as session:
        row = session.get(EnvelopeRow, envelope_id)
        assert row.lint_findings == 2
        assert row.planned_end == end_date(sample_plan().timeline)
        assert row.checkin_schedule == plan["checkins"]


@pytest.fixture
def services(app):
    return services_of(app)


def test_sending_a_plan_counts_its_lint_findings_on_the_envelope(sessions, converter,
                                                                 plan_data):
    from docgen import lint_data, resolve_template
    from signing.domain.sending import SendOptions, send_plan

    plan_data["goals"][0]["metric"] = None  # a finding, sent regardless (force)
    plan_data["manager"].pop("webhook", None)
    findings = len(lint_data(plan_data).findings)
    assert findings
    envelope_id = send_plan(sessions, plan_data, options=SendOptions(
        template=resolve_template("standard"), company_name=None,
        expires_in=dt.timedelta(days=14), force=True), converter=converter,
        actor=envelopes.Actor("apikey:psk_test"), now=NOW)
    with sessions() as session:
        assert session.get(EnvelopeRow, envelope_id).lint_findings == findings


def test_rows_count_the_recorded_extensions(services, sessions):
    with sessions.begin() as session:
        twice = make_case(session, extended=21, extensions=2, held=3)
        never = make_case(session, held=3)
    with services.readers() as session:
        found = {r.envelope_id: r for r in rows.plan_rows(session, principal(Role.ADMIN),
                                                          Filters())}
    assert (found[twice].extensions, found[twice].extension_days) == (2, 21)
    assert (found[never].extensions, found[never].extension_days) == (0, 0)


def test_due_check_ins_follow_the_cadence_an_extension_set(services, sessions):
    from docgen.model import CheckIns
    from signing.domain import cases, consistency
    from signing.domain.cases.model import Case, CaseState, Extension
    from tests.reports.casefactory import WEEKLY

    with sessions.begin() as session:  # weekly for 30 days, then 28 more days
        biweekly = make_case(session, extended=28, held=4, cadence="biweekly",
                             extended_on=27)
        weekly = make_case(session, extended=28, held=4, extended_on=27)
    with services.readers() as session:
        found = {r.envelope_id: r for r in rows.plan_rows(session, principal(Role.ADMIN),
                                                          Filters())}
    due = {e: consistency.facts(found[e], now=NOW).due for e in (biweekly, weekly)}
    # The case's schedule as its page derives it: biweekly from the extension on.
    end = START + dt.timedelta(days=58)
    extension = Extension(1, 28, "More time.", end, False, "HR",
                          dt.datetime.combine(START + dt.timedelta(days=27), dt.time(12),
                                              dt.UTC), "biweekly")
    schedule = cases.meetings(CheckIns.model_validate(WEEKLY),
                              Case(biweekly, CaseState.CLOSED, START, end,
                                   extensions=(extension,)))
    plan_cadence = cases.meetings(CheckIns.model_validate(WEEKLY),
                                  Case(weekly, CaseState.CLOSED, START, end))
    assert due == {biweekly: len(schedule), weekly: len(plan_cadence)}
    assert len(schedule) < len(plan_cadence)  # fewer meetings were due, not missed

"""The console's consistency report: the page, its filters, the CSV, and every route
tried by someone who should not reach it (both databases)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from archive.models import AccessEntry
from signing.domain import consistency
from signing.web.app import create_app
from signing.web.console import consistency as page
from tests.reports.casefactory import START, make_case

pytestmark = pytest.mark.database

TEAM_A, TEAM_B = "Sales HR", "Support HR"
ROUTES = ("/console/consistency/", "/console/consistency/consistency.csv")


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                       "consistency_min_group_size": 3})


@pytest.fixture
def plans(sessions):
    with sessions.begin() as session:
        for i in range(5):
            make_case(session, department="Sales", manager="Mo Khan", team=TEAM_A, held=1,
                      missed=3)
            make_case(session, department="Support", manager="Ana Ruiz", team=TEAM_A,
                      held=4, start=START.replace(day=14 if i else 7))
        make_case(session, department="=HYPERLINK(\"http://evil\")", manager="Li Wei",
                  team=TEAM_B)


def log(sessions) -> list[AccessEntry]:
    with sessions() as session:
        return list(session.scalars(select(AccessEntry).where(
            AccessEntry.action.like("consistency%")).order_by(AccessEntry.id)))


def test_hr_sees_their_teams_report_with_the_flagged_rows_in_words(console, sessions, plans):
    hr = console.sign_in("hr", team=TEAM_A)
    response = console.get("/console/consistency/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<caption>Plans by department</caption>" in text
    assert "<caption>Plans by manager</caption>" in text
    assert '<th scope="row">Sales' in text and "HYPERLINK" not in text
    assert "For review" in text and "(for review)" in text
    assert ("Sales: 1 of 4 check-ins held per plan on average (25%) against 2.5 of 4 (63%) "
            "across your team&#39;s plans") in text
    assert 'aria-current="page">Consistency' in text
    [entry] = log(sessions)
    assert entry.actor == hr.display_name and entry.allowed


def test_filters_narrow_the_report_and_bad_ones_are_named(console, plans):
    console.sign_in("admin")
    text = console.get("/console/consistency/?department=Support&started_from=2026-09-10"
                       ).get_data(as_text=True)
    assert '<option value="Support" selected>' in text
    assert "No department or manager differs beyond the threshold." in text
    bad = console.get("/console/consistency/?started_from=2026-09-30&started_to=2026-09-01")
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert 'href="#f-started_to"' in body and 'aria-describedby="f-started_to-error"' in body
    wrong = console.get("/console/consistency/?started_from=yesterday")
    assert wrong.status_code == 400 and "Enter a date as YYYY-MM-DD" in wrong.get_data(
        as_text=True)


def test_the_csv_defuses_formulas_and_is_logged_as_an_export(console, sessions, plans):
    admin = console.sign_in("admin")
    response = console.get("/console/consistency/consistency.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["group", "name", "departments", "plans"]
    names = [line[1] for line in lines[2:]]
    assert "'=HYPERLINK(\"http://evil\")" in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)
    assert log(sessions)[-1].action == "consistency report export csv"
    assert log(sessions)[-1].actor == admin.display_name


@pytest.mark.parametrize("role", ["manager", "records"])
def test_other_roles_are_refused_every_route_and_it_is_logged(console, sessions, plans, role):
    console.sign_in(role)
    for route in ROUTES:
        assert console.get(route).status_code == 403
    with sessions() as session:
        denied = list(session.scalars(select(AccessEntry).where(
            AccessEntry.allowed.is_(False))))
    assert len(denied) == len(ROUTES)
    assert "Consistency" not in console.get("/console/").get_data(as_text=True)


def test_another_hr_team_sees_none_of_the_first_teams_plans(console, plans):
    console.sign_in("hr", team=TEAM_B)
    for route in ROUTES:
        text = console.get(route).get_data(as_text=True)
        assert "Sales" not in text and "Mo Khan" not in text and "Ana Ruiz" not in text
    assert "Sales" not in console.get("/console/consistency/?department=Sales").get_data(
        as_text=True).split("<h2 id=\"review\">")[1]


def test_someone_signed_out_is_sent_to_sign_in(client, plans):
    for route in ROUTES:
        response = client.get(route)
        assert response.status_code == 302 and "/console/signin" in response.headers["Location"]


def test_the_console_says_the_domains_reasons(app):
    with app.test_request_context():
        for metric, english in consistency.REASONS.items():
            assert str(page.REASONS[metric]) == english
        for scope, english in consistency.ACROSS.items():
            assert str(page.ACROSS[scope]) == english

"""How big a plan the HR API takes, with a real LibreOffice: a plan too big is a 422
naming its fields (before LibreOffice sees it when its text says so), a conversion that
times out is one too, and one sender's long conversion does not hold up another's."""

from __future__ import annotations

import copy
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from docgen import ConverterPool
from docgen.loading import parse_plan_text
from signing.domain import apikeys
from signing.domain.models import EnvelopeRow
from signing.web.app import create_app
from signing.web.current import services_of
from tests.conftest import EXAMPLES

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def example_plan():
    return parse_plan_text(EXAMPLES[2].read_text(encoding="utf-8"), fmt="yaml")


@pytest.fixture
def plan(example_plan):
    return copy.deepcopy(example_plan)


def make_app(tmp_path, database_url, **settings):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                       **settings})


def hr_key(app) -> dict[str, str]:
    with services_of(app).sessions.begin() as session:
        key = apikeys.create_key(session, "hr test", "hr", NOW)[1]
    return {"Authorization": f"Bearer {key}"}


def converted(pool: ConverterPool) -> int:
    return sum(stats.documents + stats.failures for stats in pool.stats)


def envelopes_in(app) -> int:
    with services_of(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(EnvelopeRow))


def test_a_field_too_long_is_named_before_any_conversion(tmp_path, database_url, converter,
                                                           clean_env, plan):
    app = make_app(tmp_path, database_url)
    services_of(app).converter = converter
    before = converted(converter)
    plan["role_summary"] = "Answers tickets. " * 1_000  # 17,000 characters
    response = app.test_client().post("/api/v1/envelopes", json={"plan": plan},
                                      headers=hr_key(app))
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert (error["path"], error["message"]) == (
        "role_summary", "is 17,000 characters long; at most 10,000 may be given")
    assert converted(converter) == before and envelopes_in(app) == 0


def test_a_plan_over_max_plan_chars_names_its_longest_fields_unconverted(
        tmp_path, database_url, converter, clean_env, plan):
    app = make_app(tmp_path, database_url, max_plan_chars=20_000)
    services_of(app).converter = converter
    before = converted(converter)
    plan["role_summary"] = "R" * 9_000
    plan["notes"] = "N" * 8_000
    plan["goals"][0]["statement"] = "S" * 5_000
    response = app.test_client().post("/api/v1/envelopes", json={"plan": plan},
                                      headers=hr_key(app))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "a plan may hold at most 20,000 (max_plan_chars)" in errors[0]["message"]
    assert [e["path"] for e in errors[1:]] == ["role_summary", "notes", "goals[0].statement"]
    assert errors[1]["message"].startswith("is 9,000 characters long")
    assert converted(converter) == before and envelopes_in(app) == 0


def test_a_plan_over_max_plan_pages_is_refused(tmp_path, database_url, converter, clean_env,
                                               plan):
    app = make_app(tmp_path, database_url, max_plan_pages=2)
    services_of(app).converter = converter
    response = app.test_client().post("/api/v1/envelopes", json={"plan": plan},
                                      headers=hr_key(app))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert "a plan may have at most 2 (max_plan_pages)" in errors[0]["message"]
    assert "the plan runs to" in errors[0]["message"]
    assert len(errors) == 4 and all(e["path"] for e in errors[1:])
    assert envelopes_in(app) == 0


def test_a_conversion_that_times_out_is_a_422_naming_the_longest_fields(
        tmp_path, database_url, clean_env, plan):
    app = make_app(tmp_path, database_url)
    plan["role_summary"] = "R" * 9_000
    with ConverterPool(1, timeout=0.001, retries=0) as impatient:
        services_of(app).converter = impatient
        response = app.test_client().post("/api/v1/envelopes", json={"plan": plan},
                                          headers=hr_key(app))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert "could not convert the plan within 0.001 s" in errors[0]["message"]
    assert errors[1]["path"] == "role_summary"
    assert envelopes_in(app) == 0


def test_a_slow_conversion_does_not_hold_up_another_sender(tmp_path, database_url, clean_env,
                                                           plan):
    """With the default pool size, one LibreOffice taken by a long conversion (here held
    by the test) leaves another for the next sender, whose POST completes meanwhile."""
    app = make_app(tmp_path, database_url)
    pool = services_of(app).converter
    headers, answers = hr_key(app), []

    def send() -> None:
        answers.append(app.test_client().post("/api/v1/envelopes", json={"plan": plan},
                                              headers=headers).status_code)

    try:
        with pool._lease():  # a slow conversion holds one instance throughout
            sender = threading.Thread(target=send, daemon=True)
            sender.start()
            sender.join(timeout=120)  # a generous bound: it must not wait for the lease
            completed_while_held = not sender.is_alive()
        sender.join(timeout=120)
    finally:
        pool.close()
    assert completed_while_held, "the second sender waited for the first's conversion"
    assert answers == [201]

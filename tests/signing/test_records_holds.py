"""Legal holds over a department or a manager through the records API and `plansign
archive`: placed, listed and released by records staff with who and why (HR may not),
shown on the records they keep, and honoured by the purge."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from archive import access_log
from config import load_settings
from database import make_session_factory
from signing import instance
from signing.cli import main
from signing.domain import apikeys
from signing.web.app import create_app
from signing.web.current import services_of
from tests.archive.records_data import seed

NOW = dt.datetime.now(dt.UTC)
pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def key(sessions, role: str) -> dict[str, str]:
    with sessions.begin() as session:
        _, plaintext = apikeys.create_key(session, f"{role} desk", role, NOW)
        return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def ids(app, sessions):
    with sessions.begin() as session:
        return seed(session, services_of(app).store, retain_for=dt.timedelta(days=1))


def test_records_staff_hold_a_department_see_it_on_its_records_and_release_it(
        client, sessions, ids):
    records = key(sessions, "records")
    placed = client.post("/api/v1/archive/holds", headers=records, json={
        "scope": "department", "value": "customer care", "reason": "EEOC charge 846-2026-1"})
    assert placed.status_code == 200, placed.get_json()
    hold = placed.get_json()
    assert (hold["scope"], hold["value"], hold["released_at"]) == (
        "department", "customer care", None)
    assert hold["placed_by"].endswith("(records desk)")

    listed = client.get("/api/v1/archive/holds", headers=records).get_json()["holds"]
    assert [(h["id"], h["records"]) for h in listed] == [(hold["id"], 2)]
    record = client.get(f"/api/v1/archive/records/{ids[0]}", headers=records).get_json()
    assert [h["id"] for h in record["holds"]] == [hold["id"]]
    assert record["on_hold"] is False  # its own hold; the group hold is listed beside
    other = client.get(f"/api/v1/archive/records/{ids[4]}", headers=records).get_json()
    assert other["holds"] == []

    again = client.post("/api/v1/archive/holds", headers=records, json={
        "scope": "department", "value": "Customer Care", "reason": "twice"})
    assert again.status_code == 409 and "already held" in again.get_json()["error"]
    released = client.post(f"/api/v1/archive/holds/{hold['id']}/release", headers=records,
                           json={"reason": "Charge dismissed"})
    assert released.status_code == 200, released.get_json()
    assert released.get_json()["release_reason"] == "Charge dismissed"
    assert client.get("/api/v1/archive/holds", headers=records).get_json()["holds"] == []
    everything = client.get("/api/v1/archive/holds?released=true", headers=records)
    assert [h["id"] for h in everything.get_json()["holds"]] == [hold["id"]]
    with sessions() as session:
        actions = [e.action for e in access_log(session)]
    assert {"hold department", "release department hold", "list holds"} <= set(actions)


def test_hr_may_not_hold_a_department_and_bad_input_names_the_field(client, sessions, ids):
    hr = key(sessions, "hr")
    refused = client.post("/api/v1/archive/holds", headers=hr, json={
        "scope": "department", "value": "Sales", "reason": "EEOC"})
    assert refused.status_code == 403
    assert client.get("/api/v1/archive/holds", headers=hr).status_code == 403
    records = key(sessions, "records")
    for body, field in (({"scope": "team", "value": "Sales", "reason": "x"}, "scope"),
                        ({"scope": "manager", "value": "a\x01b", "reason": "x"}, "value"),
                        ({"scope": "manager", "value": "Mia", "reason": " "}, "reason")):
        response = client.post("/api/v1/archive/holds", headers=records, json=body)
        assert response.status_code == 422, response.get_json()
        assert field in json.dumps(response.get_json()), response.get_json()
    assert client.post("/api/v1/archive/holds/x/release", headers=records,
                       json={"reason": "r"}).status_code == 422
    missing = client.post("/api/v1/archive/holds/999/release", headers=records,
                          json={"reason": "r"})
    assert missing.status_code == 404 and missing.get_json()["error"] == \
        "there is no legal hold 999"


@pytest.fixture
def env(tmp_path, database_url):
    return {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
            "PLANSIGN_DATABASE_URL": database_url, "PLANSIGN_SECRET_KEYS": "k" * 40}


def test_the_cli_holds_a_manager_lists_it_and_purge_keeps_what_it_holds(runner, env):
    settings = load_settings(env)
    sessions = make_session_factory(instance.database_engine(settings))
    with sessions.begin() as session:
        ids = seed(session, instance.blob_store(settings), retain_for=dt.timedelta(days=1))
    placed = runner.invoke(main, ["archive", "hold", "--manager", "SOFIA castellanos",
                                  "--reason", "Tribunal claim 2026/114"], env=env)
    assert placed.exit_code == 0, placed.output
    assert 'legal hold 1 placed on manager "SOFIA castellanos"' in placed.output
    listed = runner.invoke(main, ["archive", "holds"], env=env)
    assert 'manager "SOFIA castellanos"' in listed.output
    assert "2 record(s) held now" in listed.output
    both = runner.invoke(main, ["archive", "hold", ids[0], "--department", "Sales",
                                "--reason", "x"], env=env)
    assert both.exit_code == 2 and "give one of ENVELOPE_ID, --department or --manager" \
        in both.output
    purged = runner.invoke(main, ["archive", "purge", "--execute"], env=env)
    assert purged.exit_code == 0, purged.output
    assert (f'kept {ids[2]}: on legal hold: hold 1 on manager "SOFIA castellanos" '
            "(Tribunal claim 2026/114)") in purged.output
    assert "4 record(s) purged, 2 kept on hold" in purged.output
    released = runner.invoke(main, ["archive", "release", "--hold", "1", "--reason",
                                    "Claim settled"], env=env)
    assert released.exit_code == 0, released.output
    data = json.loads(runner.invoke(main, ["archive", "holds", "--released", "--json"],
                                    env=env).output)
    assert data[0]["release_reason"] == "Claim settled" and data[0]["released_by"]
    assert "2 record(s) purged" in runner.invoke(main, ["archive", "purge", "--execute"],
                                                 env=env).output

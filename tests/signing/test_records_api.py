"""The records API under /api/v1/archive: each role, every read in the access log (denied
ones too), documents and bundles hash-checked, and hostile input refused or harmless."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import io
import json
import os
import zipfile

import pytest

from archive import access_log, get_record
from signing.domain import apikeys
from signing.web.app import create_app
from signing.web.current import services_of
from tests.archive.records_data import PEOPLE, seed

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def key(sessions, role: str, name: str | None = None) -> tuple[dict[str, str], str]:
    with sessions.begin() as session:
        row, plaintext = apikeys.create_key(session, name or f"{role} desk", role, NOW)
        return {"Authorization": f"Bearer {plaintext}"}, row.prefix


@pytest.fixture
def hr(sessions):
    return key(sessions, "hr")


@pytest.fixture
def ids(app, sessions, hr):
    """Six records; the first three sent by the ``hr`` key, the others by someone else."""
    store = services_of(app).store
    with sessions.begin() as session:
        ids = seed(session, store, sent_by=f"apikey:{hr[1]}")
        for envelope_id in ids[3:]:
            get_record(session, envelope_id).sent_by = "apikey:psk_other00"
    return ids


def log(sessions, **kw):
    with sessions() as session:
        return [(e.action, e.allowed, e.actor) for e in access_log(session, **kw)]


def test_records_staff_search_and_every_search_is_logged(client, sessions, ids):
    headers, prefix = key(sessions, "records", "Records team")
    response = client.get("/api/v1/archive/records?name=brandli&sort=employee_name",
                          headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == 1 and body["records"][0]["employee_name"] == "Léa Brändli"
    assert set(body["records"][0]["sha256"]) == {"final.pdf", "original.pdf", "plan.json",
                                                 "audit-trail.json"}
    assert log(sessions) == [("search", True, f"apikey:{prefix} (Records team)")]
    with sessions() as session:
        assert '"name": "brandli"' in access_log(session)[0].detail



def test_a_total_that_stopped_counting_says_so(client, sessions, ids, monkeypatch):
    monkeypatch.setattr(importlib.import_module("archive.search"), "COUNT_LIMIT", 4)
    headers, _ = key(sessions, "records")
    body = client.get("/api/v1/archive/records?limit=1", headers=headers).get_json()
    assert (body["total"], body["total_exact"], len(body["records"])) == (4, False, 1)
    body = client.get("/api/v1/archive/records?outcome=acknowledged",
                      headers=headers).get_json()
    assert (body["total"], body["total_exact"]) == (3, True)

def test_hr_sees_only_the_plans_it_sent(client, sessions, ids, hr):
    body = client.get("/api/v1/archive/records", headers=hr[0]).get_json()
    assert sorted(r["envelope_id"] for r in body["records"]) == sorted(ids[:3])
    assert client.get(f"/api/v1/archive/records/{ids[0]}", headers=hr[0]).status_code == 200
    denied = client.get(f"/api/v1/archive/records/{ids[4]}/final.pdf", headers=hr[0])
    assert denied.status_code == 404 and "error" in denied.get_json()
    assert log(sessions, envelope_id=ids[4]) == [
        ("download final.pdf", False, f"apikey:{hr[1]} (hr desk)")]


def test_get_a_record_with_its_audit_trail(client, sessions, ids):
    headers, _ = key(sessions, "admin")
    body = client.get(f"/api/v1/archive/records/{ids[1]}", headers=headers).get_json()
    assert body["employee_name"] == PEOPLE[1][0] and body["outcome"] == "refused"
    assert body["audit_trail"] == [] and body["on_hold"] is False


def test_documents_and_the_bundle(client, sessions, ids):
    headers, _ = key(sessions, "records")
    record = client.get(f"/api/v1/archive/records/{ids[0]}", headers=headers).get_json()
    final = client.get(f"/api/v1/archive/records/{ids[0]}/final.pdf", headers=headers)
    assert final.status_code == 200 and final.mimetype == "application/pdf"
    assert hashlib.sha256(final.data).hexdigest() == record["sha256"]["final.pdf"]
    bundle = client.get(f"/api/v1/archive/records/{ids[0]}/bundle.zip", headers=headers)
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        names = set(archive.namelist())
        assert names == {"final.pdf", "original.pdf", "plan.json", "audit-trail.json",
                         "manifest.json", "SHA256SUMS"}
        for line in archive.read("SHA256SUMS").decode().splitlines():
            digest, name = line.split("  ")
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        assert json.loads(archive.read("manifest.json"))["envelope_id"] == ids[0]
    actions = [a for a, _, _ in log(sessions, envelope_id=ids[0])]
    assert actions == ["download bundle.zip", "download final.pdf", "view"]


def test_a_corrupted_blob_is_reported_and_never_served(app, client, sessions, ids):
    headers, _ = key(sessions, "records")
    with sessions() as session:
        path = services_of(app).store.path(get_record(session, ids[2]).final_sha256)
    os.chmod(path, 0o640)
    path.write_bytes(b"%PDF final 2 but changed")
    response = client.get(f"/api/v1/archive/records/{ids[2]}/final.pdf", headers=headers)
    assert response.status_code == 409
    assert "corrupted" in response.get_json()["error"]
    assert b"changed" not in response.data
    with sessions() as session:
        assert "failed" in access_log(session, envelope_id=ids[2])[0].detail


def test_holds_through_the_api(client, sessions, ids):
    headers, _ = key(sessions, "records")
    url = f"/api/v1/archive/records/{ids[0]}"
    held = client.post(f"{url}/hold", json={"reason": "Tribunal claim"}, headers=headers)
    assert held.status_code == 200 and held.get_json()["on_hold"] is True
    again = client.post(f"{url}/hold", json={"reason": "again"}, headers=headers)
    assert again.status_code == 409
    assert client.post(f"{url}/release", json={"reason": ""}, headers=headers).status_code == 422
    released = client.post(f"{url}/release", json={"reason": "Settled"}, headers=headers)
    assert released.get_json()["on_hold"] is False


def test_the_access_log_is_for_records_staff(client, sessions, ids, hr):
    client.get(f"/api/v1/archive/records/{ids[5]}", headers=hr[0])
    assert client.get("/api/v1/archive/access-log", headers=hr[0]).status_code == 403
    assert client.get("/api/v1/archive/records?name=a").status_code == 401
    headers, _ = key(sessions, "admin")
    body = client.get("/api/v1/archive/access-log?denied=true", headers=headers).get_json()
    # Newest first: the keyless search, the HR key's try at the log, its view of a record
    # it did not send; each with who, and why it was refused.
    assert [(e["action"], e["actor"].split(" ")[0], e["allowed"])
            for e in body["entries"]] == [
        ("request", "unauthenticated", False),
        ("request", f"apikey:{hr[1]}", False),
        ("view", f"apikey:{hr[1]}", False)]
    assert body["entries"][0]["detail"].startswith("denied (401) GET /api/v1/archive/records")
    assert body["entries"][1]["detail"].startswith("denied (403) GET /api/v1/archive/access-log")


def test_a_refused_read_of_one_record_is_logged_with_its_id(client, sessions, ids):
    # The path names the record: longer than the log's action column, which PostgreSQL
    # enforces (this was a 500 there).
    response = client.get(f"/api/v1/archive/records/{ids[0]}/final.pdf")
    assert response.status_code == 401
    [entry] = log(sessions, envelope_id=ids[0])
    assert entry[:2] == ("request", False)


@pytest.mark.parametrize("path", [
    "/api/v1/archive/records/..%2F..%2Fetc%2Fpasswd", "/api/v1/archive/records/a%00b",
    "/api/v1/archive/records/" + "a" * 300, "/api/v1/archive/records/%27%20OR%201=1",
])
def test_bad_ids_are_refused(client, sessions, ids, path):
    headers, _ = key(sessions, "records")
    response = client.get(path, headers=headers)
    assert response.status_code in (404, 422)
    assert "error" in response.get_json()


def test_unknown_id(client, sessions, ids):
    headers, _ = key(sessions, "records")
    response = client.get("/api/v1/archive/records/00000000-0000-0000-0000-000000000099",
                          headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize("query, field", [
    ("name=" + "x" * 10_000, "name"), ("outcome=lost", "outcome"), ("limit=0", "limit"),
    ("sort=password", "sort"), ("sent_from=yesterday", "sent_from"), ("colour=red", "colour"),
    ("name=a&name=b", "name"),
])
def test_bad_search_parameters_name_their_field(client, sessions, ids, query, field):
    headers, _ = key(sessions, "records")
    response = client.get(f"/api/v1/archive/records?{query}", headers=headers)
    assert response.status_code == 422
    assert field in {e["path"] for e in response.get_json()["errors"]}


@pytest.mark.parametrize("name", ["' OR 1=1 --", "%", "'; DROP TABLE archive_records; --"])
def test_sql_metacharacters_are_just_text(client, sessions, ids, name):
    headers, _ = key(sessions, "records")
    response = client.get("/api/v1/archive/records", query_string={"name": name},
                          headers=headers)
    assert response.status_code == 200
    assert response.get_json()["total"] == (1 if name == "%" else 0)
    assert client.get("/api/v1/archive/records", headers=headers).get_json()["total"] == 6


def test_no_key_no_records(client, ids):
    assert client.get("/api/v1/archive/records").status_code == 401


def test_the_records_api_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    search = document["paths"]["/api/v1/archive/records"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert {"name", "employee_id", "manager", "department", "outcome", "sent_from",
            "completed_to", "sort", "limit", "offset"} <= names
    assert "/api/v1/archive/records/{envelope_id}/bundle.zip" in document["paths"]


def test_hr_holds_only_the_plans_it_sent(client, sessions, ids, hr):
    mine = client.post(f"/api/v1/archive/records/{ids[0]}/hold",
                       json={"reason": "Grievance 2026/7"}, headers=hr[0])
    assert mine.status_code == 200 and mine.get_json()["on_hold"] is True
    other = client.post(f"/api/v1/archive/records/{ids[4]}/hold",
                        json={"reason": "Curious"}, headers=hr[0])
    assert other.status_code == 404 and "employee_name" not in other.get_json()
    with sessions() as session:
        assert get_record(session, ids[4]).on_hold is False
    assert log(sessions, envelope_id=ids[4]) == [("hold", False, f"apikey:{hr[1]} (hr desk)")]


@pytest.mark.parametrize("reason", ["   ", "held\x00", "a\x1b[31mred"])
def test_a_hold_reason_must_be_plain_text(client, sessions, ids, reason):
    headers, _ = key(sessions, "records")
    response = client.post(f"/api/v1/archive/records/{ids[0]}/hold", json={"reason": reason},
                           headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "reason"
    with sessions() as session:
        assert get_record(session, ids[0]).on_hold is False


def test_a_missing_blob_is_reported_and_never_served(app, client, sessions, ids):
    headers, _ = key(sessions, "records")
    with sessions() as session:
        record = get_record(session, ids[2])
        store = services_of(app).store
        final, trail = store.path(record.final_sha256), store.path(record.audit_sha256)
    final.unlink()
    trail.unlink()
    response = client.get(f"/api/v1/archive/records/{ids[2]}/final.pdf", headers=headers)
    assert response.status_code == 409 and "missing" in response.get_json()["error"]
    viewed = client.get(f"/api/v1/archive/records/{ids[2]}", headers=headers)
    assert viewed.status_code == 409
    with sessions() as session:
        assert [e.action for e in access_log(session, envelope_id=ids[2])] == [
            "view", "download final.pdf"]
        assert all("failed" in e.detail for e in access_log(session, envelope_id=ids[2]))


def test_a_bare_end_date_covers_that_whole_day(client, sessions, ids):
    headers, _ = key(sessions, "records")
    # The second record was completed on 2020-04-01 at 09:00 UTC.
    day = client.get("/api/v1/archive/records?completed_from=2020-04-01&completed_to=2020-04-01",
                     headers=headers).get_json()
    assert [r["envelope_id"] for r in day["records"]] == [ids[1]]
    bad = client.get("/api/v1/archive/records?completed_to=2020-02-30", headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["path"] == "completed_to"

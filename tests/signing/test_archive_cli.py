"""`plansign archive`: search (a table for people, JSON for machines), get, access-log,
hold and release, purge (dry run, then execute), export."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import zipfile

import pytest

from config import load_settings
from database import make_session_factory
from signing import instance
from signing.cli import main
from tests.archive.records_data import seed

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def env(tmp_path, database_url):
    return {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
            "PLANSIGN_DATABASE_URL": database_url,
            "PLANSIGN_SECRET_KEYS": "k" * 40}


@pytest.fixture
def ids(env):
    settings = load_settings(env)
    sessions = make_session_factory(instance.database_engine(settings))
    with sessions.begin() as session:
        return seed(session, instance.blob_store(settings))


def run(runner, env, *args):
    return runner.invoke(main, ["archive", *args], env=env)


def test_search_for_people_and_for_machines(runner, env, ids):
    table = run(runner, env, "search", "--name", "BRANDLI")
    assert table.exit_code == 0, table.output
    assert table.output.startswith("1 archived plan(s), showing 1-1\nenvelope")
    assert "Léa Brändli" in table.output and ids[0] in table.output
    machine = run(runner, env, "search", "--department", "sales", "--json")
    data = json.loads(machine.output)
    assert data["total"] == 2
    assert {r["employee_name"] for r in data["records"]} == {"Ángel Núñez", "Zoë O'Neill"}
    bad = run(runner, env, "search", "--name", "a\0b")
    assert bad.exit_code == 1 and "name: control characters" in bad.output



def test_a_search_that_stopped_counting_says_more_than(runner, env, ids, monkeypatch):
    monkeypatch.setattr(importlib.import_module("archive.search"), "SELECTIVE", 2)
    table = run(runner, env, "search", "--name", "l")  # four match
    assert table.exit_code == 0, table.output
    assert table.output.startswith("more than 2 archived plan(s), showing 1-4\n")
    data = json.loads(run(runner, env, "search", "--name", "l", "--json").output)
    assert (data["total"], data["total_exact"], len(data["records"])) == (2, False, 4)
    data = json.loads(run(runner, env, "search", "--name", "lea", "--json").output)
    assert (data["total"], data["total_exact"]) == (2, True)

def test_get_writes_the_documents_and_the_reads_are_logged(runner, env, ids, tmp_path):
    result = run(runner, env, "get", ids[0], "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() == digest
    log = run(runner, env, "access-log", "--envelope", ids[0], "--json")
    actions = [e["action"] for e in json.loads(log.output)]
    assert actions.count("view") == 1 and "download final.pdf" in actions
    assert all(e["actor"].startswith("cli:") for e in json.loads(log.output))
    missing = run(runner, env, "get", "nope", "--out", str(tmp_path / "x"))
    assert missing.exit_code == 1 and "no archived record for envelope nope" in missing.output


def test_hold_purge_and_export(runner, env, ids, tmp_path):
    refused = run(runner, env, "hold", ids[0], "--reason", "Claim\x00")
    assert refused.exit_code == 1 and "reason: contains control characters" in refused.output
    assert run(runner, env, "hold", ids[0], "--reason", "Claim").exit_code == 0
    # With the default of 7 years, nothing seeded in 2020 is due yet: a dry run says so.
    dry = run(runner, env, "purge")
    assert dry.exit_code == 0 and "0 record(s) would purge" in dry.output
    out = tmp_path / "export.zip"
    export = run(runner, env, "export", "--since", "2020-04-01", "--out", str(out))
    assert export.exit_code == 0 and "5 record(s)" in export.output
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert f"{ids[1]}/final.pdf" in names and f"{ids[0]}/final.pdf" not in names
        assert "SHA256SUMS" in names and "export.json" in names
    log = json.loads(run(runner, env, "access-log", "--json").output)
    exported = sorted(e["envelope_id"] for e in log if e["action"] == "export")
    assert exported == sorted(ids[1:])
    release = run(runner, env, "release", ids[0], "--reason", "Settled")
    assert release.exit_code == 0
    again = run(runner, env, "release", ids[0], "--reason", "Settled")
    assert again.exit_code == 1 and "is not on hold" in again.output


def test_purge_executes_only_when_asked(runner, env, tmp_path):
    settings = load_settings(env)
    sessions = make_session_factory(instance.database_engine(settings))
    with sessions.begin() as session:
        ids = seed(session, instance.blob_store(settings), retain_for=dt.timedelta(days=1))
    run(runner, env, "hold", ids[2], "--reason", "Subject access request")
    dry = run(runner, env, "purge")
    assert "would purge" in dry.output and "run with --execute" in dry.output
    assert f"kept {ids[2]}: on legal hold" in dry.output
    done = run(runner, env, "purge", "--execute")
    assert done.exit_code == 0 and "5 record(s) purged, 1 kept on hold" in done.output
    left = json.loads(run(runner, env, "search", "--json").output)
    assert [r["envelope_id"] for r in left["records"]] == [ids[2]]


def test_archive_verify_reports_each_check_and_is_logged(runner, env, ids):
    # The seeded documents are not sealed PDFs: the seal check must fail, and say so.
    result = run(runner, env, "verify", ids[0])
    assert result.exit_code == 1
    assert "FAIL  seal" in result.output and "ok    archive record" in result.output
    log = json.loads(run(runner, env, "access-log", "--envelope", ids[0], "--json").output)
    assert [(e["action"], e["detail"]) for e in log] == [("verify", "failed")]

"""Legal holds over a department or a manager: placed, listed and released with who and
why; they keep the records archived later too, and a purge never deletes what they hold."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from archive import (
    ArchivedRecord,
    FolderStore,
    HoldError,
    HoldNotFound,
    Reader,
    RecordDocuments,
    RecordIndex,
    access_log,
    get_record,
    holds_over,
    legal_holds,
    place_group_hold,
    place_hold,
    purge,
    put_record,
    records_held,
    release_group_hold,
)
from tests.archive.records_data import BASE, seed

RECORDS = Reader("cli:riley", "records")
OTHER = Reader("apikey:psk_legal000 (Legal)", "records")
LATER = BASE + dt.timedelta(days=7 * 365 + 400)  # every seeded record is past its period


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "blobs")


@pytest.fixture
def ids(sessions, store):
    with sessions.begin() as session:
        return seed(session, store)


def archive_one(sessions, store, *, department: str, manager: str) -> str:
    envelope_id = str(uuid.uuid4())
    with sessions.begin() as session:
        put_record(session, store, RecordIndex(
            envelope_id=envelope_id, plan_id="PIP-LATE", employee_name="Noor Haddad",
            employee_id=None, manager_name=manager, department=department,
            outcome="acknowledged", sent_at=BASE, completed_at=BASE + dt.timedelta(days=1)),
            RecordDocuments(original_pdf=b"%PDF late original", final_pdf=b"%PDF late final",
                            plan_data={"plan_id": "PIP-LATE"}, audit_trail=[]),
            now=BASE, retain_for=dt.timedelta(days=30), retention_rule="retention_years: 7")
    return envelope_id


def test_a_department_hold_keeps_its_records_and_those_archived_later(sessions, store, ids):
    with sessions.begin() as session:
        hold = place_group_hold(session, "department", "  customer   care ",
                                reason="EEOC charge 846-2026-01234", by=RECORDS, now=BASE)
        assert (hold.value, hold.placed_by, hold.active) == ("customer care", "cli:riley", True)
    late = archive_one(sessions, store, department="CUSTOMER CARE", manager="Someone Else")
    plan = purge(sessions, store, now=LATER, by=RECORDS, execute=True)
    held = {ids[0], ids[1], late}  # Customer Care's two, and the one archived after the hold
    assert set(plan.held) == held and set(plan.due) == set(ids) - held
    assert plan.kept_by[late] == [f'hold {hold.id} on department "customer care" '
                                  "(EEOC charge 846-2026-01234)"]
    with sessions() as session:
        left = set(session.scalars(select(ArchivedRecord.envelope_id)))
        assert left == held
        assert records_held(session, session.get_one(type(hold), hold.id)) == 3


def test_a_manager_hold_matches_the_name_without_case_or_accents(sessions, store, ids):
    with sessions.begin() as session:
        place_group_hold(session, "manager", "sofia CASTELLANOS", reason="Tribunal 2026/114",
                         by=RECORDS, now=BASE)
    plan = purge(sessions, store, now=LATER, by=RECORDS)
    assert plan.held == [ids[2], ids[3]] and not plan.executed
    with sessions() as session:
        [hold] = holds_over(session, get_record(session, ids[3]))
        assert hold.value == "sofia CASTELLANOS"
        assert holds_over(session, get_record(session, ids[0])) == []


def test_released_holds_are_listed_with_who_and_why_and_keep_nothing(sessions, store, ids):
    with sessions.begin() as session:
        hold = place_group_hold(session, "department", "Sales", reason="EEOC charge 1",
                                by=RECORDS, now=BASE)
    with sessions.begin() as session:
        release_group_hold(session, hold.id, reason="Charge dismissed, no appeal", by=OTHER,
                           now=BASE + dt.timedelta(days=3))
    with sessions() as session:
        assert legal_holds(session) == []
        [released] = legal_holds(session, released=True)
        assert (released.released_by, released.release_reason) == (
            OTHER.actor, "Charge dismissed, no appeal")
        actions = [(e.action, e.actor) for e in access_log(session)]
        assert actions == [("release department hold", OTHER.actor),
                           ("hold department", RECORDS.actor)]
    assert set(purge(sessions, store, now=LATER, by=RECORDS).due) == set(ids)


def test_holds_are_refused_what_would_be_unclear(sessions, ids):
    with sessions.begin() as session:
        place_group_hold(session, "department", "Sales", reason="EEOC charge 1", by=RECORDS,
                         now=BASE)
    with sessions.begin() as session, pytest.raises(HoldError, match='department "SALES" is '
                                                                     "already held"):
        place_group_hold(session, "department", "SALES", reason="again", by=RECORDS, now=BASE)
    with sessions.begin() as session, pytest.raises(HoldError, match="department: give"):
        place_group_hold(session, "department", " ", reason="x", by=RECORDS, now=BASE)
    with sessions.begin() as session, pytest.raises(HoldError, match="not 'team'"):
        place_group_hold(session, "team", "Sales", reason="x", by=RECORDS, now=BASE)
    with sessions.begin() as session, pytest.raises(HoldError, match="reason: give a reason"):
        place_group_hold(session, "manager", "Mia Schulz", reason=" ", by=RECORDS, now=BASE)
    with sessions.begin() as session, pytest.raises(HoldNotFound):
        release_group_hold(session, 999, reason="x", by=RECORDS, now=BASE)


def test_a_record_kept_by_its_own_hold_and_a_group_hold_says_both(sessions, store, ids):
    with sessions.begin() as session:
        place_hold(session, ids[4], reason="Subject access request", by=RECORDS, now=BASE)
        hold = place_group_hold(session, "manager", "Mia Schulz", reason="Claim 7",
                                by=RECORDS, now=BASE)
    plan = purge(sessions, store, now=LATER, by=RECORDS)
    assert plan.kept_by[ids[4]] == ["its own hold (Subject access request)",
                                    f'hold {hold.id} on manager "Mia Schulz" (Claim 7)']


def test_the_purge_logs_the_rule_that_ended_a_record(sessions, store):
    late = archive_one(sessions, store, department="Ops", manager="Mia Schulz")
    purge(sessions, store, now=LATER, by=RECORDS, execute=True)
    with sessions() as session:
        [entry] = access_log(session, envelope_id=late)
    assert entry.action == "purge" and entry.detail.endswith("under retention_years: 7")

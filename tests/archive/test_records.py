"""Archiving an envelope's record: blobs and index row together, safe to do twice."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from archive import (
    ArchivedRecord,
    FolderStore,
    RecordConflict,
    RecordDocuments,
    RecordIndex,
    RecordNotFound,
    blob_key,
    canonical_json,
    fold,
    get_record,
    put_record,
)

NOW = dt.datetime(2027, 2, 10, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "blobs")


INDEX = RecordIndex(envelope_id="env-1", plan_id="PIP-2027-0111-CS", employee_name="Léa Brändli",
                    employee_id="E-1042", manager_name="Jürg Baumann",
                    department="Customer Care", outcome="acknowledged",
                    sent_at=NOW - dt.timedelta(days=2), completed_at=NOW)
DOCUMENTS = RecordDocuments(original_pdf=b"%PDF original", final_pdf=b"%PDF final",
                            plan_data={"employee": {"name": "Léa Brändli"}},
                            audit_trail=[{"seq": 1, "type": "envelope.created",
                                          "at": NOW.isoformat()}])


def test_put_record_stores_the_four_documents_and_indexes_the_envelope(sessions, store):
    with sessions.begin() as session:
        put_record(session, store, INDEX, DOCUMENTS, now=NOW)
    with sessions() as session:
        row = get_record(session, "env-1")
        assert row.employee_name_folded == "lea brandli"
        assert store.get(row.original_sha256) == b"%PDF original"
        assert store.get(row.final_sha256) == b"%PDF final"
        assert json.loads(store.get(row.plan_sha256)) == DOCUMENTS.plan_data
        assert json.loads(store.get(row.audit_sha256)) == DOCUMENTS.audit_trail
        assert row.archived_at == NOW and row.completed_at == NOW


def test_archiving_again_changes_nothing(sessions, store):
    for _ in range(2):
        with sessions.begin() as session:
            put_record(session, store, INDEX, DOCUMENTS, now=NOW)
    with sessions() as session:
        assert len(session.scalars(select(ArchivedRecord)).all()) == 1


def test_archiving_again_with_a_different_final_pdf_is_refused(sessions, store):
    with sessions.begin() as session:
        put_record(session, store, INDEX, DOCUMENTS, now=NOW)
    other = RecordDocuments(DOCUMENTS.original_pdf, b"%PDF another final",
                            DOCUMENTS.plan_data, DOCUMENTS.audit_trail)
    with pytest.raises(RecordConflict) as caught, sessions.begin() as session:
        put_record(session, store, INDEX, other, now=NOW)
    assert caught.value.field == "final"
    with sessions() as session:
        assert store.get(get_record(session, "env-1").final_sha256) == b"%PDF final"


def test_unknown_record(sessions):
    with sessions() as session, pytest.raises(RecordNotFound):
        get_record(session, "nope")


def test_canonical_json_is_one_byte_sequence_per_value():
    a = canonical_json({"b": 1, "a": "é", "at": NOW})
    b = canonical_json({"at": NOW, "a": "é", "b": 1})
    assert a == b == '{"a":"é","at":"2027-02-10T17:00:00+00:00","b":1}'.encode()
    assert blob_key(a) == blob_key(b)


@pytest.mark.parametrize("name, folded", [("Léa Brändli", "lea brandli"),
                                          ("ÅSA ØSTBY", "asa østby"),
                                          ("Straße", "strasse")])
def test_fold(name, folded):
    assert fold(name) == folded

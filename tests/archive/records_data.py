"""Archived records for the tests: put through ``archive.put_record`` with small made-up
documents, so searching and keeping can be tested without making real PDFs."""

from __future__ import annotations

import datetime as dt
import uuid

from archive import BlobStore, RecordDocuments, RecordIndex, put_record

BASE = dt.datetime(2020, 3, 2, 9, 0, tzinfo=dt.UTC)
PEOPLE = [
    # employee, employee id, manager, department, outcome
    ("Léa Brändli", "E-1042", "Jürg Baumann", "Customer Care", "acknowledged"),
    ("Lea Brandt", "E-2001", "Jürg Baumann", "Customer Care", "refused"),
    ("Ángel Núñez", "E-3003", "Sofía Castellanos", "Sales", "no_response"),
    ("Zoë O'Neill", "E-4004", "Sofía Castellanos", "Sales", "acknowledged"),
    ("Ivan Petrov", "E-5005", "Mia Schulz", "Engineering", "acknowledged"),
    ("50% Done_Smith", "E-6006", "Mia Schulz", "Engineering", "voided"),
]


def seed(session, store: BlobStore, *, sent_by: str = "apikey:psk_seed0000",
         retain_for: dt.timedelta | None = dt.timedelta(days=7 * 365)) -> list[str]:
    """One record per person, each completed a month after the one before."""
    ids = []
    for n, (name, employee_id, manager, department, outcome) in enumerate(PEOPLE):
        envelope_id = str(uuid.UUID(int=n + 1))
        completed = BASE + dt.timedelta(days=30 * n)
        put_record(session, store, RecordIndex(
            envelope_id=envelope_id, plan_id=f"PIP-{n:04d}", employee_name=name,
            employee_id=employee_id, manager_name=manager, department=department,
            outcome=outcome, sent_at=completed - dt.timedelta(days=10),
            completed_at=completed, sent_by=sent_by),
            RecordDocuments(original_pdf=f"%PDF original {n}".encode(),
                            final_pdf=f"%PDF final {n}".encode(),
                            plan_data={"plan_id": f"PIP-{n:04d}", "employee": {"name": name}},
                            audit_trail=[]),
            now=completed, retain_for=retain_for)
        ids.append(envelope_id)
    return ids

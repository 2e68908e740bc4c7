"""Benchmark: the records page's answer (POST /my-records) for an address that belongs
to a signer and for one that does not, side by side, and following a copy link.

The page promises the same answer whether or not the address is known, and its time
should not tell them apart (issue 19). Requests alternate known and unknown (which goes
first alternating too) in one process (Flask's test client, no HTTP), on a database
with ``--records`` archived records, each with its three signers; the ratio of their
medians is the figure (1.00: indistinguishable at this resolution). The GET of the empty
form is the floor: what any page of the app costs. A copy link followed (``/copy/TOKEN``:
verified, checked against the archive and logged, a 200 kB PDF read from the blob
store) is timed too.

Usage: ``.venv/bin/python bench/bench_records_request.py [--db sqlite|postgresql]
[--records 2000] [--requests 400]``. Peak memory of the process is printed beside.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import RecordDocuments, RecordIndex, put_record  # noqa: E402
from bench.peakmem import own_peak_mb  # noqa: E402
from signing.domain.links import Purpose  # noqa: E402
from signing.domain.models import Document, EnvelopeRow, SignerRow  # noqa: E402
from signing.web.app import create_app  # noqa: E402
from signing.web.current import services_of  # noqa: E402

NOW = dt.datetime.now(dt.UTC)


def seed(app, records: int) -> tuple[str, str]:
    """``records`` archived plans, each with an employee, a manager and HR at addresses
    of their own; returns the first record's id and its employee's signer id."""
    services = services_of(app)
    pdf = b"%PDF-1.7 " + b"x" * 200_000  # about a 6-page plan's final PDF
    digest = hashlib.sha256(pdf).hexdigest()
    first: tuple[str, str] | None = None
    with services.sessions.begin() as session:
        session.add(Document(sha256=digest, content_type="application/pdf", size=len(pdf),
                             content=pdf, created_at=NOW))
        for n in range(records):
            envelope_id = str(uuid.uuid4())
            session.add(EnvelopeRow(id=envelope_id, state="archived", plan_data={},
                                    template="standard", document_sha256=digest,
                                    created_at=NOW, created_by="bench", owner="bench",
                                    final_sha256=digest))
            for order, role in enumerate(("manager", "employee", "hr")):
                signer_id = str(uuid.uuid4())
                session.add(SignerRow(id=signer_id, envelope_id=envelope_id, role=role,
                                      name=f"{role} {n}", email=f"{role}.{n}@example.com",
                                      routing_order=order, state="confirmed"))
                if first is None and role == "employee":
                    first = (envelope_id, signer_id)
            put_record(session, services.store, RecordIndex(
                envelope_id=envelope_id, plan_id=envelope_id, employee_name=f"employee {n}",
                employee_id=None, manager_name=f"manager {n}", department="Support",
                outcome="acknowledged", sent_at=NOW, completed_at=NOW),
                RecordDocuments(pdf, pdf, {}, []), now=NOW)
            if n % 500 == 499:
                session.flush()
    assert first is not None
    return first


def timed(call) -> float:
    start = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def summary(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{name:<28} p50 {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = None
        if args.db == "postgresql":
            from testsupport.pgserver import PostgresServer

            server = PostgresServer()
            server.start()
            url = server.url(server.create_database())
        else:
            url = f"sqlite:///{folder}/plansign.db"
        try:
            run(folder, url, args)
        finally:
            if server is not None:
                server.stop()


def run(folder: str, url: str, args: argparse.Namespace) -> None:
    app = create_app({"instance_path": folder, "database_url": url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                      "rate_limit_signer": "", "rate_limit_signer_strict": "",
                      "rate_limit_records_request": "",
                      "rate_limit_records_request_address": ""})
    envelope_id, signer_id = seed(app, args.records)
    client = app.test_client()
    page = client.get("/my-records").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    token = match.group(1)
    copy = services_of(app).record_links.sign("plan", envelope_id, signer_id,
                                              purpose=Purpose.DOWNLOAD, now=NOW)
    form, known, unknown, links = [], [], [], []
    for i in range(args.requests):
        n = i % args.records
        form.append(timed(lambda: client.get("/my-records")))
        mine, nobody = f"employee.{n}@example.com", f"nobody.{n}@example.com"
        # Which goes first alternates: a request right after another's commit is not
        # timed like one after a read.
        pair = [(known, mine), (unknown, nobody)]
        for times, address in (pair if i % 2 == 0 else pair[::-1]):
            times.append(timed(lambda a=address: client.post(  # type: ignore[misc]
                "/my-records", data={"email": a, "csrf_token": token})))
        links.append(timed(lambda: client.get(f"/copy/{copy}")))
    print(f"{args.db}, {args.records} archived records, {os.cpu_count()} CPUs")
    for name, ms in (("GET /my-records (floor)", form), ("POST known address", known),
                     ("POST unknown address", unknown), ("GET /copy/TOKEN (200 kB)", links)):
        print(summary(name, ms))
    print(f"known / unknown, medians: {statistics.median(known) / statistics.median(unknown):.2f}")
    print(f"peak memory {own_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: the records page's answer (POST /my-records) for an address that belongs
to a signer and for one that does not, side by side, and following a copy link.

The page promises the same answer whether or not the address is known, and its time
should not tell them apart (issue 19). Requests alternate known and unknown (which goes
first alternating too) in one process (Flask's test client, no HTTP), on a database
with ``--records`` archived records, each with its three signers. An unknown address has
the known one's shape and length (``employee.7@example.net`` beside
``employee.7@example.com``), so that only being known differs. Reported: each side's
median and p95, the ratio of the medians (1.00: indistinguishable at this resolution),
and a Mann-Whitney U test of the two samples (two-sided p; a small p says the two
distributions differ). ``--control`` interleaves a second unknown address in every
round: known against unknown is then read beside unknown against unknown, the same work
twice, which shows how far apart this machine's noise alone puts two samples.

Before timing, the SQL statements one request sends are captured for a known and an
unknown address and compared (their parameters aside): the request must do the same
work for both (the worker does the lookup), and the script stops if it does not.

The GET of the empty form is the floor: what any page of the app costs. A copy link
followed (``/copy/TOKEN``: verified, checked against the archive and logged, a 200 kB PDF
read from the blob store) is timed too.

Usage: ``.venv/bin/python bench/bench_records_request.py [--db sqlite|postgresql]
[--records 2000] [--requests 2000] [--control]``. Peak memory of the process is printed
beside.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
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


def mann_whitney(a: list[float], b: list[float]) -> tuple[float, float]:
    """The Mann-Whitney U test of two samples: (the probability that a value of ``a``
    exceeds one of ``b``, two-sided p from the normal approximation with the tie
    correction; fine for samples of hundreds)."""
    values = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks: list[float] = [0.0] * len(values)
    ties = 0.0
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1][0] == values[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    n1, n2 = len(a), len(b)
    r1 = sum(r for r, (_, side) in zip(ranks, values, strict=True) if side == 0)
    u1 = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (u1 - n1 * n2 / 2) / sigma if sigma else 0.0
    return u1 / (n1 * n2), math.erfc(abs(z) / math.sqrt(2))


def statements_of(app, client, address: str, token: str) -> list[str]:
    """The SQL one request for ``address`` sends, in order (the statements' text; their
    parameters differ by the address, as they must)."""
    from sqlalchemy import event

    sent: list[str] = []

    def seen(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        sent.append(" ".join(statement.split()))

    engine = services_of(app).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        client.post("/my-records", data={"email": address, "csrf_token": token})
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--control", action="store_true",
                        help="time a second unknown address too (unknown against unknown)")
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
    known_sql = statements_of(app, client, "employee.0@example.com", token)
    unknown_sql = statements_of(app, client, "employee.0@example.net", token)
    assert known_sql == unknown_sql, ("the request sends other statements for a known "
                                      f"address:\n{known_sql}\n{unknown_sql}")
    print(f"statements per request, known and unknown alike ({len(known_sql)}): "
          + "; ".join(s[:60] for s in known_sql))
    form, known, unknown, control, links = [], [], [], [], []
    for i in range(args.requests):
        n = i % args.records
        form.append(timed(lambda: client.get("/my-records")))
        # Only being known differs: the same shape and length.
        group = [(known, f"employee.{n}@example.com"), (unknown, f"employee.{n}@example.net")]
        if args.control:
            group.append((control, f"employee.{n}@example.org"))
        # Which goes first turns round: a request right after another's commit is not
        # timed like one after a read.
        shift = i % len(group)
        for times, address in group[shift:] + group[:shift]:
            times.append(timed(lambda a=address: client.post(  # type: ignore[misc]
                "/my-records", data={"email": a, "csrf_token": token})))
        links.append(timed(lambda: client.get(f"/copy/{copy}")))
    print(f"{args.db}, {args.records} archived records, {os.cpu_count()} CPUs")
    rows = [("GET /my-records (floor)", form), ("POST known address", known),
            ("POST unknown address", unknown)]
    if args.control:
        rows.append(("POST unknown address (2)", control))
    for name, ms in (*rows, ("GET /copy/TOKEN (200 kB)", links)):
        print(summary(name, ms))
    pairs = [("known / unknown", known, unknown)]
    if args.control:
        pairs.append(("unknown (2) / unknown", control, unknown))
    for name, a, b in pairs:
        share, p = mann_whitney(a, b)
        print(f"{name}: medians {statistics.median(a) / statistics.median(b):.3f}, "
              f"P(first slower) {share:.3f}, Mann-Whitney p = {p:.3g}")
    print(f"peak memory {own_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: webhook deliveries per second, and commit-to-delivery latency.

Three processes besides this one, as in production: a receiver (aiohttp on 127.0.0.1,
checking every signature with the specification's HMAC and recording each arrival), the
worker (the loop of `plansign worker`: deadlines, the outbox with the webhook handler,
and the delivery pass, wired from settings as the CLI wires them), and a producer that
commits workflow steps. One SQLite database in a temporary folder (or --database-url).

1. **throughput**: 10,000 events (2,500 envelopes x 4 events each, so the per-envelope
   order is in play) are published to one endpoint, then the worker starts; deliveries
   per second from the first arrival to the last.
2. **latency**: envelopes made ready to archive; the producer archives them at a steady
   rate (each a real `archive` step: state, audit record, the `envelope.completed`
   outbox row, in one transaction) and records when each commit returned; the worker
   announces and delivers them; the receiver records arrival. Commit to delivery, p50/p99.

Peak memory beside the speed: the worker process's and the receiver's, sampled through
each phase (``bench/peakmem.py``).

Usage: ``.venv/bin/python bench/bench_webhooks.py [--rounds 3] [--events 10000]
[--rate 100] [--completed 2000]``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peakmem import TreePeak  # noqa: E402

HR_NAME = "bench"


# -- the receiver ---------------------------------------------------------------------


def receiver_main(port_queue, secret: str) -> None:
    from aiohttp import web

    key = base64.b64decode(secret.removeprefix("whsec_"))
    records: list[tuple[str, str, str, float]] = []
    bad = [0]

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        arrived = time.time()
        h = request.headers
        signed = f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if not any(s.partition(",")[2] == expected for s in h["webhook-signature"].split()):
            bad[0] += 1
            return web.Response(status=401)
        event = json.loads(body)
        records.append((h["webhook-id"], event["type"], event["data"]["envelope"]["id"],
                        arrived))
        return web.Response(status=204)

    async def dump(request: web.Request) -> web.Response:
        return web.json_response({"records": records, "bad": bad[0]})

    async def reset(request: web.Request) -> web.Response:
        records.clear()
        bad[0] = 0
        return web.Response(status=204)

    app = web.Application()
    app.add_routes([web.post("/hooks", hook), web.get("/records", dump),
                    web.post("/reset", reset)])

    async def start() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_queue.put(site._server.sockets[0].getsockname()[1])
        while True:
            await asyncio.sleep(3600)

    import asyncio

    asyncio.run(start())


def receiver_records(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/records") as response:
        return json.loads(response.read())


def receiver_reset(port: int) -> None:
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/reset",
                                                  method="POST")).read()


# -- the worker -------------------------------------------------------------------------


def worker_main(database_url: str, instance: str, stop, tuning: dict) -> None:
    """The loop of `plansign worker` (signing.cli.service.worker_cmd), without its email
    and finalize handlers, which this benchmark does not exercise."""
    from config import load_settings
    from signing.domain import deadlines, outbox
    from signing.services import Services
    from signing.worker import DELIVERY_WAIT

    services = Services(load_settings({}, overrides={
        "database_url": database_url, "instance_path": instance, "secret_keys": "k" * 40,
        "webhook_allow_private": True, "base_url": "https://sign.example.com", **tuning}))
    sessions, announcer = services.sessions, services.announcer
    interval = 0.5  # worker_cmd's --interval default
    with services.deliverer() as deliverer:
        while not stop.is_set():
            now = dt.datetime.now(dt.UTC)
            deadlines.sweep(sessions, now=now, remind_every=dt.timedelta(days=3))
            # The email and finalize claim stays, as a cost: their rows are not handled here.
            handled = outbox.run_once(sessions, {}, now=now) + announcer.run_once(now=now)
            deliveries = deliverer.run_once(now=now, wait=DELIVERY_WAIT)
            if not handled and not deliveries.busy:
                time.sleep(interval)


# -- the producer -----------------------------------------------------------------------


def producer_main(database_url: str, envelope_ids: list[str], rate: float, out) -> None:
    from database import make_engine, make_session_factory
    from signing.domain import envelopes as svc

    sessions = make_session_factory(make_engine(database_url))
    actor = svc.Actor("worker")
    committed = {}
    start = time.monotonic()
    for n, envelope_id in enumerate(envelope_ids):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        with sessions.begin() as session:
            svc.perform(session, envelope_id, "archive", actor=actor,
                        now=dt.datetime.now(dt.UTC))
        committed[envelope_id] = time.time()
    out.put(committed)


# -- set-up ---------------------------------------------------------------------------


def make_database(folder: Path, database_url: str | None, port: int):
    from database import make_engine, make_session_factory
    from signing.migrations import upgrade

    url = database_url or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    return url, make_session_factory(engine)


def add_endpoint(sessions, port: int, events: list[str]) -> str:
    import webhooks

    with sessions.begin() as session:
        return webhooks.create_endpoint(
            session, url=f"http://127.0.0.1:{port}/hooks", events=events, created_by=HR_NAME,
            sees_all=True,
            now=dt.datetime.now(dt.UTC), allow_private=True).secret


def publish_backlog(sessions, events: int) -> None:
    """``events`` messages: envelopes of four events each, in order, all due now."""
    import webhooks

    kinds = ["envelope.sent", "signer.viewed", "signer.acknowledged", "envelope.completed"]
    now = dt.datetime.now(dt.UTC)
    batch = 500
    for start in range(0, events, batch):
        with sessions.begin() as session:
            for n in range(start, min(start + batch, events)):
                envelope, step = f"bench-{n // 4:05d}", n % 4
                webhooks.publish(session, kinds[step],
                                 {"envelope": {"id": envelope, "status": "sent"}},
                                 ordering_key=envelope, position=step, now=now,
                                 event_key=f"{envelope}:{step}")


def ready_to_archive(sessions, count: int) -> list[str]:
    """Envelopes of the sample plan, sent, acknowledged and sealed; their outbox rows so
    far marked done, so the worker only sees what the producer adds."""
    from sqlalchemy import update

    from docgen import sample_plan
    from signing.domain import envelopes as svc
    from signing.domain import workflow as wf
    from signing.domain.models import OutboxRow
    from signing.domain.wording import STATEMENT

    plan = sample_plan()
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["manager"].pop("webhook", None)
    actor, now = svc.Actor(HR_NAME), dt.datetime.now(dt.UTC)
    ids = []
    for n in range(count):
        with sessions.begin() as session:
            envelope_id = svc.create_envelope(
                session, plan_data=data, template="standard", pdf=b"%PDF-1.7 bench",
                signers=[svc.SignerSpec(wf.Role.EMPLOYEE, "E", "e@example.com", 1)],
                actor=actor, now=now)
            svc.perform(session, envelope_id, "send", actor=actor, now=now,
                        expires_in=dt.timedelta(days=14))
            employee = svc.load(session, envelope_id).signers[0].id
            svc.perform(session, envelope_id, "acknowledge", signer_id=employee,
                        typed_name="E", consent=True, statement=STATEMENT, actor=actor,
                        now=now)
            final = hashlib.sha256(f"final {n}".encode()).hexdigest()
            svc.perform(session, envelope_id, "seal", final_sha256=final, actor=actor,
                        now=now)
            svc.load(session, envelope_id).final_sha256 = final
        ids.append(envelope_id)
    with sessions.begin() as session:
        session.execute(update(OutboxRow).values(sent_at=now))
    return ids


def wait_for(port: int, count: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = receiver_records(port)
        if len(got["records"]) >= count or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# -- the rounds -----------------------------------------------------------------------


def throughput_round(events: int, database_url: str | None, tuning: dict) -> dict:
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, sessions = make_database(folder, database_url, 0)
        from webhooks.signatures import new_secret

        secret = new_secret()
        ports, stop = ctx.Queue(), ctx.Event()
        receiver = ctx.Process(target=receiver_main, args=(ports, secret), daemon=True)
        receiver.start()
        port = ports.get(timeout=30)
        try:
            _use_secret(sessions, port, secret, ["envelope.sent", "signer.viewed",
                                                  "signer.acknowledged",
                                                  "envelope.completed"])
            publish_backlog(sessions, events)
            worker = ctx.Process(target=worker_main, args=(url, str(folder / "i"), stop, tuning))
            worker.start()
            with TreePeak(worker.pid or 0) as worker_peak, TreePeak(receiver.pid or 0) as \
                    receiver_peak:
                got = wait_for(port, events, timeout=600)
            stop.set()
            worker.join(30)
        finally:
            receiver.kill()
        arrivals = sorted(r[3] for r in got["records"])
        in_order = _in_order(got["records"])
        return {"delivered": len(arrivals), "bad_signatures": got["bad"],
                "seconds": arrivals[-1] - arrivals[0],
                "per_second": (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]),
                "in_order": in_order, "worker_peak_mb": worker_peak.peak_mb,
                "receiver_peak_mb": receiver_peak.peak_mb}


def latency_round(count: int, rate: float, database_url: str | None, tuning: dict) -> dict:
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, sessions = make_database(folder, database_url, 0)
        from webhooks.signatures import new_secret

        secret = new_secret()
        ports, stop, results = ctx.Queue(), ctx.Event(), ctx.Queue()
        receiver = ctx.Process(target=receiver_main, args=(ports, secret), daemon=True)
        receiver.start()
        port = ports.get(timeout=30)
        try:
            _use_secret(sessions, port, secret, ["envelope.completed"])
            ids = ready_to_archive(sessions, count)
            worker = ctx.Process(target=worker_main, args=(url, str(folder / "i"), stop, tuning))
            worker.start()
            time.sleep(2)  # the worker is up and idle, as in production
            with TreePeak(worker.pid or 0) as worker_peak:
                producer = ctx.Process(target=producer_main, args=(url, ids, rate, results))
                producer.start()
                committed = results.get(timeout=600)
                producer.join(30)
                got = wait_for(port, count, timeout=120)
            stop.set()
            worker.join(30)
        finally:
            receiver.kill()
        latencies = [(arrived - committed[envelope]) * 1000
                     for _, kind, envelope, arrived in got["records"]
                     if kind == "envelope.completed"]
        span = max(committed.values()) - min(committed.values())
        return {"delivered": len(latencies), "bad_signatures": got["bad"],
                "rate": (len(committed) - 1) / span if span else 0.0,
                "p50_ms": statistics.median(latencies), "p99_ms": percentile(latencies, 99),
                "max_ms": max(latencies), "worker_peak_mb": worker_peak.peak_mb}


def _use_secret(sessions, port: int, secret: str, events: list[str]) -> None:
    """An endpoint for the receiver, with the secret the receiver was started with."""
    from sqlalchemy import update

    from webhooks.models import WebhookEndpoint

    add_endpoint(sessions, port, events)
    with sessions.begin() as session:
        session.execute(update(WebhookEndpoint).values(secret=secret))


def _in_order(records: list) -> bool:
    order = ["envelope.sent", "signer.viewed", "signer.acknowledged", "envelope.completed"]
    seen: dict[str, list[str]] = {}
    for _, kind, envelope, _ in sorted(records, key=lambda r: r[3]):
        seen.setdefault(envelope, []).append(kind)
    return all(kinds == order for kinds in seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--completed", type=int, default=2_000,
                        help="envelope.completed events in the latency phase")
    parser.add_argument("--rate", type=float, default=100.0,
                        help="envelopes archived per second in the latency phase")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--concurrency", type=int, default=None,
                        help="webhook_concurrency for the worker (default: the setting's)")
    parser.add_argument("--endpoint-concurrency", type=int, default=None,
                        help="webhook_endpoint_concurrency (default: the setting's)")
    args = parser.parse_args()
    tuning = {name: value for name, value in (
        ("webhook_concurrency", args.concurrency),
        ("webhook_endpoint_concurrency", args.endpoint_concurrency)) if value is not None}
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"database {'SQLite' if not args.database_url else args.database_url.split(':')[0]}")
    throughput, latency = [], []
    for n in range(args.rounds):
        t = throughput_round(args.events, args.database_url, tuning)
        print(f"round {n + 1} throughput: {t['delivered']} delivered in {t['seconds']:.2f} s, "
              f"{t['per_second']:.0f}/s, bad signatures {t['bad_signatures']}, "
              f"per-envelope order kept: {t['in_order']}; peak memory: worker "
              f"{t['worker_peak_mb']:.0f} MB, receiver {t['receiver_peak_mb']:.0f} MB",
              flush=True)
        throughput.append(t)
        lat = latency_round(args.completed, args.rate, args.database_url, tuning)
        print(f"round {n + 1} latency: {lat['delivered']} envelope.completed at "
              f"{lat['rate']:.0f}/s, p50 {lat['p50_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms, "
              f"max {lat['max_ms']:.0f} ms, bad signatures {lat['bad_signatures']}; "
              f"worker peak memory {lat['worker_peak_mb']:.0f} MB", flush=True)
        latency.append(lat)
    print(f"median of {args.rounds}: {statistics.median(t['per_second'] for t in throughput):.0f}"
          f" deliveries/s; envelope.completed commit to delivery p50 "
          f"{statistics.median(r['p50_ms'] for r in latency):.0f} ms, p99 "
          f"{statistics.median(r['p99_ms'] for r in latency):.0f} ms; worker peak memory "
          f"{max(r['worker_peak_mb'] for r in throughput + latency):.0f} MB (highest round)")


if __name__ == "__main__":
    main()

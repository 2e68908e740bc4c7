"""plansign spread over several processes, as "Scaling out" in DESIGN.md describes: web
processes and workers sharing one database and one blob store, driven by a bounded load
client over HTTP. Used by tests/scale (small counts) and bench/bench_many_processes.py
(the full size).

Every process is a real ``plansign serve`` or ``plansign worker``; the envelopes are sent
as ``plansign send`` sends them; the signers act through the pages a browser gets,
spread over the web processes as a load balancer would, a session opened on one process
and posted to on another.
"""

from __future__ import annotations

import concurrent.futures
import copy
import datetime as dt
import email
import html
import http.cookiejar
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import webhooks
from archive import ArchivedRecord
from database import make_engine, make_session_factory
from signing.domain import envelopes as svc
from signing.domain.audit import verify_chain
from signing.domain.models import EnvelopeRow, OutboxRow
from signing.domain.sending import SendOptions, send_plan
from signing.migrations import upgrade
from testsupport.net import free_port

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "examples" / "support-agent-30d.yaml"
PLANSIGN = [sys.executable, "-c", "from signing.cli import main; main()"]
SECRET = "cluster-link-key-" + "k" * 32


@dataclass
class Cluster:
    """Web processes and workers on one database URL and one instance folder."""

    database_url: str
    folder: Path
    webs: int = 2
    workers: int = 2
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: list[int] = field(default_factory=list)

    def env(self, **more: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith("PLANSIGN_")}
        return {**keep, "PLANSIGN_DATABASE_URL": self.database_url,
                "PLANSIGN_INSTANCE_PATH": str(self.folder),
                "PLANSIGN_SECRET_KEYS": SECRET,
                "PLANSIGN_BASE_URL": (f"http://127.0.0.1:{self.ports[0]}" if self.ports
                                      else "https://sign.example.com"),
                "PLANSIGN_WEBHOOK_ALLOW_PRIVATE": "true",
                "PLANSIGN_REMINDER_INTERVAL_DAYS": "0",
                # The load client is one address standing in for many signers: the
                # per-address limits of the signer's pages would refuse it.
                "PLANSIGN_RATE_LIMIT_SIGNER": "", "PLANSIGN_RATE_LIMIT_SIGNER_STRICT": "",
                **more}

    @property
    def mail(self) -> Path:
        return self.folder / "mail"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        engine = make_engine(self.database_url)
        upgrade(engine)  # before the processes race to do it
        engine.dispose()
        self.ports = [free_port() for _ in range(self.webs)]
        for n, port in enumerate(self.ports):
            self.spawn(f"web{n + 1}", "serve", "--port", str(port))
        for n in range(self.workers):
            self.spawn(f"worker{n + 1}", "worker", "--interval", "0.2")
        for port in self.ports:
            wait_for_http(port)

    def spawn(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - the process keeps it
        process = subprocess.Popen([*PLANSIGN, *args], env=self.env(**env), stdout=log,
                                   stderr=subprocess.STDOUT)
        log.close()
        self.processes[name] = process
        return process

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(make_engine(self.database_url))


def wait_for_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing answered on port {port}") from None
            time.sleep(0.2)


# -- sending ------------------------------------------------------------------------------


def plan_for(n: int) -> dict[str, Any]:
    plan = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    plan = copy.deepcopy(plan)
    plan["plan_id"] = f"PIP-LOAD-{n:04d}"
    plan["employee"]["name"] = f"Load Signer {n}"
    plan["employee"]["email"] = f"signer{n}@example.com"
    plan["employee"]["employee_id"] = f"L-{n:04d}"
    # The employee alone: these runs measure sending, signing and finalizing under load
    # and faults, not the order in which the manager and HR sign.
    plan["routing"] = {"manager": "none", "hr": "none"}
    return plan


def send_all(sessions: sessionmaker[Session], converter: Any, count: int, *,
             expiring: set[int], expire_in: dt.timedelta, threads: int = 2) -> list[str]:
    """Send ``count`` plans as ``plansign send`` does; those in ``expiring`` get a short
    deadline. Returns the envelope ids in order."""
    template = ROOT / "templates" / "standard.docx"

    def send(n: int) -> str:
        options = SendOptions(template=template, company_name="Load Test AG",
                              expires_in=expire_in if n in expiring
                              else dt.timedelta(days=14))
        return send_plan(sessions, plan_for(n), options=options, converter=converter,
                         actor=svc.Actor("cli:load"), now=dt.datetime.now(dt.UTC))

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(send, range(count)))


def links_by_email(mail: Path, wanted: set[str], timeout: float = 120) -> dict[str, str]:
    """The signing link in each wanted signer's invitation, once the workers mailed it."""
    found: dict[str, str] = {}
    seen: set[Path] = set()
    deadline = time.monotonic() + timeout
    while wanted - set(found):
        for path in mail.glob("*.eml"):
            if path in seen:
                continue
            seen.add(path)
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            to = message["To"].addresses[0].addr_spec
            text = message.get_body(("plain",)).get_content()
            link = re.search(r"http://127\.0\.0\.1:\d+/s/\S+", text)
            if to in wanted and link and "acknowledge" in message["Subject"]:
                found[to] = link.group()
        if time.monotonic() > deadline:
            raise AssertionError(f"no invitation for {sorted(wanted - set(found))[:5]}")
        time.sleep(0.1)
    return found


# -- the load client ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    action: str
    seconds: float
    status: str  # the notice the page showed


def signed_in(link: str, *, port: int | None = None
              ) -> tuple[urllib.request.OpenerDirector, str]:
    """A browser that opened the link (on ``port``, if given: another web process): its
    session cookie, and the CSRF token of the plan page's forms."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.addheaders = [("User-Agent", "plansign load client")]
    if port is not None:
        link = urllib.parse.urlsplit(link)._replace(netloc=f"127.0.0.1:{port}").geturl()
    with opener.open(link, timeout=60) as page:
        text = page.read().decode()
    return opener, html.unescape(re.search(r'name="csrf_token" value="([^"]+)"', text)[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until ``condition`` holds; fails, naming ``what``, after ``timeout``."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"timed out waiting for {what}"
        time.sleep(0.05)
    return time.monotonic() - start


def act(link: str, action: str, *, open_port: int, post_port: int,
        comment: str | None = None, name: str = "Load Signer") -> Outcome:
    """One signer: open the link on one web process, act on another (the session and
    its CSRF token are valid across processes: nothing lives in a process)."""
    start = time.perf_counter()
    opener, token = signed_in(link, port=open_port)
    form: dict[str, str] = {"csrf_token": token}
    if action == "acknowledge":
        form |= {"typed_name": name, "consent": "on", "comment": comment or ""}
    else:
        form |= {"reason": comment or "", "confirm_refusal": "on"}
    request = urllib.request.Request(
        f"http://127.0.0.1:{post_port}/sign/{action}",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    with opener.open(request, timeout=60) as answer:
        result = answer.read().decode()
    notice = re.search(r'<div class="notice done" role="status">\s*<p>([^<]+)', result)
    return Outcome(action, time.perf_counter() - start, notice.group(1) if notice else "")


def drive(links: dict[int, tuple[str, str]], ports: list[int], clients: int) -> list[Outcome]:
    """Act on every link with at most ``clients`` signers at once, round-robin over
    the web processes; ``links`` maps a plan number to (link, action)."""
    def one(item: tuple[int, tuple[str, str]]) -> Outcome:
        n, (link, action) = item
        comment = (f"Comment from signer {n}: the goals are clear; <b>not</b> agreed."
                   if action == "acknowledge" else f"Signer {n} does not accept the evidence.")
        return act(link, action, open_port=ports[n % len(ports)],
                   post_port=ports[(n + 1) % len(ports)], comment=comment,
                   name=plan_for(n)["employee"]["name"])

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, sorted(links.items())))


# -- waiting and checking -----------------------------------------------------------------


def wait_until_archived(sessions: sessionmaker[Session], ids: list[str],
                        timeout: float) -> float:
    """Seconds until every envelope is archived."""
    start = time.monotonic()
    while True:
        with sessions() as session:
            states = Counter(session.scalars(
                select(EnvelopeRow.state).where(EnvelopeRow.id.in_(ids))))
        if states.get("archived", 0) == len(ids):
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not all archived after {timeout:.0f} s: {dict(states)}")
        time.sleep(0.2)


def everything_done(sessions: sessionmaker[Session], envelope_id: str) -> bool:
    """The envelope archived, and nothing left in the outbox or the webhook queue."""
    with sessions() as session:
        archived = session.get_one(EnvelopeRow, envelope_id).state == "archived"
        open_row = session.scalars(select(OutboxRow.id).where(
            OutboxRow.sent_at.is_(None), OutboxRow.failed_at.is_(None))).first()
        undelivered = session.scalars(select(webhooks.WebhookMessage.id).where(
            webhooks.WebhookMessage.delivered_at.is_(None))).first()
    return archived and open_row is None and undelivered is None


def wait_until_delivered(sessions: sessionmaker[Session], timeout: float) -> float:
    start = time.monotonic()
    while True:
        with sessions() as session:
            pending = session.scalar(select(func.count()).select_from(webhooks.WebhookMessage)
                                     .where(webhooks.WebhookMessage.delivered_at.is_(None)))
            waiting = session.scalar(select(func.count()).select_from(OutboxRow).where(
                OutboxRow.sent_at.is_(None), OutboxRow.failed_at.is_(None)))
        if not pending and not waiting:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{pending} webhook messages and {waiting} outbox rows "
                                 f"still waiting after {timeout:.0f} s")
        time.sleep(0.2)


@dataclass(frozen=True)
class Ledger:
    """What the database, the archive and the receiver hold once the run is over."""

    outcomes: Counter[str]          # archive outcome per envelope
    sealed_events: Counter[str]     # envelope.sealed audit events per envelope
    archived_events: Counter[str]   # envelope.archived audit events per envelope
    records: int                    # archive index rows
    distinct_finals: int            # distinct final PDFs in the index
    outbox_claims: Counter[int]     # rows by how many times they were claimed
    outbox_unsent: int
    messages: set[str]              # webhook message ids in the database
    message_tries: Counter[int]     # messages by attempts made
    broken_chains: list[str]
    final_pdfs_in_store: int


def ledger(sessions: sessionmaker[Session], ids: list[str], store_root: Path) -> Ledger:
    with sessions() as session:
        records = session.scalars(select(ArchivedRecord).where(
            ArchivedRecord.envelope_id.in_(ids))).all()
        sealed, archived, broken = Counter(), Counter(), []
        for envelope_id in ids:
            trail = svc.audit_trail(session, envelope_id)
            sealed[envelope_id] = sum(r.type == "envelope.sealed" for r in trail)
            archived[envelope_id] = sum(r.type == "envelope.archived" for r in trail)
            if verify_chain(trail):
                broken.append(envelope_id)
        rows = session.scalars(select(OutboxRow)).all()
        messages = session.scalars(select(webhooks.WebhookMessage)).all()
    finals = {r.final_sha256 for r in records}
    in_store = sum(1 for key in finals if (store_root / key[:2] / key[2:4] / key).exists())
    return Ledger(
        outcomes=Counter(r.outcome for r in records),
        sealed_events=sealed, archived_events=archived, records=len(records),
        distinct_finals=len(finals),
        outbox_claims=Counter(r.attempts for r in rows),
        outbox_unsent=sum(1 for r in rows if r.sent_at is None),
        messages={m.id for m in messages},
        message_tries=Counter(m.attempts for m in messages),
        broken_chains=broken, final_pdfs_in_store=in_store)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(values), "p99": percentile(values, 99)}


def as_json(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)


# -- the whole mix, as the test and the benchmark run it ----------------------------------


def mix(count: int) -> dict[int, str]:
    """Half acknowledge, a quarter refuse, a quarter are left to expire."""
    return {n: ("acknowledge" if n % 4 in (0, 1) else "refuse" if n % 4 == 2 else "expire")
            for n in range(count)}


@dataclass(frozen=True)
class MixRun:
    ids: list[str]
    outcomes: list[Outcome]
    received: list[Any]       # what the webhook receiver got (testsupport/receivers.py)
    secret: str               # the endpoint's signing secret
    ledger: Ledger
    seconds: dict[str, float]  # sending, mailing, acting, archiving, delivering


def run_mix(group: Cluster, converter: Any, count: int, *, clients: int,
            expire_in: dt.timedelta, timeout: float = 600) -> MixRun:
    """Send ``count`` plans to a started cluster, act on them over HTTP, and wait until
    every envelope is archived and every email and webhook is out."""
    from testsupport.receivers import serve_receiver

    sessions, plan, seconds = group.sessions(), mix(count), {}
    expiring = {n for n, what in plan.items() if what == "expire"}
    with serve_receiver() as receiver:
        with sessions.begin() as session:
            endpoint = webhooks.create_endpoint(
                session, url=receiver.url, events=sorted(webhooks.EVENT_TYPES), name="hris",
                created_by="load", sees_all=True, now=dt.datetime.now(dt.UTC), allow_private=True)
        started = time.monotonic()
        ids = send_all(sessions, converter, count, expiring=expiring, expire_in=expire_in)
        seconds["send"] = time.monotonic() - started
        links = links_by_email(group.mail, {f"signer{n}@example.com" for n in plan
                                            if n not in expiring}, timeout=timeout)
        seconds["invitations mailed"] = time.monotonic() - started
        acting = time.monotonic()
        outcomes = drive({n: (links[f"signer{n}@example.com"], what)
                          for n, what in plan.items() if what != "expire"},
                         group.ports, clients=clients)
        seconds["act"] = time.monotonic() - acting
        seconds["last action to all archived"] = wait_until_archived(sessions, ids, timeout)
        seconds["then all webhooks delivered"] = wait_until_delivered(sessions, timeout)
        received = list(receiver.received)
    return MixRun(ids, outcomes, received, endpoint.secret,
                  ledger(sessions, ids, group.folder / "archive"), seconds)


def exactly_once(run: MixRun, count: int) -> dict[str, bool]:
    """The checks of a run, by name: what the issue asks to hold at any scale."""
    from testsupport.receivers import spec_verify

    state = run.ledger
    return {
        "finalized exactly once": state.records == state.distinct_finals
        == state.final_pdfs_in_store == count and set(state.sealed_events.values()) == {1}
        and set(state.archived_events.values()) == {1},
        "no outbox row claimed twice": set(state.outbox_claims) == {1}
        and state.outbox_unsent == 0,
        "no webhook message sent twice": set(state.message_tries) == {1},
        "every webhook received once, signed": sorted(
            r.headers["webhook-id"] for r in run.received) == sorted(state.messages)
        and all(spec_verify(run.secret, r.headers, r.body) for r in run.received),
        "audit chains intact": not state.broken_chains,
    }


def acknowledged_envelope(group: Cluster, converter: Any, *,
                          comment: str | None = None) -> str:
    """One plan sent and acknowledged (with ``comment``): what is left is the worker's."""
    from signing.domain.wording import CONSENT, STATEMENT

    sessions = group.sessions()
    [envelope_id] = send_all(sessions, converter, 1, expiring=set(),
                             expire_in=dt.timedelta(days=1))
    with sessions.begin() as session:
        signer = svc.load(session, envelope_id).signers[0]
        svc.perform(session, envelope_id, "acknowledge", signer_id=signer.id,
                    typed_name=signer.name, consent=True, statement=STATEMENT,
                    consent_text=CONSENT, comment=comment,
                    actor=svc.Actor(f"signer:{signer.id}", "192.0.2.1", "Firefox"),
                    now=dt.datetime.now(dt.UTC))
    return envelope_id

"""The envelope service: the one place that turns workflow steps into rows.

:func:`perform` loads an envelope with its row locked, runs one workflow action, and
writes the new state, the audit records that chain onto the envelope's trail, and one
outbox row per side effect, all in the caller's transaction, so they commit together
or not at all.

On SQLite that transaction holds the database's one write lock, and under load every
statement in it hands the GIL to another thread that the lock holder then waits for, so
:func:`perform` keeps its work small. It uses Core statements, not the ORM: loading an
envelope and its signers as mapped objects and flushing them back costs about ten times
the CPU of the same statements in Core, all of it spent holding the lock. It reads the
envelope, its signers and the end of its audit chain (three queries), updates only the
rows that changed, and inserts the audit records and the outbox rows with one call each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session, defer, selectinload
from sqlalchemy.orm.util import identity_key

from signing.domain import audit, consistency
from signing.domain import workflow as wf
from signing.domain.errors import SigningError
from signing.domain.events import EventType
from signing.domain.links import new_nonce
from signing.domain.models import AuditEventRow, Document, EnvelopeRow, OutboxRow, SignerRow
from signing.domain.names import searchable


class EnvelopeNotFound(SigningError):
    def __init__(self, envelope_id: str) -> None:
        self.envelope_id = envelope_id
        super().__init__(f"no envelope {envelope_id}")


@dataclass(frozen=True)
class SignerSpec:
    role: wf.Role
    name: str
    email: str
    order: int


@dataclass(frozen=True)
class Actor:
    """Who did something, and from where: recorded on every audit event."""

    name: str
    ip: str | None = None
    user_agent: str | None = None


def store_document(session: Session, content: bytes, content_type: str,
                   now: dt.datetime) -> str:
    """Store a file once; return its SHA-256. Storing the same bytes again is a no-op."""
    digest = hashlib.sha256(content).hexdigest()
    if session.get(Document, digest) is None:
        session.add(Document(sha256=digest, content_type=content_type, size=len(content),
                             content=content, created_at=now))
    return digest


def create_envelope(session: Session, *, plan_data: dict[str, Any], template: str,
                    pdf: bytes, signers: Sequence[SignerSpec], actor: Actor,
                    now: dt.datetime, team: str | None = None,
                    drafted_by: str | None = None, lint_findings: int | None = None) -> str:
    """A draft envelope holding the plan, its template and its PDF; returns its id. It
    belongs to ``actor`` and to its HR ``team``, if any (:mod:`signing.domain.access`),
    and is seen too by whoever drafted it in the console (``drafted_by``, an actor).
    ``lint_findings``: how many the plan had as it was sent (the consistency report)."""
    digest = store_document(session, pdf, "application/pdf", now)
    row = EnvelopeRow(id=str(uuid.uuid4()), state=wf.EnvelopeState.DRAFT, plan_data=plan_data,
                      template=template, document_sha256=digest, created_at=now,
                      created_by=actor.name, owner=actor.name, team=team,
                      drafted_by=drafted_by, lint_findings=lint_findings,
                      **listing_columns(plan_data), **consistency.plan_columns(plan_data))
    row.signers = [SignerRow(id=str(uuid.uuid4()), role=spec.role, name=spec.name,
                             email=spec.email, routing_order=spec.order,
                             state=wf.SignerState.WAITING) for spec in signers]
    session.add(row)
    session.flush()
    _record(session.connection(), row.id, row.document_sha256,
            [wf.Event(EventType.ENVELOPE_CREATED, data={"template": template})], actor, now,
            None)
    return row.id


def listing_columns(plan_data: dict[str, Any]) -> dict[str, str]:
    """What the console's plans list shows and searches of a (validated) plan: the
    employee's name as written and as searched, the department, the manager's name."""
    employee, manager = plan_data.get("employee") or {}, plan_data.get("manager") or {}
    name = str(employee.get("name") or "")
    return {"employee_name": name[:200], "employee_search": searchable(name)[:200],
            "department": str(employee.get("department") or "")[:200],
            "manager_name": str(manager.get("name") or "")[:200]}


def load(session: Session, envelope_id: str, *, lock: bool = False) -> EnvelopeRow:
    """The envelope and its signers; its plan data is read when first used."""
    # Signers in a second query, not joined: with ``lock``, PostgreSQL would show joined
    # signers as they were before the lock was granted.
    query = (select(EnvelopeRow).where(EnvelopeRow.id == envelope_id)
             .options(defer(EnvelopeRow.plan_data), selectinload(EnvelopeRow.signers)))
    if lock:
        # PostgreSQL locks the row; SQLite's BEGIN IMMEDIATE already serialises writers.
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        raise EnvelopeNotFound(envelope_id)
    return row


def perform(session: Session, envelope_id: str, action: wf.Action, *, actor: Actor,
            now: dt.datetime, **arguments: Any) -> wf.Step:
    """Run one workflow action and write what follows from it; the caller commits.

    A workflow error (illegal transition, already done, bad input) raises before
    anything is written.
    """
    session.flush()  # the caller's pending changes, which the Core reads below must see
    # Every statement below is Core, run on the session's connection (in its
    # transaction) rather than through ``Session.execute``, whose ORM execution
    # machinery cost as much again per statement as the statement itself.
    db = session.connection()
    loaded = _load_for_step(db, envelope_id)
    envelope = loaded.envelope
    if action is wf.Action.COMMENT:
        # Read with the envelope's row locked: a replay racing the first is serialised,
        # and so are two comments racing for the signer's last one.
        arguments.update(_earlier_comments(db, envelope_id, arguments["signer_id"]))
    step = wf.ACTIONS[wf.Action(action)](envelope, now=now, **arguments)
    nonces = {event.signer_id: new_nonce() for event in step.events
              if event.type in (EventType.SIGNER_NOTIFIED, EventType.SIGNER_LINK_REISSUED)}
    if any(event.type == EventType.ENVELOPE_VOIDED for event in step.events):
        # A withdrawn plan's links, and the sessions opened with them, stop working at once.
        nonces = {signer.id: new_nonce() for signer in step.envelope.signers}
    _write_state(db, envelope, step.envelope, nonces)
    _expire_held(session, step.envelope)
    if step.events or step.effects:
        records = _record(db, envelope_id, loaded.document_sha256, step.events, actor, now,
                          loaded.chain_end)
        last_seq = records[-1].seq if records else _last_seq(envelope_id, action,
                                                             loaded.chain_end)
        seqs = {id(event): record.seq for event, record in zip(step.events, records,
                                                               strict=True)}
        _add_outbox_rows(db, envelope_id, last_seq, step.effects, seqs, now)
    if any(event.type == EventType.ENVELOPE_VOIDED for event in step.events):
        # A voided outcome letter sends its plan's proposal back to HR in this transaction.
        from signing.domain import case_close  # which builds on this module

        case_close.letter_voided(session, envelope_id, actor=actor, now=now)
    return step


def record_events(session: Session, envelope_id: str, events: Sequence[wf.Event],
                  effects: Sequence[wf.Effect] = (), *, actor: Actor,
                  now: dt.datetime) -> list[audit.AuditRecord]:
    """Append ``events`` to the envelope's audit trail and queue ``effects``, for what
    happens to a plan outside the signing workflow (its case: check-ins, extensions, the
    outcome), with the envelope's row locked as a step locks it; the caller commits,
    with its own rows, in the same transaction."""
    session.flush()
    db = session.connection()
    row = db.execute(_ENVELOPE_FOR_STEP, {"envelope_id": envelope_id}).one_or_none()
    if row is None:
        raise EnvelopeNotFound(envelope_id)
    chain_end = _chain_end(db, envelope_id)
    records = _record(db, envelope_id, row.document_sha256, events, actor, now, chain_end)
    if effects:
        last_seq = records[-1].seq if records else _last_seq(envelope_id, "record",
                                                             chain_end)
        seqs = {id(event): record.seq for event, record in zip(events, records, strict=True)}
        _add_outbox_rows(db, envelope_id, last_seq, effects, seqs, now)
    return records


def _earlier_comments(db: Connection, envelope_id: str, signer_id: str) -> dict[str, Any]:
    """What the workflow's ``comment`` needs to know of the signer's comments so far:
    their submissions, how many they are and how long."""
    comments = [data for (data,) in db.execute(select(_AUDIT.c.data).where(
        _AUDIT.c.envelope_id == envelope_id, _AUDIT.c.signer_id == signer_id,
        _AUDIT.c.type == EventType.SIGNER_COMMENTED))]
    return {"earlier_submissions": frozenset(d["submission"] for d in comments
                                             if d.get("submission")),
            "earlier_count": len(comments),
            "earlier_chars": sum(len(d.get("comment", "")) for d in comments)}


def audit_trail(session: Session, envelope_id: str) -> list[audit.AuditRecord]:
    rows = session.scalars(select(AuditEventRow).where(AuditEventRow.envelope_id == envelope_id)
                           .order_by(AuditEventRow.seq))
    return [_as_record(r) for r in rows]


_ENVELOPES, _SIGNERS = EnvelopeRow.__table__, SignerRow.__table__
_AUDIT, _OUTBOX = AuditEventRow.__table__, OutboxRow.__table__

_ENVELOPE_FOR_STEP = (select(_ENVELOPES.c.id, _ENVELOPES.c.state, _ENVELOPES.c.expires_at,
                             _ENVELOPES.c.comments_until, _ENVELOPES.c.document_sha256)
                      .where(_ENVELOPES.c.id == bindparam("envelope_id"))
                      # PostgreSQL locks the row; SQLite's BEGIN IMMEDIATE already
                      # serialises writers.
                      .with_for_update())
# The end of the envelope's audit chain (seq and hash of its last record, none for a new
# envelope), read in the signers' statement: one round trip fewer per step.
_LAST_AUDIT = (select(_AUDIT.c.seq)
               .where(_AUDIT.c.envelope_id == bindparam("envelope_id"))
               .order_by(_AUDIT.c.seq.desc()).limit(1))
_SIGNERS_FOR_STEP = (select(_SIGNERS.c.id, _SIGNERS.c.role, _SIGNERS.c.name,
                            _SIGNERS.c.email, _SIGNERS.c.routing_order, _SIGNERS.c.state,
                            _SIGNERS.c.decided_at,
                            _LAST_AUDIT.scalar_subquery().label("chain_seq"),
                            _LAST_AUDIT.with_only_columns(_AUDIT.c.hash).scalar_subquery()
                            .label("chain_hash"))
                     .where(_SIGNERS.c.envelope_id == bindparam("envelope_id"))
                     .order_by(_SIGNERS.c.routing_order, _SIGNERS.c.id))


@dataclass(frozen=True)
class _Loaded:
    """An envelope as a step starts from it."""

    envelope: wf.Envelope
    document_sha256: str
    chain_end: tuple[int, str] | None  # seq and hash of its last audit record


def _load_for_step(db: Connection, envelope_id: str) -> _Loaded:
    """The envelope as the workflow sees it, its row locked, its document's hash and
    the end of its audit chain."""
    params = {"envelope_id": envelope_id}
    row = db.execute(_ENVELOPE_FOR_STEP, params).one_or_none()
    if row is None:
        raise EnvelopeNotFound(envelope_id)
    # Read once the envelope's row is locked (see load), and so is the chain's end: no
    # other writer can append to it before this transaction ends.
    rows = db.execute(_SIGNERS_FOR_STEP, params).all()
    signers = tuple(
        wf.Signer(s.id, wf.Role(s.role), s.name, s.email, s.routing_order,
                  wf.SignerState(s.state), s.decided_at)
        for s in rows)
    envelope = wf.Envelope(id=row.id, state=wf.EnvelopeState(row.state), signers=signers,
                           expires_at=row.expires_at, comments_until=row.comments_until)
    if rows:
        end = rows[0]
        chain_end = (end.chain_seq, end.chain_hash) if end.chain_seq is not None else None
    else:  # no signers to read it with
        chain_end = _chain_end(db, envelope_id)
    return _Loaded(envelope, row.document_sha256, chain_end)


# The columns set are those given with each execution (a statement compiled once per set).
_UPDATE_ENVELOPE = update(_ENVELOPES).where(_ENVELOPES.c.id == bindparam("row_id"))
_UPDATE_SIGNER = update(_SIGNERS).where(_SIGNERS.c.id == bindparam("row_id"))


def _write_state(db: Connection, before: wf.Envelope, after: wf.Envelope,
                 nonces: dict[str | None, str]) -> None:
    """Update the envelope's and its signers' rows where the step changed them (and the
    signers' new link nonces)."""
    if ((after.state, after.expires_at, after.comments_until)
            != (before.state, before.expires_at, before.comments_until)):
        db.execute(_UPDATE_ENVELOPE, {"row_id": after.id, "state": after.state,
                                      "expires_at": after.expires_at,
                                      "comments_until": after.comments_until})
    was = {signer.id: signer for signer in before.signers}
    for signer in after.signers:
        changes: dict[str, Any] = {"row_id": signer.id}
        if (signer.state, signer.decided_at) != (was[signer.id].state,
                                                 was[signer.id].decided_at):
            changes.update(state=signer.state, decided_at=signer.decided_at)
        if signer.email != was[signer.id].email:  # resent to a corrected address
            changes["email"] = signer.email
        if signer.id in nonces:
            changes["nonce"] = nonces[signer.id]
        if len(changes) > 1:
            db.execute(_UPDATE_SIGNER, changes)


def _expire_held(session: Session, after: wf.Envelope) -> None:
    """Expire the session's copies of the envelope's and its signers' rows, if it holds
    any, so the caller reads the new state rather than what the session had."""
    if not session.identity_map:
        return
    for key in (identity_key(EnvelopeRow, after.id),
                *(identity_key(SignerRow, signer.id) for signer in after.signers)):
        held = session.identity_map.get(key)
        if held is not None:
            session.expire(held)


# Audit records and outbox rows are written once; nothing in the session holds them.
# An audit record's fields are its row's columns, by the same names.
_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(audit.AuditRecord))
_CHAIN_END = (select(_AUDIT.c.seq, _AUDIT.c.hash)
              .where(_AUDIT.c.envelope_id == bindparam("envelope_id"))
              .order_by(_AUDIT.c.seq.desc()).limit(1))


def _chain_end(db: Connection, envelope_id: str) -> tuple[int, str] | None:
    """The seq and hash of the envelope's last audit record: all the next one needs."""
    last = db.execute(_CHAIN_END, {"envelope_id": envelope_id}).one_or_none()
    return (last.seq, last.hash) if last is not None else None


def _last_seq(envelope_id: str, action: str, last: tuple[int, str] | None) -> int:
    """The seq of the envelope's last audit record, which a step that records no event of
    its own ties its effects to."""
    if last is None:
        raise RuntimeError(f"envelope {envelope_id}: {action} queued effects with no audit "
                           f"record to tie them to")
    return last[0]


def _record(db: Connection, envelope_id: str, document_sha256: str,
            events: Sequence[wf.Event], actor: Actor, now: dt.datetime,
            chain_end: tuple[int, str] | None) -> list[audit.AuditRecord]:
    """Chain the events onto the envelope's trail, whose end is ``chain_end`` (read in
    this transaction, so no other writer can append between), and write them in one
    ``INSERT``."""
    if not events:
        return []
    seq, prev_hash = chain_end or (0, audit.GENESIS)
    records = []
    for event in events:
        record = audit.append_after(seq, prev_hash, event, envelope_id=envelope_id, at=now,
                                    actor=actor.name, ip=actor.ip,
                                    user_agent=actor.user_agent,
                                    document_sha256=document_sha256)
        records.append(record)
        seq, prev_hash = record.seq, record.hash
    _insert(db, _AUDIT, [{**{name: getattr(r, name) for name in _RECORD_FIELDS},
                          "data": dict(r.data)} for r in records])
    return records


def _insert(db: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """``rows`` in one statement (on PostgreSQL one ``INSERT`` of several rows:
    :func:`database.engine.make_engine`)."""
    db.execute(table.insert(), rows)


def _add_outbox_rows(db: Connection, envelope_id: str, seq: int,
                     effects: Sequence[wf.Effect], seqs: dict[int, int],
                     now: dt.datetime) -> None:
    """One outbox row per effect, in one ``INSERT``; the key ties each to the audit
    record ``seq`` that decided it, so the same effect can never be queued twice. An
    effect about one event of the step carries that event's seq (``seqs``, by the
    event's identity) in its payload: a step may record several."""
    if not effects:
        return
    _insert(db, _OUTBOX, [
        {"dedupe_key": f"{envelope_id}:{seq}:{index}", "kind": effect.kind,
         "name": effect.name, "envelope_id": envelope_id, "signer_id": effect.signer_id,
         "payload": ({**effect.data, "seq": seqs[id(effect.about)]} if effect.about
                     else dict(effect.data)),
         "created_at": now, "attempts": 0, "next_attempt_at": now}
        for index, effect in enumerate(effects)])


def _as_record(row: AuditEventRow) -> audit.AuditRecord:
    return audit.AuditRecord(
        envelope_id=row.envelope_id, seq=row.seq, type=row.type, at=row.at, actor=row.actor,
        ip=row.ip, user_agent=row.user_agent, document_sha256=row.document_sha256,
        signer_id=row.signer_id, data=row.data, prev_hash=row.prev_hash, hash=row.hash)

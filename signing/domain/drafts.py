"""Plans drafted in the console, before they are envelopes: who may see and do what with
a draft (pure rules), and the small services that create, save, submit, return, approve
and send, and discard one.

A draft is ``draft`` while its owner writes it, ``submitted`` when a manager asks HR to
approve it, ``returned`` when HR send it back with comments (the owner edits it again),
``sent`` once it is an envelope, or ``discarded``. Only the owner edits, and only a draft
or a returned one. HR of the owner's team (``DraftRow.team``, the owner's team when the
draft was made) see the team's drafts once submitted and approve or return them; another
team sees none of it. Whether a manager may send their own draft instead is the setting
``console_managers_send`` (HR only, by default).

Every save carries the version it was made from: a save over a newer version is refused
(:class:`DraftConflict`), so two editors never overwrite each other, and nothing of
either is lost (the refused one is given back to its editor). Every change, every read
of a draft and every refusal goes to the access log with the person's name
(``draft <verb>``, the draft's id in its detail), which is also the draft's history.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from archive import AccessEntry, log_access
from signing.domain import envelopes
from signing.domain.access import Principal, Role, access_reader, team_name
from signing.domain.errors import NN_, SigningError, Wording
from signing.domain.models import DraftRow
from signing.domain.plan_states import DraftState
from signing.domain.wording import N_

if TYPE_CHECKING:
    from docgen.generate import PdfConverter
    from signing.domain.sending import SendOptions

MAX_COMMENT = 5_000
# What the access log's detail starts with for a draft: how its history is found.
_DETAIL = "draft {id}"


EDITABLE = frozenset({DraftState.DRAFT, DraftState.RETURNED})
# What HR of the owner's team see: a draft is its owner's own until it is submitted.
SHARED = frozenset({DraftState.SUBMITTED, DraftState.RETURNED, DraftState.SENT})


class DraftError(SigningError):
    """A draft cannot be changed as asked; ``field`` names what to correct, if a field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DraftNotFound(SigningError):
    """No such draft, or not one the person may see (told alike, so an id is never
    confirmed)."""

    def __init__(self, draft_id: str) -> None:
        super().__init__(f"no draft {draft_id[:40]}")
        self.draft_id = draft_id


class DraftConflict(DraftError):
    """The draft was saved by someone else (or in another tab) after this edit began."""

    def __init__(self, draft: Draft, version: int) -> None:
        super().__init__(Wording(N_(
            "this draft was saved again (version %(saved)s, at %(at)s UTC) after you opened "
            "version %(opened)s; your changes are below, not saved. Open the newer version "
            "in another tab, copy what you need into it, and save it there."),
            saved=draft.version, at=f"{draft.updated_at:%Y-%m-%d %H:%M}", opened=version))
        self.draft = draft
        self.version = version


@dataclass(frozen=True)
class Draft:
    id: str
    state: DraftState
    owner: str
    team: str | None
    plan_data: dict[str, Any]
    template: str | None
    version: int
    employee_name: str
    department: str
    manager_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    reviewed_by: str | None
    review_comment: str | None
    envelope_id: str | None

    @classmethod
    def of(cls, row: DraftRow) -> Draft:
        return cls(row.id, DraftState(row.state), row.owner, row.team, dict(row.plan_data),
                   row.template, row.version, row.employee_name, row.department,
                   row.manager_name, row.created_at, row.updated_at, row.submitted_at,
                   row.reviewed_at, row.reviewed_by, row.review_comment, row.envelope_id)

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE


@dataclass(frozen=True)
class Policy:
    """The settings the rules read: whether managers send their own drafts."""

    managers_send: bool = False

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Policy:
        return cls(managers_send=bool(settings["console_managers_send"]))


# -- the rules (pure) -------------------------------------------------------------------


def may_draft(principal: Principal) -> bool:
    return principal.role in (Role.MANAGER, Role.HR, Role.ADMIN)


def may_read(principal: Principal, draft: Draft) -> bool:
    if principal.sees_all or draft.owner == principal.actor:
        return True
    return (principal.role is Role.HR and principal.team is not None
            and draft.team == principal.team and draft.state in SHARED)


def may_edit(principal: Principal, draft: Draft) -> bool:
    """Save, import into, submit or discard: the owner, while it is theirs to write."""
    return draft.owner == principal.actor and draft.editable


def may_send_own(principal: Principal, draft: Draft, policy: Policy) -> bool:
    """Send without approval: HR and admins their own drafts; managers only where the
    policy lets them."""
    return may_edit(principal, draft) and (
        principal.role in (Role.HR, Role.ADMIN)
        or (principal.role is Role.MANAGER and policy.managers_send))


def may_submit(principal: Principal, draft: Draft, policy: Policy) -> bool:
    """Ask HR to approve: a manager's own draft, when they may not send it themselves."""
    return (principal.role is Role.MANAGER and may_edit(principal, draft)
            and not policy.managers_send)


def may_review(principal: Principal, draft: Draft) -> bool:
    """Approve and send, or return with comments: HR of the draft's team (or an admin),
    never the draft's own author."""
    return (draft.state is DraftState.SUBMITTED and draft.owner != principal.actor
            and (principal.sees_all or (principal.role is Role.HR and principal.team is not None
                                        and draft.team == principal.team)))


def visible_drafts(principal: Principal) -> Select[tuple[str]] | None:
    """The ids of the drafts ``principal`` may see, as a subquery for listings (the plans
    list); None for a principal who sees every one. The same rule as :func:`may_read`."""
    if principal.sees_all:
        return None
    table = DraftRow.__table__
    shared: ColumnElement[bool] = (
        and_(table.c.team == principal.team, table.c.state.in_([str(s) for s in SHARED]))
        if principal.role is Role.HR and principal.team is not None else false())
    return select(table.c.id).where(or_(table.c.owner == principal.actor, shared))


def awaiting_review(principal: Principal) -> ColumnElement[bool]:
    """A filter for the drafts ``principal`` is to approve."""
    if principal.sees_all:
        return DraftRow.state == DraftState.SUBMITTED
    if principal.role is not Role.HR or principal.team is None:
        return false()
    return and_(DraftRow.state == DraftState.SUBMITTED, DraftRow.team == principal.team,
                DraftRow.owner != principal.actor)


def listing_columns(plan_data: Mapping[str, Any]) -> dict[str, str]:
    """What the plans list shows and searches of a draft: the envelope's columns, read
    from data that may not be valid yet (a name that is not text is left out)."""
    def section(name: str) -> dict[str, Any]:
        value = plan_data.get(name)
        return value if isinstance(value, dict) else {}

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    return envelopes.listing_columns({
        "employee": {"name": text(section("employee").get("name")),
                     "department": text(section("employee").get("department"))},
        "manager": {"name": text(section("manager").get("name"))}})


def check_comment(comment: str) -> str:
    text = comment.strip()
    if not text:
        raise DraftError(Wording(N_("say what the author should change: the comments are "
                                    "required to return a plan")), "comment")
    if len(text) > MAX_COMMENT:
        raise DraftError(Wording.counted(NN_(
            "the comments are %(count)s character; keep them to %(most)s",
            "the comments are %(count)s characters; keep them to %(most)s"),
            len(text), most=MAX_COMMENT), "comment")
    return text


# -- the services -------------------------------------------------------------------------
# Each takes the session factory and runs in a transaction of its own, so that a refusal
# is logged in one of its own (the refused change writes nothing).


def get(sessions: sessionmaker[Session], principal: Principal, draft_id: str, *,
        now: dt.datetime, action: str = "open") -> Draft:
    """The draft, if ``principal`` may see it; the read is logged with the employee's
    name, a refusal too (then :class:`DraftNotFound`)."""
    def read(session: Session) -> Draft:
        draft = _find(session, principal, draft_id)
        _log(session, principal, action, draft_id, now=now, detail=draft.employee_name)
        return draft
    return _run(sessions, principal, action, draft_id, now, read)


def create(sessions: sessionmaker[Session], principal: Principal, plan_data: dict[str, Any],
           *, now: dt.datetime, template: str | None = None, team: str | None = None,
           source: str = "blank") -> Draft:
    """A new draft of ``plan_data``, owned by ``principal`` and shared with ``team`` (the
    owner's HR team)."""
    def make(session: Session) -> Draft:
        if not may_draft(principal):
            raise _Refused(f"denied: {principal.role} do not draft plans", found=False)
        row = DraftRow(id=str(uuid.uuid4()), state=DraftState.DRAFT, owner=principal.actor,
                       team=team_name(team), plan_data=plan_data, template=template,
                       version=1, created_at=now, updated_at=now,
                       **listing_columns(plan_data))
        session.add(row)
        session.flush()
        _log(session, principal, "create", row.id, now=now,
             detail=f"{row.employee_name} (from {source[:80]})")
        return Draft.of(row)
    return _run(sessions, principal, "create", "", now, make)


def save(sessions: sessionmaker[Session], principal: Principal, draft_id: str,
         plan_data: dict[str, Any], *, version: int, now: dt.datetime,
         template: str | None = None) -> Draft:
    """Save the owner's edit of ``version``; :class:`DraftConflict` if the draft was saved
    since (nothing written)."""
    def write(session: Session) -> Draft:
        draft = _editable(session, principal, draft_id)
        return _write(session, principal, draft, version, now=now, action="save",
                      values={"plan_data": plan_data, "template": template,
                              **listing_columns(plan_data)})
    return _run(sessions, principal, "save", draft_id, now, write)


def submit(sessions: sessionmaker[Session], principal: Principal, draft_id: str, *,
           version: int, now: dt.datetime, policy: Policy) -> Draft:
    """Ask HR of the owner's team to approve the draft as saved at ``version``."""
    def write(session: Session) -> Draft:
        draft = _editable(session, principal, draft_id)
        if not may_submit(principal, draft, policy):
            raise DraftError(Wording(N_("send it yourself: your plans need no approval")))
        if draft.team is None:
            raise DraftError(Wording(N_("you belong to no HR team, so no one can approve "
                                        "your plans; ask an administrator to put you in "
                                        "your HR team")))
        return _write(session, principal, draft, version, now=now, action="submit",
                      values={"state": DraftState.SUBMITTED, "submitted_at": now})
    return _run(sessions, principal, "submit", draft_id, now, write)


def return_to_author(sessions: sessionmaker[Session], principal: Principal, draft_id: str,
                     *, version: int, comment: str, now: dt.datetime) -> Draft:
    """HR send a submitted draft back to its author with ``comment`` (required)."""
    def write(session: Session) -> Draft:
        draft = _find(session, principal, draft_id)
        if draft.state is not DraftState.SUBMITTED:
            raise DraftError(_state_words(draft))
        if not may_review(principal, draft):
            raise _Refused("denied: not theirs to return")
        text = check_comment(comment)
        return _write(session, principal, draft, version, now=now, action="return",
                      values={"state": DraftState.RETURNED, "reviewed_at": now,
                              "reviewed_by": principal.label or principal.actor,
                              "review_comment": text}, note=text)
    return _run(sessions, principal, "return", draft_id, now, write)


def discard(sessions: sessionmaker[Session], principal: Principal, draft_id: str, *,
            version: int, now: dt.datetime) -> Draft:
    def write(session: Session) -> Draft:
        draft = _editable(session, principal, draft_id)
        return _write(session, principal, draft, version, now=now, action="discard",
                      values={"state": DraftState.DISCARDED})
    return _run(sessions, principal, "discard", draft_id, now, write)


def send(sessions: sessionmaker[Session], principal: Principal, draft_id: str, *,
         version: int, options: SendOptions, converter: PdfConverter,
         actor: envelopes.Actor, now: dt.datetime, policy: Policy) -> str:
    """Approve and send a submitted draft (HR of its team), or send one's own (HR; a
    manager where the policy lets them), through :func:`signing.domain.sending.send_plan`
    with ``drafted_by`` its owner; returns the envelope's id.

    The draft is claimed first (its version moves on), so that two people approving at
    once send it once; a plan that cannot be sent (docgen's errors: lint errors, bad
    data) leaves it as it was, to be corrected or returned."""
    from signing.domain.sending import send_plan

    def claim(session: Session) -> tuple[Draft, Draft]:
        draft = _find(session, principal, draft_id)
        if not (draft.editable or draft.state is DraftState.SUBMITTED):
            raise DraftError(_state_words(draft))
        if not (may_review(principal, draft) or may_send_own(principal, draft, policy)):
            raise _Refused("denied: not theirs to send")
        return draft, _write(session, principal, draft, version, now=now, action="claim",
                             values={}, log=False)

    draft, claimed = _run(sessions, principal, "send", draft_id, now, claim)
    review = ({"reviewed_at": now, "reviewed_by": principal.label or principal.actor,
               "review_comment": None} if draft.state is DraftState.SUBMITTED else {})

    def mark_sent(session: Session, envelope_id: str) -> None:
        # In the envelope's own transaction: a crash leaves the draft sent with its
        # envelope, or neither (never an envelope whose draft could be sent again).
        _write(session, principal, claimed, claimed.version, now=now, action="send",
               values={"state": DraftState.SENT, "envelope_id": envelope_id, **review},
               envelope_id=envelope_id)

    return send_plan(sessions, claimed.plan_data, options=options, converter=converter,
                     actor=actor, now=now, source=f"draft {draft_id}", drafted_by=draft.owner,
                     with_envelope=mark_sent)


def history(session: Session, draft_id: str, *, limit: int = 50) -> list[AccessEntry]:
    """What was done to the draft, by whom and when, newest first (reads of it and
    refusals left out)."""
    prefix = _DETAIL.format(id=draft_id[:40]) + ":%"
    query = (select(AccessEntry)
             .where(AccessEntry.action.like("draft %"), AccessEntry.action != "draft open",
                    AccessEntry.allowed.is_(True), AccessEntry.detail.like(prefix))
             .order_by(AccessEntry.at.desc(), AccessEntry.id.desc()).limit(limit))
    return list(session.scalars(query))


# -- the edges ---------------------------------------------------------------------------

_T = TypeVar("_T")


class _Refused(Exception):
    """Not this person's to do: logged as refused, told as not found (``found`` False)
    or as a rule of the console (they may see the draft)."""

    def __init__(self, detail: str, *, found: bool = True) -> None:
        super().__init__(detail)
        self.detail = detail
        self.found = found


def _run(sessions: sessionmaker[Session], principal: Principal, action: str, draft_id: str,
         now: dt.datetime, work: Callable[[Session], _T]) -> _T:
    try:
        with sessions.begin() as session:
            return work(session)
    except _Refused as refused:
        with sessions.begin() as session:
            _log(session, principal, action, draft_id or None, now=now, allowed=False,
                 detail=refused.detail)
        if not refused.found:
            raise (DraftNotFound(draft_id) if draft_id
                   else DraftError(_NOT_YOURS.get(str(principal.role), Wording(N_(
                       "your role does not draft plans"))))) from None
        raise DraftError(Wording(_MAY_NOT.get(action, N_("you may not change this plan")))
                         ) from None


# A refusal by what was asked, one whole sentence each.
_MAY_NOT = {
    "save": N_("you may not save this plan"),
    "submit": N_("you may not submit this plan"),
    "discard": N_("you may not discard this plan"),
    "return": N_("you may not return this plan"),
    "send": N_("you may not send this plan"),
}
_NOT_YOURS = {"records": Wording(N_("records staff do not draft plans"))}


def _find(session: Session, principal: Principal, draft_id: str) -> Draft:
    row = session.get(DraftRow, draft_id) if len(draft_id) <= 36 else None
    draft = Draft.of(row) if row is not None else None
    if draft is None or not may_read(principal, draft):
        raise _Refused("no such draft" if draft is None else "denied: not theirs to see",
                       found=False)
    return draft


def _editable(session: Session, principal: Principal, draft_id: str) -> Draft:
    draft = _find(session, principal, draft_id)
    if draft.owner != principal.actor:
        raise _Refused("denied: not its author")
    if not draft.editable:
        raise DraftError(_state_words(draft))
    return draft


def _state_words(draft: Draft) -> Wording:
    return Wording({
        DraftState.SUBMITTED: N_("this plan is waiting for HR's approval and cannot be "
                                 "changed now"),
        DraftState.SENT: N_("this plan has been sent; follow it from the plans list"),
        DraftState.DISCARDED: N_("this draft was discarded"),
        DraftState.DRAFT: N_("this plan has not been submitted for approval"),
        DraftState.RETURNED: N_("this plan was returned to its author"),
    }[draft.state])


def _write(session: Session, principal: Principal, draft: Draft, version: int, *,
           now: dt.datetime, action: str, values: dict[str, Any], note: str | None = None,
           envelope_id: str | None = None, log: bool = True) -> Draft:
    """Write ``values`` only if the draft is still at ``version`` (one statement: two
    writers racing both read version n, and only the first one's update finds it)."""
    result = session.execute(
        update(DraftRow).where(DraftRow.id == draft.id, DraftRow.version == version)
        .values(**values, version=DraftRow.version + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    row = session.get(DraftRow, draft.id, populate_existing=True)
    assert row is not None  # drafts are never deleted
    if getattr(result, "rowcount", 0) != 1:
        raise DraftConflict(Draft.of(row), version)
    if log:
        detail = f"version {row.version}" + (f": {note[:500]}" if note else "")
        _log(session, principal, action, draft.id, now=now, detail=detail,
             envelope_id=envelope_id)
    return Draft.of(row)


def _log(session: Session, principal: Principal, action: str, draft_id: str | None, *,
         now: dt.datetime, detail: str, allowed: bool = True,
         envelope_id: str | None = None) -> None:
    where = _DETAIL.format(id=draft_id[:40]) if draft_id else "draft"
    log_access(session, access_reader(principal), f"draft {action}", now=now,
               envelope_id=envelope_id, allowed=allowed, detail=f"{where}: {detail}")


__all__ = ["EDITABLE", "SHARED", "Draft", "DraftConflict", "DraftError", "DraftNotFound",
           "DraftState", "Policy", "awaiting_review", "create", "discard", "get", "history",
           "may_edit", "may_read", "may_review", "may_send_own", "may_submit",
           "return_to_author", "save", "send", "submit", "visible_drafts"]

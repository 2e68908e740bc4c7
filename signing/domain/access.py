"""Who may see and do what: the rules, in one place, for the envelope API, the records
API, webhook endpoints and the command line alike. Pure: a :class:`Principal` and what
is asked about in, yes or no out.

- ``admin`` sees and acts on everything.
- ``hr`` sees and acts on the envelopes it owns (it sent them) and those of its HR team
  (keys of one team share their plans: ``plansign keys create --team``), and reads the
  archived records of the same; it manages only the webhook endpoints it made, and those
  receive events only for the plans it may see.
- ``records`` reads archived envelopes and every archived record; it changes nothing but
  legal holds.
- ``manager`` (a person in the console, never a key) drafts plans for their reports and
  reads the envelopes made from their drafts (``drafted_by``); HR send, change and void.
  A plan's case (its check-ins) is read and recorded by its drafting manager, its HR
  and admins (:func:`may_work_case`).

Callers refuse what these rules refuse as if the thing did not exist (404), so an id
that is not the caller's is never confirmed, and log the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from archive import Reader


class Role(StrEnum):
    MANAGER = "manager"
    HR = "hr"
    RECORDS = "records"
    ADMIN = "admin"


# Envelopes records staff may read through the envelope API: those in the archive.
RECORDS_STATES = frozenset({"archived"})


@dataclass(frozen=True)
class Principal:
    """Who asks: ``actor`` as owners and audit trails name them (``apikey:psk_ab12cd34``,
    ``cli:riley``), their role, their HR team if any, and for the access log how people
    know them (``label``) and where they came from (``ip``)."""

    actor: str
    role: Role
    team: str | None = None
    label: str = ""
    ip: str | None = None

    @property
    def sees_all(self) -> bool:
        return self.role is Role.ADMIN


def operator(user: str) -> Principal:
    """The server's operator at the command line (``cli:<user>``): an admin."""
    return Principal(f"cli:{user}", Role.ADMIN)


def owns(principal: Principal, owner: str, team: str | None) -> bool:
    """The thing was made by ``principal``, or by someone of its team."""
    return owner == principal.actor or (principal.team is not None and team == principal.team)


def may_read_envelope(principal: Principal, *, owner: str, team: str | None,
                      state: str, drafted_by: str | None = None) -> bool:
    if principal.role is Role.RECORDS:
        return state in RECORDS_STATES
    if principal.role is Role.MANAGER:
        return drafted_by == principal.actor
    return principal.sees_all or owns(principal, owner, team)


def may_change_envelope(principal: Principal, *, owner: str, team: str | None) -> bool:
    """Void it, send a signer a new link."""
    return principal.role in (Role.HR, Role.ADMIN) and (principal.sees_all
                                                        or owns(principal, owner, team))


def may_work_case(principal: Principal, *, owner: str, team: str | None,
                  drafted_by: str | None) -> bool:
    """Read a plan's case and record its check-ins: the manager who drafted the plan,
    HR of its team (or who sent it), and admins. Records staff keep the archive, not
    the case."""
    if principal.role is Role.MANAGER:
        return drafted_by is not None and drafted_by == principal.actor
    if principal.role is Role.HR:
        return owns(principal, owner, team)
    return principal.sees_all


def may_read_record(principal: Principal, *, sent_by: str, team: str | None) -> bool:
    """An archived record (and placing or lifting its legal hold)."""
    return principal.role in (Role.RECORDS, Role.ADMIN) or (
        principal.role is Role.HR and owns(principal, sent_by, team))


def may_read_consistency(principal: Principal) -> bool:
    """The consistency report across plans: HR (over the plans they may read, as for
    envelopes: their own and their team's) and admins (every plan)."""
    return principal.role in (Role.HR, Role.ADMIN)


def may_manage_endpoint(principal: Principal, *, created_by: str) -> bool:
    """See, disable, enable, rotate, see the deliveries of and redeliver to a webhook
    endpoint: its owner, or an admin. A team does not share endpoints: one holds a
    secret and an address that are its owner's."""
    return principal.role in (Role.HR, Role.ADMIN) and (principal.sees_all
                                                        or created_by == principal.actor)


def team_name(value: str | None) -> str | None:
    """A team as stored and compared: spaces tidied; empty means none."""
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def access_reader(principal: Principal) -> Reader:
    """How the access log names a principal."""
    return Reader(principal.label or principal.actor, str(principal.role), principal.ip)

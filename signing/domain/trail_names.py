"""Who an audit trail's actors and signers are, by name: looked up once per page.

The trail names actors as the system knows them (``person:dana``, ``signer:<id>``,
``apikey:psk_ab12cd34``, ``worker``). The plan's page, the record's page and the admin
pages all name them the same way, through
:class:`~signing.domain.timeline.TrailNames`; this module is the only place that reads
the people and API keys they stand for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from signing.domain.models import ApiKey, PersonRow, SignerRow
from signing.domain.people import ACTOR_PREFIX
from signing.domain.timeline import TrailNames, Who

APIKEY_PREFIX = "apikey:"


def load(session: Session, actors: Iterable[str], *,
         signers: Mapping[str, Who] | None = None,
         envelope_id: str | None = None) -> TrailNames:
    """The names of ``actors``; signers as given, or those of ``envelope_id`` (the
    signing database keeps them after the record is archived)."""
    actors = set(actors)
    if signers is None:
        signers = ({} if envelope_id is None else {
            s.id: Who(s.name, s.role) for s in session.execute(
                select(SignerRow.id, SignerRow.name, SignerRow.role)
                .where(SignerRow.envelope_id == envelope_id))})
    return TrailNames(signers, _people(session, actors), _keys(session, actors))


def _people(session: Session, actors: set[str]) -> dict[str, Who]:
    usernames = {a.removeprefix(ACTOR_PREFIX) for a in actors if a.startswith(ACTOR_PREFIX)}
    if not usernames:
        return {}
    return {ACTOR_PREFIX + p.username: Who(p.display_name, p.role)
            for p in session.execute(select(PersonRow.username, PersonRow.display_name,
                                            PersonRow.role)
                                     .where(PersonRow.username.in_(usernames)))}


def _keys(session: Session, actors: set[str]) -> dict[str, str]:
    prefixes = {a.removeprefix(APIKEY_PREFIX) for a in actors if a.startswith(APIKEY_PREFIX)}
    if not prefixes:
        return {}
    return {APIKEY_PREFIX + k.prefix: k.name
            for k in session.execute(select(ApiKey.prefix, ApiKey.name)
                                     .where(ApiKey.prefix.in_(prefixes)))}

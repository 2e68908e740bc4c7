"""The worker's scheduled task: new archive timestamps for archived records that need
them (:mod:`signing.domain.archive_timestamps`), every ``seal_refresh_hours``, at most
``seal_refresh_batch`` records a run, so that one run never holds up the outbox for long.
``plansign archive refresh-timestamps`` runs the same refresh by hand or from cron."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signing.domain.archive_timestamps import Outcome, RefreshPolicy, refresh, retired_digests

if TYPE_CHECKING:
    from signing.services import Services

log = logging.getLogger(__name__)


def refresh_policy(services: Services) -> RefreshPolicy | None:
    """The refresh the settings ask for; None without a timestamp authority."""
    from signing import instance

    settings = services.settings
    if not settings.seal_timestamp_url:
        return None
    return RefreshPolicy(
        timestamp_url=settings.seal_timestamp_url,
        days_before=settings.seal_refresh_days_before,
        retired_digests=retired_digests(settings.seal_retired_digests),
        trust_roots=tuple(instance.trusted_seal_certificates(settings)),
        concurrency=settings.seal_refresh_concurrency,
    )


def run_refresh(services: Services, policy: RefreshPolicy, *, now: dt.datetime, limit: int,
                dry_run: bool = False) -> list[Outcome]:
    return refresh(services.sessions, services.store, policy, now=now, limit=limit,
                   dry_run=dry_run)


@dataclass
class TimestampRefresher:
    """Runs the refresh when it is due: at the worker's first pass, then every ``every``."""

    services: Services
    policy: RefreshPolicy
    every: dt.timedelta
    limit: int
    next_run: dt.datetime | None = None

    @classmethod
    def from_settings(cls, services: Services) -> TimestampRefresher | None:
        settings = services.settings
        policy = refresh_policy(services) if settings.seal_refresh_hours else None
        if policy is None:
            return None
        return cls(services, policy, dt.timedelta(hours=settings.seal_refresh_hours),
                   settings.seal_refresh_batch)

    def run_if_due(self, now: dt.datetime) -> list[Outcome]:
        if self.next_run is not None and now < self.next_run:
            return []
        self.next_run = now + self.every
        outcomes = run_refresh(self.services, self.policy, now=now, limit=self.limit)
        for outcome in outcomes:
            if outcome.refreshed:
                log.warning("archive timestamp added to envelope %s: %s",
                            outcome.envelope_id, outcome.detail)
            else:
                log.warning("envelope %s not refreshed: %s", outcome.envelope_id,
                            outcome.detail)
        return outcomes

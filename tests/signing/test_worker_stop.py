"""A stop asked for (SIGTERM sets the event) ends the worker after the pass under way:
the job in hand is finished and committed, never cut mid-statement, and the worker then
returns instead of starting another pass."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from config import load_settings
from signing.domain.models import OutboxRow
from signing.services import Services
from signing.worker import loop
from tests.signing.signer_pages import send_plan

pytestmark = [pytest.mark.usefixtures("clean_env"), pytest.mark.database]


def test_a_stop_during_a_pass_finishes_the_job_then_ends_the_worker(tmp_path, database_url):
    services = Services(load_settings({"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
                                       "PLANSIGN_DATABASE_URL": database_url,
                                       "PLANSIGN_BASE_URL": "https://sign.example.com"}))
    send_plan(services.sessions, manager_confirms=False)  # the manager's invitation due
    stop = threading.Event()
    mailer = services.mailer
    mailed = []

    def stopped_while_mailing(*args, **kwargs):
        stop.set()  # as SIGTERM does, in the middle of the job
        mailed.append(mailer(*args, **kwargs))

    services.mailer = stopped_while_mailing  # type: ignore[misc]
    worker = threading.Thread(target=loop.run, args=(services,),
                              kwargs={"once": False, "interval": 0.05, "stop": stop})
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the worker went on after the stop"
    assert len(mailed) == 1  # the invitation, finished; no later pass began
    with services.sessions() as session:
        emails = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")).all()
    assert [row.sent_at is not None for row in emails] == [True]
    services.engine.dispose()

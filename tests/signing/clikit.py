"""The command line's whole path, for the CLI tests that need an archived record."""

from __future__ import annotations

import yaml

from archive import ArchivedRecord
from config import load_settings
from database import make_session_factory
from signing import instance
from signing.cli import main
from signing.domain import envelopes as svc
from signing.domain.wording import statement_for
from tests.conftest import EXAMPLES


def archive_one(runner, env, tmp_path):
    """The third example sent with `plansign send`, signed by its manager, employee and
    HR in turn, and finalized by `plansign worker --once`: (envelope id, archived
    record, worker output)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(yaml.safe_load(EXAMPLES[2].read_text()), allow_unicode=True))
    sent = runner.invoke(main, ["send", str(plan)], env=env)
    assert sent.exit_code == 0, sent.output
    envelope_id = sent.output.splitlines()[0]
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    with sessions.begin() as session:
        row = svc.load(session, envelope_id)
        # The default routing: the manager confirms, the employee acknowledges, HR
        # countersign, each in their own words.
        for signer in [(s.id, s.role, s.name) for s in row.signers]:
            signer_id, role, name = signer
            svc.perform(session, envelope_id,
                        "acknowledge" if role == "employee" else "confirm",
                        signer_id=signer_id, typed_name=name, consent=True,
                        statement=statement_for(role),
                        actor=svc.Actor(f"signer:{signer_id}", "203.0.113.9", "Firefox/128"),
                        now=row.created_at)
    worked = runner.invoke(main, ["worker", "--once"], env=env)
    assert worked.exit_code == 0, worked.output
    with sessions() as session:
        record = session.get_one(ArchivedRecord, envelope_id)
    return envelope_id, record, worked.output

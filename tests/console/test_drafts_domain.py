"""The drafts domain on its own (signing.domain.drafts): the rules of who sees and does
what, the plans list's subquery agreeing with them, and saves that never overwrite a
newer one."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from signing.domain import drafts
from signing.domain.access import Principal, Role
from signing.domain.drafts import Draft, DraftConflict, DraftError, DraftNotFound, DraftState
from signing.domain.models import DraftRow

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
MANAGER = Principal("person:maria", Role.MANAGER, "Care HR", label="Maria")
OTHER_MANAGER = Principal("person:mo", Role.MANAGER, "Care HR", label="Mo")
HR = Principal("person:hana", Role.HR, "Care HR", label="Hana")
SALES_HR = Principal("person:sam", Role.HR, "Sales HR", label="Sam")
NO_TEAM_HR = Principal("person:nat", Role.HR, None, label="Nat")
RECORDS = Principal("person:rae", Role.RECORDS, label="Rae")
ADMIN = Principal("person:ada", Role.ADMIN, label="Ada")
EVERYONE = (MANAGER, OTHER_MANAGER, HR, SALES_HR, NO_TEAM_HR, RECORDS, ADMIN)
PLAN = {"employee": {"name": "Léa Brändli", "department": "Customer Care"},
        "manager": {"name": "Maria"}}


def draft(state: DraftState, owner: Principal = MANAGER) -> Draft:
    return Draft("d1", state, owner.actor, owner.team, {}, None, 1, "", "", "", NOW, NOW,
                 None, None, None, None, None)


@pytest.mark.parametrize("state", list(DraftState))
def test_who_sees_a_managers_draft_in_each_state(state):
    seen = {p.label for p in EVERYONE if drafts.may_read(p, draft(state))}
    shared = state in (DraftState.SUBMITTED, DraftState.RETURNED, DraftState.SENT)
    assert seen == ({"Maria", "Ada", "Hana"} if shared else {"Maria", "Ada"})


def test_who_may_submit_send_and_review():
    policy, managers_send = drafts.Policy(), drafts.Policy(managers_send=True)
    mine = draft(DraftState.DRAFT)
    assert drafts.may_submit(MANAGER, mine, policy)
    assert not drafts.may_send_own(MANAGER, mine, policy)
    assert drafts.may_send_own(MANAGER, mine, managers_send)
    assert not drafts.may_submit(MANAGER, mine, managers_send)
    assert drafts.may_send_own(HR, draft(DraftState.DRAFT, HR), policy)
    submitted = draft(DraftState.SUBMITTED)
    assert [p.label for p in EVERYONE if drafts.may_review(p, submitted)] == ["Hana", "Ada"]
    assert not drafts.may_edit(MANAGER, submitted)
    assert not drafts.may_review(HR, draft(DraftState.RETURNED))


@pytest.mark.database
def test_the_listing_subquery_agrees_with_the_rules(sessions):
    ids = {}
    for owner, state in itertools.product((MANAGER, HR, SALES_HR), list(DraftState)):
        made = drafts.create(sessions, owner, PLAN, now=NOW, team=owner.team)
        with sessions.begin() as session:
            session.get(DraftRow, made.id).state = state
        ids[made.id] = drafts.Draft.of(_row(sessions, made.id))
    for principal in EVERYONE:
        query = drafts.visible_drafts(principal)
        with sessions() as session:
            listed = (set(session.scalars(query)) if query is not None
                      else set(session.scalars(select(DraftRow.id))))
        assert listed == {i for i, d in ids.items() if drafts.may_read(principal, d)}, \
            principal.label


def _row(sessions, draft_id: str) -> DraftRow:
    with sessions() as session:
        return session.get(DraftRow, draft_id)


@pytest.mark.database
def test_a_save_over_a_newer_version_is_refused_and_the_newer_one_kept(sessions):
    made = drafts.create(sessions, MANAGER, PLAN, now=NOW, team="Care HR")
    first = drafts.save(sessions, MANAGER, made.id, {**PLAN, "notes": "first"}, version=1,
                        now=NOW)
    with pytest.raises(DraftConflict) as refused:
        drafts.save(sessions, MANAGER, made.id, {**PLAN, "notes": "second"}, version=1,
                    now=NOW)
    assert refused.value.draft.version == first.version == 2
    assert "version 2" in str(refused.value)
    assert _row(sessions, made.id).plan_data["notes"] == "first"


@pytest.mark.database
def test_others_cannot_change_a_draft_and_each_refusal_is_logged(sessions):
    from archive import AccessEntry
    made = drafts.create(sessions, MANAGER, PLAN, now=NOW, team="Care HR")
    with pytest.raises(DraftNotFound):
        drafts.save(sessions, HR, made.id, {}, version=1, now=NOW)  # not submitted yet
    drafts.submit(sessions, MANAGER, made.id, version=1, now=NOW, policy=drafts.Policy())
    with pytest.raises(DraftError, match="may not save"):
        drafts.save(sessions, HR, made.id, {}, version=2, now=NOW)
    with pytest.raises(DraftNotFound):
        drafts.return_to_author(sessions, SALES_HR, made.id, version=2, comment="x", now=NOW)
    with pytest.raises(DraftError, match="comments are required"):
        drafts.return_to_author(sessions, HR, made.id, version=2, comment=" ", now=NOW)
    with pytest.raises(DraftError, match="waiting for HR"):
        drafts.discard(sessions, MANAGER, made.id, version=2, now=NOW)
    with sessions() as session:
        refused = session.scalars(select(AccessEntry.actor).where(
            AccessEntry.allowed.is_(False))).all()
    assert sorted(refused) == ["Hana", "Hana", "Sam"]
    assert _row(sessions, made.id).state == "submitted"


@pytest.mark.database
def test_a_manager_without_a_team_cannot_submit(sessions):
    loner = Principal("person:lo", Role.MANAGER, None, label="Lo")
    made = drafts.create(sessions, loner, PLAN, now=NOW, team=None)
    with pytest.raises(DraftError, match="no HR team"):
        drafts.submit(sessions, loner, made.id, version=1, now=NOW, policy=drafts.Policy())

"""The console's case page: the agenda, recording a check-in with the form (each problem
beside its field, nothing recorded), the check-ins read back; reached by the plan's
drafting manager, its HR team and admins only, every view logged."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from archive.models import AccessEntry
from signing.domain.models import CheckinRow
from tests.signing.cases.casekit import past_meeting, record_first, send_case_plan

TEAM = "EMEA"


def plan_of(console, sessions):
    manager = console.person("manager", team=TEAM)
    envelope_id = send_case_plan(sessions, owner="person:hr-sender", team=TEAM,
                                 drafted_by=manager.actor)
    return manager, envelope_id


def checkins(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(CheckinRow))


def form(**changes) -> dict[str, str]:
    meeting = past_meeting()
    data = {"meeting": "1", "held": "yes",
            "held_at": meeting.starts.strftime("%Y-%m-%dT%H:%M"),
            "attendees": "Morgan Example\nAlex Sample", "goal-1-status": "at_risk",
            "goal-1-value": "78%", "goal-1-note": "A dip in week two.",
            "notes": "Reviewed the queue.", "support_given": "Coaching twice.",
            "next_steps": "Pair on escalations.", "employee_view": "Fair so far."}
    data.update(changes)
    return data


def test_the_drafting_manager_sees_the_agenda_and_records_a_check_in(console, sessions):
    manager, envelope_id = plan_of(console, sessions)
    console.sign_in(manager)
    url = f"/console/plans/{envelope_id}/case"
    page = console.get(url).get_data(as_text=True)
    assert "Agenda for check-in 1" in page and "68% in October 2026" in page  # the baseline
    assert "Record check-in 1" in page and 'name="goal-1-status"' in page
    assert 'for="held-at"' in page and "Europe/London" in page
    done = console.post(f"{url}/checkins", data=form(), token_from=url)
    assert done.status_code == 303 and "done=held" in done.headers["Location"]
    page = console.get(done.headers["Location"]).get_data(as_text=True)
    assert "The check-in is recorded." in page and "A dip in week two." in page
    assert "asked to answer by" in page and "Record check-in 2" in page
    again = console.post(f"{url}/checkins", data=form(notes="Mine"), token_from=url)
    assert again.status_code == 409 and "already recorded by" in again.get_data(as_text=True)
    assert checkins(sessions) == 1


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_recorded(console, sessions):
    manager, envelope_id = plan_of(console, sessions)
    console.sign_in(manager)
    url = f"/console/plans/{envelope_id}/case"
    refused = console.post(f"{url}/checkins", data=form(**{"goal-1-value": "lots"}),
                           token_from=url)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'href="#goals-1-value"' in page and 'id="goals-1-value-error"' in page
    assert re.search(r'id="goals-1-value"[^>]*aria-invalid="true"', page)
    assert 'value="lots"' in page and "Reviewed the queue." in page  # what was typed, kept
    missing = console.post(f"{url}/checkins", data=form(held_at="", held="yes"),
                           token_from=url)
    shown = missing.get_data(as_text=True)
    assert missing.status_code == 422 and 'href="#held-at"' in shown
    assert 'aria-describedby="held-at-hint held-at-error"' in shown
    assert checkins(sessions) == 0


def test_who_may_not_reach_a_case_is_told_it_does_not_exist(console, sessions):
    _, envelope_id = plan_of(console, sessions)
    record_first(sessions, envelope_id)
    url = f"/console/plans/{envelope_id}/case"
    for who in (console.person("manager", team=TEAM), console.person("hr", team="APAC")):
        console.sign_in(who)
        assert console.get(url).status_code == 404
        assert console.post(f"{url}/checkins", data=form(meeting="2"),
                            token_from="/console/").status_code == 404
    console.sign_in(console.person("records"))
    assert console.get(url).status_code == 403
    for who in (console.person("hr", team=TEAM), console.person("admin")):
        console.sign_in(who)
        page = console.get(url).get_data(as_text=True)
        assert "Reviewed the ticket queue together." in page
    assert checkins(sessions) == 1
    with sessions() as session:
        entries = session.scalars(select(AccessEntry).where(
            AccessEntry.envelope_id == envelope_id)).all()
    assert sum(1 for e in entries if not e.allowed) >= 4
    assert sum(1 for e in entries if e.allowed and e.action == "envelope case") == 2

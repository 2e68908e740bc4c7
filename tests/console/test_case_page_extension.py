"""The case page's extension: HR of the plan's team extend it through the form (the
amended plan rendered by real LibreOffice); a problem is shown beside its field (a goal
by its own fields) with nothing recorded; a manager, records staff and another team's
HR are refused, and a post without the page's CSRF token too."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from signing.domain.models import CaseRow, ExtensionRow
from tests.conftest import services_of
from tests.signing.cases.casekit import send_case_plan

TEAM = "EMEA"


def extensions(sessions, envelope_id):
    with sessions() as session:
        row = session.get(CaseRow, envelope_id)
        return (session.scalar(select(func.count()).select_from(ExtensionRow)),
                row.state if row else None, row.end if row else None)


def test_hr_extend_the_plan_from_the_case_page(console, sessions, app, converter):
    services_of(app).converter = converter
    manager = console.person("manager", team=TEAM)
    envelope_id = send_case_plan(sessions, owner="person:hr-sender", team=TEAM,
                                 drafted_by=manager.actor)
    url = f"/console/plans/{envelope_id}/case"
    good = {"days": "14", "reason": "Clear progress; two weeks to confirm it.",
            "goal-1-target": "85% or more in each of the last two weeks"}
    before = extensions(sessions, envelope_id)

    # The manager sees no form and may not post it; records staff neither.
    console.sign_in(manager)
    assert "Extend the plan" not in console.get(url).get_data(as_text=True)
    assert console.post(f"{url}/extensions", data=good,
                        token_from=url).status_code in (403, 404)
    console.sign_in(console.person("records"))
    assert console.post(f"{url}/extensions", data=good,
                        token_from="/console/").status_code in (403, 404)
    console.sign_in(console.person("hr", team="APAC"))
    assert console.post(f"{url}/extensions", data=good,
                        token_from="/console/").status_code == 404
    assert extensions(sessions, envelope_id) == before

    console.sign_in(console.person("hr", team=TEAM))
    page = console.get(url).get_data(as_text=True)
    assert "Extend the plan" in page and 'name="goal-1-target"' in page
    # Without the page's token: refused, nothing recorded.
    assert console.client.post(f"{url}/extensions", data=good).status_code in (400, 403)
    for data, field in (({**good, "days": "0"}, "extension-days"),
                        ({**good, "reason": ""}, "extension-reason"),
                        ({**good, "days": "45"}, "extension-days")):
        refused = console.post(f"{url}/extensions", data=data, token_from=url)
        assert refused.status_code == 422
        shown = refused.get_data(as_text=True)
        assert f'href="#{field}"' in shown and f'id="{field}-error"' in shown
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', shown), field
        assert "two weeks to confirm it" in shown or data["reason"] == ""
        assert extensions(sessions, envelope_id) == before
    same = console.post(f"{url}/extensions", token_from=url, data={
        **good, "goal-1-target": "", "goal-1-statement": " "})
    assert same.status_code == 303  # an empty field leaves the goal as it is
    assert extensions(sessions, envelope_id)[:2] == (1, "extended")
    done = console.post(f"{url}/extensions", data={**good, "days": "7"}, token_from=url)
    assert done.status_code == 303 and "done=extended" in done.headers["Location"]
    page = console.get(done.headers["Location"]).get_data(as_text=True)
    assert "Extension 2: 7 days" in page and "Goal 1 adjusted" in page
    assert "The plan is extended." in page

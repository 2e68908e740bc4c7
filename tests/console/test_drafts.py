"""The plan editor and approval (signing.domain.drafts, signing.web.console.drafts):
drafts made, saved without overwriting a newer save, checked as they are typed,
imported and exported, submitted, returned with comments, approved and sent; and none of
it seen by another HR team or another manager."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import yaml

from archive import AccessEntry
from docgen.loading import load_plan_data
from docgen.resources import package_path
from signing.domain import drafts as drafts_domain
from signing.domain.models import DraftRow, EnvelopeRow

pytestmark = pytest.mark.database

EXAMPLE = "support-agent-30d"
_HREF = re.compile(r'/console/drafts/([0-9a-f-]{36})')


def example_data() -> dict:
    return load_plan_data(Path(str(package_path("docgen", "examples") / f"{EXAMPLE}.yaml")))


def start(console, source: str = f"example:{EXAMPLE}") -> str:
    """A new draft (as whoever is signed in); its id."""
    response = console.post("/console/drafts/new", data={"start": source},
                            token_from="/console/drafts/")
    assert response.status_code == 302, response.get_data(as_text=True)
    found = _HREF.search(response.headers["Location"])
    assert found
    return found.group(1)


def form_of(console, draft_id: str) -> dict[str, str]:
    """The editor's fields as the browser would post them (every text field, each
    select's chosen option)."""
    page = console.get(f"/console/drafts/{draft_id}").get_data(as_text=True)
    import html
    fields: dict[str, str] = {}
    for name, value in re.findall(r'<input id="[^"]+" name="([^"]+)" value="([^"]*)"', page):
        fields[html.unescape(name)] = html.unescape(value)
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>',
                                  page):
        fields[html.unescape(name)] = html.unescape(value)
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page,
                                 re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[html.unescape(name)] = html.unescape(chosen.group(1)) if chosen else ""
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    fields["version"] = version.group(1)
    return fields


def draft_row(sessions, draft_id: str) -> DraftRow:
    with sessions() as session:
        row = session.get(DraftRow, draft_id)
        session.expunge_all()
        return row


@pytest.fixture
def converter_app(app, converter):
    from signing.web.current import services_of
    services_of(app).converter = converter
    return app


# -- starting, saving, and two editors ---------------------------------------------------


def test_a_manager_starts_from_an_example_and_the_plans_list_columns_are_filled(console,
                                                                              sessions):
    console.sign_in("manager", team="Care HR")
    draft_id = start(console)
    row = draft_row(sessions, draft_id)
    assert (row.state, row.version, row.team) == ("draft", 1, "Care HR")
    assert (row.employee_name, row.employee_search, row.department, row.manager_name) == (
        "Léa Brändli", "lea brandli", "Customer Care", "Jürg Baumann")
    page = console.get(f"/console/drafts/{draft_id}").get_data(as_text=True)
    assert 'name="goals[0].milestones[1].due" value="2027-01-21"' in page
    assert "No findings" in page


def test_saving_keeps_the_form_and_refuses_a_save_over_a_newer_version(console, sessions):
    console.sign_in("manager", team="Care HR")
    draft_id = start(console)
    fields = form_of(console, draft_id)
    fields["employee.name"] = "Léa Brändli-Roy"
    assert console.post(f"/console/drafts/{draft_id}", data=fields).status_code == 302
    row = draft_row(sessions, draft_id)
    assert (row.version, row.employee_name, row.employee_search) == (
        2, "Léa Brändli-Roy", "lea brandli roy")
    assert row.plan_data["goals"][0]["milestones"][3]["due"] == "2027-02-04"
    # The same form again (another tab, opened at version 1): refused, nothing lost.
    fields["goals[0].statement"] = "A change made in the other tab"
    response = console.post(f"/console/drafts/{draft_id}", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "saved again (version 2" in page and "A change made in the other tab" in page
    assert draft_row(sessions, draft_id).version == 2


def test_adding_and_removing_goals_and_milestones_works_without_javascript(console, sessions):
    console.sign_in("hr", team="Care HR")
    draft_id = start(console)
    fields = form_of(console, draft_id)
    page = console.post(f"/console/drafts/{draft_id}",
                        data={**fields, "action": "add:goals[1].milestones"}
                        ).get_data(as_text=True)
    new_field = re.search(r'<input id="f-goals-1-milestones-4-due" name="goals\[1\]'
                          r'.milestones\[4\].due" value=""[^>]*>', page)
    assert new_field and "autofocus" in new_field.group(0)  # the cursor goes to it
    assert "goals[1].milestones[4].description" in page  # lint: it is required
    page = console.post(f"/console/drafts/{draft_id}",
                        data={**fields, "action": "remove:goals[0]"}).get_data(as_text=True)
    assert 'name="goals[2].statement"' not in page
    assert draft_row(sessions, draft_id).version == 1  # neither saved anything


def test_the_lint_fragment_puts_each_finding_beside_its_field(console):
    console.sign_in("manager", team="Care HR")
    draft_id = start(console)
    fields = form_of(console, draft_id)
    fields["goals[0].metric"] = ""
    fields["goals[1].due"] = "2027-02-30"
    response = console.client.post("/console/drafts/lint", data=fields, headers={
        "HX-Request": "true", "X-CSRF-Token": console.token()})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    metric = re.search(r'<div id="x-f-goals-0-metric" hx-swap-oob="innerHTML">(.*?)</div>',
                       text, re.S)
    assert metric and "no metric" in metric.group(1)
    start_date = re.search(r'id="x-f-goals-1-due" hx-swap-oob="innerHTML">(.*?)</div>',
                           text, re.S)
    assert start_date and "is not a date" in start_date.group(1)
    cleared = re.search(r'id="x-f-goals-1-metric" hx-swap-oob="innerHTML">(.*?)</div>', text,
                        re.S)
    assert cleared and cleared.group(1).strip() == ""
    # The page's own slots are live regions, tied to their fields.
    page = console.get(f"/console/drafts/{draft_id}").get_data(as_text=True)
    assert 'aria-describedby="f-goals-0-metric-hint x-f-goals-0-metric"' in page
    assert '<div id="x-f-goals-0-metric" class="findings" aria-live="polite">' in page


def test_the_lint_fragment_is_refused_without_the_csrf_token(console):
    console.sign_in("manager")
    assert console.client.post("/console/drafts/lint", data={}).status_code == 400


def test_a_bad_import_names_the_line_and_changes_nothing(console, sessions):
    console.sign_in("manager", team="Care HR")
    draft_id = start(console)
    fields = form_of(console, draft_id)
    response = console.client.post(
        f"/console/drafts/{draft_id}/import",
        data={"csrf_token": console.token(), "version": fields["version"],
              "plan_file": (io.BytesIO(b"employee:\n  name: [unclosed\n"), "plan.yaml")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "nothing was changed" in text and "line 3" in text
    assert draft_row(sessions, draft_id).version == 1


def test_an_import_fills_the_form_and_export_gives_the_saved_plan_back(console, sessions):
    console.sign_in("manager", team="Care HR")
    draft_id = start(console, "blank")
    data = example_data()
    data["employee"]["name"] = "Imported Person"
    response = console.client.post(
        f"/console/drafts/{draft_id}/import",
        data={"csrf_token": console.token(), "version": "1",
              "plan_file": (io.BytesIO(json.dumps(data).encode()), "plan.json")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'name="employee.name" value="Imported Person"' in response.get_data(as_text=True)
    assert draft_row(sessions, draft_id).employee_name == ""  # not saved yet
    exported = console.get(f"/console/drafts/{draft_id}/export.json")
    assert exported.status_code == 200 and json.loads(exported.get_data()) == {}
    start_id = start(console)
    exported = yaml.safe_load(console.get(f"/console/drafts/{start_id}/export.yaml").get_data())
    assert exported["goals"][2]["milestones"][0]["due"] == "2027-01-13"


def test_a_bad_file_to_start_from_creates_nothing(console, sessions):
    console.sign_in("manager")
    response = console.client.post(
        "/console/drafts/new",
        data={"csrf_token": console.token("/console/drafts/"),
              "plan_file": (io.BytesIO(b'{"employee": }'), "plan.json")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not valid JSON at line 1" in response.get_data(as_text=True)
    with sessions() as session:
        assert session.query(DraftRow).count() == 0


# -- approval ------------------------------------------------------------------------------


def submitted_draft(console, *, team: str = "Care HR", change=None) -> tuple[str, object]:
    manager = console.sign_in("manager", team=team)
    draft_id = start(console)
    fields = form_of(console, draft_id)
    if change:
        change(fields)
    response = console.post(f"/console/drafts/{draft_id}", data={**fields, "action": "submit"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return draft_id, manager


def test_hr_of_the_team_returns_a_plan_with_comments_the_manager_sees(console, sessions):
    draft_id, manager = submitted_draft(console)
    assert draft_row(sessions, draft_id).state == "submitted"
    console.sign_in("hr", team="Care HR")
    assert "Awaiting your approval" in console.get("/console/drafts/").get_data(as_text=True)
    page = console.get(f"/console/drafts/{draft_id}/review").get_data(as_text=True)
    assert "Approve and send" in page and "Léa Brändli" in page
    response = console.post(f"/console/drafts/{draft_id}/return",
                            data={"version": "3", "comment": "  "})
    assert response.status_code == 400 and "comments are required" in response.get_data(
        as_text=True)
    console.post(f"/console/drafts/{draft_id}/return",
                 data={"version": "3", "comment": "Goal 2 needs a baseline from November."})
    row = draft_row(sessions, draft_id)
    assert (row.state, row.review_comment) == ("returned",
                                               "Goal 2 needs a baseline from November.")
    console.sign_in(manager)
    page = console.get(f"/console/drafts/{draft_id}").get_data(as_text=True)
    assert "Goal 2 needs a baseline from November." in page and "Save draft" in page
    with sessions() as session:
        actions = [e.action for e in session.query(AccessEntry).filter(
            AccessEntry.detail.like(f"draft {draft_id}:%"), AccessEntry.allowed.is_(True))]
    assert {"draft create", "draft save", "draft submit", "draft return",
            "draft open"} <= set(actions)


@pytest.mark.usefixtures("converter_app")
def test_hr_approves_and_sends_and_the_manager_follows_the_envelope(console, sessions):
    draft_id, manager = submitted_draft(console)
    hr = console.sign_in("hr", team="Care HR")
    response = console.post(f"/console/drafts/{draft_id}/approve", data={"version": "3"})
    assert response.status_code == 302, response.get_data(as_text=True)
    row = draft_row(sessions, draft_id)
    assert row.state == "sent" and row.envelope_id
    with sessions() as session:
        envelope = session.get(EnvelopeRow, row.envelope_id)
        assert (envelope.state, envelope.owner, envelope.team, envelope.drafted_by) == (
            "sent", hr.actor, "Care HR", manager.actor)
    page = console.get(f"/console/drafts/{draft_id}/review").get_data(as_text=True)
    assert "sent it to the signers" in page
    # Approving again sends nothing more.
    assert console.post(f"/console/drafts/{draft_id}/approve",
                        data={"version": "4"}).status_code == 403
    with sessions() as session:
        assert session.query(EnvelopeRow).count() == 1
    # The manager starts a new plan from the envelope; another team's HR cannot.
    console.sign_in(manager)
    new_id = start(console, f"envelope:{row.envelope_id}")
    assert draft_row(sessions, new_id).employee_name == "Léa Brändli"
    console.sign_in("hr", team="Sales HR")
    assert console.post("/console/drafts/new", data={"start": f"envelope:{row.envelope_id}"},
                        token_from="/console/drafts/").status_code == 404


@pytest.mark.usefixtures("converter_app")
def test_a_failure_while_the_draft_is_marked_sent_leaves_no_envelope(console, sessions,
                                                                    monkeypatch):
    """The envelope and its draft marked sent commit together: had the envelope been
    committed first, a crash there would leave a draft that could be sent again."""
    draft_id, _manager = submitted_draft(console)
    console.sign_in("hr", team="Care HR")
    real_write = drafts_domain._write

    def crash_on_send(session, *args, action, **kwargs):
        if action == "send":
            raise RuntimeError("the process died here")
        return real_write(session, *args, action=action, **kwargs)

    monkeypatch.setattr(drafts_domain, "_write", crash_on_send)
    console.app.config["PROPAGATE_EXCEPTIONS"] = False
    response = console.post(f"/console/drafts/{draft_id}/approve", data={"version": "3"})
    assert response.status_code == 500
    with sessions() as session:
        assert session.query(EnvelopeRow).count() == 0
    assert draft_row(sessions, draft_id).state == "submitted"
    monkeypatch.setattr(drafts_domain, "_write", real_write)
    response = console.post(f"/console/drafts/{draft_id}/approve",
                            data={"version": draft_row(sessions, draft_id).version})
    assert response.status_code == 302, response.get_data(as_text=True)
    with sessions() as session:
        assert session.query(EnvelopeRow).count() == 1


@pytest.mark.usefixtures("converter_app")
def test_a_plan_with_lint_errors_is_not_sent_and_stays_submitted(console, sessions):
    def vague(fields):
        fields["goals[0].metric"] = ""
    draft_id, _manager = submitted_draft(console, change=vague)
    console.sign_in("hr", team="Care HR")
    response = console.post(f"/console/drafts/{draft_id}/approve", data={"version": "3"})
    assert response.status_code == 422
    assert "lint error" in response.get_data(as_text=True)
    assert draft_row(sessions, draft_id).state == "submitted"
    with sessions() as session:
        assert session.query(EnvelopeRow).count() == 0


@pytest.mark.usefixtures("converter_app")
def test_the_preview_is_the_pdf_as_it_will_be_sent(console):
    console.sign_in("manager", team="Care HR")
    draft_id = start(console)
    page = console.get(f"/console/drafts/{draft_id}/preview").get_data(as_text=True)
    assert f'<iframe class="pdf-preview" src="/console/drafts/{draft_id}/preview.pdf"' in page
    response = console.get(f"/console/drafts/{draft_id}/preview.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"


# -- who sees what ---------------------------------------------------------------------------


def test_another_team_another_manager_and_records_staff_see_none_of_it(console, sessions):
    draft_id, _manager = submitted_draft(console)
    paths = [f"/console/drafts/{draft_id}", f"/console/drafts/{draft_id}/review",
             f"/console/drafts/{draft_id}/export.yaml", f"/console/drafts/{draft_id}/preview"]
    for role, team in (("hr", "Sales HR"), ("manager", "Care HR"), ("hr", None)):
        console.sign_in(role, team=team)
        assert "Léa" not in console.get("/console/drafts/").get_data(as_text=True)
        for path in paths:
            assert console.get(path).status_code == 404, (role, team, path)
        if role == "hr":
            for path in ("approve", "return"):
                assert console.post(f"/console/drafts/{draft_id}/{path}",
                                    data={"version": "3", "comment": "x"}).status_code == 404
        assert console.post(f"/console/drafts/{draft_id}",
                            data={"version": "3", "action": "discard"}).status_code == 404
    console.sign_in("records")
    assert console.get(f"/console/drafts/{draft_id}/review").status_code == 403
    with sessions() as session:
        assert draft_row(sessions, draft_id).state == "submitted"
        refused = session.query(AccessEntry).filter(AccessEntry.allowed.is_(False)).count()
    assert refused >= 12


def test_a_managers_unsubmitted_draft_is_theirs_alone(console):
    console.sign_in("manager", team="Care HR")
    draft_id = start(console)
    console.sign_in("hr", team="Care HR")
    assert console.get(f"/console/drafts/{draft_id}/review").status_code == 404


def test_hr_only_sending_by_default_and_managers_send_when_the_setting_says(console, app):
    console.sign_in("manager", team="Care HR")
    draft_id = start(console)
    page = console.get(f"/console/drafts/{draft_id}").get_data(as_text=True)
    assert "submit for HR" in page and "send to the signers" not in page
    from signing.web.current import services_of
    settings = services_of(app).settings
    settings._values = {**settings._values, "console_managers_send": True}
    page = console.get(f"/console/drafts/{draft_id}").get_data(as_text=True)
    assert "submit for HR" not in page and "send to the signers" in page


def test_an_earlier_envelope_starts_a_new_draft_only_for_someone_who_may_read_it(console):
    console.sign_in("manager", team="Care HR")
    response = console.post("/console/drafts/new", data={"start": "envelope:nope"},
                            token_from="/console/drafts/")
    assert response.status_code == 404


def test_sending_ones_own_plan_with_lint_errors_keeps_the_editor_and_sends_nothing(console,
                                                                                  sessions):
    console.sign_in("hr", team="Care HR")
    draft_id = start(console)
    fields = form_of(console, draft_id)
    fields["goals[0].metric"] = ""
    response = console.post(f"/console/drafts/{draft_id}", data={**fields, "action": "send"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Not sent: the plan has 1 lint error" in page
    assert 'name="goals[0].statement"' in page  # still the editor
    row = draft_row(sessions, draft_id)
    assert row.state == "draft" and "metric" not in row.plan_data["goals"][0]
    assert f'name="version" value="{row.version}"' in page  # the next save goes through
    with sessions() as session:
        assert session.query(EnvelopeRow).count() == 0

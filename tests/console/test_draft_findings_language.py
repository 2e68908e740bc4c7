"""docgen's sentences in the console reader's language (issue 18): the lint findings and
the problems with a plan's data that the draft editor shows beside their fields, an
address the plan's rule refuses when HR send a new link, and the admin pages' API key and
webhook errors. docgen words them apart from their values (docgen.words.Words); the
console translates them from its own catalog. The command line stays English."""

from __future__ import annotations

import io
import json
import re

import pytest
import yaml

from signing.cli import main
from signing.domain import envelopes as svc
from tests.console.plankit import make_plan
from tests.console.test_console_errors_language import shown
from tests.console.test_console_language import set_preferences
from tests.console.test_drafts import form_of, start

pytestmark = pytest.mark.database


def lint_fragment(console, fields: dict[str, str]) -> str:
    response = console.client.post("/console/drafts/lint", data=fields, headers={
        "HX-Request": "true", "X-CSRF-Token": console.token()})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def slot(fragment: str, field_id: str) -> str:
    """What the editor shows beside one field (the fragment's slot for it), as text."""
    found = re.search(rf'<div id="x-{field_id}" hx-swap-oob="innerHTML">(.*?)</div>',
                      fragment, re.S)
    assert found, field_id
    return shown_text(found.group(1))


def shown_text(markup: str) -> str:
    import html
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def test_a_french_hr_persons_editor_shows_findings_and_data_problems_in_french(console,
                                                                              sessions):
    hr = console.sign_in("hr", team="Care HR")
    set_preferences(sessions, hr.username, "fr")
    draft_id = start(console)
    fields = form_of(console, draft_id)
    fields["goals[0].metric"] = ""
    fields["goals[0].statement"] = "Improve attitude towards customers."
    fields["goals[1].due"] = "2027-02-30"
    fragment = lint_fragment(console, fields)
    metric = slot(fragment, "f-goals-0-metric")
    assert "l’objectif n’a pas d’indicateur\u202f; indiquez comment les progrès sont " \
           "mesurés" in metric
    assert "no metric" not in metric
    assert metric.startswith("Erreur\u00a0: ")  # the severity, by French typography
    statement = slot(fragment, "f-goals-0-statement")
    assert ("«\u00a0improve attitude\u00a0» est trop vague\u202f; indiquez ce que la "
            "personne salariée fera et comment cela sera mesuré") in statement
    assert "(PIP202)" in statement  # the rule's code stays, the same in every language
    due = slot(fragment, "f-goals-1-due")
    assert "2027-02-30 n’est pas une date (écrivez-la sous la forme AAAA-MM-JJ)" in due
    assert "is not a date" not in due


def test_an_arabic_hr_persons_editor_counts_days_in_arabic(console, sessions):
    hr = console.sign_in("hr", team="Care HR")
    set_preferences(sessions, hr.username, "ar")
    draft_id = start(console)
    fields = form_of(console, draft_id)
    fields["timeline.length_days"] = "14"
    fields["employee.email"] = "priya at example"
    fragment = lint_fragment(console, fields)
    length = slot(fragment, "f-timeline-length_days")
    # 14 takes Arabic's "many" form (يومًا); the minimum's number is the locale's.
    assert ("مدة الخطة 14 يومًا؛ يُرجى منح الموظف 30 يومًا على الأقل لإظهار التحسن"
            in length), length
    assert "the plan lasts" not in length
    email = slot(fragment, "f-employee-email")
    assert "priya at example ليس عنوان بريد إلكتروني" in email, email


def test_a_new_link_to_a_refused_address_says_why_in_french(console, sessions):
    hr = console.sign_in("hr", team="Sales HR")
    set_preferences(sessions, hr.username, "fr")
    envelope_id = make_plan(sessions, owner="k", team="Sales HR", employee="Priya Raman")
    with sessions() as session:
        employee = next(s for s in svc.load(session, envelope_id).signers
                        if s.role == "employee")
    path = f"/console/plans/{envelope_id}/resend"
    refused = console.post(path, data={"signer_id": employee.id, "email": "priya@exämple.org"},
                           token_from=path)
    assert refused.status_code == 422
    page = shown(refused)
    assert ("priya@exämple.org contient des caractères hors ASCII, auxquels la messagerie "
            "ne peut pas envoyer\u202f; écrivez un domaine international sous sa forme "
            "xn--.") in page
    assert "outside ASCII" not in page


def test_the_admin_pages_refuse_a_key_and_a_webhook_in_french(console, sessions):
    admin = console.sign_in("admin")
    set_preferences(sessions, admin.username, "fr")
    key = console.post("/console/admin/keys", data={"name": "Records", "role": "records",
                                                    "team": "Sales HR"},
                       token_from="/console/admin/keys")
    assert key.status_code == 400
    assert ("Seules les clés hr appartiennent à une équipe\u202f; une clé records voit déjà "
            "l’archive.") in shown(key)
    hook = console.post("/console/admin/webhooks", data={
        "url": "https://user:pw@hris.example.com/hooks", "events": ["envelope.voided"],
        "scope": "all", "scope_value": "", "name": "", "description": ""},
        token_from="/console/admin/webhooks")
    assert hook.status_code == 400
    assert ("Ne doit contenir ni nom d’utilisateur ni mot de passe\u202f; la signature "
            "authentifie chaque requête.") in shown(hook)
    events = console.post("/console/admin/webhooks", data={
        "url": "https://hris.example.com/hooks", "events": [], "scope": "all",
        "scope_value": "", "name": "", "description": ""},
        token_from="/console/admin/webhooks")
    assert "Abonnez-vous à au moins un type d’événement." in shown(events)


def test_the_command_line_stays_english(runner, tmp_path, plan_data, monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    plan_data["goals"][0]["metric"] = ""
    plan_data["goals"][0]["due"] = "2027-02-30"
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan_data))
    result = runner.invoke(main, ["lint", "--json", str(path)])
    report = json.loads(result.output)
    assert {"path": "goals[0].due", "message": "2027-02-30 is not a date (write it as "
            "YYYY-MM-DD)"} in report[0]["problems"]
    assert {"code": "PIP203", "severity": "error", "path": "goals[0].metric",
            "message": "the goal has no metric; say how progress is measured"} \
        in report[0]["findings"]


def test_a_file_that_cannot_be_read_is_refused_in_french(console, sessions):
    """The sentence around the YAML parser's place is translated, and so is plansign's
    own problem inside it (a key given twice); the parser's own words would stay English."""
    hr = console.sign_in("hr", team="Care HR")
    set_preferences(sessions, hr.username, "fr")
    draft_id = start(console)
    fields = form_of(console, draft_id)
    response = console.client.post(
        f"/console/drafts/{draft_id}/import",
        data={"csrf_token": console.token(), "version": fields["version"],
              "plan_file": (io.BytesIO(b"employee:\n  name: A\nemployee:\n  name: B\n"),
                            "plan.yaml")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    page = shown(response)
    assert ("YAML non valide à la ligne 3, colonne 1\u00a0: employee est indiqué deux fois "
            "(la première à la ligne 1)\u202f; n’en gardez qu’un") in page, page
    assert "given twice" not in page


@pytest.mark.parametrize("language, add, remove", [
    # German writes a noun with its capital inside a sentence; other languages do not.
    ("de", "Eintrag hinzufügen", "Eintrag 1 entfernen"),
    ("es", "Añadir entrada", "Quitar entrada 1"),
])
def test_the_editors_add_and_remove_buttons_name_the_item_as_the_language_writes_it(
        console, sessions, language, add, remove):
    hr = console.sign_in("hr", team="Care HR")
    set_preferences(sessions, hr.username, language)
    draft_id = start(console)
    page = shown_text(console.get(f"/console/drafts/{draft_id}").get_data(as_text=True))
    assert add in page and remove in page


def test_the_editors_choices_of_support_and_weekday_are_in_the_readers_language(console,
                                                                                sessions):
    """A support's kind in the documents' own words, a weekday by the locale; a plan that
    writes its weekday in capitals ("Wednesday") has it chosen, not offered twice."""
    hr = console.sign_in("hr", team="Care HR")
    set_preferences(sessions, hr.username, "de")
    draft_id = start(console)
    page = console.get(f"/console/drafts/{draft_id}").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', page)
    labels = {label for _value, _selected, label in options}
    assert {"Schulung", "Mentoring", "Angepasste Arbeitsmenge", "Montag",
            "Donnerstag"} <= labels
    assert not labels & {"Training", "Workload", "Tools", "Monday", "Thursday"}
    # The example plan writes "weekday: Wednesday".
    assert '<option value="wednesday" selected>Mittwoch</option>' in page
    assert "Wednesday" not in labels

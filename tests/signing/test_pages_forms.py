"""Each signer's form at the web pages: every problem of a form shown at once, each beside
its own field and in the summary at the top; and every form sends the browser's time
zone, which the record keeps."""

from __future__ import annotations

import re

import pytest

from signing.domain import envelopes as svc
from signing.web.app import create_app


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def last_event(sessions, envelope_id, type_):
    with sessions() as session:
        return [r for r in svc.audit_trail(session, envelope_id) if r.type == type_][-1]


def summary_items(page: str) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)[0]
    return re.findall(r'<li><a href="#([^"]+)">', summary)


def test_an_empty_name_and_no_consent_are_both_shown_at_once(signer):
    signer.open()
    before = signer.events()
    response = signer.acknowledge(typed_name="", consent=False, comment="Kept, I hope.")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert ('id="acknowledge-typed_name-error">Type your full name to acknowledge the '
            'plan.</p>') in page
    assert ('id="acknowledge-consent-error">Tick the box to agree to sign electronically, '
            'or ask HR for a paper copy.</p>') in page
    assert summary_items(page) == ["typed_name", "consent"]  # each links to its field
    assert "Kept, I hope." in page  # what was typed is given back
    assert signer.events() == before


def test_a_refusal_shows_its_reason_and_box_problems_at_once(signer):
    signer.open()
    response = signer.refuse(confirm_refusal=False, reason="bad\x00byte")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="refuse-reason-error">This contains a NUL character; remove it.</p>' in page
    assert 'id="refuse-confirm_refusal-error">Tick the box to confirm' in page
    assert summary_items(page) == ["reason", "confirm_refusal"]


@pytest.mark.parametrize(("role", "names"), [
    ("employee", {"acknowledge", "refuse", "comment"}), ("manager", {"confirm", "decline"})])
def test_every_form_sends_the_browsers_time_zone(signer, role, names):
    """sign.js fills each form's hidden ``timezone`` (data-timezone)."""
    signer.send(manager_confirms=role == "employee")  # each has decisions to make
    page = signer.open_as(role)
    forms = dict(re.findall(r'<form [^>]*data-draft="(\w+)">(.*?)</form>', page, re.S))
    assert names <= set(forms)
    for name in names:
        assert '<input type="hidden" name="timezone" value="" data-timezone>' in forms[name], \
            name


def test_a_refusal_and_a_comment_record_the_browsers_zone(signer, sessions):
    signer.open()
    assert signer.comment("Fridays?", submission="s1",
                          timezone="America/Chicago").status_code == 303
    assert last_event(sessions, signer.envelope_id,
                      "signer.commented").data["timezone"] == "America/Chicago"
    assert signer.refuse(timezone="America/Chicago").status_code == 303
    assert last_event(sessions, signer.envelope_id,
                      "signer.refused").data["timezone"] == "America/Chicago"


def test_a_decline_records_the_browsers_zone_and_a_bad_zone_falls_back(signer, sessions):
    signer.send(manager_confirms=False)
    signer.open_as("manager")
    assert signer.decline("Not discussed yet.", timezone="Asia/Tokyo").status_code == 303
    assert last_event(sessions, signer.envelope_id,
                      "signer.declined").data["timezone"] == "Asia/Tokyo"
    signer.open()
    signer.refuse(timezone="Mars/Olympus")  # not a zone: the plan's, as for a signature
    assert last_event(sessions, signer.envelope_id,
                      "signer.refused").data["timezone"] == "Europe/London"

"""Each signer's form is checked whole: every field's problem is reported at once (not
the consent box on the next try after the name), as one InvalidInput that API callers
and ``str()`` read as before; and every form records the zone the signer's browser
reported, so the record can show each act at the signer's own time."""

from __future__ import annotations

import pytest

from signing.domain import workflow as wf
from signing.domain.workflow import InvalidFields, InvalidInput
from tests.signing.test_workflow import EXPIRY, LATER, NOW, ack, confirm, envelope, refuse
from tests.signing.test_workflow_roles import routed


@pytest.fixture
def sent() -> wf.Envelope:
    return wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope


def refused_fields(action) -> InvalidFields:
    with pytest.raises(InvalidFields) as info:
        action()
    return info.value


# -- every problem at once ----------------------------------------------------------------


def test_an_empty_name_and_no_consent_are_reported_together(sent):
    error = refused_fields(lambda: ack(sent, typed_name="  ", consent=False,
                                       comment="bad\x00byte"))
    assert list(error.errors) == ["typed_name", "consent", "comment"]  # in the form's order
    assert error.errors["typed_name"] == "Type your full name to acknowledge the plan."
    assert error.errors["consent"].startswith("Tick the box to agree to sign electronically")
    assert error.errors["comment"] == "This contains a NUL character; remove it."
    # Still the InvalidInput it was: the first field, and str() names every field.
    assert isinstance(error, InvalidInput)
    assert (error.field, error.message) == ("typed_name", error.errors["typed_name"])
    assert str(error) == "; ".join(f"{f}: {m}" for f, m in error.errors.items())


def test_a_name_not_on_record_and_no_consent_are_reported_together():
    error = refused_fields(lambda: confirm(routed(), "s-manager", typed_name="Mickey Mouse",
                                           consent=False))
    assert list(error.errors) == ["typed_name", "consent"]
    assert '"Morgan Example"' in error.errors["typed_name"]


def test_a_refusal_reports_its_reason_and_its_unticked_box_together(sent):
    error = refused_fields(lambda: refuse(sent, reason="x" * (wf.MAX_COMMENT_CHARS + 1),
                                          confirmed=False))
    assert list(error.errors) == ["reason", "confirm_refusal"]
    assert "the limit is 20,000" in error.errors["reason"]


def test_a_decline_and_a_comment_refuse_their_one_field_the_same_way(sent):
    error = refused_fields(lambda: wf.decline(routed(), "s-manager", reason=" ", now=LATER))
    assert error.errors == {"reason": "Say why you are declining to sign. HR will read it "
                                      "and the plan will be stopped."}
    error = refused_fields(lambda: wf.comment(sent, "s-employee", text="  ", now=LATER))
    assert error.errors == {"comment": "Write a comment first."}


def test_a_single_invalid_input_gives_its_field_as_errors():
    assert InvalidInput("witness", "Name the witness.").errors == {
        "witness": "Name the witness."}
    with pytest.raises(ValueError):
        InvalidFields({})


def test_a_valid_form_is_unchanged_by_the_checks(sent):
    data = ack(sent, comment="Noted.").events[0].data
    assert data == {"typed_name": "Alex Sample", "consent": True, "statement": data["statement"]}


# -- the signer's zone on every form -------------------------------------------------------


def test_a_refusal_records_the_signers_zone_and_drops_one_that_is_not(sent):
    assert refuse(sent, timezone="America/Chicago").events[0].data == {
        "timezone": "America/Chicago"}
    assert refuse(sent, reason="No.", timezone="Not/AZone").events[0].data == {"reason": "No."}


def test_a_decline_records_the_signers_zone():
    declined = wf.decline(routed(), "s-manager", reason="Not discussed.",
                          timezone="Asia/Tokyo", now=LATER).events[0]
    assert declined.type == "signer.declined"
    assert declined.data == {"reason": "Not discussed.", "timezone": "Asia/Tokyo"}
    assert "timezone" not in wf.decline(routed(), "s-manager", reason="No.", timezone="x",
                                        now=LATER).events[0].data


def test_a_comment_records_the_signers_zone(sent):
    step = wf.comment(sent, "s-employee", text="Fridays?", submission="s1",
                      timezone="Europe/Zurich", now=LATER)
    assert step.events[0].data == {"comment": "Fridays?", "submission": "s1",
                                   "timezone": "Europe/Zurich"}
    assert "timezone" not in wf.comment(sent, "s-employee", text="Fridays?",
                                        timezone="../etc", now=LATER).events[0].data
    # A comment given with an acknowledgement is made at the same place and time.
    commented = ack(sent, comment="Noted.", timezone="Europe/Zurich").events[1]
    assert commented.data == {"comment": "Noted.", "timezone": "Europe/Zurich"}


def test_the_record_shows_an_own_refusal_at_the_signers_zone(plan_data):
    """The refusal event's zone reaches the record, as a signature's does."""
    from signing.domain.completion import SignerFacts
    from signing.domain.events import EventType
    from tests.signing.test_completion import KEY, T0, Trail, complete

    refused = refuse(wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope,
                     reason="The targets ignore the incident load.",
                     timezone="America/Chicago").events[0]
    t = Trail()
    t.add(EventType.ENVELOPE_SENT, T0, KEY)
    t.add(EventType.SIGNER_NOTIFIED, T0, KEY, signer="e1")
    t.add(refused.type, LATER, "signer:e1", signer="e1", **refused.data)
    t.add(EventType.ENVELOPE_COMPLETED, LATER, "signer:e1")
    employee = SignerFacts("e1", "employee", "Léa Brändli", "lea@example.com", "refused",
                           LATER)
    (outcome,) = complete(t, plan_data, signers=(employee,)).signers
    assert (outcome.decision, outcome.timezone) == ("refused", "America/Chicago")
    assert outcome.reason == "The targets ignore the incident load."

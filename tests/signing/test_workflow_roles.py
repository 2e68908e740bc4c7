"""Each role signs its own words and acts in its own way (issue 14): the manager and HR
confirm or decline, only the employee acknowledges, refuses or comments; a refusal made
in a meeting is recorded with care; opening the PDF is recorded; the typed name is
checked against the name on record; the signer's time zone is kept."""

from __future__ import annotations

import datetime as dt

import pytest

from docgen import plan_from_data, sample_plan
from signing.domain import wording
from signing.domain import workflow as wf
from signing.domain.names import comparable, same_name
from signing.domain.sending import signer_specs
from signing.domain.workflow import EnvelopeState, InvalidInput, Role, SignerState
from tests.signing.test_workflow import (
    EXPIRY,
    LATER,
    NOW,
    ack,
    confirm,
    effect_names,
    envelope,
    event_types,
    refuse,
    states,
)


def routed() -> wf.Envelope:
    """The default routing, sent: the manager first, then the employee, then HR."""
    return wf.send(envelope((Role.MANAGER, 1), (Role.EMPLOYEE, 2), (Role.HR, 3)), now=NOW,
                   expires_in=EXPIRY).envelope


def employee_asked() -> wf.Envelope:
    """The manager has confirmed; the employee has been sent the plan."""
    return confirm(routed(), "s-manager").envelope


def record(env: wf.Envelope, **kw) -> wf.Step:
    args = {"witness": "Jordan Lee", "confirmed": True, "now": LATER,
            "meeting_at": "2026-12-01T10:30", "timezone": "Europe/Paris"}
    return wf.record_refusal(env, "s-manager", **(args | kw))


# -- the default routing ------------------------------------------------------------------


def test_by_default_the_manager_signs_first_then_the_employee_then_hr():
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("routing")
    specs = signer_specs(plan_from_data(data))
    assert sorted((s.order, s.role.value, s.name) for s in specs) == [
        (1, "manager", "Morgan Example"), (2, "employee", "Alex Sample"),
        (3, "hr", "Riley Placeholder")]


# -- each role's words ------------------------------------------------------------------


def test_each_role_has_its_own_statement():
    assert set(wording.STATEMENTS) == {"employee", "manager", "hr"}
    employee, manager, hr = (wording.statement_for(r) for r in ("employee", "manager", "hr"))
    assert "receipt and understanding, not agreement" in employee
    assert "discussed this Performance Improvement Plan with the employee" in manager
    assert "hold the check-in meetings" in manager and "give the support" in manager
    assert "reviewed by HR" in hr and "the company will provide the support" in hr
    assert "not agreement" not in manager + hr
    assert wording.statement_for(Role.MANAGER) == manager  # a Role is its value
    with pytest.raises(ValueError, match="no statement for 'ceo'"):
        wording.statement_for("ceo")


def test_each_role_has_its_own_consent_and_only_the_employee_is_offered_paper():
    assert set(wording.CONSENTS) == {"employee", "manager", "hr"}
    employee, manager, hr = (wording.consent_for(r) for r in ("employee", "manager", "hr"))
    assert employee == wording.CONSENT  # what records made before roles had their own hold
    assert "ask HR for a paper copy" in employee and "withdraw this consent" in employee
    for words, role in ((manager, "in my role as the employee's manager"),
                        (hr, "for Human Resources")):
        assert role in words
        assert "my typed name is my signature" in words
        assert "takes the place of a signed paper copy" in words
        assert "ask HR" not in words and "withdraw" not in words
    assert wording.consent_for(Role.HR) == hr
    with pytest.raises(ValueError, match="no consent for 'ceo'"):
        wording.consent_for("ceo")


# -- confirm and decline ----------------------------------------------------------------


def test_the_manager_confirms_in_their_words_then_the_employee_is_asked():
    step = confirm(routed(), "s-manager", statement=wording.statement_for("manager"),
                   consent_text=wording.consent_for("manager"), timezone="America/Chicago")
    assert states(step.envelope) == {"s-manager": "confirmed", "s-employee": "notified",
                                     "s-hr": "waiting"}
    assert event_types(step) == ["signer.confirmed", "signer.notified"]
    assert step.events[0].data == {
        "typed_name": "Morgan Example", "consent": True,
        "statement": wording.statement_for("manager"),
        "consent_text": wording.consent_for("manager"),
        "timezone": "America/Chicago"}
    assert effect_names(step) == [("webhook", "signer.confirmed", "s-manager"),
                                  ("email", "invitation", "s-employee")]
    assert step.envelope.signer("s-manager").decided_at == LATER


def test_hr_countersign_last_and_the_envelope_completes():
    env = ack(employee_asked()).envelope
    assert states(env)["s-hr"] == "notified"
    step = confirm(env, "s-hr")
    assert step.envelope.state is EnvelopeState.COMPLETED
    assert step.envelope.signer("s-hr").state is SignerState.CONFIRMED
    assert SignerState.CONFIRMED in wf.DONE_STATES and SignerState.DECLINED in wf.DONE_STATES


@pytest.mark.parametrize("action", [
    lambda env: ack(env, "s-manager", typed_name="Morgan Example"),
    lambda env: refuse(env, "s-manager"),
    lambda env: wf.comment(env, "s-manager", text="A note.", now=LATER),
])
def test_the_manager_cannot_acknowledge_refuse_or_comment(action):
    env = routed()
    with pytest.raises(wf.WrongRole, match=r"only the employee can .* the plan; as the "
                                           r"manager, you can confirm it or decline"):
        action(env)


@pytest.mark.parametrize("action", [
    lambda env: confirm(env, "s-employee", typed_name="Alex Sample"),
    lambda env: wf.decline(env, "s-employee", reason="No.", now=LATER),
])
def test_the_employee_cannot_confirm_or_decline(action):
    with pytest.raises(wf.WrongRole, match=r"only the manager and HR .* as the employee, "
                                           r"you can acknowledge it, refuse to sign it"):
        action(employee_asked())


def test_hr_cannot_comment_either():
    env = ack(employee_asked()).envelope
    with pytest.raises(wf.WrongRole, match="as the HR signer, you can confirm it"):
        wf.comment(env, "s-hr", text="Noted.", now=LATER)


def test_a_decline_needs_a_reason_and_changes_nothing_without_one():
    for blank in (None, "", "  \n"):
        with pytest.raises(InvalidInput) as info:
            wf.decline(routed(), "s-manager", reason=blank, now=LATER)
        assert info.value.field == "reason"
        assert info.value.message.startswith("Say why you are declining")


def test_a_decline_stops_the_plan_and_tells_hr_and_those_already_sent_it():
    env = ack(employee_asked()).envelope  # HR now has the plan
    step = wf.decline(env, "s-hr", reason="  Goal 3 has no support behind it. ", now=LATER)
    assert step.envelope.state is EnvelopeState.VOIDED
    assert states(step.envelope)["s-hr"] == "declined"
    assert event_types(step) == ["signer.declined", "envelope.voided"]
    assert step.events[0].data == {"reason": "  Goal 3 has no support behind it. "}
    assert step.events[1].data == {
        "reason": "declined by HR Riley Placeholder: Goal 3 has no support behind it.",
        "declined_by": "s-hr"}
    assert effect_names(step) == [
        ("email", "hr_notice_decline", "s-hr"), ("webhook", "signer.declined", "s-hr"),
        ("email", "voided", "s-manager"), ("email", "voided", "s-employee"),
        ("webhook", "envelope.voided", None),
        ("finalize", "finalize", None)]  # the withdrawn plan's record is archived (issue 19)
    assert step.effects[0].about is step.events[0]


def test_a_manager_declining_first_tells_no_one_who_never_had_the_plan():
    step = wf.decline(routed(), "s-manager", reason="Not discussed yet.", now=LATER)
    assert step.events[1].data["reason"] == "declined by manager Morgan Example: Not " \
                                            "discussed yet."
    assert ("email", "voided", "s-employee") not in effect_names(step)
    assert ("email", "voided", "s-hr") not in effect_names(step)


# -- the employee's refusal ---------------------------------------------------------------


def test_a_refusal_needs_the_employees_confirmation():
    env = employee_asked()
    with pytest.raises(InvalidInput) as info:
        wf.refuse(env, "s-employee", reason="Unfair.", now=LATER)
    assert info.value.field == "confirm_refusal"
    assert "the plan still takes effect" in info.value.message
    step = refuse(env, reason="Unfair.")
    assert states(step.envelope)["s-employee"] == "refused"


# -- a refusal recorded in a meeting ----------------------------------------------------


def test_the_manager_records_a_refusal_and_the_employee_is_told():
    env = wf.view(employee_asked(), "s-employee", now=LATER).envelope
    step = record(env, witness="  Jordan   Lee ", reason="Said it is unfair.")
    assert states(step.envelope)["s-employee"] == "refused"
    assert step.envelope.state is EnvelopeState.SENT  # HR have still to countersign
    assert step.events[0].signer_id == "s-employee"
    assert step.events[0].data == {"recorded_by": "s-manager", "witness": "Jordan Lee",
                                   "confirmed": True, "reason": "Said it is unfair.",
                                   "meeting_at": "2026-12-01T10:30:00+01:00",
                                   "timezone": "Europe/Paris"}
    assert effect_names(step) == [
        ("email", "hr_notice_refusal", "s-employee"), ("webhook", "signer.refused", "s-employee"),
        ("email", "refusal_recorded", "s-employee"), ("email", "invitation", "s-hr")]
    told = step.effects[2]
    window = LATER + dt.timedelta(days=wf.DEFAULT_REFUSAL_COMMENT_DAYS)
    assert step.envelope.comments_until == window
    assert told.data == {"can_comment": True, "comments_until": window.isoformat()}
    assert told.about is step.events[0]
    # The employee keeps their right to comment.
    commented = wf.comment(step.envelope, "s-employee", text="I did not refuse.", now=LATER)
    assert event_types(commented) == ["signer.commented"]


def test_where_nobody_signs_after_the_employee_a_recorded_refusal_leaves_the_plan_open():
    # Before the comment window, the refusal closed such a plan at once: the employee,
    # told by email they could comment, found it sealed.
    env = wf.send(envelope((Role.MANAGER, 1), (Role.EMPLOYEE, 1)), now=NOW,
                  expires_in=EXPIRY).envelope
    env = confirm(env, "s-manager").envelope
    step = record(env, comment_days=5)
    assert step.envelope.state is EnvelopeState.SENT
    assert "envelope.completed" not in event_types(step)
    assert not [e for e in step.effects if e.kind == "finalize"]
    assert next(e for e in step.effects if e.name == "refusal_recorded").data == {
        "can_comment": True, "comments_until": (LATER + dt.timedelta(days=5)).isoformat()}


def test_with_no_comment_window_a_recorded_refusal_closes_a_plan_nobody_else_signs():
    env = wf.send(envelope((Role.MANAGER, 1), (Role.EMPLOYEE, 1)), now=NOW,
                  expires_in=EXPIRY).envelope
    env = confirm(env, "s-manager").envelope
    step = record(env, comment_days=0)
    assert step.envelope.state is EnvelopeState.COMPLETED
    assert next(e for e in step.effects if e.name == "refusal_recorded").data == {
        "can_comment": False}


def test_hr_may_confirm_in_the_window_but_the_plan_completes_only_after_it():
    step = record(wf.view(employee_asked(), "s-employee", now=LATER).envelope)
    soon = LATER + dt.timedelta(seconds=30)
    confirmed = confirm(step.envelope, "s-hr", now=soon)
    assert states(confirmed.envelope)["s-hr"] == "confirmed"
    assert confirmed.envelope.state is EnvelopeState.SENT
    assert event_types(confirmed) == ["signer.confirmed"]
    assert not [e for e in confirmed.effects if e.kind == "finalize"]
    # The employee still comments, and the window cannot be closed early.
    commented = wf.comment(confirmed.envelope, "s-employee", text="I did not refuse.", now=soon)
    assert event_types(commented) == ["signer.commented"]
    with pytest.raises(InvalidInput) as info:
        wf.close_comments(confirmed.envelope, now=confirmed.envelope.comments_until
                          - dt.timedelta(seconds=1))
    assert info.value.field == "comments_until"
    closed = wf.close_comments(confirmed.envelope, now=confirmed.envelope.comments_until)
    assert closed.envelope.state is EnvelopeState.COMPLETED
    assert event_types(closed) == ["envelope.completed"]
    assert closed.events[0].data == {
        "comments_closed": confirmed.envelope.comments_until.isoformat()}
    assert [(e.kind, e.name) for e in closed.effects] == [("finalize", "finalize")]


def test_the_window_closes_only_once_every_signer_is_done():
    step = record(employee_asked())  # HR have not confirmed
    after = step.envelope.comments_until + dt.timedelta(hours=1)
    with pytest.raises(InvalidInput) as info:
        wf.close_comments(step.envelope, now=after)
    assert info.value.field == "signers"
    # HR confirming after the window completes the plan at once.
    done = confirm(step.envelope, "s-hr", now=after)
    assert done.envelope.state is EnvelopeState.COMPLETED
    assert ("finalize", "finalize") in [(e.kind, e.name) for e in done.effects]


def test_an_envelope_whose_signers_are_all_done_does_not_expire():
    step = record(employee_asked())
    env = confirm(step.envelope, "s-hr").envelope
    past_both = max(env.expires_at, env.comments_until) + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as info:
        wf.expire(env, now=past_both)
    assert info.value.field == "signers"
    assert wf.close_comments(env, now=past_both).envelope.state is EnvelopeState.COMPLETED


def test_nor_while_the_employee_can_still_comment():
    env = record(employee_asked(), now=NOW + EXPIRY - dt.timedelta(days=1),
                 meeting_at="2026-12-14T09:00").envelope
    with pytest.raises(InvalidInput) as info:
        wf.expire(env, now=NOW + EXPIRY + dt.timedelta(hours=1))
    assert info.value.field == "comments_until"
    expired = wf.expire(env, now=env.comments_until)  # HR never confirmed
    assert expired.envelope.state is EnvelopeState.EXPIRED


@pytest.mark.parametrize(("meeting_at", "problem"), [
    ("", "Give the date and time of the meeting"),
    ("yesterday", "Give the meeting's date and time as a date and a time"),
    ("2026-12-01T13:30", "The meeting's date and time are in the future"),  # 12:30 UTC
    ("2026-10-31T10:00", "The meeting was more than 30 days ago"),
])
def test_the_meeting_time_is_given_not_in_the_future_nor_long_ago(meeting_at, problem):
    with pytest.raises(InvalidInput) as info:
        record(employee_asked(), meeting_at=meeting_at)
    assert info.value.field == "meeting_at" and info.value.message.startswith(problem)


def test_the_meeting_time_is_read_in_the_recorders_zone_and_kept_with_its_place():
    step = record(employee_asked(), meeting_at="2026-12-01T05:15",
                  timezone="America/Chicago", meeting_place="  Room 4B,   Zurich office ")
    data = step.events[0].data
    assert data["meeting_at"] == "2026-12-01T05:15:00-06:00"
    assert data["timezone"] == "America/Chicago"
    assert data["meeting_place"] == "Room 4B, Zurich office"
    # A zone the browser could not name falls back to UTC, never refused.
    assert record(employee_asked(), meeting_at="2026-12-01T08:00", timezone="Mars/Base"
                  ).events[0].data["meeting_at"] == "2026-12-01T08:00:00+00:00"


def test_the_meeting_place_is_one_short_line():
    with pytest.raises(InvalidInput) as info:
        record(employee_asked(), meeting_place="x" * 201)
    assert info.value.field == "meeting_place"


@pytest.mark.parametrize("witness", ["Jordan", "  jordan  "])
def test_the_witness_is_named_in_full(witness):
    with pytest.raises(InvalidInput) as info:
        record(employee_asked(), witness=witness)
    assert info.value.field == "witness" and "full name" in info.value.message


def test_no_refusal_can_be_recorded_before_the_employee_is_sent_the_plan():
    with pytest.raises(wf.NotYetSent, match="has not been sent the plan yet"):
        record(routed())


def test_nor_once_the_employee_has_answered():
    env = ack(employee_asked()).envelope
    with pytest.raises(wf.AlreadyDone) as info:
        record(env)
    assert info.value.signer_id == "s-employee"


def test_recording_a_refusal_needs_the_confirmation():
    with pytest.raises(InvalidInput) as info:
        record(employee_asked(), confirmed=False)
    assert info.value.field == "confirm_record"
    assert "Alex Sample refused to sign in front of the witness" in info.value.message


@pytest.mark.parametrize(("witness", "problem"), [
    ("  ", "Name the witness"),
    ("morgan  EXAMPLE", "You cannot witness a refusal you record"),
    ("Morgan-Example", "You cannot witness a refusal you record"),
    ("ALEX SAMPLE", "The employee cannot witness their own refusal"),
    ("Àlex Sämple", "The employee cannot witness their own refusal"),
])
def test_the_witness_is_neither_the_recorder_nor_the_employee(witness, problem):
    env = employee_asked()
    with pytest.raises(InvalidInput) as info:
        record(env, witness=witness)
    assert info.value.field == "witness" and info.value.message.startswith(problem)


def test_the_plans_hr_signer_may_witness():
    step = record(employee_asked(), witness="Riley Placeholder")
    assert step.events[0].data["witness"] == "Riley Placeholder"


@pytest.mark.parametrize("who", ["s-hr", "s-employee"])
def test_only_the_manager_records_a_refusal(who):
    env = employee_asked()
    with pytest.raises(wf.WrongRole, match="only the employee's manager can record"):
        wf.record_refusal(env, who, witness="Jordan Lee", meeting_at="2026-12-01T10:30",
                          confirmed=True, now=LATER)


# -- comments after deciding ------------------------------------------------------------


@pytest.mark.parametrize("decide", [ack, refuse])
def test_the_employee_may_comment_after_deciding_while_the_plan_is_open(decide):
    env = decide(employee_asked()).envelope
    assert env.state is EnvelopeState.SENT
    step = wf.comment(env, "s-employee", text="One more thing.", now=LATER)
    assert step.envelope == env and event_types(step) == ["signer.commented"]


def test_comments_once_the_plan_is_closed_are_refused():
    env = ack(wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope).envelope
    assert env.state is EnvelopeState.COMPLETED
    with pytest.raises(wf.ClosedForComments, match="this plan is completed; comments can no "
                                                   "longer be added"):
        wf.comment(env, "s-employee", text="Late.", now=LATER)


def test_an_employee_not_yet_sent_the_plan_cannot_comment():
    with pytest.raises(wf.NotYourTurn):
        wf.comment(routed(), "s-employee", text="Early.", now=LATER)


# -- opening the PDF --------------------------------------------------------------------


def test_opening_the_pdf_is_recorded_before_and_after_deciding():
    env = employee_asked()
    opened = wf.document_opened(env, "s-employee", download=False, now=LATER)
    assert event_types(opened) == ["signer.document_opened"]
    assert opened.events[0].data == {"download": False} and opened.envelope == env
    assert effect_names(opened) == [("webhook", "signer.document_opened", "s-employee")]
    decided = ack(env).envelope
    downloaded = wf.document_opened(decided, "s-employee", download=True, now=LATER)
    assert downloaded.events[0].data == {"download": True}


def test_opening_the_pdf_of_a_closed_plan_records_nothing():
    env = ack(wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope).envelope
    step = wf.document_opened(env, "s-employee", download=True, now=LATER)
    assert step.envelope == env and step.events == () and step.effects == ()


# -- the typed name ---------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "on_record"), [
    ("lea brandli", "Léa Brändli"), ("LÉA  BRÄNDLI", "Léa Brändli"),
    ("Lea-Brandli", "Léa Brändli"), ("Mary O'Neill", "Mary ONeill"),
    ("Margaret O’Neill", "margaret oneill"), ("J. R. Smith", "JR Smith"),
    ("Straße", "STRASSE"),
])
def test_names_compare_without_case_accents_or_punctuation(typed, on_record):
    assert same_name(typed, on_record)
    assert comparable(typed) == comparable(on_record)


@pytest.mark.parametrize(("typed", "on_record"), [
    ("Mickey Mouse", "Léa Brändli"), ("Lea", "Léa Brändli"), ("Brandli Lea", "Léa Brändli")])
def test_other_names_are_other_names(typed, on_record):
    assert not same_name(typed, on_record)


def test_a_name_other_than_the_one_on_record_is_refused_and_says_what_to_do():
    env = wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope
    with pytest.raises(InvalidInput) as info:
        ack(env, typed_name="Mickey Mouse")
    assert info.value.field == "typed_name"
    assert '"Alex Sample"' in info.value.message
    assert "My legal name differs from the name on this plan" in info.value.message
    assert not info.value.message.startswith("typed_name")  # plain words, for the page
    assert ack(env, typed_name="alex  SAMPLE").events[0].data["typed_name"] == "alex SAMPLE"


def test_a_signer_whose_legal_name_differs_is_accepted_recorded_and_hr_told():
    env = wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope
    step = ack(env, typed_name="Alexandra Sample-Jones", name_differs=True)
    data = step.events[0].data
    assert data["typed_name"] == "Alexandra Sample-Jones"
    assert data["name_differs"] is True and data["name_on_record"] == "Alex Sample"
    notice = next(e for e in step.effects if e.name == "hr_notice_name_differs")
    assert notice.signer_id == "s-employee" and notice.about is step.events[0]
    confirmed = confirm(routed(), "s-manager", typed_name="Morgan Exemple", name_differs=True)
    assert confirmed.events[0].data["name_differs"] is True
    assert ("email", "hr_notice_name_differs", "s-manager") in effect_names(confirmed)


def test_ticking_name_differs_for_the_same_name_records_nothing_extra():
    env = wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope
    step = ack(env, typed_name="Alex Sample", name_differs=True)
    assert "name_differs" not in step.events[0].data
    assert "hr_notice_name_differs" not in [e.name for e in step.effects]


# -- the signer's time zone -------------------------------------------------------------


@pytest.mark.parametrize(("given", "kept"), [
    ("Europe/Zurich", "Europe/Zurich"), (" America/Chicago ", "America/Chicago"),
    ("UTC", "UTC"), ("Mars/Olympus", None), ("../../etc/passwd", None), ("", None),
    (None, None), ("x" * 100, None)])
def test_only_a_real_time_zone_is_kept(given, kept):
    assert wf.valid_timezone(given) == kept


def test_the_time_zone_is_recorded_with_the_signature_and_a_bad_one_ignored():
    env = wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope
    assert ack(env, timezone="America/Chicago").events[0].data["timezone"] == "America/Chicago"
    assert "timezone" not in ack(env, timezone="Not/AZone").events[0].data


def test_invalid_input_gives_its_message_apart_from_the_field():
    error = InvalidInput("consent", "Tick the box.")
    assert error.field == "consent" and error.message == "Tick the box."
    assert str(error) == "consent: Tick the box."

"""The envelope state machine: every transition, and every illegal one refused."""

from __future__ import annotations

import datetime as dt

import pytest

from signing.domain import workflow as wf
from signing.domain.workflow import (
    AlreadyDone,
    Envelope,
    EnvelopeState,
    IllegalTransition,
    InvalidInput,
    NotYourTurn,
    Role,
    Signer,
    SignerState,
    UnknownSigner,
)

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=3)
STATEMENT = "I have received this plan and it has been explained to me."
EXPIRY = dt.timedelta(days=14)


NAMES = {Role.EMPLOYEE: "Alex Sample", Role.MANAGER: "Morgan Example",
         Role.HR: "Riley Placeholder"}


def envelope(*orders: tuple[Role, int]) -> Envelope:
    """A draft with signers in the given (role, routing order); default: employee alone."""
    orders = orders or ((Role.EMPLOYEE, 1),)
    signers = tuple(Signer(f"s-{role}", role, NAMES[role], f"{role}@example.com", order)
                    for role, order in orders)
    return Envelope("env-1", EnvelopeState.DRAFT, signers)


def ack(env: Envelope, signer_id: str = "s-employee", **kw) -> wf.Step:
    args = {"typed_name": "Alex Sample", "consent": True, "statement": STATEMENT, "now": LATER}
    return wf.acknowledge(env, signer_id, **(args | kw))


def confirm(env: Envelope, signer_id: str, **kw) -> wf.Step:
    """The manager or HR sign, with the name on record."""
    args = {"typed_name": NAMES[env.signer(signer_id).role], "consent": True,
            "statement": "their words", "now": LATER}
    return wf.confirm(env, signer_id, **(args | kw))


def refuse(env: Envelope, signer_id: str = "s-employee", **kw) -> wf.Step:
    return wf.refuse(env, signer_id, **({"confirmed": True, "now": LATER} | kw))


def states(env: Envelope) -> dict[str, str]:
    return {s.id: str(s.state) for s in env.signers}


def event_types(step: wf.Step) -> list[str]:
    return [e.type for e in step.events]


def effect_names(step: wf.Step) -> list[tuple[str, str, str | None]]:
    return [(e.kind, e.name, e.signer_id) for e in step.effects]


@pytest.fixture
def sent() -> Envelope:
    return wf.send(envelope(), now=NOW, expires_in=EXPIRY).envelope


# -- send -----------------------------------------------------------------------------


def test_send_notifies_the_first_routing_order():
    step = wf.send(envelope((Role.EMPLOYEE, 1), (Role.MANAGER, 2), (Role.HR, 2)),
                   now=NOW, expires_in=EXPIRY)
    assert step.envelope.state is EnvelopeState.SENT
    assert step.envelope.expires_at == NOW + EXPIRY
    assert states(step.envelope) == {"s-employee": "notified", "s-manager": "waiting",
                                     "s-hr": "waiting"}
    assert event_types(step) == ["envelope.sent", "signer.notified"]
    assert effect_names(step) == [("email", "invitation", "s-employee"),
                                  ("webhook", "envelope.sent", None)]


def test_signers_of_the_same_order_are_notified_together():
    step = wf.send(envelope((Role.MANAGER, 1), (Role.HR, 1), (Role.EMPLOYEE, 2)),
                   now=NOW, expires_in=EXPIRY)
    assert states(step.envelope) == {"s-manager": "notified", "s-hr": "notified",
                                     "s-employee": "waiting"}


def test_send_needs_the_employee():
    with pytest.raises(InvalidInput, match="the employee must be one of the signers"):
        wf.send(envelope((Role.MANAGER, 1)), now=NOW, expires_in=EXPIRY)


@pytest.mark.parametrize("state", [s for s in EnvelopeState if s is not EnvelopeState.DRAFT])
def test_send_only_from_draft(state):
    with pytest.raises(IllegalTransition, match=f"cannot send an envelope that is {state}"):
        wf.send(wf.replace(envelope(), state=state), now=NOW, expires_in=EXPIRY)


# -- view -----------------------------------------------------------------------------


def test_view_records_the_first_look_only(sent):
    step = wf.view(sent, "s-employee", now=LATER)
    assert states(step.envelope) == {"s-employee": "viewed"}
    assert event_types(step) == ["signer.viewed"]
    assert effect_names(step) == [("webhook", "signer.viewed", "s-employee")]
    again = wf.view(step.envelope, "s-employee", now=LATER)
    assert again.envelope == step.envelope and again.events == () and again.effects == ()


def test_view_after_deciding_changes_nothing(sent):
    done = ack(sent).envelope
    step = wf.view(done, "s-employee", now=LATER)
    assert step.envelope == done and step.events == ()


# -- acknowledge ------------------------------------------------------------------------


def test_acknowledge_completes_a_single_signer_envelope(sent):
    step = ack(sent, comment="I disagree with item 2.")
    assert step.envelope.state is EnvelopeState.COMPLETED
    signer = step.envelope.signer("s-employee")
    assert signer.state is SignerState.ACKNOWLEDGED and signer.decided_at == LATER
    assert event_types(step) == ["signer.acknowledged", "signer.commented",
                                 "envelope.completed"]
    assert step.events[0].data == {"typed_name": "Alex Sample", "consent": True,
                                   "statement": STATEMENT}
    assert step.events[1].data == {"comment": "I disagree with item 2."}
    assert effect_names(step) == [
        ("webhook", "signer.acknowledged", "s-employee"),
        ("email", "hr_notice_comment", "s-employee"),
        ("webhook", "signer.commented", "s-employee"),
        ("finalize", "finalize", None),
        # Neither the manager nor HR sign it: each is told it is complete (once: the
        # acknowledgement that completes it is not told as well).
        ("email", "manager_update", None),
        ("email", "hr_update", None),
    ]


def test_acknowledge_moves_routing_to_the_next_order():
    env = wf.send(envelope((Role.EMPLOYEE, 1), (Role.MANAGER, 2), (Role.HR, 3)),
                  now=NOW, expires_in=EXPIRY).envelope
    step = ack(env)
    assert states(step.envelope) == {"s-employee": "acknowledged", "s-manager": "notified",
                                     "s-hr": "waiting"}
    assert ("email", "invitation", "s-manager") in effect_names(step)
    step = confirm(step.envelope, "s-manager")
    assert states(step.envelope)["s-hr"] == "notified"
    step = confirm(step.envelope, "s-hr")
    assert step.envelope.state is EnvelopeState.COMPLETED


def test_the_next_order_waits_for_everyone_in_the_current_one():
    env = wf.send(envelope((Role.MANAGER, 1), (Role.HR, 1), (Role.EMPLOYEE, 2)),
                  now=NOW, expires_in=EXPIRY).envelope
    step = confirm(env, "s-manager")
    assert states(step.envelope)["s-employee"] == "waiting"
    step = confirm(step.envelope, "s-hr")
    assert states(step.envelope)["s-employee"] == "notified"


def test_a_second_acknowledge_is_already_done(sent):
    done = ack(sent).envelope
    with pytest.raises(AlreadyDone, match="already acknowledged; nothing was changed"):
        ack(done)
    assert done.state is EnvelopeState.COMPLETED  # yet the signer hears "already done"
    with pytest.raises(AlreadyDone):
        refuse(done)


def test_already_done_while_others_still_sign():
    env = wf.send(envelope((Role.EMPLOYEE, 1), (Role.MANAGER, 2)), now=NOW,
                  expires_in=EXPIRY).envelope
    env = ack(env).envelope
    with pytest.raises(AlreadyDone):
        ack(env)
    with pytest.raises(AlreadyDone):
        refuse(env)


@pytest.mark.parametrize("kw, field", [
    ({"typed_name": "   "}, "typed_name"),
    ({"consent": False}, "consent"),
    ({"comment": "x" * 20_001}, "comment"),
    ({"comment": "a\x00b"}, "comment"),
])
def test_acknowledge_bad_input_changes_nothing(sent, kw, field):
    with pytest.raises(InvalidInput) as info:
        ack(sent, **kw)
    assert info.value.field == field


def test_a_comment_of_exactly_the_limit_is_kept_verbatim(sent):
    text = "<script>alert(1)</script>\u202e" + "x" * (20_000 - 27)
    step = ack(sent, comment=text)
    assert step.events[1].data["comment"] == text


def test_not_your_turn():
    env = wf.send(envelope((Role.EMPLOYEE, 1), (Role.MANAGER, 2)), now=NOW,
                  expires_in=EXPIRY).envelope
    with pytest.raises(NotYourTurn):
        confirm(env, "s-manager")


def test_unknown_signer(sent):
    with pytest.raises(UnknownSigner):
        ack(sent, "s-nobody")


# -- refuse -----------------------------------------------------------------------------


def test_refusal_is_recorded_and_the_plan_goes_ahead(sent):
    step = refuse(sent, reason="The targets are unfair.")
    assert step.envelope.state is EnvelopeState.COMPLETED
    assert step.envelope.signer("s-employee").state is SignerState.REFUSED
    assert step.events[0].data == {"reason": "The targets are unfair."}
    assert ("email", "hr_notice_refusal", "s-employee") in effect_names(step)
    assert ("finalize", "finalize", None) in effect_names(step)


# -- comment, remind, resend ------------------------------------------------------------


def test_comment_keeps_the_link_open(sent):
    step = wf.comment(sent, "s-employee", text="Can we talk about goal 2?", now=LATER)
    assert step.envelope == sent
    assert event_types(step) == ["signer.commented"]
    assert ("email", "hr_notice_comment", "s-employee") in effect_names(step)
    with pytest.raises(InvalidInput, match="Write a comment first"):
        wf.comment(sent, "s-employee", text="  \n ", now=LATER)


def test_a_comment_form_sent_twice_is_recorded_once(sent):
    first = wf.comment(sent, "s-employee", text="Goal 2?", submission="f-1", now=LATER)
    assert first.events[0].data == {"comment": "Goal 2?", "submission": "f-1"}
    with pytest.raises(wf.AlreadyRecorded):
        wf.comment(sent, "s-employee", text="Goal 2?", submission="f-1",
                   earlier_submissions=frozenset({"f-1"}), now=LATER)
    again = wf.comment(sent, "s-employee", text="Goal 3?", submission="f-2",
                       earlier_submissions=frozenset({"f-1"}), now=LATER)
    assert event_types(again) == ["signer.commented"]


def test_comments_past_the_signers_limit_are_refused_with_what_to_do(sent):
    limits = wf.CommentLimits(count=3, chars=100)
    last = wf.comment(sent, "s-employee", text="x" * 40, earlier_count=2, earlier_chars=60,
                      limits=limits, now=LATER)
    assert event_types(last) == ["signer.commented"]
    with pytest.raises(wf.CommentLimitReached) as info:
        wf.comment(sent, "s-employee", text="One more.", earlier_count=3, earlier_chars=100,
                   limits=limits, now=LATER)
    assert info.value.field == "comment" and isinstance(info.value, InvalidInput)
    assert "comment: You have sent 3 comments" in str(info.value)
    assert "the most one person may send here (3)" in str(info.value)
    assert "contact HR" in str(info.value)
    with pytest.raises(wf.CommentLimitReached, match=r"60 characters in all.*at most 100 "
                                                     r"characters.*this comment has 41 "
                                                     r"\(40 left\)"):
        wf.comment(sent, "s-employee", text="x" * 41, earlier_count=2, earlier_chars=60,
                   limits=limits, now=LATER)


def test_the_default_comment_limits_are_twenty_comments_and_100000_characters(sent):
    with pytest.raises(wf.CommentLimitReached, match=r"\(20\)"):
        wf.comment(sent, "s-employee", text="21st", earlier_count=20, now=LATER)
    with pytest.raises(wf.CommentLimitReached, match="100,000"):
        wf.comment(sent, "s-employee", text="x" * 20_000, earlier_count=5,
                   earlier_chars=80_001, now=LATER)


def test_a_signer_past_the_comment_limit_may_still_decide_with_a_comment(sent):
    step = wf.acknowledge(sent, "s-employee", typed_name="Alex Sample", consent=True,
                          statement="s", comment="Last words.", now=LATER)
    assert "signer.commented" in event_types(step)


@pytest.mark.parametrize(("typed", "problem"), [
    ("Alex\x00Sample", "control characters"), ("A" * 201, "the limit is 200")])
def test_a_typed_name_the_record_cannot_print_is_refused(sent, typed, problem):
    with pytest.raises(InvalidInput, match=problem) as info:
        wf.acknowledge(sent, "s-employee", typed_name=typed, consent=True, statement="s",
                       now=LATER)
    assert info.value.field == "typed_name"


def test_remind_the_undecided_only():
    env = wf.send(envelope((Role.EMPLOYEE, 1), (Role.MANAGER, 1), (Role.HR, 2)), now=NOW,
                  expires_in=EXPIRY).envelope
    env = confirm(env, "s-manager").envelope
    step = wf.remind(env, now=LATER)
    assert effect_names(step) == [("email", "reminder", "s-employee")]


def test_resend_reissues_the_link(sent):
    step = wf.resend(sent, "s-employee", now=LATER)
    assert event_types(step) == ["signer.link_reissued"]
    assert effect_names(step) == [("email", "invitation", "s-employee")]


# -- expire, void, seal, archive --------------------------------------------------------


def test_expire_only_after_the_deadline_and_it_still_finalizes(sent):
    with pytest.raises(InvalidInput, match="not reached its deadline"):
        wf.expire(sent, now=NOW + EXPIRY - dt.timedelta(seconds=1))
    step = wf.expire(sent, now=NOW + EXPIRY)
    assert step.envelope.state is EnvelopeState.EXPIRED
    assert step.events[0].data == {"no_response": ["s-employee"]}
    assert ("finalize", "finalize", None) in effect_names(step)


def test_void_tells_those_already_asked(sent):
    step = wf.void(sent, reason="Issued in error", now=LATER)
    assert step.envelope.state is EnvelopeState.VOIDED
    # The plan was sent: its record is sealed and archived as it stood (issue 19).
    assert effect_names(step) == [("email", "voided", "s-employee"),
                                  ("webhook", "envelope.voided", None),
                                  ("finalize", "finalize", None)]
    with pytest.raises(InvalidInput, match="say why"):
        wf.void(sent, reason=" ", now=LATER)


def test_a_draft_voided_before_sending_has_no_record_to_archive():
    draft = envelope((Role.EMPLOYEE, 1))
    step = wf.void(draft, reason="Not needed", now=LATER)
    assert ("finalize", "finalize", None) not in effect_names(step)


def test_a_voided_plan_is_sealed_and_archived_and_stays_voided(sent):
    voided = wf.void(sent, reason="Issued in error", now=LATER).envelope
    sealing = wf.mark_sealed(voided, final_sha256="f" * 64, now=LATER)
    assert sealing.envelope.state is EnvelopeState.VOIDED
    archiving = wf.mark_archived(sealing.envelope, now=LATER)
    assert archiving.envelope.state is EnvelopeState.VOIDED
    assert [e.type for e in archiving.events] == ["envelope.archived"]
    assert effect_names(archiving) == []  # no copies, no envelope.completed


def test_seal_then_archive(sent):
    done = ack(sent).envelope
    sealing = wf.mark_sealed(done, final_sha256="f" * 64, now=LATER)
    assert sealing.envelope.state is EnvelopeState.SEALED
    assert sealing.events[0].data == {"final_sha256": "f" * 64}
    archiving = wf.mark_archived(sealing.envelope, now=LATER)
    assert archiving.envelope.state is EnvelopeState.ARCHIVED
    assert effect_names(archiving) == [("email", "your_copy", "s-employee"),
                                       ("webhook", "envelope.completed", None)]
    expired = wf.expire(sent, now=NOW + EXPIRY).envelope
    sealed = wf.mark_sealed(expired, final_sha256="f" * 64, now=LATER).envelope
    assert sealed.state is EnvelopeState.SEALED


def test_only_signers_who_were_asked_get_a_copy():
    env = wf.send(envelope((Role.EMPLOYEE, 1), (Role.MANAGER, 2)), now=NOW,
                  expires_in=EXPIRY).envelope
    expired = wf.expire(env, now=NOW + EXPIRY).envelope
    sealed = wf.mark_sealed(expired, final_sha256="f" * 64, now=LATER).envelope
    assert effect_names(wf.mark_archived(sealed, now=LATER)) == [
        ("email", "your_copy", "s-employee"), ("webhook", "envelope.completed", None)]


def test_an_undelivered_email_is_recorded_and_hr_told_whatever_the_state(sent):
    step = wf.delivery_failed(sent, "s-employee", message="reminder",
                              error="550  no such\nuser " + "x" * 600, now=LATER)
    assert step.envelope == sent
    assert event_types(step) == ["email.failed"]
    assert step.events[0].data["error"].startswith("550 no such user x")
    assert len(step.events[0].data["error"]) == 500
    assert effect_names(step) == [("email", "hr_notice_undeliverable", "s-employee")]
    with pytest.raises(wf.UnknownSigner):
        wf.delivery_failed(sent, "s-nobody", message="reminder", error="x", now=LATER)


def test_email_events_are_recorded_and_a_bounce_tells_hr_and_the_endpoints(sent):
    delivered = wf.email_event(sent, "s-employee", kind="delivered", message="invitation",
                               occurred_at=NOW, now=LATER)
    assert delivered.envelope == sent and effect_names(delivered) == []
    assert delivered.events[0].type == "email.delivered"
    assert delivered.events[0].data == {"message": "invitation",
                                        "occurred_at": NOW.isoformat()}
    bounced = wf.email_event(sent, "s-employee", kind="bounce", message="reminder",
                             occurred_at=NOW, reason="550\nuser unknown", now=LATER)
    assert bounced.events[0].type == "email.bounced"
    assert bounced.events[0].data["reason"] == "550 user unknown"
    assert effect_names(bounced) == [("email", "hr_notice_undeliverable", "s-employee"),
                                     ("webhook", "email.bounced", "s-employee")]
    assert bounced.effects[1].data == {"message": "reminder", "event": "bounce"}
    with pytest.raises(wf.InvalidInput):
        wf.email_event(sent, "s-employee", kind="click", message="invitation",
                       occurred_at=NOW, now=LATER)


# Every action against every envelope state: which are allowed is exactly this table.
ALLOWED = {
    "send": {EnvelopeState.DRAFT},
    "acknowledge": {EnvelopeState.SENT},
    "refuse": {EnvelopeState.SENT},
    "comment": {EnvelopeState.SENT},
    "confirm": {EnvelopeState.SENT},
    "decline": {EnvelopeState.SENT},
    "record_refusal": {EnvelopeState.SENT},
    "close_comments": {EnvelopeState.SENT},
    "remind": {EnvelopeState.SENT},
    "remind_now": {EnvelopeState.SENT},
    "resend": {EnvelopeState.SENT},
    "expire": {EnvelopeState.SENT},
    "void": {EnvelopeState.DRAFT, EnvelopeState.SENT},
    "seal": {EnvelopeState.COMPLETED, EnvelopeState.EXPIRED, EnvelopeState.VOIDED},
    "archive": {EnvelopeState.SEALED, EnvelopeState.VOIDED},
    "delivery_failed": set(EnvelopeState),
    "email_event": set(EnvelopeState),
}


def _call(action: str, env: Envelope) -> wf.Step:
    late = NOW + EXPIRY
    calls = {
        "send": lambda: wf.send(env, now=NOW, expires_in=EXPIRY),
        "acknowledge": lambda: ack(env),
        "refuse": lambda: refuse(env),
        "comment": lambda: wf.comment(env, "s-employee", text="hi", now=LATER),
        "confirm": lambda: confirm(env, "s-manager"),
        "decline": lambda: wf.decline(env, "s-manager", reason="Not ready.", now=LATER),
        "record_refusal": lambda: wf.record_refusal(env, "s-manager", witness="Jordan Lee",
                                                    meeting_at="2026-12-01T10:00",
                                                    confirmed=True, now=LATER),
        "remind": lambda: wf.remind(env, now=LATER),
        "remind_now": lambda: wf.remind_now(env, now=LATER),
        "resend": lambda: wf.resend(env, "s-employee", now=LATER),
        "expire": lambda: wf.expire(env, now=late),
        # Every signer done, and the comment window after a recorded refusal passed.
        "close_comments": lambda: wf.close_comments(wf.replace(
            env, comments_until=LATER, signers=tuple(
                wf.replace(s, state=wf.SignerState.CONFIRMED) for s in env.signers)),
            now=LATER),
        "void": lambda: wf.void(env, reason="error", now=LATER),
        "seal": lambda: wf.mark_sealed(env, final_sha256="f" * 64, now=LATER),
        "archive": lambda: wf.mark_archived(env, now=LATER),
        "delivery_failed": lambda: wf.delivery_failed(env, "s-employee", message="invitation",
                                                      error="550 no such user", now=LATER),
        "email_event": lambda: wf.email_event(env, "s-employee", kind="delivered",
                                              message="invitation", occurred_at=NOW,
                                              now=LATER),
    }
    return calls[action]()


@pytest.mark.parametrize("state", list(EnvelopeState))
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_every_action_in_every_state(action, state):
    draft = envelope((Role.EMPLOYEE, 1), (Role.MANAGER, 1))
    base = wf.send(draft, now=NOW, expires_in=EXPIRY).envelope
    env = wf.replace(base, state=state)
    if state is EnvelopeState.DRAFT:
        env = draft
    if state in ALLOWED[action]:
        _call(action, env)
    else:
        with pytest.raises(IllegalTransition):
            _call(action, env)


def test_actions_table_lists_every_action():
    # Viewing and opening the PDF record nothing once the envelope is closed, and refuse
    # nothing (test_workflow_roles.py).
    assert set(wf.ACTIONS) == set(ALLOWED) | {"view", "document_opened"}

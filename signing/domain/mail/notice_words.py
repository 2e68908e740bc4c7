"""The sentences of HR's notices (``hr_notice``), in the reader's language: whole
sentences from the ``signer`` catalog (babel-signer.cfg), one per case, never built from
pieces, so that a translator sees each as HR will read it.

A notice is to HR, about a signer: the sentence differs when the signer is the employee
("their plan") and when it is the manager or HR ("the plan for Alex Sample"), and when
the moment is known. Pure: names, moments already written in the reader's language, and
the reader's catalog in; text out (escaped by the template)."""

from __future__ import annotations

from dataclasses import dataclass
from gettext import NullTranslations

from signing.domain.wording import N_

SUBJECTS = {
    "refusal": N_("A signer refused to sign a performance plan"),
    "comment": N_("A signer commented on a performance plan"),
    "undeliverable": N_("An email about a performance plan could not be delivered"),
    "decline": N_("A signer declined to sign a performance plan, which is stopped"),
    "name_differs": N_("A signer signed a performance plan with a different name"),
}
PREHEADER = N_("A signer has responded.")

# What a notice of an undelivered email calls the message that failed.
UNDELIVERED = {"invitation": N_("The invitation to sign"), "reminder": N_("The reminder"),
               "voided": N_("The notice that the request was withdrawn"),
               "your_copy": N_("The copy of the signed plan"),
               "refusal_recorded": N_("The notice that their refusal to sign was recorded")}
UNDELIVERED_OTHER = N_("An email")
_ROLES = {"manager": N_("manager"), "hr": N_("HR")}

# (the signer is the employee, the moment is known) -> the sentence, for each kind.
_HEADLINES = {
    "refusal": {
        (True, False): N_("%(employee)s refused to sign their performance improvement plan."),
        (True, True): N_("%(employee)s refused to sign their performance improvement plan on "
                         "%(when)s."),
        (False, False): N_("%(who)s refused to sign the performance improvement plan for "
                           "%(employee)s."),
        (False, True): N_("%(who)s refused to sign the performance improvement plan for "
                          "%(employee)s on %(when)s."),
    },
    "decline": {
        (True, False): N_("%(employee)s declined to sign their performance improvement plan."),
        (True, True): N_("%(employee)s declined to sign their performance improvement plan on "
                         "%(when)s."),
        (False, False): N_("%(who)s declined to sign the performance improvement plan for "
                           "%(employee)s."),
        (False, True): N_("%(who)s declined to sign the performance improvement plan for "
                          "%(employee)s on %(when)s."),
    },
    "comment": {
        (True, False): N_("%(employee)s added a comment to their performance improvement "
                          "plan."),
        (True, True): N_("%(employee)s added a comment to their performance improvement plan "
                         "on %(when)s."),
        (False, False): N_("%(who)s added a comment to the performance improvement plan for "
                           "%(employee)s."),
        (False, True): N_("%(who)s added a comment to the performance improvement plan for "
                          "%(employee)s on %(when)s."),
    },
    "name_differs": {
        (True, False): N_("%(employee)s signed their performance improvement plan with the "
                          "name \"%(typed)s\", which differs from the name on the plan, "
                          "\"%(name)s\"."),
        (True, True): N_("%(employee)s signed their performance improvement plan on %(when)s "
                         "with the name \"%(typed)s\", which differs from the name on the "
                         "plan, \"%(name)s\"."),
        (False, False): N_("%(who)s signed the performance improvement plan for %(employee)s "
                           "with the name \"%(typed)s\", which differs from the name on the "
                           "plan, \"%(name)s\"."),
        (False, True): N_("%(who)s signed the performance improvement plan for %(employee)s "
                          "on %(when)s with the name \"%(typed)s\", which differs from the "
                          "name on the plan, \"%(name)s\"."),
    },
    "undeliverable": {
        (True, False): N_("%(message)s for their performance improvement plan could not "
                          "be delivered to %(employee)s at %(address)s."),
        (True, True): N_("%(message)s for their performance improvement plan could not "
                         "be delivered to %(employee)s at %(address)s; we stopped trying on "
                         "%(when)s."),
        (False, False): N_("%(message)s for the performance improvement plan for "
                           "%(employee)s could not be delivered to %(who)s at %(address)s."),
        (False, True): N_("%(message)s for the performance improvement plan for "
                          "%(employee)s could not be delivered to %(who)s at %(address)s; we "
                          "stopped trying on %(when)s."),
    },
}
_RECORDED = N_("%(recorder)s recorded that %(employee)s refused to sign their performance "
               "improvement plan in a meeting, witnessed by %(witness)s.")
_RECORDED_NO_WITNESS = N_("%(recorder)s recorded that %(employee)s refused to sign their "
                          "performance improvement plan in a meeting.")
_MEETING = {(True, False): N_("The meeting was on %(when)s."),
            (True, True): N_("The meeting was on %(when)s, at %(place)s."),
            (False, True): N_("The meeting was at %(place)s.")}
_RECORDED_ON = N_("It was recorded on %(when)s.")


@dataclass(frozen=True)
class Notice:
    """What happened, as data: the moments are already written for the reader."""

    kind: str
    signer_name: str
    signer_role: str
    employee_name: str
    at: str | None = None
    text: str | None = None  # the name typed, for name_differs
    name_on_record: str | None = None
    recorded_by: str | None = None
    witness: str | None = None
    meeting_at: str | None = None
    meeting_place: str | None = None
    undelivered: str | None = None
    address: str | None = None


def headline(notice: Notice, words: NullTranslations) -> list[str]:
    """The notice's opening sentences in the reader's language."""
    is_employee = notice.signer_role == "employee" and notice.signer_name == notice.employee_name
    role = _ROLES.get(notice.signer_role)
    values = {
        "employee": notice.employee_name, "when": notice.at or "",
        "who": (f"{notice.signer_name} ({words.gettext(role)})" if role
                else notice.signer_name),
        "typed": notice.text or "", "name": notice.name_on_record or "",
        "address": notice.address or "",
        "message": words.gettext(UNDELIVERED.get(notice.undelivered or "",
                                                 UNDELIVERED_OTHER)),
    }
    if notice.kind == "refusal" and notice.recorded_by:
        values.update(recorder=notice.recorded_by, employee=notice.signer_name,
                      witness=notice.witness or "")
        sentences = [words.gettext(_RECORDED if notice.witness else _RECORDED_NO_WITNESS)
                     % values]
        meeting = _MEETING.get((bool(notice.meeting_at), bool(notice.meeting_place)))
        if meeting:
            sentences.append(words.gettext(meeting) % {"when": notice.meeting_at or "",
                                                       "place": notice.meeting_place or ""})
        if notice.at:
            sentences.append(words.gettext(_RECORDED_ON) % {"when": notice.at})
        return sentences
    return [words.gettext(_HEADLINES[notice.kind][is_employee, bool(notice.at)]) % values]

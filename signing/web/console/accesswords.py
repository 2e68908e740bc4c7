"""The access log as a record's page shows it, in its reader's language.

The log keeps what was done as a short code (``view``, ``download final.pdf``, ``lift
hold``, ``envelope console plan page``) and a detail in English (``denied: not this hr's
record``, a hold's reason), as the records API, ``plansign archive log`` and the
server's operators read them: they are the log's facts, kept as written. The page says
each known code and each detail plansign writes in its reader's language: fixed words,
or words made from the detail's data (a refused API request's method, address and
reason; a read that failed, by the archive's error; the links withdrawn and from whom).
What a person typed in a detail (a hold's reason, why a copy's links were withdrawn) is
shown as they wrote it, in a sentence of the reader's language, marked as their words
(``dir="auto"``, no language claimed). A code or a detail it does not know (written by
an older plansign, an operating system's error) is shown as it was written, marked as
English (``lang="en"``), never guessed at.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as L_
from markupsafe import Markup, escape

from archive import AccessEntry
from docgen.languages import list_text, names_shown
from signing.records.service import CHECKIN_FILE
from signing.web import language, timefmt

# What was done, by its code, with the prefix the envelope's checks add ("envelope ",
# "console ") taken off first.
ACTION_WORDS: dict[str, Any] = {
    # The archive's own: the records pages, the records API, the command line.
    "view": L_("Opened the record"),
    "hold": L_("Placed a legal hold"),
    "lift hold": L_("Lifted the legal hold"),
    "hold form": L_("Opened the form to place a legal hold"),
    "release form": L_("Opened the form to lift the legal hold"),
    "export": L_("Exported the record with the archive's export"),
    "purge": L_("Purged the record"),
    "verify": L_("Verified the record"),
    "copy.revoke": L_("Withdrew the employee's links to their copies"),
    "records.mailed": L_("Emailed the employee the links to their records"),
    "records.download": L_("Download from the employee's records page"),
    "copy.download": L_("Download from the employee's copy link"),
    "request": L_("A request to the API"),
    # The plan's, while it was open: its pages, the API and the command line.
    "status": L_("Read the plan's status"),
    "events": L_("Read the plan's events"),
    "plan page": L_("Opened the plan's page"),
    "copy into a draft": L_("Copied the plan into a new draft"),
    "remind": L_("Reminded the signers"),
    "resend": L_("Sent a new link"),
    "void": L_("Voided the plan"),
    "refusal": L_("Recorded a refusal made in a meeting"),
    # Its case (check-ins, extensions, outcome).
    "case": L_("Opened the plan's check-ins"),
    "case check-ins": L_("Read the check-ins"),
    "case extensions": L_("Read the extensions"),
    "case outcome": L_("Read the outcome"),
    "record check-in": L_("Recorded a check-in"),
    "extend case": L_("Extended the plan"),
    "propose outcome": L_("Proposed the outcome"),
    "approve outcome": L_("Approved the outcome"),
    "return outcome": L_("Returned the proposed outcome"),
    "close case": L_("Closed the case"),
    # The draft it was sent from.
    "draft send": L_("Sent the plan from its draft"),
}
# The documents a download names (as the record's page lists them).
DOCUMENT_WORDS: dict[str, Any] = {
    "final.pdf": L_("Final sealed PDF"), "original.pdf": L_("Original PDF as sent"),
    "plan.json": L_("Plan data (JSON)"), "audit-trail.json": L_("Audit trail (JSON)"),
    "case-file.pdf": L_("Case file (PDF)"),
    "bundle.zip": L_("Records bundle (ZIP: every document, with SHA-256 sums)")}
# Who, when the log names no person: what plansign calls the reader.
ACTOR_WORDS: dict[str, Any] = {
    "worker": L_("plansign's background worker"),
    "unauthenticated": L_("Someone without a valid key or link"),
    "records page": L_("The employees' records page"),
    "unknown person": L_("Someone not signed in"),
}
# Their role, as the log names it.
ROLE_WORDS: dict[str, Any] = {
    "hr": L_("HR"), "manager": L_("manager"), "records": L_("records"), "admin": L_("admin"),
    "signer": L_("signer"), "requester": L_("asked for their records"),
    "webhook": L_("webhook")}
# Details plansign writes in fixed words.
DETAIL_WORDS: dict[str, Any] = {
    "no such record": L_("There is no such record."),
    "no such envelope": L_("There is no such plan."),
    "denied: not this hr's record": L_("Refused: the record of a plan neither this person "
                                       "nor their HR team sent."),
    "denied: not this manager's record": L_("Refused: managers do not read the archive."),
    "denied: not this hr's envelope": L_("Refused: a plan neither this person nor their HR "
                                         "team sent."),
    "denied: not this manager's envelope": L_("Refused: a plan this manager did not draft."),
    "denied: not this records's envelope": L_("Refused: records staff read only archived "
                                              "plans."),
    "denied: not this hr's case": L_("Refused: the case of a plan neither this person nor "
                                     "their HR team sent."),
    "denied: not this manager's case": L_("Refused: the case of a plan this manager did "
                                          "not draft."),
    "denied: not this records's case": L_("Refused: records staff do not work on cases."),
    "passed": L_("Every check passed."),
    "failed": L_("A check failed."),
    "by the link of an envelope.completed webhook": L_(
        "By the link an envelope.completed webhook carried."),
    "denied (403): this download link is not valid": L_(
        "Refused: the download link is not valid."),
}
# A refused request's reason, as the HR API words it (signing.web.api.operations).
_NO_KEY = "a valid API key is required: Authorization: Bearer <key>"
_WRONG_ROLE = re.compile(r"a (?P<role>[a-z]{1,20}) key may not do this")
_REQUEST = re.compile(r"denied \((?P<status>\d{3})\) (?P<method>[A-Z]{3,7}) (?P<path>/\S{0,1000}): "
                      r"(?P<reason>.{1,1000}?)(?: \[(?P<asked>[^\]\s]{1,200})\])?", re.DOTALL)
_EXPIRED_LINK = "denied (403): this download link has expired; "
# Why an archived document could not be read, by the archive's error (archive.errors):
# the end of "Could not be read: ...".
_READ_FAILURES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"blob [0-9a-f]{1,64} is corrupted: its content now hashes to [0-9a-f]{1,64}"),
     L_("the file no longer matches its SHA-256, so it was not served.")),
    (re.compile(r"no blob \S{1,64} in the archive"),
     L_("the file is missing from the archive's store, so nothing was served.")),
    (re.compile(r"a blob key is 64 lowercase hexadecimal characters \(a SHA-256\)"),
     L_("the file is missing from the archive's store, so nothing was served.")),
    (re.compile(r"the plan of envelope \S{1,64} has no case file yet: .{1,200}", re.DOTALL),
     L_("there was no case file yet: the plan's case had not closed.")),
    (re.compile(r"the record of envelope \S{1,64} has no document \S{1,200}"),
     L_("the record has no such document.")),
)
# Who a copy's links were withdrawn from, why (the person's words), and which check-in
# records' links with them (signing.records.cli's copy revoke).
_REVOKED = re.compile(r"(?:(?P<every>every signer)|signer (?P<signer>\S{1,80})): "
                      r"(?P<reason>.{1,2000}?)(?:; with the records of check-in\(s\) "
                      r"(?P<checkins>\d{1,4}(?:, \d{1,4}){0,200}))?", re.DOTALL)
# A plan sent from its draft (signing.domain.drafts).
_DRAFT = re.compile(r"draft (?P<id>[\w-]{1,40}): version (?P<version>\d{1,9})")
# A hold's reason, an export's file and day, a request's address and time: the
# person's words, or plansign's values, put into a sentence of the reader's language.
_REASONED = frozenset({"hold", "lift hold"})
_EXPORT = re.compile(r"to (?P<file>[^,]{1,255}), completed since (?P<day>\d{4}-\d{2}-\d{2})")
_MAILED = re.compile(r"(?P<address>[^:\s]{1,320}): (?P<count>\d{1,6}) record\(s\); "
                     r"asked (?P<at>\S{1,40})")
_LINK = re.compile(r"(?P<kind>[\w-]{1,40}) link issued (?P<at>[^;\s]{1,40})"
                   r"(?:; (?P<rest>.{1,400}))?", re.DOTALL)
_FAILED = re.compile(r"failed: (?P<error>.{1,1990})", re.DOTALL)
_REFUSED_LINK: dict[str, Any] = {
    "refused: no longer available": L_("Refused: the record is no longer there for them."),
    "refused: unreadable": L_("Refused: the file could not be read safely, so it was not "
                              "served."),
}
_PREFIXES = ("envelope ", "console ")


@dataclass(frozen=True)
class EntryWords:
    """One log entry as the page shows it, each part ready for the page: in the
    reader's language, with what plansign did not write in fixed words as it was
    written (marked English)."""

    who: str
    role: str | None
    what: Markup
    detail: Markup | None


def entry_words(entry: AccessEntry, zone: str) -> EntryWords:
    """``entry`` for a page whose times are in ``zone``."""
    return EntryWords(
        who=str(ACTOR_WORDS[entry.actor]) if entry.actor in ACTOR_WORDS else entry.actor,
        role=(str(ROLE_WORDS[entry.role]) if entry.role in ROLE_WORDS else entry.role)
        if entry.role else None,
        what=action_words(entry.action),
        detail=detail_words(entry.action, entry.detail, zone))


def action_words(code: str) -> Markup:
    """What the code says, in the reader's language when plansign knows it."""
    bare = code
    for prefix in _PREFIXES:
        if bare.startswith(prefix):
            bare = bare[len(prefix):]
    if bare in ACTION_WORDS:
        return escape(str(ACTION_WORDS[bare]))
    if bare.startswith("download "):
        document = _document(bare[len("download "):])
        if document is not None:
            return escape(gettext("Downloaded: %(document)s", document=document))
    return english(code)


def _document(name: str) -> str | None:
    if name in DOCUMENT_WORDS:
        return str(DOCUMENT_WORDS[name])
    checkin = CHECKIN_FILE.fullmatch(name)
    if checkin is not None:
        return str(gettext("Record of check-in %(meeting)s, version %(version)s",
                           meeting=checkin.group(1), version=checkin.group(2)))
    return None


def detail_words(code: str, detail: str | None, zone: str) -> Markup | None:
    """The detail, in the reader's language where plansign wrote it in words it knows."""
    if not detail:
        return None
    if detail in DETAIL_WORDS:
        return escape(str(DETAIL_WORDS[detail]))
    lang = language.current()
    shown = names_shown(lang)  # plansign's values in a sentence, isolated in Arabic
    if code in _REASONED:
        return _sentence(gettext("Reason: %(reason)s"), reason=their_words(detail))
    found = _EXPORT.fullmatch(detail) if code == "export" else None
    if found is not None:
        day = _day(found["day"])
        if day is not None:
            return escape(gettext(
                "To the file %(file)s, with the records completed since %(day)s.",
                file=shown(found["file"]), day=timefmt.long_date(day, lang)))
    found = _MAILED.fullmatch(detail) if code == "records.mailed" else None
    if found is not None:
        at = _moment(found["at"])
        if at is not None:
            count = int(found["count"])
            return escape(ngettext(
                "To %(address)s: the links to %(num)s record, asked for %(when)s.",
                "To %(address)s: the links to %(num)s records, asked for %(when)s.",
                count, address=shown(found["address"]), num=timefmt.number(count, lang),
                when=timefmt.local_time(at, zone, lang)))
    found = _LINK.fullmatch(detail) if code in ("records.download", "copy.download") else None
    if found is not None:
        at = _moment(found["at"])
        rest = found["rest"] or ""
        refused = next((str(words) for end, words in _REFUSED_LINK.items()
                        if rest.endswith(end)), None)
        if at is not None and (refused is not None or rest.startswith("record ") or not rest):
            made = gettext("By a link made %(when)s.",
                           when=timefmt.local_time(at, zone, lang))
            return escape(f"{made} {refused}" if refused else made)
    worded = (_revoked(detail, lang) if code == "copy.revoke" else
              _request(detail) if code == "request" else
              _draft(detail) if code == "draft send" else None)
    if worded is not None:
        return worded
    if detail.startswith(_EXPIRED_LINK):
        return escape(gettext("Refused: the download link had expired."))
    found = _FAILED.fullmatch(detail)
    if found is not None:
        reason = next((words for pattern, words in _READ_FAILURES
                       if pattern.fullmatch(found["error"])), None)
        if reason is not None:
            return escape(gettext("Could not be read: %(error)s", error=str(reason)))
        return _sentence(gettext("Could not be read: %(error)s"),
                         error=english(found["error"]))
    return english(detail)


def _sentence(msg: str, **parts: Markup) -> Markup:
    """A translated sentence (``msg``, its ``%(name)s`` left unfilled) with marked-up
    ``parts`` put in: the sentence escaped, the parts as they are."""
    return escape(msg) % parts


def _revoked(detail: str, lang: str) -> Markup | None:
    """Whose copy links were withdrawn, with which check-in records', and why."""
    found = _REVOKED.fullmatch(detail)
    if found is None:
        return None
    whose = (gettext("Every signer's links.") if found["every"] else
             gettext("The links of signer %(signer)s.", signer=names_shown(lang)(
                 found["signer"])))
    said = [escape(whose), _sentence(gettext("Reason: %(reason)s"),
                                     reason=their_words(found["reason"]))]
    if found["checkins"]:
        meetings = found["checkins"].split(", ")
        said.append(escape(ngettext(
            "With the links to the record of check-in %(meetings)s.",
            "With the links to the records of check-ins %(meetings)s.", len(meetings),
            meetings=list_text([timefmt.number(int(m), lang) for m in meetings], lang))))
    return Markup(" ").join(said)


def _request(detail: str) -> Markup | None:
    """A request the API refused for its key: what it asked (its method and address, as
    they were) and why, in words; the id it asked about, if not the plan's."""
    found = _REQUEST.fullmatch(detail)
    if found is None:
        return None
    request = Markup('<code dir="ltr">%s %s</code>') % (found["method"], found["path"])
    role = _WRONG_ROLE.fullmatch(found["reason"])
    if found["reason"] == _NO_KEY:
        said = _sentence(gettext("Refused: %(request)s came without a valid API key."),
                         request=request)
    elif role is not None:
        who = ROLE_WORDS.get(role["role"])
        said = _sentence(gettext("Refused: %(request)s is not for an API key of the role "
                                 "“%(role)s”."), request=request,
                         role=escape(str(who)) if who is not None else english(role["role"]))
    else:
        said = _sentence(gettext("Refused: %(request)s (%(reason)s)."), request=request,
                         reason=english(found["reason"]))
    if found["asked"]:
        said += Markup(" ") + _sentence(gettext("It asked about %(id)s."),
                                        id=Markup('<code dir="ltr">%s</code>') % found["asked"])
    return said


def _draft(detail: str) -> Markup | None:
    found = _DRAFT.fullmatch(detail)
    if found is None:
        return None
    return escape(gettext("From draft %(id)s, version %(version)s.", id=found["id"],
                          version=found["version"]))


def their_words(text: str) -> Markup:
    """What a person typed (a hold's reason, why a copy's links were withdrawn), shown as
    they wrote it: in whatever language and direction it is (``dir="auto"``, isolated
    from the sentence around it), claiming no language."""
    return Markup('<bdi class="their-words" dir="auto">%s</bdi>') % text


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def english(text: str) -> Markup:
    """Words plansign keeps in English (a log's code or detail it does not word, a
    delivery's error, a check's detail) on a page in another language: said to be
    English, for screen readers and for a right-to-left page's layout."""
    return Markup('<span lang="en" dir="ltr">%s</span>') % text

"""The employee's comment on a check-in record (the check-in page, the API), checked.

Pure: the text in, the comment to record out, or a :class:`~.model.CaseError` naming the
``comment`` field. Its refusals are what the employee reads, worded (``N_``) for the
signer's catalog (babel-signer.cfg), in the plan's language on the check-in page; the
API shows their English."""

from __future__ import annotations

import unicodedata

from signing.domain.cases.checkins import MAX_TEXT
from signing.domain.cases.model import CaseError
from signing.domain.errors import NN_, Wording
from signing.domain.wording import N_

MAX_COMMENT = MAX_TEXT


def checked_comment(text: str | None) -> str:
    """``text`` without control characters (line breaks kept) or the spaces around it."""
    comment = "".join(c for c in str(text or "").replace("\r\n", "\n")
                      if c == "\n" or unicodedata.category(c) != "Cc").strip()
    if not comment:
        raise CaseError(Wording(N_("write your comment before sending it")), "comment")
    if len(comment) > MAX_COMMENT:
        raise CaseError(Wording.counted(NN_(
            "a comment may be up to %(most)s characters; this one has %(count)s",
            "a comment may be up to %(most)s characters; this one has %(count)s"),
            len(comment), most=MAX_COMMENT), "comment")
    return comment

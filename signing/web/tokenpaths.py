"""The pages whose path carries a link's token, and taking the token out of text bound
for a log (tokens never reach a log line). Imports nothing, so the server's master
process can use it before any app is loaded."""

from __future__ import annotations

import re

#: ``/s/<token>`` signing, ``/copy/<token>`` one's copy of a record, ``/my-records/<token>``
#: the records page's links, ``/checkin/<token>`` a check-in record.
TOKEN_PAGES = ("s", "copy", "my-records", "checkin")

_PAGES = "|".join(map(re.escape, TOKEN_PAGES))
_PATH = re.compile(rf"^/({_PAGES})/[^/]+")
_IN_TEXT = re.compile(rf"(/(?:{_PAGES})/)[^\s/?\"']+|(token=)[^\s&\"']+")


def redacted_path(path: str) -> str:
    """A request path with a link's token replaced by ``[token]``."""
    return _PATH.sub(lambda m: f"/{m.group(1)}/[token]", path)


def redacted(text: str) -> str:
    """Free text (a server's log message) with every link token and ``token=`` query
    value replaced by ``[token]``."""
    return _IN_TEXT.sub(lambda m: (m.group(1) or m.group(2)) + "[token]", text)

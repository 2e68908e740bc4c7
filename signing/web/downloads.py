"""How a file plansign serves is named: the ``Content-Disposition`` header of every route
that sends one (the signer's pages, the records page's links, the console, the APIs).

A name in the reader's language may hold any letter ("plan-de-performance-signé.pdf",
"خطة-الأداء-موقعة.pdf") and, in the console, a person's name typed by HR. It is sent as
RFC 6266 says: ``filename*=UTF-8''...`` (RFC 8187: percent-encoded UTF-8), which every
current browser reads and prefers, after an ASCII ``filename="..."`` for any client that
does not (the English name, made ASCII). A name that is ASCII already (every English
name, and everything the APIs serve) is sent as ``filename="..."`` alone, as before.

Nothing in a name can add to the header: line breaks, control and format characters
(a right-to-left override that would show "fdp.exe" as "exe.pdf"), quotes, backslashes
and the characters systems refuse in a file name are left out, by the rule an email's
attachment names follow too (:mod:`signing.domain.filenames`), and ``filename*`` encodes
everything but the few characters RFC 8187 allows as they are (never ``;``, ``,``, a
quote or a space).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask_babel import gettext

from signing.domain import filenames

# The characters RFC 8187's attr-char allows unencoded, besides letters and digits.
_ATTR_CHARS = "!#$&+-.^_`|~"
# What a plain ASCII name is made of; anything else goes in filename*.
_PLAIN = re.compile(r"[A-Za-z0-9._-]+")
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9_-]+")
_HYPHENS = re.compile(r"-{2,}")


def content_disposition(name: str, *, fallback: str | None = None,
                        inline: bool = False) -> str:
    """The header's value for a file served under ``name`` (in the reader's language),
    ``fallback`` its ASCII name for clients that do not read ``filename*`` (the English
    name; made ASCII here, as ``name`` is when it is not given). ``inline`` for a file the
    browser shows (a PDF in its viewer), else an attachment it saves."""
    kind = "inline" if inline else "attachment"
    shown = filenames.clean_name(name)
    if _PLAIN.fullmatch(shown):
        return f'{kind}; filename="{shown}"'
    plain = _ascii(fallback if fallback is not None else shown, shown)
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(shown, safe=_ATTR_CHARS)}"


def _ascii(name: str, shown: str) -> str:
    """``name`` in ASCII letters, digits, hyphens and underscores (accents dropped:
    "signé" gives "signe"), with the extension of the name shown."""
    text = unicodedata.normalize("NFKD", filenames.clean_name(name))
    text = text.encode("ascii", "ignore").decode()
    stem = text.rpartition(".")[0] if "." in text else text
    stem = _HYPHENS.sub("-", _NOT_PLAIN.sub("-", stem)).strip("-")[:filenames.MAX_STEM]
    stem = stem.strip("-") or filenames.FALLBACK
    extension = _NOT_PLAIN.sub("", shown.rpartition(".")[2]) if "." in shown else ""
    return f"{stem}.{extension}" if extension else stem


def worded_disposition(msgid: str, extension: str, *, inline: bool = False,
                       **values: str) -> str:
    """The header for a file the console names by ``msgid`` (an English name, marked
    ``N_`` for the console's catalog, with ``%(name)s`` values: an envelope's id, a day,
    an employee's name) and ``extension``: in the reader's language, the English name as
    the ASCII fallback."""
    english = msgid % values if values else msgid
    shown = gettext(msgid, **values) if values else gettext(msgid)
    return content_disposition(f"{shown}.{extension}", fallback=f"{english}.{extension}",
                               inline=inline)

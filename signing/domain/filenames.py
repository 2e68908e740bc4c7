"""What a file plansign gives someone may be called: one rule for every name, an email's
attachment (:func:`signing.domain.mail.message.attachment_name`) and a download's
(:mod:`signing.web.downloads`, which encodes the name this rule leaves for the header).

A name may hold any letter ("plan-de-performance-signé.pdf", "خطة-الأداء-موقعة.pdf") and
words someone typed (an employee's name, in a draft's export). It keeps none of what
could mislead or break where it goes: control characters (a line break would end a mail
header or an HTTP one), format characters (a right-to-left override shows "fdp.exe" as
"exe.pdf"; zero-width joiners), line and paragraph separators, surrogates and unassigned
code points, and the characters some system refuses in a file name (``/ \\ : * ? " < >
|``). Spaces become hyphens; the name is bounded (:data:`MAX_STEM` characters before its
extension, :data:`MAX_EXTENSION` after); a name with nothing left is the fallback's.
Pure: no Flask, no gettext; the callers bring the words.
"""

from __future__ import annotations

import unicodedata

# Characters no file name should have, on any system the file is saved to.
REFUSED = frozenset('/\\:*?"<>|')
# Unicode categories left out of a name: controls, format characters (bidi overrides,
# zero-width joiners), line and paragraph separators, surrogates, unassigned.
LEFT_OUT = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})
MAX_STEM = 150  # characters of a name before its extension
MAX_EXTENSION = 16
FALLBACK = "download"  # when neither a name nor its fallback leaves anything


def _kept(text: str) -> str:
    """``text`` without what a name leaves out, its spaces hyphens."""
    text = unicodedata.normalize("NFC", text)
    return "-".join("".join(c for c in text if c not in REFUSED
                            and unicodedata.category(c) not in LEFT_OUT).split())


def clean_stem(stem: str) -> str:
    """``stem`` (a name without its extension) as a file name may hold it; possibly
    empty."""
    return _kept(stem).strip(".-")[:MAX_STEM].strip(".-")


def _extension(extension: str) -> str:
    return clean_stem(extension)[:MAX_EXTENSION]


def file_name(stem: str, extension: str, *, fallback: str = FALLBACK) -> str:
    """The name ``stem`` + ``.extension`` under the rule; ``fallback`` (a stem: the
    English name) when ``stem`` leaves nothing, "download" when that does not either."""
    kept = clean_stem(stem) or clean_stem(fallback) or FALLBACK
    ext = _extension(extension)
    return f"{kept}.{ext}" if ext else kept


def clean_name(name: str, *, fallback: str = FALLBACK) -> str:
    """A whole name ("Zoë O'Brien.yaml") under the rule: its extension is what follows
    its last full stop (once what is left out is left out)."""
    text = _kept(name)
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    return file_name(stem, extension, fallback=fallback)

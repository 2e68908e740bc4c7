"""Comparing people's names as people write them: a typed signature against the name on
record, a witness against the people who may not witness. Pure."""

from __future__ import annotations

import unicodedata

# What may sit between the parts of a name without making it another name.
_SEPARATORS = frozenset(" \t-‐‑‒–—'’ʼ`´.·,")


def comparable(name: str) -> str:
    """``name`` without case, accents, or spaces and punctuation between its words:
    "Léa  Brändli", "lea brandli" and "LEA-BRANDLI" all give "leabrandli"."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = (c for c in decomposed
               if not unicodedata.combining(c) and c not in _SEPARATORS
               and not unicodedata.category(c).startswith("Z"))
    return "".join(letters).casefold()


def same_name(a: str, b: str) -> bool:
    """Whether two names are the same name, as :func:`comparable` sees them."""
    return comparable(a) == comparable(b)


def searchable(name: str) -> str:
    """``name`` as the console's search finds it: without case or accents, its words
    separated by one space ("Léa  Brändli-Roy" gives "lea brandli roy"), so that a search
    for "brandli" or "lea b" finds it however either was typed."""
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(" " if c in _SEPARATORS or unicodedata.category(c).startswith("Z") else c
                   for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.casefold().split())

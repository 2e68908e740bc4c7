"""The fast hex string reader gives what pyHanko's own gives, and leaves the stream where
pyHanko's would, for plain, spaced, odd, commented, broken and truncated strings."""

from __future__ import annotations

from io import BytesIO

import pytest
from pyhanko.pdf_utils.misc import PdfStreamError

from docgen.seal import _hexstrings

CASES = [
    b"<48656c6c6f> rest",
    b"<48 65\n6C\r6c\t6f\x00\x0c> rest",
    b"<486> rest",  # odd: a 0 is added
    b"<> rest",
    b"<" + b"30" * 40_000 + b"00" * 100_000 + b">/Type",  # a signature's padded contents
    b"<4865 % a comment >\n6c> rest",  # pyHanko skips comments: left to it
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_the_same_string_and_position_as_pyhanko(data: bytes) -> None:
    ours, theirs = BytesIO(b"xx" + data), BytesIO(b"xx" + data)
    ours.seek(2)
    theirs.seek(2)
    assert _hexstrings.read_hex_string_from_stream(ours) == \
        _hexstrings._ORIGINAL(theirs)
    assert ours.tell() == theirs.tell()


@pytest.mark.parametrize("data", [b"<48zz>", b"<4865", b"<"])
def test_broken_strings_fail_as_in_pyhanko(data: bytes) -> None:
    with pytest.raises(PdfStreamError):
        _hexstrings._ORIGINAL(BytesIO(data))
    with pytest.raises(PdfStreamError):
        _hexstrings.read_hex_string_from_stream(BytesIO(data))


def test_it_is_what_pyhanko_reads_with() -> None:
    from pyhanko.pdf_utils import generic

    import docgen.seal  # noqa: F401  # installs it

    assert generic.read_hex_string_from_stream is _hexstrings.read_hex_string_from_stream

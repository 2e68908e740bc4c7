"""A faster reader of PDF hex strings for pyHanko, installed when the seal package loads.

pyHanko reads a hex string (``<48656c6c6f>``) one byte at a time through Python calls. A
signature's /Contents is one: the CMS signature hex-encoded, padded with zeros to the
size reserved for it, tens of kilobytes, in every seal and timestamp of a record. Reading
them was a third of the time `plansign archive refresh-timestamps` spent on a record and
weighs on `verify` too (bench/README.md, issue 19). This reads up to the closing ``>`` in
one slice and decodes it with binascii; anything but hex digits and PDF whitespace in
between (a comment, a stray byte, the end of the file) goes to pyHanko's own reader from
the same place, so errors and odd cases behave exactly as before.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from pyhanko.pdf_utils import generic

_ORIGINAL = generic.read_hex_string_from_stream
_PDF_WHITESPACE = b" \n\r\t\f\x00"  # pyhanko.pdf_utils.misc.PDF_WHITESPACE
_HEX_BODY = re.compile(rb"[0-9A-Fa-f \n\r\t\f\x00]*")
_CHUNK = 64 * 1024


def read_hex_string_from_stream(stream: Any) -> Any:
    start = stream.tell()
    stream.read(1)  # the opening "<"
    parts = []
    while True:
        chunk = stream.read(_CHUNK)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            break
        if not chunk:
            break  # truncated: pyHanko's reader says so
        parts.append(chunk)
    body = b"".join(parts)
    if end < 0 or not _HEX_BODY.fullmatch(body):
        stream.seek(start)
        return _ORIGINAL(stream)
    stream.seek(start + 1 + len(body) + 1)
    digits = body.translate(None, _PDF_WHITESPACE)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    """pyHanko's parser looks the reader up in its module each time: replace it there."""
    generic.read_hex_string_from_stream = read_hex_string_from_stream

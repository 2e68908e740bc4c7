"""A download's name as a browser reads it from ``Content-Disposition`` (RFC 6266): the
header split into its parameters the way the RFC's grammar splits them (a quoted string
may hold ``;``), ``filename*`` (RFC 8187: ``charset'language'percent-encoded``) chosen
over ``filename`` when both are there, as browsers do. Written from the RFCs, not from
plansign's code, so that a header plansign gets wrong reads wrong here too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_PARAMETER = re.compile(rf"\s*;\s*({_TOKEN})\s*=\s*({_TOKEN}|{_QUOTED})\s*")
_EXT_VALUE = re.compile(r"([A-Za-z0-9!#$&+\-^_`{}~]+)'([A-Za-z0-9-]*)'((?:%[0-9A-Fa-f]{2}|"
                        r"[A-Za-z0-9!#$&+\-.^_`|~])*)")


@dataclass(frozen=True)
class Disposition:
    kind: str  # inline or attachment
    parameters: dict[str, str]  # as sent (names in lower case), quoted strings unquoted

    @property
    def name(self) -> str:
        """The name a browser saves the file under: filename*'s, else filename's."""
        extended = self.parameters.get("filename*")
        if extended is not None:
            found = _EXT_VALUE.fullmatch(extended)
            assert found, f"filename* is not an RFC 8187 ext-value: {extended!r}"
            assert found.group(1).upper() == "UTF-8", extended
            return unquote(found.group(3), encoding="utf-8", errors="strict")
        return self.parameters["filename"]

    @property
    def fallback(self) -> str:
        """The plain ``filename``, for clients that do not read filename*."""
        return self.parameters["filename"]


def disposition(header: str) -> Disposition:
    """``header`` parsed; AssertionError if it does not follow RFC 6266's grammar (a
    parameter twice, text left over, a line break)."""
    assert "\r" not in header and "\n" not in header, repr(header)
    kind = re.match(_TOKEN, header)
    assert kind, repr(header)
    parameters: dict[str, str] = {}
    at = kind.end()
    while at < len(header):
        found = _PARAMETER.match(header, at)
        assert found, f"not a parameter at {header[at:]!r} in {header!r}"
        name, value = found.group(1).lower(), found.group(2)
        assert name not in parameters, f"{name} twice in {header!r}"
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        parameters[name] = value
        at = found.end()
    return Disposition(kind.group(0).lower(), parameters)


def downloaded_name(response) -> str:
    """The name a browser saves ``response``'s file under."""
    return disposition(response.headers["Content-Disposition"]).name

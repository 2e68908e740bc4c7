"""Babel's extraction of the settings table: each setting's ``help`` line is a message of
the console's catalog (babel.cfg, ``[extractors] settings_help``), so the admin's
Settings page shows it in the admin's language. The table itself, the CLI and README
stay English."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

_SECTION = re.compile(r"^\[([A-Za-z0-9_]+)\]\s*$")


def help_lines(fileobj: IO[bytes], keywords: Mapping[str, Any],
               comment_tags: Collection[str],
               options: Mapping[str, Any]) -> Iterator[tuple[int, None, str, list[str]]]:
    """Each setting's help as (line, function, message, comments), the line being its
    ``[name]`` header's; the comment names the setting for the translator."""
    text = fileobj.read().decode("utf-8")
    table = tomllib.loads(text)
    lines = {m.group(1): number for number, line in enumerate(text.splitlines(), 1)
             if (m := _SECTION.match(line))}
    for name, spec in table.items():
        if isinstance(spec, dict) and isinstance(spec.get("help"), str):
            yield lines.get(name, 0), None, spec["help"], [f"setting {name}"]

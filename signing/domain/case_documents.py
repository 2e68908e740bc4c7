"""How the documents a case adds to a plan are made and sent: the outcome letter
(:mod:`signing.domain.case_close`) and the amended plan of an extension
(:mod:`signing.domain.case_extension`), each as the plan itself was. The settings they
share are read here, once: the converter, the link's life, the company's name and logo,
and the hour a working day's deadline ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from docgen.generate import PdfConverter
from docgen.logo import Logo
from docgen.render import BUILTIN_TEMPLATES
from signing.domain.working_day import DEFAULT_DAY_ENDS, parse_day_end


@dataclass(frozen=True)
class CaseDocumentOptions:
    """What a case's document is made with and sent under."""

    converter: PdfConverter
    expires_in: dt.timedelta
    company_name: str | None = None
    templates_dir: Path = BUILTIN_TEMPLATES
    logo: Logo | None = None  # in the document's header, as on the plan
    day_ends: dt.time = DEFAULT_DAY_ENDS  # deadline_time: the deadline ends a working day

    @classmethod
    def of(cls, settings: Mapping[str, Any], converter: PdfConverter,
           logo: Logo | None = None) -> Self:
        """As the plan itself was sent: the same link life, company name and logo, and a
        deadline at the end of a working day (and what a kind of document adds:
        :meth:`own_settings`)."""
        return cls(converter=converter,
                   expires_in=dt.timedelta(days=settings["link_max_age_days"]),
                   company_name=settings["company_name"], logo=logo,
                   day_ends=parse_day_end(str(settings["deadline_time"])),
                   **cls.own_settings(settings))

    @classmethod
    def own_settings(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        """The settings a kind of document reads besides the shared ones (none here)."""
        return {}

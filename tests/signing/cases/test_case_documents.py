"""The settings a case's documents are made and sent with are read in one place: the
outcome letter and the amended plan get the same link life, company name, logo and
working day's end, and the extension its longest length besides."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from docgen.logo import logo_from_bytes
from signing.domain.case_close import LetterOptions
from signing.domain.case_extension import ExtensionOptions

SETTINGS = {"link_max_age_days": 9, "company_name": "Harbor & Finch Analytics, Inc.",
            "deadline_time": "17:30", "case_max_extension_days": 21}


def test_the_letter_and_the_amended_plan_are_sent_as_the_plan_was():
    image = io.BytesIO()
    Image.new("RGB", (60, 20), (31, 56, 100)).save(image, "PNG")
    logo = logo_from_bytes(image.getvalue(), "logo.png")
    converter = object()
    letter = LetterOptions.of(SETTINGS, converter, logo)  # type: ignore[arg-type]
    extension = ExtensionOptions.of(SETTINGS, converter, logo)  # type: ignore[arg-type]
    for options in (letter, extension):
        assert (options.converter, options.expires_in, options.company_name, options.logo,
                options.day_ends) == (converter, dt.timedelta(days=9),
                                      "Harbor & Finch Analytics, Inc.", logo, dt.time(17, 30))
    assert extension.max_days == 21 and not hasattr(letter, "max_days")
    assert LetterOptions.of(SETTINGS, converter).logo is None  # type: ignore[arg-type]

"""A person's language and time zone in the console: the form that the person's own
settings (their account page) and an administrator's page of the person share, and the
words of its errors.

The domain checks the values (:func:`signing.domain.people.set_preferences`, which
raises :class:`~signing.domain.people.PersonError` naming the field); the page says what
to correct in the reader's language, by that field, rather than showing the domain's
English sentence."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from docgen.languages import SUPPORTED
from signing.domain import people
from signing.domain.models import PersonRow
from signing.domain.people import PersonError
from signing.web.console import signedin

FIELDS = ("language", "time_zone")
# Each language by its own name, as its readers look for it in a list.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch",
                  "ar": "العربية"}
assert set(LANGUAGE_NAMES) == set(SUPPORTED)


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The IANA zones a person may choose from (the form's suggestions), by name."""
    places = sorted(z for z in zoneinfo.available_timezones()
                    if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return (*places, "UTC")


def read(form: Mapping[str, str]) -> dict[str, str]:
    return {name: form.get(name, "").strip() for name in FIELDS}


def of(person: people.Person) -> dict[str, str]:
    return {"language": person.language or "", "time_zone": person.time_zone or ""}


def save(session: Session, row: PersonRow, values: Mapping[str, str]) -> list[str]:
    """Set them (empty: not chosen); returns the changes, in words, for the access log."""
    return people.set_preferences(session, row, language=values.get("language") or None,
                                  time_zone=values.get("time_zone") or None)


def error_text(exc: PersonError) -> str:
    """What to correct, in the reader's language."""
    if exc.field == "language":
        return str(_("Choose one of the languages in the list."))
    if exc.field == "time_zone":
        return str(_("Give the time zone by its name, such as Europe/Paris or America/Chicago."))
    return signedin.problem_text(exc)


def error_field(exc: PersonError) -> str:
    return exc.field if exc.field in FIELDS else "language"

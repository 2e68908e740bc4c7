"""The company's name and look, built once from the settings and checked at start.

One frozen :class:`Branding` holds what the documents, pages and emails show of the
employer: its legal name, logo, primary colour, the emails' sender name and reply-to
address, and the HR contact employees are given. Nothing configured is a neutral look:
no logo, plansign's navy, and "your employer" where a sentence needs a company (never an
invented name such as "Your Company").

Per team: the HR contact only (``hr_contacts_by_team``, a list of tables keyed by the HR
team's name, as retention_rules are by department): each HR team is its own employees'
contact, and a plan is sent by one team (its envelope's ``team``). The legal name, logo,
colour and sender stay the company's: HR teams are free-text labels on keys, people and
envelopes within one company, not legal entities; a subsidiary with its own name and
look is a deployment of its own (its own settings), not a team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.doclang import end_sentence
from docgen.logo import MAX_LOGO_BYTES, Logo, LogoError, logo_from_bytes
from docgen.model import address_problem

NEUTRAL_COLOUR = "#1f3864"  # plansign's navy: 11.6:1 on white
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.x AA for body text
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_PHONE = re.compile(r"\+?[0-9 ().\-]{3,30}(\s*(ext\.?|x)\s*[0-9]{1,6})?", re.I)
MAX_NAME = 200


class BrandingError(ValueError):
    """A branding setting plansign cannot use; ``name`` is the setting."""

    def __init__(self, message: str, name: str) -> None:
        self.name = name
        super().__init__(message)


@dataclass(frozen=True)
class HrContact:
    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class Branding:
    legal_name: str  # "" when none is configured
    logo: Logo | None
    # #rrggbb, lower case, for text and buttons on white: the configured colour, or the
    # nearest darker shade of it that contrasts 4.5:1 with white; plansign's navy when
    # none is configured.
    primary_colour: str
    sender_name: str  # the From header's display name
    reply_to: str | None
    hr_contact: HrContact | None  # None: each plan's HR signer is the contact
    # The colour as configured, for accents that carry no text (a rule under the
    # header), where a light brand colour may stay as it is.
    accent_colour: str = NEUTRAL_COLOUR
    # Each HR team's own contact (hr_contacts_by_team), by team name.
    team_contacts: tuple[tuple[str, HrContact], ...] = ()

    def contact_for(self, team: str | None) -> HrContact | None:
        """The HR contact of a plan sent by ``team``: that team's, else the company's
        (None: the plan's HR signer)."""
        if team:
            for name, contact in self.team_contacts:
                if name == team:
                    return contact
        return self.hr_contact

    @property
    def configured_colour(self) -> bool:
        return self.primary_colour != NEUTRAL_COLOUR

    def name_in_sentence(self) -> str:
        """The legal name ending a sentence: "Harbor & Finch Analytics, Inc." keeps its
        one full stop."""
        return end_sentence(self.legal_name) if self.legal_name else ""


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, background: str) -> float:
    """WCAG 2.x contrast ratio of two ``#rrggbb`` colours."""
    light, dark = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_with_white(colour: str) -> float:
    """WCAG 2.x contrast ratio of ``#rrggbb`` against white."""
    return contrast(colour, "#ffffff")


def branding_from_settings(settings: Any) -> Branding:
    """The branding the settings describe, or :class:`BrandingError` naming the setting
    that is wrong. Reads the logo file once."""
    legal_name = _name(settings.company_name, "company_name")
    accent = _colour(settings.company_primary_colour)
    return Branding(
        legal_name=legal_name,
        logo=_logo(settings.company_logo_path),
        primary_colour=readable_shade(accent),
        accent_colour=accent,
        sender_name=_name(settings.mail_from_name, "mail_from_name") or legal_name
        or "plansign",
        reply_to=_address(settings.mail_reply_to, "mail_reply_to") or None,
        hr_contact=_contact(settings),
        team_contacts=_team_contacts(settings.hr_contacts_by_team),
    )


def _name(value: str, setting: str) -> str:
    text = " ".join(value.split())
    if any(ord(c) < 32 for c in value.replace("\n", " ").replace("\t", " ")):
        raise BrandingError(f"{setting}: contains a control character; remove it", setting)
    if len(text) > MAX_NAME:
        raise BrandingError(f"{setting}: is {len(text)} characters; at most {MAX_NAME}",
                            setting)
    return text


def _logo(path_text: str) -> Logo | None:
    if not path_text.strip():
        return None
    path = Path(path_text).expanduser()
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise BrandingError(f"company_logo_path: {path} is not a file",
                                "company_logo_path")
        if size > MAX_LOGO_BYTES:
            raise BrandingError(f"company_logo_path: {path} is {size:,} bytes; a logo may "
                                f"be at most {MAX_LOGO_BYTES:,} bytes", "company_logo_path")
        data = path.read_bytes()
    except FileNotFoundError:
        raise BrandingError(f"company_logo_path: {path} does not exist",
                            "company_logo_path") from None
    except OSError as exc:
        raise BrandingError(f"company_logo_path: {path} cannot be read ({exc.strerror})",
                            "company_logo_path") from None
    try:
        return logo_from_bytes(data, path.name)
    except LogoError as exc:
        raise BrandingError(f"company_logo_path: {exc}", "company_logo_path") from None


def _colour(value: str) -> str:
    text = value.strip()
    if not text:
        return NEUTRAL_COLOUR
    if not _COLOUR.fullmatch(text):
        raise BrandingError(f"company_primary_colour: {text!r} is not a colour written "
                            "#rrggbb, such as #1f3864", "company_primary_colour")
    return text.lower()


def readable_shade(colour: str, background: str = "#ffffff") -> str:
    """``colour`` if text in it reads on ``background`` (4.5:1, WCAG AA), else the
    lightest darker shade of it (the same hue, mixed with black) that does: a light
    brand colour (#ffcc00) still colours headings and buttons, never below AA."""
    if contrast(colour, background) >= MIN_TEXT_CONTRAST:
        return colour
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    for step in range(1, 101):
        keep = 1 - step / 100
        shade = "#" + "".join(f"{round(c * keep):02x}" for c in (r, g, b))
        if contrast(shade, background) >= MIN_TEXT_CONTRAST:
            return shade
    return "#000000"  # a background this dark takes no dark text at all


def _address(value: str, setting: str) -> str:
    text = value.strip()
    if not text:
        return ""
    problem = address_problem(text)
    if problem:
        raise BrandingError(f"{setting}: {problem}", setting)
    return text


def _contact(settings: Any) -> HrContact | None:
    return _checked_contact(settings.hr_contact_name, settings.hr_contact_email,
                            settings.hr_contact_phone, "hr_contact_name",
                            "hr_contact_email", "hr_contact_phone")


def _checked_contact(name_text: str, email_text: str, phone_text: str, name_field: str,
                     email_field: str, phone_field: str) -> HrContact | None:
    name = _name(name_text, name_field)
    email = _address(email_text, email_field)
    phone = " ".join(phone_text.split())
    if phone and not _PHONE.fullmatch(phone):
        raise BrandingError(f"{phone_field}: {phone!r} is not a telephone number "
                            "(digits, spaces, + - . ( ) and an extension)", phone_field)
    if not (name or email or phone):
        return None
    if not name or not email:
        missing = name_field if not name else email_field
        raise BrandingError(f"{missing}: the HR contact needs a name and an email address "
                            "(the phone is optional)", missing)
    return HrContact(name, email, phone)


_TEAM_CONTACT_KEYS = frozenset({"team", "name", "email", "phone"})


def _team_contacts(rules: Any) -> tuple[tuple[str, HrContact], ...]:
    """``hr_contacts_by_team``: a list of tables {team, name, email, phone}, each
    checked as the company's contact is; a team named twice is refused."""
    setting = "hr_contacts_by_team"
    if not isinstance(rules, list):
        raise BrandingError(f"{setting}: must be a list of tables "
                            "{team, name, email, phone}", setting)
    contacts: dict[str, HrContact] = {}
    for index, rule in enumerate(rules):
        where = f"{setting}[{index}]"
        if not isinstance(rule, dict):
            raise BrandingError(f"{where}: must be a table {{team, name, email, phone}}",
                                setting)
        unknown = sorted(set(rule) - _TEAM_CONTACT_KEYS)
        if unknown:
            raise BrandingError(f"{where}.{unknown[0]}: not a field; use team, name, email "
                                "and phone", setting)
        if not all(isinstance(rule.get(k, ""), str) for k in _TEAM_CONTACT_KEYS):
            raise BrandingError(f"{where}: each field is text", setting)
        team = " ".join(rule.get("team", "").split())
        if not team:
            raise BrandingError(f"{where}.team: name the HR team", setting)
        if team in contacts:
            raise BrandingError(f"{where}.team: {team!r} is named twice", setting)
        try:
            contact = _checked_contact(rule.get("name", ""), rule.get("email", ""),
                                       rule.get("phone", ""), f"{where}.name",
                                       f"{where}.email", f"{where}.phone")
        except BrandingError as exc:
            raise BrandingError(str(exc), setting) from None
        if contact is None:
            raise BrandingError(f"{where}: the HR contact needs a name and an email "
                                "address", setting)
        contacts[team] = contact
    return tuple(contacts.items())

"""Single sign-on by OpenID Connect: which provider, and how the claims it vouches for
become a console person with a role.

The handshake itself (discovery, state, nonce, PKCE, the token exchange and the ID
token's signature) is Authlib's, at the web edge (:mod:`signing.web.console.sso`). This
module is what plansign decides: a person is the provider's issuer and subject (an
email address, which a provider may let people change or not verify, only links an
account an admin made for single sign-on, once, to its first subject); their role and
team come from one claim through the mapping in ``console_oidc_roles``, on every sign-in,
so that a change at the provider is a change here; someone new is created only if the
settings say so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signing.domain import people
from signing.domain.access import Role, team_name
from signing.domain.errors import SigningError
from signing.domain.models import PersonRow
from signing.domain.people import Person, PersonError

CALLBACK_PATH = "/console/signin/oidc/callback"
_NOT_USERNAME = re.compile(r"[^a-z0-9._-]+")


class OidcSettingsError(SigningError):
    """The single sign-on settings cannot be used as they are; names the setting."""

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


class Refusal(StrEnum):
    """Why someone the provider vouched for may not sign in (each has its own page)."""

    NO_EMAIL = "no email"  # the provider released no email address
    NO_ROLE = "no role"  # none of their role claim's values is mapped
    UNKNOWN = "unknown"  # not linked yet, and people are not created on first sign-in
    DISABLED = "disabled"
    BAD_CLAIMS = "bad claims"  # e.g. a name or address plansign cannot take


class SignInRefused(SigningError):
    def __init__(self, refusal: Refusal, detail: str, person: Person | None = None) -> None:
        super().__init__(detail)
        self.refusal, self.person = refusal, person


@dataclass(frozen=True)
class RoleRule:
    """One entry of ``console_oidc_roles``: a claim value, and the role (and HR team) it
    gives."""

    value: str
    role: Role
    team: str | None = None


def parse_role_rules(text: str) -> tuple[RoleRule, ...]:
    """``'hr-emea=hr/EMEA; line-managers=manager'`` as rules, in order."""
    rules = []
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        value, equals, target = (part.strip() for part in entry.partition("="))
        role_text, _, team = (part.strip() for part in target.partition("/"))
        if not equals or not value or not role_text:
            raise OidcSettingsError(f"{entry!r} is not 'value=role' or 'value=role/team'",
                                    "console_oidc_roles")
        try:
            role = Role(role_text)
        except ValueError:
            raise OidcSettingsError(f"{role_text!r} in {entry!r} is not a role; the roles "
                                    f"are {', '.join(r.value for r in Role)}",
                                    "console_oidc_roles") from None
        if team and role not in (Role.HR, Role.MANAGER):
            raise OidcSettingsError(f"{entry!r}: only hr and manager have a team",
                                    "console_oidc_roles")
        rules.append(RoleRule(value, role, team_name(team)))
    return tuple(rules)


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    provider_name: str
    client_id: str
    client_secret: str
    scopes: str
    role_claim: str
    roles: tuple[RoleRule, ...]
    create_people: bool

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @classmethod
    def of(cls, settings: Any) -> OidcSettings | None:
        """From plansign's settings; None when single sign-on is off (no issuer)."""
        issuer = (settings.console_oidc_issuer or "").strip()
        if not issuer:
            return None
        if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise OidcSettingsError("the issuer must be an https:// URL",
                                    "console_oidc_issuer")
        if not settings.console_oidc_client_id:
            raise OidcSettingsError("a client id is needed with an issuer",
                                    "console_oidc_client_id")
        if "openid" not in settings.console_oidc_scopes.split():
            raise OidcSettingsError("the scopes must include openid", "console_oidc_scopes")
        roles = parse_role_rules(settings.console_oidc_roles)
        if not roles:
            raise OidcSettingsError("map at least one value of the role claim to a role, "
                                    "e.g. 'plansign-hr=hr'", "console_oidc_roles")
        return cls(issuer=issuer, provider_name=settings.console_oidc_provider_name.strip()
                   or "single sign-on", client_id=settings.console_oidc_client_id,
                   client_secret=settings.console_oidc_client_secret or "",
                   scopes=settings.console_oidc_scopes, role_claim=settings.console_oidc_role_claim,
                   roles=roles, create_people=bool(settings.console_oidc_create_people))


# -- claims to a person -------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What the provider vouches for, in plansign's terms."""

    issuer: str
    subject: str
    display_name: str
    email: str
    role: Role
    team: str | None
    usernames: tuple[str, ...]  # to try, in order, for someone new
    email_verified: bool | None = None  # the claim, if the provider sends it
    # The ``locale`` claim's language, if plansign speaks it: the person's language
    # until they choose one themselves.
    language: str | None = None


def claim_values(claims: Mapping[str, Any], name: str) -> list[str]:
    """A claim as a list of strings: providers send groups as a list, roles as one
    string or a list."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def role_of(values: list[str], rules: tuple[RoleRule, ...]) -> RoleRule | None:
    """The first rule (in the setting's order) one of ``values`` matches."""
    given = set(values)
    return next((rule for rule in rules if rule.value in given), None)


def profile_of(claims: Mapping[str, Any], settings: OidcSettings) -> Profile:
    """The person the validated ID token's ``claims`` describe; :class:`SignInRefused`
    if plansign cannot take them."""
    subject = str(claims.get("sub") or "")
    issuer = str(claims.get("iss") or settings.issuer)
    email = str(claims.get("email") or "").strip()
    if not email:
        raise SignInRefused(Refusal.NO_EMAIL, f"no email claim for subject {subject!r}")
    rule = role_of(claim_values(claims, settings.role_claim), settings.roles)
    if rule is None:
        raise SignInRefused(Refusal.NO_ROLE, f"{settings.role_claim} "
                            f"{claim_values(claims, settings.role_claim)!r} maps to no role")
    given = " ".join(str(claims.get(k) or "") for k in ("given_name", "family_name")).strip()
    display_name = str(claims.get("name") or "").strip() or given or email.split("@")[0]
    verified = claims.get("email_verified")
    return Profile(issuer, subject, display_name, email, rule.role, rule.team,
                   tuple(_usernames(claims, email)),
                   verified if isinstance(verified, bool) else None,
                   people.language_of_locale(claims.get("locale")))


def _usernames(claims: Mapping[str, Any], email: str) -> Iterator[str]:
    for source in (claims.get("preferred_username"), email.split("@")[0]):
        name = _NOT_USERNAME.sub("-", str(source or "").lower()).strip("-._")[:60]
        if people.USERNAME.fullmatch(name):
            yield name


@dataclass(frozen=True)
class SignedOn:
    person: Person
    created: bool
    changes: list[str]  # what the provider's claims changed, for the access log


def link_person(session: Session, profile: Profile, *, create: bool,
                now: dt.datetime) -> SignedOn:
    """The person ``profile`` is (found by issuer and subject), brought up to date with
    it, or created if ``create``. :class:`SignInRefused` for a disabled person, or an
    unknown one when people are not created."""
    row = people.find_by_subject(session, profile.issuer, profile.subject)
    linked = []
    if row is None:
        row = _made_for_single_sign_on(session, profile)
        if row is not None:
            row.oidc_issuer, row.oidc_subject = profile.issuer, profile.subject
            linked = [f"linked to subject {profile.subject!r}"]
    try:
        if row is None:
            if not create:
                raise SignInRefused(Refusal.UNKNOWN, f"{profile.issuer} subject "
                                    f"{profile.subject!r} is linked to no one")
            person = people.create_person(
                session, username=_free_username(session, profile),
                display_name=profile.display_name, email=profile.email, role=profile.role,
                team=profile.team, password_hash=None, now=now,
                created_by=f"oidc:{profile.issuer}", oidc_issuer=profile.issuer,
                oidc_subject=profile.subject, language=profile.language)
            return SignedOn(person, True, [])
        if row.disabled_at is not None:
            raise SignInRefused(Refusal.DISABLED, "disabled", Person.of(row))
        changes = people.update_details(session, row, display_name=profile.display_name,
                                        email=profile.email, role=profile.role,
                                        team=profile.team)
        if row.language is None and profile.language is not None:
            row.language = profile.language  # a choice of their own is never overridden
            changes.append(f"language None -> {profile.language!r} (the locale claim)")
    except PersonError as exc:
        raise SignInRefused(Refusal.BAD_CLAIMS, f"{exc.field}: {exc}") from None
    row.failed_attempts, row.locked_until = 0, None
    return SignedOn(Person.of(row), False, linked + changes)


def _made_for_single_sign_on(session: Session, profile: Profile) -> PersonRow | None:
    """The person an admin made ahead for single sign-on (``plansign users create
    --single-sign-on``: no password, not yet linked) with the profile's email address, if
    exactly one. Never someone with a password, nor on an address the provider says it
    has not verified: an email address is a claim a provider may let people choose, so
    it links only an account made to be linked, once."""
    if profile.email_verified is False:
        return None
    rows = list(session.scalars(select(PersonRow).where(
        PersonRow.oidc_subject.is_(None), PersonRow.password_hash.is_(None),
        func.lower(PersonRow.email) == profile.email.lower()).limit(2)))
    return rows[0] if len(rows) == 1 else None


def _free_username(session: Session, profile: Profile) -> str:
    """The first of the profile's usernames not taken, numbered if all are."""
    bases = profile.usernames or ("person",)
    taken = set(session.scalars(select(PersonRow.username).where(
        PersonRow.username.like(bases[0] + "%") | PersonRow.username.in_(bases))))
    for name in bases:
        if name not in taken:
            return name
    number = 2
    while f"{bases[0]}-{number}" in taken:
        number += 1
    return f"{bases[0]}-{number}"

"""A person's own records, without an account: the records page (``/my-records``), where
anyone enters their email address and, if a signer has it, is mailed a short-lived link
to each of their records; and the links themselves: ``/my-records/<token>`` (from that
email) and ``/copy/<token>`` (from the "your copy" email, as long as the record is kept).

The page answers the same whether or not the address is known, and does the same work:
it writes the request for the worker and a line in the access log, and nothing else; the
worker looks the address up and, for a signer's, queues and sends the email. So the
answer's time says nothing of the address, and waits on no mail provider. Rate limits
(signing.web.ratelimit) count requests per client address and per email address. Views
translate HTTP; signing.domain.own_records decides.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import gettext as _

from signing.domain import own_records
from signing.domain.links import LinkError, LinkExpired, Purpose
from signing.domain.mail.compose import catalog
from signing.domain.own_records import InvalidAddress
from signing.web import csrftoken, current, language, webdb
from signing.web.downloads import content_disposition

bp = Blueprint("own_records", __name__)
ADDRESS_FIELD = "email"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.before_request
def _signer_words() -> None:
    """The records page is a signer's page: the employee's catalog, in the language of
    their last plan's page in this browser, else the browser's."""
    language.use_signer_words()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _page(status: int = 200, **context: object) -> Response:
    return Response(render_template("my_records.html", csrf_token=csrftoken.csrf_token,
                                    **{"error": None, "typed": "", "sent": False,
                                       **context}), status)


@bp.get("/my-records")
def request_page() -> Response:
    return _page()


@bp.post("/my-records")
def request_records() -> Response:
    typed = request.form.get(ADDRESS_FIELD, "")
    try:
        address = own_records.checked_address(typed)
    except InvalidAddress as exc:
        return _page(422, error=_error_text(exc), typed=typed[:own_records.MAX_ADDRESS])
    settings = current.services().settings
    with webdb.transaction() as db:
        own_records.request_records(db, address, ip=request.remote_addr, now=_now(),
                                    pepper=current.services().records_pepper)
    # The same page for every address: whether it is a signer's is said only by email.
    return _page(sent=True, minutes=settings.records_request_link_minutes)


def _error_text(exc: InvalidAddress) -> str:
    """The field's error, through gettext (the domain says which of these it is)."""
    messages = {
        "empty": _("Enter your email address."),
        "long": _("An email address is at most %(count)s characters.",
                  count=own_records.MAX_ADDRESS),
        "form": _("Enter an email address in the form name@example.com."),
    }
    return str(messages.get(exc.code, messages["form"]))


def requested_address_key() -> str:
    """The rate limit key of a records request: the address asked about, hashed (the
    counts never hold an address), so one person's mailbox cannot be flooded from many
    client addresses."""
    typed = request.form.get(ADDRESS_FIELD, "").strip().lower()[:own_records.MAX_ADDRESS]
    return "address:" + hashlib.sha256(b"plansign rate limit\0" + typed.encode()).hexdigest()[:32]


def is_request() -> bool:
    return request.method == "POST" and request.endpoint == "own_records.request_records"


def opens_link() -> bool:
    return request.endpoint in ("own_records.copy_link", "own_records.records_link")


@bp.get("/copy/<token>")
def copy_link(token: str) -> Response:
    return _follow(token, Purpose.DOWNLOAD)


@bp.get("/my-records/<token>")
def records_link(token: str) -> Response:
    return _follow(token, Purpose.RECORDS_ACCESS)


def _follow(token: str, purpose: Purpose) -> Response:
    """Serve the record a link names, checked against the archive and logged; a link that
    cannot be used gets a page that says what to do (ask again on the records page)."""
    services = current.services()
    now = _now()
    try:
        claims = services.record_links.unsign(token, purpose=purpose, now=now)
    except LinkError as exc:
        return _link_error(expired=isinstance(exc, LinkExpired))
    with webdb.transaction() as db:
        found = own_records.download(db, services.store, claims, ip=request.remote_addr,
                                     now=now)
    if found is own_records.Refused.GONE:
        return _link_error(gone=True)
    if isinstance(found, own_records.Refused):
        return _link_error(broken=True)
    response = Response(found.content, mimetype="application/pdf")
    # Named as its email names it, in the language of the record's plan.
    response.headers["Content-Disposition"] = content_disposition(
        found.name(catalog(found.language).gettext), fallback=found.filename)
    return response


def _link_error(*, expired: bool = False, gone: bool = False, broken: bool = False
                ) -> Response:
    if expired:
        title = _("This link has expired")
        message = _("Links to your records work for a limited time, and this one has "
                    "run out.")
    elif gone:
        title = _("This record is not available")
        message = _("The record this link points to is no longer available through it: "
                    "the link was replaced, or the record is no longer kept.")
    elif broken:
        title = _("This record cannot be served now")
        message = _("The record could not be read safely, so it was not served. This "
                    "was recorded; please try again later, or ask HR for a copy.")
    else:
        title = _("This link cannot be used")
        message = _("This link is not valid. Check that you opened the whole link from "
                    "the email.")
    status = 409 if broken else 410 if gone or expired else 403
    return Response(render_template("my_records_link.html", title=title, message=message),
                    status)

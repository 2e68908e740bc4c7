"""The archive: search, a record's page, its bundle, legal holds and the purge preview."""

from __future__ import annotations

from flask import Blueprint, render_template

from signing.domain.access import Role
from signing.web.console import signedin

bp = Blueprint("records", __name__, url_prefix="/records")


@bp.get("/")
@signedin.signed_in(Role.RECORDS, Role.ADMIN, Role.HR)
def index() -> str:
    return render_template("console/placeholder.html", title="Records")

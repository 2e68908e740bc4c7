"""The plan editor: drafts, lint findings beside their fields, preview, and approval."""

from __future__ import annotations

from flask import Blueprint, render_template

from signing.domain.access import Role
from signing.web.console import signedin

bp = Blueprint("drafts", __name__, url_prefix="/drafts")


@bp.get("/")
@signedin.signed_in(Role.MANAGER, Role.HR, Role.ADMIN)
def index() -> str:
    return render_template("console/placeholder.html", title="New plan")

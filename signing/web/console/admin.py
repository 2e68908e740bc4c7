"""Administration: people and roles, API keys, webhook endpoints, the settings in effect."""

from __future__ import annotations

from flask import Blueprint, render_template

from signing.domain.access import Role
from signing.web.console import signedin

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@signedin.signed_in(Role.ADMIN)
def index() -> str:
    return render_template("console/placeholder.html", title="Administration")

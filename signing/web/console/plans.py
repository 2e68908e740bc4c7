"""The plans list (the console's home page) and each plan's page."""

from __future__ import annotations

from flask import Blueprint, render_template

from signing.web.console import signedin

bp = Blueprint("plans", __name__)


@bp.get("/")
@signedin.signed_in()
def home() -> str:
    return render_template("console/home.html")

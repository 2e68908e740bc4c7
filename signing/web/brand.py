"""The company's name and look on the web pages (the signer's pages and the console).

Pages allow no inline style and no image from elsewhere (the Content-Security-Policy:
``style-src 'self'; img-src 'self'``), so the look is served from here: a small
stylesheet that sets the colours the pages' own stylesheets use (``--accent``, text in
the company's readable shade; ``--brand-rule``, the colour as configured, on a rule that
carries no text) and the logo as a PNG. Both are built once from the frozen
:class:`~signing.branding.Branding`; with nothing configured neither is linked, and the
pages keep their neutral look.

Every template gets ``brand``: the company's name (or None), the logo's and the
stylesheet's addresses (or None), and the HR contact employees are given (or None: each
plan's HR signer).
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from flask import Blueprint, Flask, Response, abort, url_for
from markupsafe import Markup, escape

from docgen.doclang import one_full_stop
from signing.branding import Branding, readable_shade
from signing.web import current

bp = Blueprint("brand", __name__, url_prefix="/brand")
# The darkest background the pages put text on (the signer's page's grey, a shade under
# its notices' blue and the console's wash), with a little to spare.
PAGE_TINT = "#e8ebef"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_brand_context)
    app.add_template_filter(_one_full_stop, "one_full_stop")


def _one_full_stop(sentence: str, name: str | None) -> Markup:
    """A rendered sentence without a second full stop after ``name`` ("Inc.."); the
    name as the sentence holds it, escaped."""
    return Markup(one_full_stop(str(sentence), str(escape(name or ""))))


@functools.cache
def _stylesheet(primary: str, accent: str) -> bytes:
    return (f":root {{ --accent: {primary}; --brand-rule: {accent}; }}\n"
            f".top {{ border-top: 4px solid var(--brand-rule); }}\n"
            f"main a:not(.button) {{ color: var(--accent); }}\n").encode()


@bp.get("/look.css")
def look_css() -> Response:
    brand = current.services().branding
    if not brand.configured_colour:
        abort(404)
    # Text in the colour sits on the pages' tinted boxes too, not only on white.
    return Response(_stylesheet(readable_shade(brand.primary_colour, PAGE_TINT),
                                brand.accent_colour), mimetype="text/css")


@bp.get("/logo.png")
def logo_png() -> Response:
    brand = current.services().branding
    if brand.logo is None:
        abort(404)
    return Response(brand.logo.png, mimetype="image/png")


@functools.cache
def _version(brand: Branding) -> str:
    """Changes with the look, so that a browser never shows yesterday's logo."""
    digest = hashlib.sha256(brand.primary_colour.encode() + brand.accent_colour.encode()
                            + (brand.logo.png if brand.logo else b""))
    return digest.hexdigest()[:12]


def _brand_context() -> dict[str, Any]:
    brand = current.services().branding
    version = _version(brand)
    return {"brand": {
        "name": brand.legal_name or None,
        "logo_url": url_for("brand.logo_png", v=version) if brand.logo else None,
        "logo_size": (brand.logo.width_px, brand.logo.height_px) if brand.logo else None,
        "css_url": (url_for("brand.look_css", v=version) if brand.configured_colour
                    else None),
        "contact": brand.hr_contact,
        "contact_for": brand.contact_for,  # a plan's team's, else the company's
    }}

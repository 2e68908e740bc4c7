"""The console: where HR, managers, records staff and admins work in a browser.

One blueprint per area, under ``/console``: sign-in (:mod:`.signin`), plans and their
pages (:mod:`.plans`), a plan's case and its check-ins (:mod:`.cases`), the plan editor
and approval (:mod:`.drafts`), the archive (:mod:`.records`), consistency across plans
(:mod:`.consistency`) and administration (:mod:`.admin`). Views are thin: they parse,
call the same services the CLI and the API call, and map domain errors to pages. Who is
signed in, which role a view needs and CSRF are :mod:`.signedin`'s.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from signing.web.console import (
    accesswords,
    admin,
    cases,
    consistency,
    drafts,
    plans,
    preferences,
    records,
    signedin,
    signin,
)

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")
AREAS = (signin.bp, plans.bp, cases.bp, drafts.bp, records.bp, consistency.bp, admin.bp)
for _area in AREAS:
    bp.register_blueprint(_area)


def init_app(app: Flask) -> None:
    signedin.init_app(app)
    app.jinja_env.globals.update(console_language_names=preferences.LANGUAGE_NAMES,
                                 console_zone_names=preferences.zone_names,
                                 as_english=accesswords.english)
    app.register_error_handler(signedin.CsrfRefused, _csrf_refused)
    app.register_blueprint(bp)


@bp.before_request
def _before() -> None:
    signedin.load()


@bp.after_request
def _after(response: BaseResponse) -> BaseResponse:
    return signedin.save_pre_cookie(response)


def _csrf_refused(_exc: signedin.CsrfRefused) -> Response:
    return Response(render_template(
        "console/problem.html", title=_("This form has expired"),
        message=_("Nothing was changed: the form was older than your session, or was not "
                  "sent from plansign's own page. Go back, reload the page, and try again.")),
        400)

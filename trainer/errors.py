"""Error pages: styled, translated, and never a stack trace.

A service's refusal reaches the person as a page here, so views call services directly:
NotAllowed is a 403, NotFound a 404 and InvalidInput a 400, each after undoing what the request
began. A view that shows an InvalidInput next to a form field catches it itself first.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from trainer.extensions import db
from trainer.guards import ForeignOrigin
from trainer.services.errors import InvalidInput, NotAllowed, NotFound

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something in that request was not right"),
          _l("The form may have expired or been changed. Go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"),
          _l("If you think you should, ask your trainer or an administrator.")),
    404: (_l("Page not found"),
          _l("The address may be mistyped, or the page may have moved.")),
    405: (_l("That action is not available here"),
          _l("Go back and use the buttons on the page.")),
    413: (_l("That file is too large"),
          _l("Choose a smaller file and try again.")),
    429: (_l("Too many attempts"),
          _l("Please wait a minute before you try again.")),
    500: (_l("Something went wrong on our side"),
          _l("Your work so far is saved. Please try again in a moment.")),
}
FOREIGN_ORIGIN = (_l("That form came from another website"),
                  _l("For your safety, this site only accepts forms sent from its own pages. Open the page "
                     "on this site, then try again."))


def _render(code: int, message: tuple | None = None):
    title, detail = message or MESSAGES.get(code, MESSAGES[500])
    wants_json = request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"
    if request.path == "/healthz" or wants_json:
        return jsonify(error=str(title)), code
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def refused(error: InvalidInput):
    """A 400 page that says what was wrong, for a view whose refusals are written for the person
    (a choice not open in a case, a hand-off sent already): undone, and the reason shown."""
    db.session.rollback()
    return _render(400, (MESSAGES[400][0], error.message))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _render(400)

    @app.errorhandler(ForeignOrigin)
    def foreign_origin(_error):
        return _render(400, FOREIGN_ORIGIN)

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # Plain text: no page of the site can be built for a host it does not serve.
        log.info("refused a %s request for an untrusted host", request.method)
        return Response(_("This site does not answer at that address."), 400, mimetype="text/plain")

    @app.errorhandler(NotAllowed)
    def not_allowed(_error: NotAllowed):
        db.session.rollback()
        return _render(403)

    @app.errorhandler(NotFound)
    def not_found(_error: NotFound):
        db.session.rollback()
        return _render(404)

    @app.errorhandler(InvalidInput)
    def invalid_input(_error: InvalidInput):
        db.session.rollback()
        return _render(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return _render(error.code if error.code in MESSAGES else 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
            return http_error(error)
        # The route's name, not its path: paths carry reset tokens, join codes and certificate codes.
        log.exception("unhandled error on %s %s", request.method, request.endpoint or "(no route)")
        db.session.rollback()
        return _render(500)

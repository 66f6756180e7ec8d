"""Blueprint registration and helpers shared by the views of every area."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for

from trainer.extensions import db
from trainer.services.errors import InvalidInput, NotAllowed, NotFound


def register_blueprints(app: Flask) -> None:
    from trainer.admin import bp as admin_bp
    from trainer.auth import bp as auth_bp
    from trainer.authoring import bp as authoring_bp
    from trainer.certificates import bp as certificates_bp
    from trainer.cohorts import bp as cohorts_bp
    from trainer.learn import bp as learn_bp
    from trainer.pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(authoring_bp, url_prefix="/authoring")
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")


def same_site_path(target: str | None) -> str:
    """The target if it is a path on this site, else "" (a `next` that would leave the site)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return ""


def safe_next(target: str | None, fallback: str = "pages.home") -> str:
    """Only same-site paths: a `next` that leaves the site is replaced by the fallback."""
    return same_site_path(target) or url_for(fallback)


def redirect_next(fallback: str = "pages.home"):
    return redirect(safe_next(request.args.get("next") or request.form.get("next"), fallback))


def field_error(form, error: InvalidInput) -> None:
    """Show a service's refusal next to the field it concerns, and undo what it began."""
    field = getattr(form, error.field, None)
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)
    db.session.rollback()


def or_http_error(call, *args, **kwargs):
    """Run a service call, turning NotAllowed, NotFound and InvalidInput into 403, 404 and 400.

    Views that show a refusal next to a form field catch InvalidInput themselves first.
    """
    try:
        return call(*args, **kwargs)
    except NotAllowed:
        abort(403)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        db.session.rollback()
        abort(400, error.message)

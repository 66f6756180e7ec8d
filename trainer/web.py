"""Blueprint registration and helpers shared by the views of every area."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for

from trainer.services.errors import NotAllowed, NotFound


def register_blueprints(app: Flask) -> None:
    from trainer.admin import bp as admin_bp
    from trainer.auth import bp as auth_bp
    from trainer.pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")


def safe_next(target: str | None, fallback: str = "pages.home") -> str:
    """Only same-site paths: a `next` that leaves the site is replaced by the fallback."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for(fallback)


def redirect_next(fallback: str = "pages.home"):
    return redirect(safe_next(request.args.get("next") or request.form.get("next"), fallback))


def or_http_error(call, *args, **kwargs):
    """Run a service call, turning NotAllowed and NotFound into 403 and 404."""
    try:
        return call(*args, **kwargs)
    except NotAllowed:
        abort(403)
    except NotFound:
        abort(404)

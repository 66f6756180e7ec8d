"""Frontline Trainer: training for professionals who may meet people who are being trafficked."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from trainer.config import INSTANCE, ROOT, Config, ensure_secret_key, settle


def create_app(config: type | dict | None = None) -> Flask:
    """Build the application. Only wires things together: no database writes, no network."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    ensure_secret_key(app.config, Path(app.instance_path))
    settle(app.config)

    from trainer import cli, compression, errors, static_files, templating, web
    from trainer.blueprints import register_blueprints
    from trainer.extensions_setup import init_extensions
    from trainer.logging_setup import configure_logging

    # First: the request id is set before any other hook of a request can log.
    configure_logging(app)

    if app.config.get("PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme only: the proxy passes Host itself, and X-Forwarded-Host
        # is never trusted (it would let a request choose the host the app believes it serves).
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
    init_extensions(app)
    static_files.init_app(app)  # url_for('static', ...) builds names that carry the file's hash
    compression.init_app(app)
    templating.register_template_helpers(app)
    # Before the routes are made: every <int:...> is an id or number, refused beyond what a column holds.
    app.url_map.converters["int"] = web.IdConverter
    register_blueprints(app)
    errors.register_error_handlers(app)
    cli.register_commands(app)
    return app

"""The areas of the site, one blueprint each, and where they are mounted.

Only the application factory imports this module; no blueprint imports it (tests/test_structure.py).
"""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from trainer.admin import bp as admin_bp
    from trainer.auth import bp as auth_bp
    from trainer.authoring import bp as authoring_bp
    from trainer.certificates import bp as certificates_bp
    from trainer.cohorts import bp as cohorts_bp
    from trainer.jobs import bp as jobs_bp
    from trainer.learn import bp as learn_bp
    from trainer.lti import bp as lti_bp
    from trainer.pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(authoring_bp, url_prefix="/authoring")
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(lti_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")

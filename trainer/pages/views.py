from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request

from trainer.extensions_setup import current_locale
from trainer.pages import bp
from trainer.services import health, referrals


@bp.get("/")
def home():
    return render_template("pages/home.html")


@bp.get("/support")
def support():
    country = request.args.get("country", "").upper()[:2]
    known = referrals.countries()
    country = country if country in known else ""
    first = referrals.learner_country(current_locale())
    return render_template("pages/support.html", groups=referrals.directory(country or None, first),
                           countries=known, country=country)


@bp.get("/quick-exit")
def quick_exit():
    """The no-JavaScript path of Quick exit: leave for a neutral site at once."""
    response = redirect(current_app.config["QUICK_EXIT_URL"], code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    report = health.check()
    return jsonify(report), 200 if report["status"] == "ok" else 503

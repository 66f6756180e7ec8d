from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, jsonify, make_response, render_template, request
from flask_login import current_user

from trainer import fragments
from trainer.auth.signin import sign_out
from trainer.extensions import db
from trainer.extensions_setup import current_locale
from trainer.pages import bp
from trainer.services import health, referrals, start


@bp.get("/")
def home():
    start_page = start.for_learner(current_user) if current_user.is_authenticated else None
    return render_template("pages/home.html", start=start_page, today=datetime.now(UTC).date())


@bp.get("/support")
def support():
    country = request.args.get("country", "").upper()[:2]
    known = referrals.countries()
    country = country if country in known else ""
    first = referrals.learner_country(current_locale(), current_user if current_user.is_authenticated else None)
    groups = referrals.directory(country or None, first)
    return render_template("pages/support.html", directory=fragments.directory(groups), countries=known,
                           country=country)


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/quick-exit")
def quick_exit():
    """The no-JavaScript path of Quick exit: a bland page that moves on to the neutral site at once.

    It names nothing of this site, is never cached and sends no referrer, so the neutral site
    learns nothing and the page itself gives nothing away if it is seen again. It also signs the
    person out: without JavaScript the lesson stays in the browser's history, and Chromium restores
    even a no-store page from its back-forward cache unless a cookie changed, so Back must find
    neither a session nor a cached page. (With JavaScript the lesson's history entry is replaced.)"""
    if current_user.is_authenticated:
        sign_out()
        db.session.commit()
    response = make_response(render_template("pages/quick_exit.html", url=current_app.config["QUICK_EXIT_URL"]))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/healthz")
def healthz():
    report = health.check()
    return jsonify(report), 200 if report["status"] == "ok" else 503

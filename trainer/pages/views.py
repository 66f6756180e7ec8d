from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request
from flask_login import current_user

from trainer.pages import bp
from trainer.services import health, membership, referrals


@bp.get("/")
def home():
    invitations = membership.invitations_for(current_user) if current_user.is_authenticated else None
    return render_template("pages/home.html", invitations=invitations)


@bp.get("/support")
def support():
    country = request.args.get("country", "").upper()[:2]
    known = referrals.countries()
    country = country if country in known else ""
    return render_template("pages/support.html", groups=referrals.directory(country or None),
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

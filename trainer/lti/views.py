"""The LTI routes. The platform's login and launch arrive from another site (no CSRF token, no
same-origin form): the state kept on the server and the signed `id_token` prove them instead. The
pages a launch answers with may be shown in the platform's frame, where the browser may refuse
cookies, so none of them needs one: a resource link launch answers with a one-time link that
opens the site signed in (straight away in a window of its own, or in a new window from a frame).
"""
from __future__ import annotations

import logging

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from trainer.auth.signin import fresh_session, sign_in
from trainer.extensions import csrf, db, limiter
from trainer.forms import ConfirmForm
from trainer.guards import cross_site
from trainer.lti import bp
from trainer.lti.forms import DeepLinkForm, PlatformForm
from trainer.services import cohorts, lti, lti_people, sessions, two_factor
from trainer.services.errors import InvalidInput
from trainer.vocabulary import Role

log = logging.getLogger(__name__)

# The site's policy (trainer/extensions_setup.py), but framable by the platform that launched.
FRAMED_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
              "object-src 'none'; base-uri 'self'; form-action 'self'{form}; frame-ancestors {frame}")


def _framed(response: Response | str, frame_origins: set[str], form_to: str | None = None,
            status: int = 200) -> Response:
    """A page the launching platform (and only it) may frame; with `form_to`, one whose form
    posts there."""
    response = current_app.make_response((response, status))
    form = f" {lti.origin(form_to)}" if form_to and lti.origin(form_to) else ""
    frame = " ".join(sorted(frame_origins)) or "'none'"
    response.headers["Content-Security-Policy"] = FRAMED_CSP.format(form=form, frame=frame)
    return response


def _refused(error: lti.LaunchRefused) -> Response:
    """A clear refusal, logged by its reason only: never the token, never who it was about."""
    db.session.commit()  # the spent state, and nothing else
    log.warning("LTI %s refused: %s", request.endpoint, error.reason)
    page = render_template("lti/refused.html", reason=error.reason, status=error.status)
    return _framed(page, lti.all_platform_origins(), status=error.status)  # shown in the platform's frame


def _launch_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("lti.launch")


@bp.get("/lti/jwks")
def jwks():
    return jsonify(lti.public_key_set())


@bp.route("/lti/login", methods=["GET", "POST"])
@cross_site
@csrf.exempt
@limiter.limit(lambda: current_app.config["LTI_LIMIT_PER_ADDRESS"])
def login():
    params = {k: v for k, v in request.values.items() if isinstance(v, str)}
    try:
        target = lti.login_redirect(params, _launch_url())
    except lti.LaunchRefused as error:
        return _refused(error)
    db.session.commit()
    return redirect(target, 302)


@bp.post("/lti/launch")
@cross_site
@csrf.exempt
@limiter.limit(lambda: current_app.config["LTI_LIMIT_PER_ADDRESS"])
def launch():
    try:
        verified = lti.verify_launch(request.form.get("id_token", ""), request.form.get("state", ""))
        if verified.message_type == lti.DEEP_LINKING:
            return _deep_linking_page(verified)
    except lti.LaunchRefused as error:
        return _refused(error)
    db.session.commit()  # the state is spent, whatever happens next
    try:
        arrival = lti_people.arrive(verified)
    except lti.LaunchRefused as error:
        db.session.rollback()
        return _refused(error)
    token = lti_people.handoff(arrival.user, _arrival_path(arrival))
    db.session.commit()
    page = render_template("lti/launched.html", link=url_for("lti.open_site", token=token), arrival=arrival)
    return _framed(page, verified.frame_origins)


def _arrival_path(arrival: lti_people.Arrival) -> str:
    """Where the launch leads; a learner first answers the course cohort's invitation (on My
    cohorts, which then goes on there)."""
    target = _launch_target(arrival)
    if arrival.invitation is not None:
        return url_for("cohorts.my_cohorts", next=target)
    return target


def _launch_target(arrival: lti_people.Arrival) -> str:
    if arrival.course_slug and arrival.module_slug:
        return url_for("learn.module", slug=arrival.course_slug, module_slug=arrival.module_slug)
    if arrival.course_slug:
        return url_for("learn.course", slug=arrival.course_slug)
    if arrival.context is not None and arrival.teaching and arrival.user.has_role(Role.TRAINER):
        return url_for("lti.context_detail", context_id=arrival.context.id)
    return url_for("learn.course_list")


def _deep_linking_page(verified: lti.Launch) -> Response:
    ticket = lti_people.deep_link_ticket(verified)
    db.session.commit()
    page = render_template("lti/deep_link.html", ticket=ticket, choices=lti_people.deep_link_choices())
    return _framed(page, verified.frame_origins)


@bp.post("/lti/deep-link")
@csrf.exempt
def deep_link():
    form = DeepLinkForm()
    if not form.validate() or not form.choice.data:
        abort(400)
    try:
        answer = lti_people.deep_link_answer(form.ticket.data or "", form.choice.data, _launch_url())
    except lti.LaunchRefused as error:
        return _refused(error)
    except lti.NoSigningKey:
        return _refused(lti.LaunchRefused("no-signing-key", 503))
    page = render_template("lti/deep_link_return.html", answer=answer)
    return _framed(page, answer.frame_origins, form_to=answer.return_url)


@bp.get("/lti/open/<token>")
def open_site(token: str):
    user, target = lti_people.spend_handoff(token)
    if two_factor.enabled(user):  # the LMS vouches for the first factor, not the second
        db.session.commit()
        fresh_session()
        session["pending_user"], session["pending_next"] = sessions.pending(user), target  # as auth.login does
        return redirect(url_for("auth.sign_in_code"))
    sign_in(user)
    db.session.commit()
    return redirect(target)


@bp.get("/lti/courses")
@login_required
def context_list():
    return render_template("lti/contexts.html", contexts=lti_people.contexts_for(current_user))


@bp.get("/lti/courses/<int:context_id>")
@login_required
def context_detail(context_id: int):
    context = lti_people.context_for(current_user, context_id)
    cohort = lti_people.cohort_of(context)
    return render_template("lti/context.html", context=context, cohort=cohort,
                           members=lti_people.members_of(context), confirm=ConfirmForm(),
                           waiting=len(cohorts.invitations(current_user, cohort)["pending"]))


@bp.post("/lti/courses/<int:context_id>/roster")
@login_required
def context_roster(context_id: int):
    lti_people.context_for(current_user, context_id)  # 404 or 403 before the form is even read
    if ConfirmForm().validate_on_submit():
        try:
            result = lti_people.sync_roster(current_user, context_id)
        except lti.PlatformUnavailable:
            db.session.rollback()
            log.warning("LTI roster of context %s: the platform did not answer", context_id)
            flash(_("The LMS did not answer. Nothing was changed; please try again later."), "error")
            return redirect(url_for("lti.context_detail", context_id=context_id))
        db.session.commit()
        flash(_("Roster brought in: %(invited)d learners invited, %(trainers)d trainers added, %(already)d "
                "already here or invited.", invited=result.invited, trainers=result.trainers,
                already=result.already), "success")
    return redirect(url_for("lti.context_detail", context_id=context_id))


@bp.get("/lti/platforms")
@login_required
def platform_list():
    return _platforms_page(PlatformForm())


def _platforms_page(form: PlatformForm, status: int = 200):
    found = lti.platforms(current_user)
    return render_template("lti/platforms.html", platforms=found, form=form, confirm=ConfirmForm(),
                           keys=lti.live_keys(), urls=_tool_urls()), status


def _tool_urls() -> dict[str, str]:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return {"login": base + url_for("lti.login"), "launch": _launch_url(), "jwks": base + url_for("lti.jwks")}


@bp.post("/lti/platforms")
@login_required
def platform_add():
    lti.platforms(current_user)  # administrators only, before the form is read
    form = PlatformForm()
    if not form.validate_on_submit():
        return _platforms_page(form, 400)
    details = lti.PlatformDetails(
        name=form.name.data or "", sector=form.sector.data or "", issuer=form.issuer.data or "",
        client_id=form.client_id.data or "", deployment_ids=(form.deployment_ids.data or "").split(","),
        auth_url=form.auth_url.data or "", token_url=form.token_url.data or "", jwks_url=form.jwks_url.data or "")
    try:
        lti.add_platform(details, current_user)
    except InvalidInput as error:
        db.session.rollback()
        field = getattr(form, error.field, None)
        (field.errors if field is not None else form.form_errors).append(error.message)
        return _platforms_page(form, 400)
    db.session.commit()
    flash(_("The platform is registered. Its people can now launch the site."), "success")
    return redirect(url_for("lti.platform_list"))


@bp.post("/lti/platforms/<int:platform_id>/remove")
@login_required
def platform_remove(platform_id: int):
    lti.platforms(current_user)
    if ConfirmForm().validate_on_submit():
        lti.remove_platform(platform_id, current_user)
        db.session.commit()
        flash(_("The platform is removed. Its launches are refused from now on."), "success")
    return redirect(url_for("lti.platform_list"))

"""Cases played by a cohort together: the trainer starts one, gives roles and follows it; each
member plays their chapter when its turn comes (see trainer.services.cohort_cases)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from trainer.cohorts import bp
from trainer.errors import refused
from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.models import CohortCase
from trainer.services import cases, cohort_cases, cohorts, mail, scenarios
from trainer.services.errors import InvalidInput


def _delivered(ids: list[int]) -> None:
    """Commit, then send the turn mails (after the commit, so they never announce what was undone)."""
    db.session.commit()
    mail.deliver_in_background(ids)


@bp.route("/cohorts/<int:cohort_id>/cases/new", methods=["GET", "POST"])
def new_case(cohort_id: int):
    cohort = cohorts.get(current_user, cohort_id)
    playable = cohort_cases.playable()
    chosen = request.values.get("case", "")
    found = next(((c, v, m) for c, v, m in playable if f"{c.slug}/{m.slug}" == chosen), None)
    chapters = cases.spec(found[2]).chapters if found else ()
    members = cohorts.members(cohort)
    if request.method == "POST" and found and request.form.get("action") == "start":
        roles = {member.id: request.form.get(f"role-{member.id}", "") for member in members}
        try:
            case, ids = cohort_cases.start(current_user, cohort, found[0].slug, found[2].slug, roles)
        except InvalidInput as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("cohorts/case_new.html", cohort=cohort, playable=playable, chosen=chosen,
                                   chapters=chapters, members=members, roles=roles, confirm=ConfirmForm()), 400
        _delivered(ids)
        flash(_("The case has started. The members whose chapter comes first have been told."), "success")
        return redirect(url_for("cohorts.cohort_case", cohort_id=cohort.id, case_id=case.id))
    return render_template("cohorts/case_new.html", cohort=cohort, playable=playable, chosen=chosen,
                           chapters=chapters, members=members, roles={}, confirm=ConfirmForm())


@bp.get("/cohorts/<int:cohort_id>/cases/<int:case_id>")
def cohort_case(cohort_id: int, case_id: int):
    """The trainer's view: who holds which chapter, where the case is, the timeline so far."""
    cohort = cohorts.get(current_user, cohort_id)
    case = cohort_cases.for_trainer(current_user, cohort, case_id)
    version, module = cohort_cases.module_of(case)
    members = cohorts.members(cohort)
    names = {member.id: member.name for member in members}
    spec = cases.spec(module)
    players = {chapter.id: sorted(names[uid] for uid in case.holders(chapter.id) if uid in names)
               for chapter in spec.chapters}
    return render_template("cohorts/case.html", cohort=cohort, case=case, module=module, version=version,
                           spec=spec, current=cohort_cases.current_chapter(case, module),
                           node=scenarios.nodes(module)[case.current_node],
                           timeline=cases.timeline(module, case), members=members, players=players,
                           case_map=cases.debrief_map(module, case) if case.finished_at else None,
                           confirm=ConfirmForm())


def _unstick(cohort_id: int, case_id: int, change, done: str):
    """A trainer's change to a running case (``change(cohort, case)`` returns the mail to send):
    said as ``done``, or its refusal said; back to the case either way."""
    cohort = cohorts.get(current_user, cohort_id)
    case = cohort_cases.for_trainer(current_user, cohort, case_id)
    try:
        ids = change(cohort, case)
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        _delivered(ids)
        flash(done, "success")
    return redirect(url_for("cohorts.cohort_case", cohort_id=cohort_id, case_id=case_id))


@bp.post("/cohorts/<int:cohort_id>/cases/<int:case_id>/platform")
def case_platform_plays(cohort_id: int, case_id: int):
    return _unstick(cohort_id, case_id,
                    lambda cohort, case: cohort_cases.platform_plays(current_user, cohort, case),
                    _("The platform played the chapter; the next sector has been told."))


@bp.post("/cohorts/<int:cohort_id>/cases/<int:case_id>/holders")
def case_holders(cohort_id: int, case_id: int):
    user_ids = [int(value) for value in request.form.getlist("member") if value.isdigit()]
    return _unstick(cohort_id, case_id,
                    lambda cohort, case: cohort_cases.set_holders(current_user, cohort, case,
                                                                  request.form.get("chapter", ""), user_ids),
                    _("The chapter's players are changed."))


@bp.route("/my/cases/<int:case_id>", methods=["GET", "POST"])
def my_case(case_id: int):
    """A member's page of a case their cohort plays: their chapter when it is its turn, a
    waiting page when it is not, the debrief once it ends."""
    case = cohort_cases.for_member(current_user, case_id)
    if request.method == "POST":
        try:
            if request.form.get("action") == "handoff":
                ids = cohort_cases.hand_off(current_user, case, request.form.get("node", ""),
                                            request.form.getlist("item"), request.form.get("note", ""))
            else:
                ids = cohort_cases.choose(current_user, case, request.form.get("node", ""),
                                          request.form.get("choice", ""))
        except InvalidInput as error:
            return refused(error)
        _delivered(ids)
        return redirect(url_for("cohorts.my_case", case_id=case.id) + "#step")
    return _member_page(case)


def _member_page(case: CohortCase) -> str:
    version, module = cohort_cases.module_of(case)
    node = scenarios.nodes(module)[case.current_node]
    number, chapter = cases.chapter_of(module, node)
    mine = cohort_cases.my_role(current_user, case)
    my_turn = case.finished_at is None and chapter.id == mine
    return render_template(
        "cohorts/my_case.html", case=case, module=module, version=version, spec=cases.spec(module), node=node,
        chapter=chapter, chapter_number=number, mine=mine, my_turn=my_turn,
        received=cases.received(module, case, chapter) if my_turn else None,
        consequence=scenarios.last_choice(module, case) if my_turn and case.path
        and case.path[-1].get("by") == str(current_user.id) else None,
        choices=scenarios.choices_open(node, case) if my_turn else [],
        timeline=cases.timeline(module, case) if case.finished_at else [],
        case_map=cases.debrief_map(module, case) if case.finished_at else None,
        choice_key=lambda choice_id: cohort_cases.choice_key(case, case.current_node, choice_id),
        item_key=lambda item_id: cases.item_key(cohort_cases.scope(case), case.current_node, item_id),
        max_note=cases.MAX_NOTE, confirm=ConfirmForm())

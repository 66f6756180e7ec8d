"""The private wellbeing self-check (only the learner ever sees it)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.learn import bp
from trainer.services import wellbeing
from trainer.services.errors import InvalidInput


def _page(errors: dict[str, str] | None = None, status: int = 200):
    return render_template("learn/wellbeing.html", prompts=wellbeing.PROMPTS, scale=wellbeing.SCALE,
                           history=wellbeing.history(current_user), confirm=ConfirmForm(),
                           errors=errors or {}, values=request.form), status


@bp.get("/wellbeing")
@login_required
def wellbeing_check():
    return _page()


@bp.post("/wellbeing")
@login_required
def wellbeing_record():
    answers = {p.id: request.form.get(p.id, "") for p in wellbeing.PROMPTS}
    try:
        check = wellbeing.record(current_user, answers, request.form.get("note", ""))
    except InvalidInput as error:
        db.session.rollback()
        return _page({error.field: error.message}, 400)
    db.session.commit()
    return redirect(url_for("learn.wellbeing_result", check_id=check.id))


@bp.get("/wellbeing/<int:check_id>")
@login_required
def wellbeing_result(check_id: int):
    check = wellbeing.get(current_user, check_id)
    return render_template("learn/wellbeing_result.html", check=check, prompts=wellbeing.PROMPTS,
                           labels=dict(wellbeing.SCALE), reflections=wellbeing.reflections(check),
                           confirm=ConfirmForm())


@bp.post("/wellbeing/<int:check_id>/delete")
@login_required
def wellbeing_delete(check_id: int):
    wellbeing.delete(current_user, check_id)
    db.session.commit()
    flash(_("That self-check is deleted."), "success")
    return redirect(url_for("learn.wellbeing_check"))


@bp.post("/wellbeing/delete-all")
@login_required
def wellbeing_delete_all():
    count = wellbeing.delete_all(current_user)
    db.session.commit()
    flash(_("All your self-checks are deleted (%(num)d).", num=count), "success")
    return redirect(url_for("learn.wellbeing_check"))

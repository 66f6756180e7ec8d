"""Quiz pages: the form, a submission (with unanswered questions shown again to answer or
confirm), and the review of an attempt."""
from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.learn import bp
from trainer.learn.common import open_course
from trainer.models import Course, CourseVersion, Module
from trainer.services import catalogue, progress, quizzes
from trainer.services.errors import InvalidInput

# The button that sends a form with questions left unanswered, after the learner was told.
SUBMIT_ANYWAY = "unanswered"


def quiz_context(course: Course, version: CourseVersion, module: Module, form: quizzes.QuizForm,
                 given: dict[str, list[str]] | None = None, unanswered: tuple[str, ...] = ()) -> dict[str, Any]:
    """What the quiz page shows besides the course frame: the form, the learner's attempts, and
    after an incomplete submission their answers so far and the questions still open."""
    every = request.args.get("attempts") == "all"
    attempts, total = quizzes.attempts(current_user, course, module.slug, None if every else quizzes.RECENT_ATTEMPTS)
    return {"form": form, "attempts": attempts, "attempts_total": total, "given": given or {},
            "unanswered": unanswered}


@bp.post("/courses/<slug>/<module_slug>/quiz")
@login_required
def submit_quiz(slug: str, module_slug: str):
    course, version, module = open_course(slug, module_slug)
    answers = request.form.to_dict(flat=False)
    try:
        attempt = quizzes.submit(current_user, course, version, module, answers, request.form.get("token", ""),
                                 unanswered_ok=request.form.get(SUBMIT_ANYWAY) == "submit")
    except InvalidInput as error:  # not this attempt's form: say so, and record nothing
        db.session.rollback()
        return render_template("learn/quiz_refused.html", course=course, version=version, module=module,
                               message=error.message), 400
    except quizzes.Unanswered as missing:  # shown again, answers kept, the open questions marked
        db.session.rollback()
        form = quizzes.open_form(current_user, course, version, module)
        db.session.commit()
        state = progress.course_progress(current_user, course, version)
        return render_template("learn/quiz.html", course=course, version=version, module=module, state=state,
                               confirm=ConfirmForm(), **quiz_context(course, version, module, form, answers,
                                                                     tuple(missing.question_ids)))
    db.session.commit()
    return redirect(url_for("learn.attempt", slug=slug, module_slug=module_slug, attempt_id=attempt.id))


@bp.get("/courses/<slug>/<module_slug>/attempts/<int:attempt_id>")
@login_required
def attempt(slug: str, module_slug: str, attempt_id: int):
    course, version, module = open_course(slug, module_slug)
    attempt = quizzes.get_attempt(current_user, course, attempt_id)
    if attempt.module != module.slug:
        abort(404)
    following = catalogue.next_module(version, module) if attempt.passed else None
    return render_template("learn/attempt.html", course=course, version=version, module=module,
                           attempt=attempt, review=quizzes.review(version, module, attempt), next_module=following)

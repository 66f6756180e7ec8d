from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer import fragments
from trainer.errors import refused
from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.learn import bp, quiz_views
from trainer.learn.common import open_course
from trainer.models import Course, CourseVersion, Module, ScenarioRun
from trainer.services import (
    assessments,
    assignments,
    cases,
    catalogue,
    certificates,
    cohort_cases,
    course_data,
    lessons,
    membership,
    progress,
    publishing,
    quizzes,
    scenarios,
)
from trainer.services.errors import InvalidInput


@bp.get("/learning")
@login_required
def dashboard():
    return render_template("learn/dashboard.html", items=catalogue.my_learning(current_user),
                           assigned=assignments.for_learner(current_user),
                           certificates=certificates.mine(current_user),
                           invitations=membership.invitations_for(current_user),
                           cohort_cases=cohort_cases.mine(current_user))


@bp.get("/courses")
@login_required
def course_list():
    languages = catalogue.catalogue_languages()
    asked = request.args.get("language", "")
    language = asked if asked in languages else None
    return render_template("learn/catalogue.html", entries=catalogue.catalogue(current_user, language),
                           languages=languages, language=language, unknown_language=bool(asked) and not language)


@bp.get("/courses/<slug>")
@login_required
def course(slug: str):
    course, version, _module = open_course(slug)
    state = progress.course_progress(current_user, course, version)
    record = progress.enrolment(current_user, course)
    resume = state.next_module(record.last_module if record else None)
    held = [c for c in certificates.mine(current_user) if c.course_id == course.id]
    today = datetime.now(UTC).date()
    return render_template("learn/course.html", course=course, version=version, state=state,
                           enrolment=record, resume=resume, confirm=ConfirmForm(),
                           certificate=held[0] if held else None,
                           may_recertify=bool(held) and certificates.can_recertify(held[0], today),
                           steps=assessments.course_steps(current_user, course, version))


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str):
    course, version, _module = open_course(slug)
    progress.enrolment(current_user, course, create=True)
    db.session.commit()
    first = version.modules[0]
    return redirect(url_for("learn.module", slug=slug, module_slug=first.slug))


@bp.post("/courses/<slug>/recertify")
@login_required
def recertify(slug: str):
    course, version, _module = open_course(slug)
    certificates.recertify(current_user, course)
    db.session.commit()
    flash(_("The course is open again. Complete it for a new certificate."), "success")
    return redirect(url_for("learn.course", slug=slug))


@bp.get("/courses/<slug>/<module_slug>")
@login_required
def module(slug: str, module_slug: str):
    course, version, module = open_course(slug, module_slug)
    if assessments.needs_pretest(current_user, course, version):
        return redirect(url_for("learn.pretest", slug=slug))
    row, state = progress.open_module(current_user, course, version, module)
    form = quizzes.open_form(current_user, course, version, module) if module.kind == "quiz" else None
    db.session.commit()
    context = dict(course=course, version=version, module=module, row=row, confirm=ConfirmForm(), state=state)
    if module.kind == "lesson":
        sections = fragments.sections(module)
        context["lesson_body"] = fragments.lesson_body(course, version, module,
                                                       [(s, lessons.section_state(row, s)) for s in sections])
        context["module_percent"] = lessons.percent(row, sections)
        context["who_to_call"] = fragments.phone_list()
    elif form is not None:
        context.update(quiz_views.quiz_context(course, version, module, form))
    else:
        run = scenarios.latest_run(current_user, course, module.slug)
        context["run"] = run
        context["module_percent"] = scenarios.percent(module, run)
        if module.kind == "case":
            context["case"] = cases.spec(module)
    return render_template(f"learn/{module.kind}.html", **context)


@bp.get("/courses/<slug>/<module_slug>/print")
@login_required
def print_module(slug: str, module_slug: str):
    course, version, module = open_course(slug, module_slug)
    return render_template("learn/print.html", course=course, version=version, module=module,
                           sections=course_data.sections(module.body))


@bp.post("/courses/<slug>/<module_slug>/sections/<section_id>")
@login_required
def section(slug: str, module_slug: str, section_id: str):
    course, version, module = open_course(slug, module_slug)
    lessons.decide(current_user, course, module, section_id, request.form.get("action", ""))
    db.session.commit()
    return redirect(url_for("learn.module", slug=slug, module_slug=module_slug) + f"#section-{section_id}")


@bp.post("/courses/<slug>/<module_slug>/reached")
@login_required
def reached(slug: str, module_slug: str):
    """Sent by the lesson page's script as the learner scrolls: the furthest section reached."""
    course, version, module = open_course(slug, module_slug)
    row = lessons.reach(current_user, course, version, module, request.form.get("section", ""))
    answer = {"percent": lessons.percent(row, fragments.sections(module)),
              "course_percent": progress.course_progress(current_user, course, version).percent}
    db.session.commit()
    return answer


@bp.post("/courses/<slug>/<module_slug>/complete")
@login_required
def complete(slug: str, module_slug: str):
    course, version, module = open_course(slug, module_slug)
    left_open = lessons.finish(current_user, course, version, module)
    db.session.commit()
    if left_open:
        flash(_("You skipped a section for now. The module stays open: come back to it when you are ready."), "info")
    return _next_module(course, version, module)


def _next_module(course, version, module):
    following = catalogue.next_module(version, module)
    if following is not None:
        return redirect(url_for("learn.module", slug=course.slug, module_slug=following.slug))
    return redirect(url_for("learn.course", slug=course.slug))


@bp.post("/courses/<slug>/<module_slug>/runs")
@login_required
def start_run(slug: str, module_slug: str):
    course, version, module = open_course(slug, module_slug)
    run = scenarios.start(current_user, course, version, module)
    if module.kind == "case" and request.form.get("chapter"):
        try:
            cases.play_for(current_user, course, version, module, run, request.form["chapter"])
        except InvalidInput as error:
            return refused(error)
    db.session.commit()
    return redirect(url_for("learn.run", slug=slug, module_slug=module_slug, run_id=run.id))


@bp.route("/courses/<slug>/<module_slug>/runs/<int:run_id>", methods=["GET", "POST"])
@login_required
def run(slug: str, module_slug: str, run_id: int):
    course, version, module = open_course(slug, module_slug)
    run = scenarios.get_run(current_user, course, module, run_id)
    if request.method == "POST":
        try:
            if module.kind == "case" and request.form.get("action") == "handoff":
                cases.hand_off(current_user, course, version, module, run, request.form.get("node", ""),
                               request.form.getlist("item"), request.form.get("note", ""))
            else:
                scenarios.choose(current_user, course, version, module, run,
                                 request.form.get("node", ""), request.form.get("choice", ""))
        except InvalidInput as error:
            return refused(error)
        db.session.commit()
        return redirect(url_for("learn.run", slug=slug, module_slug=module_slug, run_id=run.id) + "#step")
    if module.kind == "case":
        return _case_run(course, version, module, run)
    graph = scenarios.nodes(module)
    percent = scenarios.percent(module, run)
    best_steps, best_end = scenarios.best_path(module) if run.finished_at else ([], None)
    return render_template("learn/run.html", course=course, version=version, module=module, run=run,
                           node=graph[run.current_node], consequence=scenarios.last_choice(module, run),
                           walked=scenarios.walked(module, run), best_steps=best_steps, best_end=best_end,
                           passed=scenarios.passed(module, run), required=scenarios.required_ending(module),
                           choice_key=lambda choice_id: scenarios.choice_key(run, run.current_node, choice_id),
                           confirm=ConfirmForm(), module_percent=percent)


def _case_run(course: Course, version: CourseVersion, module: Module, run: ScenarioRun) -> str:
    """A case's step: the chapter, what its sector received, the node and the choices open, or
    the hand-off form; once it ends, the debrief's timeline."""
    node = scenarios.nodes(module)[run.current_node]
    number, chapter = cases.chapter_of(module, node)
    return render_template(
        "learn/case_run.html", course=course, version=version, module=module, run=run, node=node,
        case=cases.spec(module), chapter=chapter, chapter_number=number,
        received=cases.received(module, run, chapter), consequence=scenarios.last_choice(module, run),
        choices=scenarios.choices_open(node, run), timeline=cases.timeline(module, run) if run.finished_at else [],
        passed=scenarios.passed(module, run), required=scenarios.required_ending(module),
        own_chapter=run.own_chapter,
        choice_key=lambda choice_id: scenarios.choice_key(run, run.current_node, choice_id),
        item_key=lambda item_id: cases.item_key(f"run-{run.id}", run.current_node, item_id),
        case_map=cases.debrief_map(module, run) if run.finished_at else None,
        max_note=cases.MAX_NOTE, confirm=ConfirmForm(), module_percent=scenarios.percent(module, run))


@bp.get("/break")
@login_required
def take_a_break():
    return render_template("learn/break.html", items=catalogue.my_learning(current_user))


@bp.get("/media/<sha256>")
def media(sha256: str):
    """Course images by the hash of their bytes: immutable, so cached for a year."""
    image = publishing.get_image(sha256) if len(sha256) == 64 else None
    if image is None:
        abort(404)
    response = make_response(image.data)
    response.headers["Content-Type"] = image.content_type
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response

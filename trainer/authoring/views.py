from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer import policy
from trainer.authoring import bp
from trainer.authoring.forms import ArchiveForm, EditFileForm, GiftForm, ImageForm, NewCourseForm, NewModuleForm
from trainer.content import PLAYED_KINDS
from trainer.content.scenario_map import scenario_map
from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.services import authoring, course_archive, gain, quizzes
from trainer.services.errors import InvalidInput
from trainer.web import field_error, id_number


@bp.before_request
@login_required
def _authors_only():
    """Every page here is for administrators; services check again for each action."""
    if not policy.can_author(current_user):
        abort(403)


def _course(slug: str):
    return authoring.get_course(current_user, slug)


@bp.get("/courses")
def course_list():
    rows = authoring.list_courses(current_user)
    return render_template("authoring/courses.html", rows=rows, new_form=NewCourseForm(), archive_form=ArchiveForm())


@bp.post("/courses")
def course_create():
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            course = authoring.create_course(current_user, form.slug.data or "", form.title.data or "",
                                             form.language.data or "")
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("Course %(slug)s created as a draft.", slug=course.slug), "success")
            return redirect(url_for("authoring.course_detail", slug=course.slug))
    rows = authoring.list_courses(current_user)
    return render_template("authoring/courses.html", rows=rows, new_form=form, archive_form=ArchiveForm()), 400


@bp.get("/courses/<slug>")
def course_detail(slug: str):
    course = _course(slug)
    draft = authoring.draft_for(current_user, course)
    db.session.commit()  # a draft made from the latest version is kept
    checked = authoring.check_draft(draft)
    return render_template("authoring/course.html", course=course, draft=draft, checked=checked,
                           module_form=NewModuleForm(), image_form=ImageForm(), gift_form=GiftForm(),
                           confirm=ConfirmForm())


@bp.get("/courses/<slug>/evaluations")
def evaluations(slug: str):
    """What learners said of the course, in aggregate only."""
    course = _course(slug)
    return render_template("authoring/evaluations.html", course=course,
                           summary=gain.evaluations_for_course(current_user, course),
                           min_group=gain.MIN_GROUP)


@bp.route("/courses/<slug>/files/<path:path>", methods=["GET", "POST"])
def edit_file(slug: str, path: str):
    course = _course(slug)
    draft = authoring.draft_for(current_user, course)
    db.session.commit()  # a draft made from the latest version is kept, and nothing is held while rendering
    if path not in draft.sources:
        abort(404)
    form = EditFileForm()
    if request.method == "GET":
        form.text.data = draft.sources[path]
    elif form.validate_on_submit() and request.form.get("action") == "save":
        try:
            authoring.save_file(current_user, course, path, form.text.data or "")
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved to the draft."), "success")
            return redirect(url_for("authoring.edit_file", slug=slug, path=path))
    text = form.text.data or ""
    # Text refused as too large is not checked or previewed: that would take seconds.
    spec, problems = (None, []) if form.text.errors else authoring.preview(current_user, course, path, text)
    return render_template("authoring/edit.html", course=course, path=path, form=form, spec=spec,
                           problems=problems, lines=text.split("\n"), max_bytes=authoring.MAX_FILE_BYTES,
                           map=scenario_map(spec) if spec else None)


@bp.post("/courses/<slug>/preview/<path:path>")
def preview(slug: str, path: str):
    """The live preview behind the editor's script: rendered module and problems, nothing saved."""
    course = _course(slug)
    form = EditFileForm()
    if not form.validate_on_submit():
        abort(400)
    spec, problems = authoring.preview(current_user, course, path, form.text.data or "")
    return jsonify(
        html=render_template("authoring/_preview.html", spec=spec, path=path),
        problems=[{"line": p.line, "message": p.message, "severity": p.severity} for p in problems],
    )


@bp.post("/courses/<slug>/modules")
def add_module(slug: str):
    course = _course(slug)
    form = NewModuleForm()
    if form.validate_on_submit():
        try:
            name = authoring.add_module(current_user, course, form.filename.data or "", form.kind.data or "",
                                        form.title.data or "")
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            return redirect(url_for("authoring.edit_file", slug=slug, path=name))
    else:
        flash(_("Give the new module a file name and a title."), "error")
    return redirect(url_for("authoring.course_detail", slug=slug))


@bp.post("/courses/<slug>/images")
def upload_image(slug: str):
    course = _course(slug)
    form = ImageForm()
    if form.validate_on_submit():
        try:
            name = authoring.upload_image(current_user, course, form.image.data.filename or "",
                                          form.image.data.read(authoring.MAX_IMAGE_BYTES + 1))
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Image added. Use it in a module as ![what it shows](%(name)s)", name=name), "success")
    else:
        flash(_("Choose a file."), "error")
    return redirect(url_for("authoring.course_detail", slug=slug))


@bp.post("/courses/<slug>/gift")
def import_gift(slug: str):
    course = _course(slug)
    form = GiftForm()
    if not form.validate_on_submit():
        flash(_("Choose a GIFT file and give the new module a file name and a title."), "error")
        return redirect(url_for("authoring.course_detail", slug=slug))
    data = form.gift.data.read(authoring.MAX_FILE_BYTES + 1)
    try:
        result = authoring.import_gift(current_user, course, data, form.filename.data or "", form.title.data or "",
                                       import_rest=form.import_rest.data)
    except InvalidInput as error:
        flash(error.message, "error")
        return redirect(url_for("authoring.course_detail", slug=slug))
    db.session.commit()
    return render_template("authoring/gift_report.html", course=course, result=result,
                           filename=(form.filename.data or "").strip().lower().removesuffix(".md") + ".md")


@bp.get("/courses/<slug>/publish")
def publish_review(slug: str):
    """Before publishing: what changes, and whether others published meanwhile."""
    course = _course(slug)
    review = authoring.review_draft(current_user, course)
    checked = authoring.check_draft(authoring.draft_for(current_user, course))
    db.session.commit()  # a draft made from the latest version is kept
    return render_template("authoring/publish.html", course=course, review=review, checked=checked,
                           confirm=ConfirmForm())


@bp.post("/courses/<slug>/update")
def update_draft(slug: str):
    """Bring the draft up to the latest version, with the author's choice for each file changed on
    both sides (``file:<path>`` = ``mine`` or ``theirs``)."""
    course = _course(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    choices = {key.removeprefix("file:"): value for key, value in request.form.items() if key.startswith("file:")}
    try:
        authoring.update_draft(current_user, course, {n for n, v in choices.items() if v == "mine"},
                               {n for n, v in choices.items() if v == "theirs"})
    except InvalidInput as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The draft is up to date with the latest version. Check the changes, then publish."), "success")
    return redirect(url_for("authoring.publish_review", slug=slug))


@bp.post("/courses/<slug>/publish")
def publish(slug: str):
    course = _course(slug)
    try:
        checked, version = authoring.publish_draft(current_user, course)
    except InvalidInput as error:
        flash(error.message, "error")
        return redirect(url_for("authoring.publish_review", slug=slug))
    if version is None:
        db.session.rollback()
        flash(_("Not published: correct the problems listed below first."), "error")
        return redirect(url_for("authoring.course_detail", slug=slug))
    db.session.commit()
    flash(_("Published as version %(number)d.", number=version.number), "success")
    return redirect(url_for("authoring.versions", slug=slug))


@bp.route("/courses/<slug>/try", methods=["GET"])
@bp.route("/courses/<slug>/try/<module_id>", methods=["GET", "POST"])
def try_draft(slug: str, module_id: str | None = None):
    """The draft as a learner gets it: lessons to read, quizzes to answer (reviewed with the key),
    scenarios to play. Nothing is recorded."""
    course = _course(slug)
    try:
        spec, module = authoring.try_draft(current_user, course, module_id)
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("authoring.course_detail", slug=slug))
    db.session.commit()  # a draft made from the latest version is kept
    context: dict[str, Any] = dict(course=course, spec=spec, module=module, confirm=ConfirmForm())
    if module is not None and module.kind == "quiz":
        if request.method == "POST":
            if not ConfirmForm().validate_on_submit():
                abort(400)
            try:
                context["quiz"] = authoring.try_quiz(module, request.form.get("token", "")[:64],
                                                     request.form.to_dict(flat=False))
            except InvalidInput as error:
                flash(error.message, "error")
                return redirect(url_for("authoring.try_draft", slug=slug, module_id=module.id))
        else:
            context["quiz"] = authoring.try_quiz(module, quizzes.new_form_token())
    elif module is not None and module.kind in PLAYED_KINDS:
        nodes = {node.id: node for node in module.nodes}
        here = nodes.get(request.args.get("node") or module.start or module.nodes[0].id) or module.nodes[0]
        came = request.args.get("via", "")
        before = nodes.get(came.partition(":")[0])
        choice = next((c for c in before.choices if c.id == came.partition(":")[2]), None) if before else None
        context.update(node=here, via=choice)
    elif request.method == "POST":
        abort(405)
    return render_template("authoring/try.html", **context)


@bp.get("/courses/<slug>/discard")
def discard_confirm(slug: str):
    """Discarding cannot be undone: say which changes would be lost, and ask."""
    course = _course(slug)
    review = authoring.review_draft(current_user, course)
    db.session.commit()
    return render_template("authoring/discard.html", course=course, review=review, confirm=ConfirmForm())


@bp.post("/courses/<slug>/discard")
def discard(slug: str):
    course = _course(slug)
    try:
        authoring.discard_draft(current_user, course)
    except InvalidInput as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The draft is discarded; the published version is unchanged."), "success")
    return redirect(url_for("authoring.course_detail", slug=slug))


@bp.get("/courses/<slug>/versions")
def versions(slug: str):
    course = _course(slug)
    history = authoring.versions(current_user, course)
    changes, old, new = [], None, None
    if len(history) >= 2 or request.args.get("from"):
        new = authoring.get_version(current_user, course,
                                    request.args.get("to", history[0].number, type=id_number))
        old_number = request.args.get("from", type=id_number) or max(new.number - 1, 1)
        old = authoring.get_version(current_user, course, old_number) \
            if old_number != new.number else new
        changes = authoring.diff(old.sources, new.sources, f"v{old.number}", f"v{new.number}")
    return render_template("authoring/versions.html", course=course, history=history, changes=changes,
                           old=old, new=new)


@bp.get("/courses/<slug>/versions/<int:number>/export")
def export(slug: str, number: int):
    course = _course(slug)
    version = authoring.get_version(current_user, course, number)
    data = course_archive.export_zip(current_user, course, version)
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"{course.slug}-v{version.number}.zip")


@bp.post("/import")
def import_archive():
    form = ArchiveForm()
    if not form.validate_on_submit():
        flash(_("Choose a zip file."), "error")
        return redirect(url_for("authoring.course_list"))
    try:
        result = course_archive.import_zip(current_user, form.archive.data.read(course_archive.MAX_TOTAL_BYTES),
                                           replace_course=form.replace_course.data, force=form.force.data,
                                           publish=form.publish.data)
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        rows = authoring.list_courses(current_user)
        return render_template("authoring/courses.html", rows=rows, new_form=NewCourseForm(),
                               archive_form=form), 400
    if not result.ok:
        db.session.rollback()
        return render_template("authoring/import_report.html", result=result), 400
    db.session.commit()
    return render_template("authoring/import_report.html", result=result)

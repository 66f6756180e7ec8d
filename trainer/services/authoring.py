"""Authoring in the browser: drafts, preview, images, publishing, history and export.

An administrator edits a draft, a working copy of the course's Markdown files kept in the
database. Checking a draft writes it to a temporary folder and runs the same checker as
`flask courses check`, so the browser and the command line can never disagree.
"""
from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Literal, overload

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from trainer import policy
from trainer.content import (
    AnswerView,
    BadAnswer,
    CheckReport,
    CourseSpec,
    ImageUrl,
    ModuleSpec,
    Problem,
    Review,
    check_path,
    kind_of,
)
from trainer.content.check import preview_file
from trainer.content.gift import MAX_QUESTIONS, GiftResult, GiftTooLarge, convert_gift
from trainer.content.memo import Memo, Shelf, merged
from trainer.extensions import db
from trainer.models import Course, CourseDraft, CourseVersion, StoredImage, User
from trainer.services import publishing, quizzes, templates_md, timebox
from trainer.services.errors import InvalidInput, NotAllowed, NotFound
from trainer.vocabulary import Sector

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
FILE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,95}\.md$")
IMAGE_NAME_RE = re.compile(r"[^a-z0-9._-]+")
MAX_FILE_BYTES = 1024 * 1024
# The live preview renders at most this much (the largest module of the curriculum is 25 KB),
# in a child process stopped after PREVIEW_SECONDS: whatever is typed, it answers in seconds.
PREVIEW_MAX_BYTES = 64 * 1024
PREVIEW_SECONDS = 5
MAX_IMAGE_BYTES = 2 * 1024 * 1024
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


def _require_author(actor: User | None) -> None:
    if not policy.can_author(actor):
        raise NotAllowed()


def list_courses(actor: User) -> list[tuple[Course, CourseVersion | None, CourseDraft | None]]:
    """Every course with its latest version and its draft, if any."""
    _require_author(actor)
    courses = db.session.scalars(sa.select(Course).order_by(Course.slug)).all()
    drafts = {d.course_id: d for d in db.session.scalars(sa.select(CourseDraft))}
    return [(c, publishing.latest_version(c), drafts.get(c.id)) for c in courses]


def get_course(actor: User, slug: str) -> Course:
    _require_author(actor)
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None:
        raise NotFound()
    return course


def create_course(actor: User, slug: str, title: str, language: str) -> Course:
    """A new course with a draft that checks clean, ready to be written."""
    _require_author(actor)
    slug = slug.strip()
    if not SLUG_RE.match(slug):
        raise InvalidInput("slug", str(_l("Use lowercase letters, digits and hyphens, starting with a letter.")))
    if db.session.scalar(sa.select(Course.id).where(Course.slug == slug)) is not None:
        raise InvalidInput("slug", str(_l("A course with this id exists already.")))
    title = title.strip().replace('"', "'")
    course = Course(slug=slug)
    db.session.add(course)
    db.session.flush()
    sources = {
        "course.md": templates_md.COURSE_MD.format(slug=slug, title=title, language=language,
                                                    sectors=", ".join(Sector)),
        "01-introduction.md": templates_md.LESSON_MD.format(module_id="introduction", title="Introduction"),
    }
    db.session.add(CourseDraft(course_id=course.id, sources=sources, images={}, updated_by_id=actor.id))
    db.session.flush()
    return course


@overload
def draft_for(actor: User, course: Course, create: Literal[True] = True) -> CourseDraft: ...
@overload
def draft_for(actor: User, course: Course, create: Literal[False]) -> CourseDraft | None: ...
def draft_for(actor: User, course: Course, create: bool = True) -> CourseDraft | None:
    """The course's draft; made from its latest version when there is none yet (unless not
    ``create``: then None when there is no draft)."""
    _require_author(actor)
    draft = db.session.get(CourseDraft, course.id)
    if draft is None and create:
        latest = publishing.latest_version(course)
        if latest is None:
            raise NotFound()
        draft = CourseDraft(course_id=course.id, sources=dict(latest.sources),
                            images={vi.name: vi.sha256 for vi in latest.images},
                            base_version=latest.number, updated_by_id=actor.id)
        db.session.add(draft)
        db.session.flush()
    return draft


def _set_sources(draft: CourseDraft, sources: dict[str, str], actor: User) -> None:
    draft.sources = sources  # a new dict, so the JSON column is marked as changed
    draft.updated_by_id = actor.id
    db.session.flush()


def save_file(actor: User, course: Course, path: str, text: str) -> CourseDraft:
    draft = draft_for(actor, course)
    if path not in draft.sources:
        raise NotFound()
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise InvalidInput("text", str(_l("The file is larger than 1 MB. Split the module into two.")))
    _set_sources(draft, {**draft.sources, path: text.replace("\r\n", "\n")}, actor)
    return draft


def add_module(actor: User, course: Course, filename: str, kind: str, title: str) -> str:
    """Add a module file from a template and list it in course.md; returns its file name."""
    draft = draft_for(actor, course)
    filename = filename.strip().lower()
    if not filename.endswith(".md"):
        filename += ".md"
    if not FILE_RE.match(filename) or filename == "course.md":
        raise InvalidInput("filename", str(_l("Use lowercase letters, digits, dots and hyphens, ending in .md.")))
    if filename in draft.sources:
        raise InvalidInput("filename", str(_l("A file with this name exists already.")))
    if kind not in templates_md.MODULE_TEMPLATES:
        raise InvalidInput("kind", str(_l("Choose lesson, quiz or scenario.")))
    module_id = re.sub(r"^[0-9._-]+", "", filename[:-3]).replace(".", "-").replace("_", "-") or "module"
    text = templates_md.MODULE_TEMPLATES[kind].format(module_id=module_id[:64],
                                                      title=title.strip().replace('"', "'") or "New module")
    _add_file(actor, draft, filename, text)
    return filename


def _add_file(actor: User, draft: CourseDraft, filename: str, text: str) -> None:
    try:
        course_md = templates_md.add_module_to_course_md(draft.sources["course.md"], filename)
    except ValueError as error:
        raise InvalidInput("filename", str(error)) from None
    _set_sources(draft, {**draft.sources, "course.md": course_md, filename: text}, actor)


def import_gift(actor: User, course: Course, gift_file: bytes, filename: str, title: str, *,
                import_rest: bool = False) -> GiftResult:
    """Turn a Moodle GIFT question bank (the file's bytes) into a new quiz module of the draft.

    As in Moodle, a file with a question that cannot be converted imports nothing, unless the
    author chose to import the others (``import_rest``)."""
    draft = draft_for(actor, course)
    filename, result = convert_gift_upload(gift_file, filename, title, set(draft.sources), import_rest=import_rest)
    if result.images:
        draft.images = {**draft.images, **{name: publishing.store_image(data) for name, data in result.images.items()}}
    _add_file(actor, draft, filename, result.markdown)
    return result


def gift_into_folder(folder: Path, gift_file: bytes, filename: str, title: str, *,
                     import_rest: bool = False) -> tuple[str, GiftResult]:
    """What :func:`import_gift` does, for a course kept as files (``courses gift``): write the new
    quiz module into the course folder and list it in course.md. Returns the file's name."""
    course_md = folder / "course.md"
    if not course_md.is_file():
        raise InvalidInput("into", f"{folder} has no course.md")
    existing = {path.name for path in folder.iterdir()}
    filename, result = convert_gift_upload(gift_file, filename, title, existing, import_rest=import_rest)
    try:
        listed = templates_md.add_module_to_course_md(course_md.read_text(encoding="utf-8"), filename)
    except ValueError as error:
        raise InvalidInput("into", str(error)) from None
    for name, data in result.images.items():
        (folder / "images").mkdir(exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / filename).write_text(result.markdown, encoding="utf-8")
    course_md.write_text(listed, encoding="utf-8")
    return filename, result


def convert_gift_upload(gift_file: bytes, filename: str, title: str, taken: set[str], *,
                        import_rest: bool = False) -> tuple[str, GiftResult]:
    """Convert a GIFT file into a quiz module named ``filename`` (not one of ``taken``): the file
    name as it will be written, and the conversion with its report. Refuses a file that is too
    large, not UTF-8, converts to nothing, or has a broken question (unless ``import_rest``)."""
    gift_text = _gift_text(gift_file)
    filename = filename.strip().lower()
    filename = filename if filename.endswith(".md") else filename + ".md"
    if not FILE_RE.match(filename) or filename in taken:
        raise InvalidInput("filename", str(_l("Choose a new file name of lowercase letters, digits and hyphens.")))
    module_id = re.sub(r"^[0-9._-]+", "", filename[:-3]).replace(".", "-") or "imported-quiz"
    try:
        result = convert_gift(gift_text, module_id[:64], title.strip() or "Imported questions")
    except GiftTooLarge as error:
        if error.what == "bytes":
            raise InvalidInput("gift", str(_l("The file is larger than 1 MB. Split the module into two."))) from None
        raise InvalidInput("gift", str(_l("The file holds %(n)d questions; at most %(max)d can be imported at once. "
                                          "Split it into smaller files.", n=error.found, max=MAX_QUESTIONS))) from None
    reasons = "; ".join(f"question {i.number} (line {i.line}): {i.message}" for i in result.skipped[:3])
    if result.converted == 0:
        raise InvalidInput("gift", f"{_l('No question in that file could be converted.')} {reasons}".strip())
    if result.skipped and not import_rest:
        more = len(result.skipped) - 3
        raise InvalidInput("gift", " ".join([
            str(_l("%(n)d of the file's questions could not be converted, so nothing was imported: fix them, or "
                   "choose to import the others anyway.", n=len(result.skipped))),
            reasons + (str(_l(" (and %(n)d more)", n=more)) if more > 0 else "")]))
    return filename, result


def _gift_text(data: bytes) -> str:
    """The text of an uploaded GIFT file: UTF-8 (with or without a BOM) of at most 1 MB, never cut
    short or decoded by guesswork, which would turn each accented letter into a replacement mark."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput("gift", str(_l("The file is larger than 1 MB. Split the module into two.")))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InvalidInput("gift", str(_l("The file is not UTF-8 text (line %(line)d). Save it as UTF-8 and try "
                                          "again.", line=line))) from None


def upload_image(actor: User, course: Course, filename: str, data: bytes) -> str:
    """Store an image for the draft; returns the name to write in Markdown (images/x.png)."""
    draft = draft_for(actor, course)
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput("image", str(_l("The image is larger than 2 MB.")))
    content_type = publishing.image_type(data)
    if content_type is None:
        raise InvalidInput("image", str(_l("Only PNG, JPEG and WebP images can be used.")))
    stem = IMAGE_NAME_RE.sub("-", PurePosixPath(filename).stem.lower()).strip("-.") or "image"
    name = f"images/{stem[:80]}{EXTENSIONS[content_type]}"
    sha = publishing.store_image(data)
    draft.images = {**draft.images, name: sha}
    draft.updated_by_id = actor.id
    db.session.flush()
    return name


def drafts_from_folder(actor: User, path: Path, *, replace_course: bool = False) -> publishing.ImportResult:
    """The courses under ``path`` become drafts to review, not versions: nothing is published.

    Checked as an import is (every problem stops it all, and a course id that belongs to another
    course is refused unless ``replace_course``). A course whose draft has unpublished changes is
    refused: those changes would be lost."""
    _require_author(actor)
    images: dict[Path, publishing.CourseImages] = {}

    def image_url_for(folder: Path) -> ImageUrl:
        images[folder.resolve()] = publishing.CourseImages.read(folder)
        return images[folder.resolve()].url

    report = check_path(path, image_url_for=image_url_for)
    result = publishing.ImportResult(report)
    if not report.ok:
        return result
    sources = {spec.id: publishing.read_sources(Path(spec.source_path).resolve(), spec) for spec in report.courses}
    refused: list[Problem] = []
    for spec in report.courses:
        course_md = str(Path(spec.source_path) / "course.md")
        course = db.session.scalar(sa.select(Course).where(Course.slug == spec.id))
        latest = publishing.latest_version(course) if course is not None else None
        if latest is not None and not replace_course and publishing.is_another_course(latest, spec):
            refused += publishing.overwrite_problems(spec, sources[spec.id], force=True)
        elif course is not None and (draft := db.session.get(CourseDraft, course.id)) is not None and \
                review_draft(actor, course).mine and draft.sources != sources[spec.id]:
            refused.append(Problem(course_md, 1, f"'{spec.id}' has a draft with changes that are not published: "
                                                 "publish or discard it first, so they are not lost"))
    if refused:
        result.report = replace(report, problems=report.problems + tuple(refused))
        return result
    for spec in report.courses:
        course = db.session.scalar(sa.select(Course).where(Course.slug == spec.id))
        if course is None:
            course = Course(slug=spec.id)
            db.session.add(course)
            db.session.flush()
        latest = publishing.latest_version(course)
        stored = {name: publishing.store_image(data)
                  for name, data in images[Path(spec.source_path).resolve()].files.items() if name in spec.images}
        draft = db.session.get(CourseDraft, course.id)
        if draft is None:
            draft = CourseDraft(course_id=course.id, sources={}, images={})
            db.session.add(draft)
        draft.sources, draft.images = dict(sources[spec.id]), stored
        draft.base_version = latest.number if latest else None
        draft.updated_by_id = actor.id
        db.session.flush()
        result.drafts.append(spec.id)
    return result


def try_draft(actor: User, course: Course, module_id: str | None = None) -> tuple[CourseSpec, ModuleSpec | None]:
    """The draft as a learner would get it, rendered and checked, to try before publishing:
    nothing a learner does here is recorded. Refused while the draft has problems."""
    draft = draft_for(actor, course)
    checked = check_draft(draft)
    if not checked.ok:
        raise InvalidInput("draft", str(_l("The draft has problems: correct them before trying it.")))
    [spec] = checked.report.courses
    if module_id is None:
        return spec, None
    module = next((m for m in spec.modules if m.id == module_id), None)
    if module is None:
        raise NotFound()
    return spec, module


def try_quiz(module: ModuleSpec, token: str, form: dict[str, list[str]] | None = None) -> TriedQuiz:
    """A draft quiz's form (every question, even where the quiz draws some), and with ``form``
    the review as after a pass, with the key: for the author, so nothing is recorded."""
    keys = quizzes.form_keys(token)
    views = [kind_of(q).view(q, keys) for q in module.questions]
    if form is None:
        return TriedQuiz(token, views, [], None)
    reviews, earned, total = [], 0.0, 0.0
    for question in module.questions:
        kind = kind_of(question)
        try:
            response = kind.decode(question, form, keys)
        except BadAnswer:
            raise InvalidInput("token", str(_l("That form is from another try; the page was loaded again."))) from None
        grade = kind.grade(question, response)
        earned, total = earned + grade.score * question.points, total + question.points
        reviews.append(kind.review(question, response, grade, True, keys))
    return TriedQuiz(token, views, reviews, earned / total if total else 1.0)


@dataclass
class TriedQuiz:
    """A quiz tried from the draft: its form, and after sending it the review and the score."""

    token: str
    questions: list[AnswerView]
    reviews: list[Review]
    score: float | None


def discard_draft(actor: User, course: Course) -> None:
    draft = draft_for(actor, course, create=False)
    if draft is not None:
        if publishing.latest_version(course) is None:
            raise InvalidInput("draft", str(_l("This course has never been published; its draft is all there is.")))
        db.session.delete(draft)
        db.session.flush()


@dataclass
class DraftCheck:
    report: CheckReport
    problems_by_file: dict[str, list[Problem]]

    @property
    def ok(self) -> bool:
        return self.report.ok


def _materialise(images: dict[str, str], folder: Path, sources: dict[str, str]) -> None:
    for name, text in sources.items():
        (folder / name).write_text(text, encoding="utf-8")
    if images:
        (folder / "images").mkdir()
        stored = db.session.scalars(sa.select(StoredImage).where(
            StoredImage.sha256.in_(set(images.values())))).all()
        data = {image.sha256: image.data for image in stored}
        for name, sha in images.items():
            (folder / name).write_bytes(data[sha])


STARTER_WARNING = "this line is still the starting text: write your own before publishing"


def check_draft(draft: CourseDraft, sources: dict[str, str] | None = None) -> DraftCheck:
    """Run the course checker on the draft (optionally with some files replaced)."""
    sources = sources or draft.sources
    with tempfile.TemporaryDirectory(prefix="trainer-draft-") as tmp:
        folder = Path(tmp) / draft.course.slug
        folder.mkdir()
        _materialise(draft.images, folder, sources)
        memo = Memo(_MEMOS.take(_memo_key(draft.course, draft.images)))
        report = check_path(folder, image_url=lambda src: _draft_image_url(draft, src), memo=memo)
        _MEMOS.keep(_memo_key(draft.course, draft.images), memo.entries)
        prefix = str(folder.resolve()) + "/"
        problems = tuple(replace(p, path=_relative(p.path, prefix)) for p in report.problems)
    listed = {"course.md", *(m.path for spec in report.courses for m in spec.modules)}
    problems += tuple(Problem(name, line, STARTER_WARNING, "warning")
                      for name, line in templates_md.starter_text(sources) if name in listed)
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.path, []).append(problem)
    return DraftCheck(replace(report, problems=problems), by_file)


# What the last checks of each draft found, file by file: a check after one file changed (the
# editor's live preview, a save) parses only that file. Kept per process, so nothing to clear.
_MEMOS = Shelf()


def _memo_key(course: Course, images: dict[str, str]) -> tuple[int, tuple[tuple[str, str], ...]]:
    """Memos are kept per course and image mapping: the rendered HTML holds the images' addresses."""
    return course.id, tuple(sorted(images.items()))


def _relative(path: str, prefix: str) -> str:
    absolute = str(Path(path).resolve())
    return absolute[len(prefix):] if absolute.startswith(prefix) else Path(path).name


def _draft_image_url(draft: CourseDraft, src: str) -> str:
    sha = draft.images.get(src.removeprefix("./"))
    return publishing.media_url(sha) if sha else src


def _working_copy(course: Course) -> tuple[dict[str, str], dict[str, str]]:
    """The files and images of the course's draft, or of its latest version when it has none."""
    draft = db.session.get(CourseDraft, course.id)
    if draft is not None:
        return dict(draft.sources), dict(draft.images)
    latest = publishing.latest_version(course)
    if latest is None:
        raise NotFound()
    return dict(latest.sources), {image.name: image.sha256 for image in latest.images}


def preview(actor: User, course: Course, path: str, text: str) -> tuple[ModuleSpec | None, list[Problem]]:
    """The rendered module (None for course.md or when nothing could be shown) and the problems
    of this file, with the draft's other files as context.

    It only reads: a preview makes no draft and writes nothing, so no request holds the
    database's write lock while Markdown is rendered. The rendering runs in a child process,
    stopped after PREVIEW_SECONDS; a text over PREVIEW_MAX_BYTES is not rendered at all."""
    _require_author(actor)
    sources, images = _working_copy(course)
    if path not in sources:
        raise NotFound()
    text = text.replace("\r\n", "\n")
    if len(text.encode("utf-8")) > PREVIEW_MAX_BYTES:
        return None, [Problem(path, 1, str(_l("This file is too long to check and preview as you type (more than "
                                              "%(kb)d KB). Save it and see the checker on the course page, or "
                                              "split the module into two.", kb=PREVIEW_MAX_BYTES // 1024)))]
    urls = {name: publishing.media_url(sha) for name, sha in images.items()}
    with tempfile.TemporaryDirectory(prefix="trainer-preview-") as tmp:
        folder = Path(tmp) / course.slug
        folder.mkdir()
        _materialise(images, folder, {**sources, path: text})
        try:
            earlier = _MEMOS.take(_memo_key(course, images))
            spec, problems, (keys, new) = timebox.run(preview_file, str(folder), path, urls, earlier,
                                                      seconds=PREVIEW_SECONDS)
            _MEMOS.keep(_memo_key(course, images), merged(earlier, keys, new))
        except timebox.TimedOut:
            return None, [Problem(path, 1, str(_l("The preview took too long and was stopped. Look for a very "
                                                  "long paragraph, list or table and split it.")))]
    return spec, list(problems)


@dataclass
class DraftReview:
    """What publishing the draft would change, and whether others published since it began.

    ``mine``: files the draft changed since its base version; ``theirs``: files changed by
    versions published since; ``both``: files changed on both sides to different texts, where
    an author must choose. ``changes``: the diff of the draft against the latest version."""

    base: int | None
    latest: CourseVersion | None
    mine: list[str]
    theirs: list[str]
    both: list[str]
    changes: list[tuple[str, list[str]]]

    @property
    def behind(self) -> bool:
        """Versions were published after the draft began: it must be brought up to date first."""
        return self.latest is not None and self.base is not None and self.latest.number > self.base


def _changed(old: dict[str, str], new: dict[str, str]) -> set[str]:
    return {name for name in set(old) | set(new) if old.get(name) != new.get(name)}


def review_draft(actor: User, course: Course) -> DraftReview:
    """The draft against the published course: its changes, and any made meanwhile by others."""
    draft = draft_for(actor, course)
    latest = publishing.latest_version(course)
    published = dict(latest.sources) if latest else {}
    base = publishing.version_sources(course, draft.base_version) if draft.base_version else {}
    mine = _changed(base, draft.sources) if draft.base_version else set(draft.sources)
    behind = latest is not None and draft.base_version is not None and latest.number > draft.base_version
    theirs = _changed(base, published) if behind else set()
    both = {name for name in mine & theirs if draft.sources.get(name) != published.get(name)}
    order = lambda names: sorted(names, key=lambda n: (n != "course.md", n))  # noqa: E731
    label = f"v{latest.number}" if latest else "published"
    return DraftReview(draft.base_version, latest, order(mine), order(theirs - mine), order(both),
                       diff(published, dict(draft.sources), label, "draft"))


def update_draft(actor: User, course: Course, keep_mine: set[str], take_theirs: set[str]) -> CourseDraft:
    """Bring the draft up to the latest version: files changed only by others are taken, files
    changed only in the draft are kept, and for a file changed on both sides the author's choice
    (``keep_mine`` or ``take_theirs``) is needed; without one for every such file nothing changes."""
    draft = draft_for(actor, course)
    review = review_draft(actor, course)
    if not review.behind or review.latest is None:
        return draft
    undecided = [name for name in review.both if name not in keep_mine and name not in take_theirs]
    if undecided:
        raise InvalidInput("choice", str(_l("Choose your text or the published text for each file changed on "
                                            "both sides: %(files)s.", files=", ".join(undecided))))
    published = dict(review.latest.sources)
    sources = dict(draft.sources)
    for name in [*review.theirs, *(name for name in review.both if name in take_theirs)]:
        if name in published:
            sources[name] = published[name]
        else:
            sources.pop(name, None)
    images = {vi.name: vi.sha256 for vi in review.latest.images}
    draft.images = {**images, **draft.images}
    _set_sources(draft, sources, actor)
    draft.base_version = review.latest.number
    db.session.flush()
    return draft


def publish_draft(actor: User, course: Course) -> tuple[DraftCheck, CourseVersion | None]:
    """Publish the draft as the next version, or return its problems and write nothing.
    Everything is checked and rendered before the first write."""
    _require_author(actor)
    draft = draft_for(actor, course, create=False)
    if draft is None:
        raise InvalidInput("draft", str(_l("There is no draft to publish: edit a file first.")))
    latest = publishing.latest_version(course)
    if latest is not None and draft.base_version is not None and latest.number > draft.base_version:
        raise InvalidInput("draft", str(_l(
            "Version %(n)d was published after this draft began (from version %(base)d): bring the draft up to date "
            "before publishing, so that nobody's changes are undone.", n=latest.number, base=draft.base_version)))
    if current_app.config.get("PUBLISH_NEEDS_SECOND_AUTHOR") and draft.updated_by_id == actor.id:
        raise InvalidInput("draft", str(_l("Another author must publish this draft: you made its last change, "
                                           "and this site asks for a second pair of eyes.")))
    if current_app.config.get("PUBLISH_NEEDS_SECOND_AUTHOR") and not policy.can_approve(actor):
        raise InvalidInput("draft", str(_l("A reviewer or an administrator must publish this draft: this site asks "
                                           "for a second pair of eyes.")))
    checked = check_draft(draft)
    if not checked.ok:
        return checked, None
    starter = [f"{p.path}:{p.line}" for p in checked.report.problems if p.message == STARTER_WARNING]
    if starter:
        raise InvalidInput("draft", str(_l("Not published: these lines are still the starting text, which learners "
                                           "must not see: %(lines)s.", lines=", ".join(starter[:8])
                                           + (" …" if len(starter) > 8 else ""))))
    [spec] = checked.report.courses
    if spec.id != course.slug:
        raise InvalidInput("course.md", str(_l("The id in course.md must stay the course's id, '%(slug)s'.",
                                               slug=course.slug)))
    images = publishing.CourseImages({name: _image_bytes(sha) for name, sha in draft.images.items()})
    version, _ = publishing.publish(spec, dict(draft.sources), images, actor)
    db.session.delete(draft)
    db.session.flush()
    return checked, version


def _image_bytes(sha: str) -> bytes:
    """Stored images are never deleted, so every image a draft names is there."""
    return db.session.get_one(StoredImage, sha).data


def versions(actor: User, course: Course) -> list[CourseVersion]:
    _require_author(actor)
    return list(reversed(course.versions))


def get_version(actor: User, course: Course, number: int) -> CourseVersion:
    _require_author(actor)
    version = db.session.scalar(sa.select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.number == number))
    if version is None:
        raise NotFound()
    return version


def diff(old: dict[str, str], new: dict[str, str], old_label: str, new_label: str) -> list[tuple[str, list[str]]]:
    """Per changed file, the lines of a unified diff."""
    changes = []
    for name in sorted(set(old) | set(new), key=lambda n: (n != "course.md", n)):
        a, b = old.get(name, ""), new.get(name, "")
        if a != b:
            lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), f"{old_label}/{name}",
                                              f"{new_label}/{name}", lineterm="", n=2))
            changes.append((name, lines))
    return changes

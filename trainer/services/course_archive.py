"""Courses as zip files: export a version, import an uploaded zip safely."""
from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from flask_babel import lazy_gettext as _l

from trainer import policy
from trainer.content import CheckReport
from trainer.extensions import db
from trainer.models import Course, CourseVersion, StoredImage, User
from trainer.services import authoring, publishing
from trainer.services.errors import InvalidInput, NotAllowed

MAX_FILES = 500
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_MEMBER_BYTES = 2 * 1024 * 1024
MAX_RATIO = 200  # compression ratio above which a member is treated as a zip bomb


def export_zip(actor: User, course: Course, version: CourseVersion) -> bytes:
    """The version as a zip of Markdown and images that imports back to the same course."""
    if not policy.can_author(actor):
        raise NotAllowed()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in version.sources.items():
            archive.writestr(f"{course.slug}/{name}", text)
        for image in version.images:
            archive.writestr(f"{course.slug}/{image.name}", db.session.get_one(StoredImage, image.sha256).data)
    return buffer.getvalue()


def _safe_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Every member, refused whole if any is unsafe (paths outside, links, bombs, too many)."""
    members = archive.infolist()
    if len(members) > MAX_FILES:
        raise InvalidInput("archive", str(_l("The zip holds more than %(n)d files.", n=MAX_FILES)))
    total = 0
    for member in members:
        path = PurePosixPath(member.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in member.filename or ":" in member.filename:
            raise InvalidInput("archive", str(_l("The zip has a file outside its folder: %(name)s",
                                                 name=member.filename)))
        if not member.is_dir() and not path.parts:  # "." or "./": the folder itself, not a file in it
            raise InvalidInput("archive", str(_l("The zip holds an entry without a file name: %(name)s",
                                                 name=member.filename)))
        if stat.S_ISLNK(member.external_attr >> 16):
            raise InvalidInput("archive", str(_l("The zip holds a link, which is not allowed: %(name)s",
                                                 name=member.filename)))
        if member.file_size > MAX_MEMBER_BYTES:
            raise InvalidInput("archive", str(_l("%(name)s is larger than 2 MB.", name=member.filename)))
        if member.compress_size and member.file_size / member.compress_size > MAX_RATIO:
            raise InvalidInput("archive", str(_l("%(name)s expands suspiciously far; it is refused.",
                                                 name=member.filename)))
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise InvalidInput("archive", str(_l("The zip expands to more than 50 MB.")))
    return members


def _extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], folder: Path) -> None:
    for member in members:
        if member.is_dir():
            continue
        target = folder.joinpath(*PurePosixPath(member.filename).parts)
        try:
            with archive.open(member) as source:
                data = source.read(MAX_MEMBER_BYTES + 1)  # never trust the declared size alone
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError):  # damaged, or encrypted
            raise InvalidInput("archive", str(_l("%(name)s in the zip is damaged or encrypted; make the zip again.",
                                                 name=member.filename))) from None
        if len(data) > MAX_MEMBER_BYTES:
            raise InvalidInput("archive", str(_l("%(name)s is larger than 2 MB.", name=member.filename)))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as out:  # two entries with one name are refused, not overwritten
                out.write(data)
        except OSError:  # a file and a folder of the same name, or the same file twice
            raise InvalidInput("archive", str(_l("The zip holds %(name)s twice, or as both a file and a folder.",
                                                 name=member.filename))) from None


def import_zip(actor: User, data: bytes, *, replace_course: bool = False, force: bool = False,
               publish: bool = False) -> publishing.ImportResult:
    """Check and publish the courses in an uploaded zip: all or nothing; a course id of another
    course, or a zip lacking browser edits, is refused unless asked for (see import_path)."""
    if not policy.can_author(actor):
        raise NotAllowed()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidInput("archive", str(_l("That file is not a zip archive."))) from None
    with archive, tempfile.TemporaryDirectory(prefix="trainer-zip-") as tmp:
        _extract(archive, _safe_members(archive), Path(tmp))
        if publish:
            result = publishing.import_path(tmp, actor, replace_course=replace_course, force=force)
        else:  # a draft of each course, to review and publish in the browser
            result = authoring.drafts_from_folder(actor, Path(tmp), replace_course=replace_course)
        if not result.ok:
            result.report = _relative_report(result.report, Path(tmp))
        return result


def _relative_report(report: CheckReport, folder: Path) -> CheckReport:
    """Problems named by their place in the zip, not the temporary folder."""
    prefix = str(folder.resolve()) + "/"
    problems = tuple(replace(p, path=str(Path(p.path).resolve()).removeprefix(prefix)) for p in report.problems)
    return replace(report, problems=problems)

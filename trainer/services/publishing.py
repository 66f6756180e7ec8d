"""Publishing courses: checked text becomes a new course version, atomically and idempotently.

Every problem stops the whole import before anything is written; a course whose text has not
changed since its latest version is left alone; changed text makes a new version and never
touches the old ones, so learners part-way through keep what they were given.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa

from trainer.content import CheckReport, CourseSpec, ImageUrl, Problem, check_path
from trainer.extensions import db
from trainer.models import Course, CourseVersion, Module, StoredImage, User, VersionImage
from trainer.services import audit, referrals
from trainer.services.course_data import module_body

log = logging.getLogger(__name__)

IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"RIFF": "image/webp"}


@dataclass
class CourseImages:
    """The image files of one course folder, by the name a module uses (``images/x.png``)."""

    files: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> CourseImages:
        images = cls()
        image_dir = folder / "images"
        if image_dir.is_dir():
            for path in sorted(image_dir.iterdir()):
                if path.is_file() and not path.is_symlink() and path.stat().st_size <= 2 * 1024 * 1024:
                    images.files[f"images/{path.name}"] = path.read_bytes()
        return images

    def url(self, src: str) -> str:
        """Where a published image is served: by the hash of its bytes, so caches never go stale."""
        data = self.files.get(unquote(src).removeprefix("./"))
        return media_url(hashlib.sha256(data).hexdigest()) if data is not None else src


def media_url(sha256: str) -> str:
    return f"/media/{sha256}"


def image_type(data: bytes) -> str | None:
    """The content type of a PNG, JPEG or WebP by its first bytes; None for anything else."""
    for magic, content_type in IMAGE_TYPES.items():
        if data.startswith(magic) and (magic != b"RIFF" or data[8:12] == b"WEBP"):
            return content_type
    return None


@dataclass
class ImportResult:
    report: CheckReport
    published: list[CourseVersion] = field(default_factory=list)
    unchanged: list[CourseVersion] = field(default_factory=list)
    referrals: tuple[int, int] | None = None  # (added or updated, removed) from referrals.yaml
    drafts: list[str] = field(default_factory=list)  # ids of courses whose draft the import became

    @property
    def ok(self) -> bool:
        return self.report.ok


def check(path: str | Path) -> CheckReport:
    """Check a course folder (or a folder of courses) without writing anything."""
    return check_path(path)


def import_path(path: str | Path, actor: User | None = None, *, replace_course: bool = False,
                force: bool = False) -> ImportResult:
    """Publish every course under ``path``: nothing at all when any error is found.

    Two silent overwrites are refused as errors: an id that belongs to a different course
    (unless ``replace_course``), and files that lack edits made in the browser since the files
    were last imported or exported (unless ``force``). ``from_files``: the folder is the courses'
    files under version control (the command line), so they now hold what was published."""
    images: dict[Path, CourseImages] = {}

    def image_url_for(folder: Path) -> ImageUrl:
        images[folder.resolve()] = CourseImages.read(folder)
        return images[folder.resolve()].url

    report = check_path(path, image_url_for=image_url_for)
    result = ImportResult(report)
    if not report.ok:
        return result
    sources = {spec.id: read_sources(Path(spec.source_path).resolve(), spec) for spec in report.courses}
    refused = [problem for spec in report.courses
               for problem in overwrite_problems(spec, sources[spec.id], replace_course=replace_course, force=force)]
    if refused:
        result.report = dataclasses.replace(report, problems=report.problems + tuple(refused))
        return result
    if report.referrals:
        result.referrals = referrals.sync_from_file(report.referrals)
    for spec in report.courses:
        folder = Path(spec.source_path).resolve()
        version, created = publish(spec, sources[spec.id], images[folder], actor)
        version.course.files_version = version.number
        (result.published if created else result.unchanged).append(version)
    return result


def overwrite_problems(spec: CourseSpec, sources: dict[str, str], *, replace_course: bool = False,
                       force: bool = False) -> list[Problem]:
    """Why publishing these files would silently overwrite someone's work, as problems at
    course.md; none when the course is new, unchanged, or the overwrite was asked for."""
    course = db.session.scalar(sa.select(Course).where(Course.slug == spec.id))
    latest = latest_version(course) if course is not None else None
    if course is None or latest is None or latest.content_hash == spec.content_hash:
        return []
    course_md = str(Path(spec.source_path) / "course.md")
    if not replace_course and is_another_course(latest, spec):
        line = next((n for n, text in enumerate(sources["course.md"].split("\n"), start=1)
                     if re.match(r"id\s*:", text)), 1)
        return [Problem(course_md, line, f"the id '{spec.id}' belongs to another course, \"{latest.title}\" "
                                         f"(version {latest.number}), which has a different title and none of "
                                         "these modules: choose another id, or replace that course on purpose "
                                         "(--replace, or 'Replace a different course' when uploading a zip)")]
    missing = browser_edits_missing(course, latest, sources) if not force else []
    if missing:
        since = f"version {course.files_version}" if course.files_version else "it was created"
        return [Problem(course_md, 1, f"'{spec.id}' was changed in the browser since {since} (it is at version "
                                      f"{latest.number}), and these files do not have those changes: "
                                      f"{', '.join(missing)}. Export the course (courses export {spec.id} "
                                      "FOLDER), bring your changes together and import again, or replace the "
                                      "browser's changes on purpose (--force, or 'Publish even if…' when "
                                      "uploading a zip)")]
    return []


def is_another_course(latest: CourseVersion, spec: CourseSpec) -> bool:
    """A course that only shares the id: another title and none of the modules (say, a course.md
    copied from an example without changing its id)."""
    return latest.title != spec.title and not {m.slug for m in latest.modules} & {m.id for m in spec.modules}


def browser_edits_missing(course: Course, latest: CourseVersion, sources: dict[str, str]) -> list[str]:
    """The files changed after the version the course's files hold (``files_version``) whose
    text these sources do not have."""
    base_number = course.files_version or 0
    if latest.number <= base_number:
        return []
    base = version_sources(course, base_number)
    changed = {name for name in set(base) | set(latest.sources) if base.get(name) != latest.sources.get(name)}
    return sorted((name for name in changed if sources.get(name) != latest.sources.get(name)),
                  key=lambda name: (name != "course.md", name))


@dataclass
class Export:
    """What ``export_course`` wrote: the version, the files, and Markdown files it left alone."""

    version: CourseVersion
    written: list[str]
    not_in_version: list[str]


def export_course(slug: str, folder: Path) -> Export:
    """Write a course's latest version into ``folder`` as files (course.md, modules, images), so
    edits made in the browser can go back under version control; the course's files then hold
    that version. A folder holding another course is refused; other files are left alone."""
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    latest = latest_version(course) if course is not None else None
    if course is None or latest is None:
        raise ValueError(f"there is no published course '{slug}'")
    course_md = folder / "course.md"
    if course_md.is_file():
        found = re.search(r"^id\s*:\s*['\"]?([^'\"\s#]+)", course_md.read_text("utf-8", errors="replace"), re.M)
        if found and found.group(1) != slug:
            raise ValueError(f"{course_md} belongs to the course '{found.group(1)}', not '{slug}'")
    written = []
    for name, text in latest.sources.items():
        _write(folder / name, text.encode("utf-8"))
        written.append(name)
    for image in latest.images:
        stored = get_image(image.sha256)
        if stored is not None:
            _write(folder / image.name, stored.data)
            written.append(image.name)
    others = sorted(name for name in (str(p.relative_to(folder)) for p in folder.rglob("*.md")) if name not in written)
    course.files_version = latest.number
    return Export(latest, written, others)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def version_sources(course: Course, number: int) -> dict[str, str]:
    """The files of one version ({} for none)."""
    version = db.session.scalar(sa.select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.number == number))
    return dict(version.sources) if version is not None else {}


def read_sources(folder: Path, spec: CourseSpec) -> dict[str, str]:
    """The course's Markdown files as published: course.md and each module, in order."""
    sources = {"course.md": (folder / "course.md").read_text("utf-8")}
    for module in spec.modules:
        sources[module.path] = module.source_md
    return sources


def latest_version(course: Course) -> CourseVersion | None:
    return db.session.scalar(sa.select(CourseVersion).where(CourseVersion.course_id == course.id)
                             .order_by(CourseVersion.number.desc()).limit(1))


def publish(spec: CourseSpec, sources: dict[str, str], images: CourseImages,
            actor: User | None = None) -> tuple[CourseVersion, bool]:
    """Store a checked course as its next version; returns (version, whether it is new)."""
    course = db.session.scalar(sa.select(Course).where(Course.slug == spec.id))
    if course is None:
        course = Course(slug=spec.id)
        db.session.add(course)
        db.session.flush()
    latest = latest_version(course)
    if latest is not None and latest.content_hash == spec.content_hash:
        return latest, False
    version = _version(spec, sources, number=latest.number + 1 if latest else 1, actor=actor)
    stored = {name: store_image(images.files[name]) for name in spec.images}
    version.course = course
    version.images = [VersionImage(name=name, sha256=sha) for name, sha in stored.items()]
    db.session.add(version)
    db.session.flush()
    log.info("published %s version %s", spec.id, version.number)
    audit.record(actor, "course-published", f"course {spec.id}", version=version.number)
    return version, True


def _version(spec: CourseSpec, sources: dict[str, str], number: int, actor: User | None) -> CourseVersion:
    return CourseVersion(
        number=number, content_hash=spec.content_hash, title=spec.title, summary=spec.summary,
        language=spec.language, sectors=list(spec.sectors), specialties=list(spec.specialties),
        estimated_minutes=spec.estimated_minutes, pass_mark=spec.pass_mark,
        certificate_hours=float(spec.certificate_hours),
        certificate_valid_months=spec.certificate_valid_months,
        show_wrong_answers=spec.show_wrong_answers, status=spec.status,
        credit=asdict(spec.credit) if spec.credit else None,
        assessment=asdict(spec.assessment) if spec.assessment else None,
        reviewed=[asdict(review) for review in spec.reviewed],
        version_notes=spec.version_notes or "", intro_html=spec.intro_html, sources=sources,
        published_by_id=actor.id if actor else None,
        modules=[Module(
            slug=m.id, position=i, path=m.path, kind=m.kind, title=m.title, overview=m.overview,
            intensity=m.intensity, minutes=m.minutes, required=m.required,
            objectives=list(m.objectives), content_note=m.content_note,
            references_html=list(m.references_html), intro_html=m.intro_html, body=module_body(m, spec.pass_ending),
            content_hash=m.content_hash,
        ) for i, m in enumerate(spec.modules)],
    )


def store_image(data: bytes) -> str:
    """Keep an image once, by the sha256 of its bytes; returns the hash."""
    content_type = image_type(data)
    if content_type is None:
        raise ValueError("not a PNG, JPEG or WebP image")
    sha = hashlib.sha256(data).hexdigest()
    if db.session.get(StoredImage, sha) is None:
        db.session.add(StoredImage(sha256=sha, content_type=content_type, size=len(data), data=data))
        db.session.flush()
    return sha


def get_image(sha256: str) -> StoredImage | None:
    return db.session.get(StoredImage, sha256)

"""Read a course folder: course.md, its module files and images, into a CourseSpec."""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from trainer.vocabulary import Ending, Language

from . import frontmatter as fm
from .assessment import FIELDS as ASSESSMENT_FIELDS, read_assessment
from .context import Context
from .credit import read_credit
from .memo import Memo, relocated
from .parse import locate_images, normalise, parse_module_text, report_refused
from .problems import Parsed, Problem, Problems, sort_problems
from .render import ImageUrl, Renderer
from .reviews import read_reviewed
from .scan import scan
from .spec import LANGUAGES, PASS_ENDINGS, SECTORS, SPECIALTIES, STATUSES, CourseSpec, ImageRef, ModuleSpec

MAX_TEXT_BYTES = 1024 * 1024
MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_MAGIC = (re.compile(rb"^\x89PNG\r\n\x1a\n"), re.compile(rb"^\xff\xd8\xff"),
               re.compile(rb"^RIFF....WEBP", re.S))
NOT_MODULES = {"course.md", "readme.md"}

COURSE_FIELDS = {
    "id": fm.Field(fm.ident, required=True),
    "title": fm.Field(fm.text(200), required=True),
    "summary": fm.Field(fm.text(500), required=True),
    "language": fm.Field(fm.one_of(*LANGUAGES), required=True),
    "sectors": fm.Field(fm.text_list(1, choices=SECTORS), required=True),
    "specialties": fm.Field(fm.text_list(0, choices=SPECIALTIES)),
    "estimated_minutes": fm.Field(fm.whole(0), required=True),
    "pass_mark": fm.Field(fm.whole(0, 100)),
    "certificate_hours": fm.Field(fm.number(0)),
    "certificate_valid_months": fm.Field(fm.whole(1)),
    "show_wrong_answers": fm.Field(fm.boolean),
    "status": fm.Field(fm.one_of(*STATUSES)),
    "version_notes": fm.Field(fm.text()),
    "modules": fm.Field(fm.text_list(1), required=True),
    "pass_ending": fm.Field(fm.one_of(*PASS_ENDINGS)),
    "credit": fm.Field(lambda value: value),  # checked field by field by read_credit
    **ASSESSMENT_FIELDS,  # checked against the modules by read_assessment
    "reviewed": fm.Field(lambda value: value),  # checked entry by entry by read_reviewed
}


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies under it, else absolute."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def read_text(path: Path, problems: Problems) -> str | None:
    """A source file's normalised text; None (after a problem) if too large or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:  # checked before reading: a huge file is never loaded
        problems.error(1, f"file is larger than 1 MB ({size / 1024 / 1024:.1f} MB)")
        return None
    data = path.read_bytes()
    try:
        return normalise(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.error(line, "file is not UTF-8 text (save it as UTF-8)")
        return None


@dataclass
class _Course:
    """What reading a course folder produced so far."""

    folder: Path
    language: str = Language.EN.value
    problems: list[Problem] = field(default_factory=list)
    modules: list[ModuleSpec] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (name, text) for the hash
    memo: Memo = field(default_factory=Memo)


@dataclass
class _Head:
    """course.md: its checked field values and its introduction."""

    front: fm.FrontMatter | None
    values: dict[str, Any]
    intro_md: str
    intro_html: str
    images: tuple[ImageRef, ...]


def parse_course(folder: str | Path, image_url: ImageUrl | None = None,
                 memo: Memo | None = None) -> Parsed[CourseSpec | None]:
    """Parse a course folder. The spec is None only when course.md cannot be read at all;
    otherwise it is best-effort, and complete when there are no errors. With a ``memo``, files
    whose text it has seen are not parsed again."""
    course = _Course(Path(folder), memo=memo or Memo())
    course_md = course.folder / "course.md"
    problems = Problems(display_path(course_md))
    text = read_text(course_md, problems) if course_md.is_file() else None
    if text is None:
        if not course_md.is_file():
            problems.error(1, "course.md is missing")
        return Parsed(None, tuple(problems.items))
    head, found = course.memo.get("head", "course.md", text, lambda: _course_head(text, image_url))
    head = replace(head, values=dict(head.values))  # the memo's copy stays as it was parsed
    problems.items.extend(relocated(found, problems.path))
    course.language = head.values.get("language", Language.EN.value)
    course.texts.append(("course.md", text))
    for name in _module_entries(course, head.values.get("modules", ()), head.front, problems):
        _load_module(course, name, image_url)
    _check_module_ids(course)
    head.values["assessment"] = read_assessment(head.front, head.values, tuple(course.modules), problems)
    image_files = _check_images(course, [(problems.path, head.images)] + [
        (display_path(course.folder / module.path), module.images) for module in course.modules])
    spec = _course_spec(head, course, image_files)
    return Parsed(spec, tuple(sort_problems(problems.items + course.problems)))


def _course_head(text: str, image_url: ImageUrl | None) -> tuple[_Head, list[Problem]]:
    """Front matter values and introduction of course.md, and their problems."""
    problems = Problems("course.md")
    front, body, first_no = fm.split(text, problems)
    values = fm.read_fields(front, COURSE_FIELDS, problems, "course.md") if front else {}
    given = front is not None and "certificate_hours" in front.key_lines  # None: given, but not valid
    values["credit"] = read_credit(front, values.get("certificate_hours", None if given else 0), problems)
    values["reviewed"] = read_reviewed(front, problems)
    renderer = Renderer(values.get("language", Language.EN.value), image_url)
    ctx = Context(problems, renderer)
    preamble, blocks = scan(body, first_no, problems)
    for block in [preamble, *blocks]:
        ctx.reject_specials(block)
    intro_md = "\n".join(body).strip("\n")
    intro_html = renderer.render(intro_md)
    report_refused(renderer, text, problems)
    return _Head(front, values, intro_md, intro_html, locate_images(renderer.images, text)), problems.items


def _module_entries(course: _Course, entries: tuple[str, ...], front: fm.FrontMatter | None,
                    problems: Problems) -> list[str]:
    """The listed module files that exist, each once; warns about unlisted .md files."""
    found: list[str] = []
    root = course.folder.resolve()
    seen: set[Path] = set()
    for index, name in enumerate(entries):
        line = front.line("modules", index) if front else 1
        path = (course.folder / name).resolve()
        if not name.endswith(".md") or root not in path.parents:
            problems.error(line, f"module {name} must be a .md file inside the course folder")
        elif path in seen:
            problems.error(line, f"module {name} is listed twice")
        elif not path.is_file():
            problems.error(line, f"module file {name} does not exist")
        else:
            found.append(name)
        seen.add(path)
    if front is None or "modules" not in front.key_lines:
        return found  # course.md could not be read: every file would look unlisted
    listed = {(course.folder / name).resolve() for name in entries}
    for path in sorted(course.folder.glob("*.md")):
        if path.name.lower() not in NOT_MODULES and path.resolve() not in listed:
            course.problems.append(Problem(display_path(path), 1, "this module file is not "
                                           "listed under modules in course.md", "warning"))
    return found


def _load_module(course: _Course, name: str, image_url: ImageUrl | None) -> None:
    """Read and parse one module file into the course."""
    path = course.folder / name
    problems = Problems(display_path(path))
    text = read_text(path, problems)
    if text is None:
        course.problems.extend(problems.items)
        return
    parsed = course.memo.get("module", name, text,
                             lambda: parse_module_text(text, name, course.language, image_url),
                             course.language)
    course.problems.extend(relocated(parsed.problems, problems.path))
    course.modules.append(replace(parsed.spec, path=name))
    course.texts.append((name, text))


def _check_module_ids(course: _Course) -> None:
    """Module ids are unique within the course."""
    first: dict[str, str] = {}
    for module in course.modules:
        path = display_path(course.folder / module.path)
        if not module.id:
            continue
        if module.id in first:
            course.problems.append(Problem(path, id_line(module.source_md), f"module id "
                                           f"'{module.id}' is also used by {first[module.id]}"))
        else:
            first[module.id] = path


def id_line(text: str) -> int:
    """The line of the ``id:`` field in a file's front matter."""
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(r"id\s*:", line):
            return number
    return 1


def _check_images(course: _Course,
                  sources: list[tuple[str, tuple[ImageRef, ...]]]) -> dict[str, bytes]:
    """Check every image reference; return the contents of the good ones by ``src``."""
    good: dict[str, bytes] = {}
    for path, images in sources:
        problems = Problems(path)
        for image in images:
            data = _image_data(course.folder, image, problems)
            if data is not None:
                good[image.src] = data
        course.problems.extend(problems.items)
    return good


def _image_data(folder: Path, image: ImageRef, problems: Problems) -> bytes | None:
    """The image's bytes if it is a usable course image, after reporting what is wrong."""
    src = image.src
    if not image.alt.strip():
        problems.error(image.line, f"image {src} has no alt text: write ![what it shows]({src})")
    relative = unquote(src).removeprefix("./")
    if not relative.startswith("images/") or ".." in relative.split("/"):
        problems.error(image.line, f"image {src} must be in the course's images/ folder")
        return None
    path = folder / relative
    if not path.is_file():
        images = folder / "images"
        names = [p.name for p in images.iterdir() if p.is_file()] if images.is_dir() else []
        close = difflib.get_close_matches(relative.removeprefix("images/"), names, n=1, cutoff=0.75)
        hint = f"; did you mean images/{close[0]}?" if close else ""
        problems.error(image.line, f"image {src} does not exist{hint}")
        return None
    data = path.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        problems.error(image.line, f"image {src} is larger than 2 MB "
                                   f"({len(data) / 1024 / 1024:.1f} MB)")
        return None
    if not any(magic.match(data[:12]) for magic in IMAGE_MAGIC):
        problems.error(image.line, f"image {src} is not a PNG, JPEG or WebP file")
        return None
    return data


def course_hash(texts: list[tuple[str, str]], images: dict[str, bytes]) -> str:
    """sha256 over the normalised course.md and module texts (in order) and the images."""
    digest = hashlib.sha256()
    for name, text in texts:
        digest.update(_entry(name, normalise(text).encode("utf-8")))
    for src in sorted(images):
        digest.update(_entry(src, images[src]))
    return digest.hexdigest()


def _entry(name: str, data: bytes) -> bytes:
    """One file's contribution to the course hash: its name and its own sha256."""
    return name.encode("utf-8") + b"\0" + hashlib.sha256(data).hexdigest().encode() + b"\n"


def _course_spec(head: _Head, course: _Course, images: dict[str, bytes]) -> CourseSpec:
    """Build the (best-effort) course spec."""
    values = head.values
    return CourseSpec(
        id=values.get("id", course.folder.name), title=values.get("title", ""),
        summary=values.get("summary", ""), language=course.language,
        sectors=values.get("sectors", ()), specialties=values.get("specialties", ()),
        estimated_minutes=values.get("estimated_minutes", 0),
        pass_mark=values.get("pass_mark", 80),
        certificate_hours=values.get("certificate_hours", 0),
        certificate_valid_months=values.get("certificate_valid_months"),
        show_wrong_answers=values.get("show_wrong_answers", True),
        status=values.get("status", "published"), version_notes=values.get("version_notes"),
        intro_md=head.intro_md, intro_html=head.intro_html, modules=tuple(course.modules),
        source_path=str(course.folder.absolute()), content_hash=course_hash(course.texts, images),
        images=tuple(sorted(images)), pass_ending=values.get("pass_ending", Ending.ACCEPTABLE.value),
        credit=values.get("credit"), reviewed=values.get("reviewed", ()),
        assessment=values.get("assessment"))

"""Parse module files (and their lessons) into specs, collecting problems instead of raising.

``parse_module_text`` is what the browser editor calls; :func:`trainer.content.course.parse_course`
reads a whole course folder and calls it for every module.
"""
from __future__ import annotations

import hashlib
from typing import Any

from trainer.vocabulary import Language

from . import frontmatter as fm
from .context import Context
from .draw import read_draw
from .parse_case import parse_case
from .parse_quiz import parse_quiz
from .parse_scenario import parse_scenario
from .problems import Parsed, Problem, Problems, sort_problems
from .render import MARKUP_TOO_COMPLEX, ImageUrl, RenderedImage, Renderer
from .scan import Block, scan, split_attrs
from .spec import INTENSITIES, MODULE_KINDS, PASS_ENDINGS, PLAYED_KINDS, ImageRef, ModuleSpec, SectionSpec

__all__ = ["Problem", "content_hash", "locate_images", "normalise", "parse_module_text", "report_refused"]

CASE_FIELDS = ("country", "chapters", "facts", "risks", "rules")
MODULE_FIELDS = {
    "id": fm.Field(fm.ident, required=True),
    "kind": fm.Field(fm.one_of(*MODULE_KINDS), required=True),
    "title": fm.Field(fm.text(), required=True),
    "overview": fm.Field(fm.text(), required=True),
    "intensity": fm.Field(fm.one_of(*INTENSITIES), required=True),
    "minutes": fm.Field(fm.whole(0)),
    "required": fm.Field(fm.boolean),
    "objectives": fm.Field(fm.text_list(1, 8), required=True),
    "content_note": fm.Field(fm.text()),
    "references": fm.Field(fm.text_list(0)),
    "draw": fm.Field(lambda value: value),  # quizzes only; checked against the questions by read_draw
    "pass_ending": fm.Field(fm.one_of(*PASS_ENDINGS)),  # scenarios and cases only
    # cases only; checked by parse_case
    **{key: fm.Field(lambda value: value) for key in CASE_FIELDS},
}


def normalise(text: str) -> str:
    """The canonical form of a source text: no BOM, LF line ends, one final newline."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n" if text.strip() else ""


def content_hash(text: str) -> str:
    """sha256 of the normalised text, so line-ending changes do not count as edits."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def parse_module_text(text: str, path: str = "<editor>", language: str = Language.EN.value,
                      image_url: ImageUrl | None = None) -> Parsed[ModuleSpec]:
    """Parse one module file's text; ``path`` is only used in problem messages."""
    text = normalise(text)
    problems = Problems(path)
    front, body, first_no = fm.split(text, problems)
    values = fm.read_fields(front, MODULE_FIELDS, problems, "a module") if front else {}
    ctx = Context(problems, Renderer(language, image_url),
                  front.line("kind") if front and "kind" in front.key_lines else 1)
    preamble, blocks = scan(body, first_no, problems)
    ctx.reject_specials(preamble)
    intro_html = ctx.render(preamble.lines)
    parts = _parse_body(values.get("kind"), blocks, ctx, front)
    parts["draw"] = read_draw(front, values.get("kind"), parts.get("questions", ()), problems)
    if front is not None and "pass_ending" in values and values.get("kind") not in PLAYED_KINDS:
        problems.error(front.line("pass_ending"), "pass_ending: only a scenario or a case has endings")
        values.pop("pass_ending")
    for key in CASE_FIELDS:
        if front is not None and key in front.key_lines and values.get("kind") not in (None, "case"):
            problems.error(front.line(key), f"{key}: only a case has it")
    references = values.get("references", ())
    if values.get("kind") in ("lesson", "case") and not references:
        _missing_references(front, problems, values["kind"])
    module = _module(values, parts, text, path, intro_html,
                     tuple(ctx.render_inline(ref) for ref in references),
                     locate_images(ctx.renderer.images, text))
    report_refused(ctx.renderer, text, problems)
    return Parsed(module, tuple(sort_problems(problems.items)))


def report_refused(renderer: Renderer, text: str, problems: Problems, most: int = 10) -> None:
    """An error at the line where the renderer ran out of work, for each piece it refused (the
    first few); line 1 when that text cannot be found as written."""
    lines = set()
    for where in renderer.refused:
        first = next((line.strip() for line in where.split("\n") if line.strip()), "")
        at = text.find(first[:200]) if first else -1
        lines.add(text.count("\n", 0, at) + 1 if at >= 0 else 1)
    for line in sorted(lines)[:most]:
        problems.error(line, MARKUP_TOO_COMPLEX)


def _parse_body(kind: str | None, blocks: list[Block], ctx: Context,
                front: fm.FrontMatter | None) -> dict[str, Any]:
    """The kind-specific parts (sections, questions or nodes) of a module."""
    if kind == "lesson":
        return {"sections": parse_lesson(blocks, ctx)}
    if kind == "quiz":
        return {"questions": parse_quiz(blocks, ctx)}
    if kind == "scenario":
        nodes, start = parse_scenario(blocks, ctx)
        return {"nodes": nodes, "start": start}
    if kind == "case":
        nodes, start, case = parse_case(front, blocks, ctx)
        return {"nodes": nodes, "start": start, "case": case}
    for block in blocks:  # unknown kind: still render, for a preview
        ctx.render(block.lines)
    return {}


def _missing_references(front: fm.FrontMatter | None, problems: Problems, kind: str) -> None:
    """A lesson or a case must say where its facts come from."""
    if front is None:
        return
    if "references" in front.key_lines:
        if front.data.get("references") == [] or front.data.get("references") is None:
            problems.error(front.line("references"), f"references: a {kind} needs at least one")
    else:
        problems.error(1, f"missing field 'references' (required for {kind}s)")


def _module(values: dict[str, Any], parts: dict[str, Any], text: str, path: str,
            intro_html: str, references_html: tuple[str, ...],
            images: tuple[ImageRef, ...]) -> ModuleSpec:
    """Build the (best-effort) module spec from checked field values and parts."""
    return ModuleSpec(
        id=values.get("id", ""), kind=values.get("kind", ""), title=values.get("title", ""),
        overview=values.get("overview", ""), intensity=values.get("intensity", ""),
        minutes=values.get("minutes"), required=values.get("required", True),
        objectives=values.get("objectives", ()), content_note=values.get("content_note"),
        references=values.get("references", ()), references_html=references_html,
        intro_html=intro_html, source_md=text, content_hash=content_hash(text), path=path,
        images=images, pass_ending=values.get("pass_ending"), **parts)


def locate_images(images: list[RenderedImage], text: str) -> tuple[ImageRef, ...]:
    """Give each rendered image the line where its ``src`` is written (in order of use)."""
    lines = text.split("\n")
    next_from: dict[str, int] = {}
    located = []
    for image in images:
        start = next_from.get(image.src, 0)
        found = next((i for i in range(start, len(lines)) if image.src in lines[i]), None)
        if found is None:
            found = next((i for i in range(len(lines)) if image.src in lines[i]), 0)
        next_from[image.src] = found + 1
        located.append(ImageRef(image.src, image.alt, found + 1))
    return tuple(located)


# --- lessons --------------------------------------------------------------------------------

def parse_lesson(blocks: list[Block], ctx: Context) -> tuple[SectionSpec, ...]:
    """Lesson sections, one per ``##`` heading."""
    if not blocks:
        ctx.problems.error(ctx.kind_line, "a lesson needs at least one ## section with an {#id}")
    seen: dict[str, int] = {}
    return tuple(_section(block, ctx, seen) for block in blocks)


def _section(block: Block, ctx: Context, seen: dict[str, int]) -> SectionSpec:
    """One section: heading id and note, body, and the alternative of a noted section."""
    title, attrs = split_attrs(block.heading or "", block.line, ctx.problems, "section heading",
                               ("note",))
    ctx.unique(attrs.id, block.line, seen)
    if not title:
        ctx.problems.error(block.line, "section heading has no title")
    note = attrs.values.get("note")
    if note is not None and not note.strip():
        ctx.problems.error(block.line, 'note= needs a reason, for example note="sexual violence"')
        note = None
    return SectionSpec(attrs.id or "", title, note, ctx.render(block.lines),
                       _alternative(block, note, ctx))


def _alternative(block: Block, note: str | None, ctx: Context) -> str | None:
    """The rendered ``::: alternative`` of a section; only a noted section may have one."""
    ctx.reject_specials(block, ("alternative",))
    alternatives = [c for c in block.specials if c.kind == "alternative"]
    for extra in alternatives[1:]:
        ctx.problems.error(extra.line, "a section has at most one ::: alternative")
    if not alternatives:
        return None
    first = alternatives[0]
    if note is None:
        ctx.problems.error(first.line, '::: alternative is only allowed in a section with a '
                                       'note="..." (add one to the section heading)')
        return None
    html = ctx.render(first.lines)
    if not html:
        ctx.problems.error(first.line, "::: alternative is empty")
    return html or None

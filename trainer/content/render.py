"""Markdown to sanitised HTML, with ``:::`` callouts and course images.

Rendering happens once, at publish time (DESIGN.md decision 3). Raw HTML written in Markdown
is dropped before rendering (tags removed; script/style/... removed with their content), and
the result is cleaned again by nh3 with an explicit allow-list, so nothing unsafe can survive
even if python-markdown lets something through.

python-markdown re-reads the rest of a paragraph for every link it tries and every mark it
replaces, and the rest of a block for every heading it splits off, so some texts take time
that grows with the square of their length (8,000 unclosed ``[`` took 11 s, 16,000 ``# a``
lines without a blank line 46 s). Two guards keep rendering about linear: a link's text and
address are looked for within ``LINK_SCAN_LIMIT`` characters, and each piece of Markdown may
use ``WORK_BASE + WORK_PER_CHAR`` units of work per character, counted as python-markdown goes.
A piece that needs more is shown as plain text and listed in ``Renderer.refused``; the checker
reports it as an error (see ``MARKUP_TOO_COMPLEX``).
"""
from __future__ import annotations

import html as html_lib
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, InlineProcessor, LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from trainer.vocabulary import Language

CALLOUT_KINDS = ("indicators", "what-to-do", "who-to-call", "note", "warning", "example",
                 "myth-fact", "self-care")
# Rendered HTML is stored, so default titles are chosen in the course's language here.
DEFAULT_TITLES: dict[str, dict[str, str]] = {
    Language.EN: {"indicators": "Indicators", "what-to-do": "What to do", "who-to-call": "Who to call",
           "note": "Note", "warning": "Warning", "example": "Example",
           "myth-fact": "Myth and fact", "self-care": "Self-care"},
    Language.NL: {"indicators": "Signalen", "what-to-do": "Wat te doen", "who-to-call": "Wie te bellen",
           "note": "Opmerking", "warning": "Waarschuwing", "example": "Voorbeeld",
           "myth-fact": "Fabel en feit", "self-care": "Zelfzorg"},
}
# A table's scrolling region is named in the course's language (screen readers announce it).
TABLE_LABELS = {"en": "Table", "nl": "Tabel"}
TABLE_RE = re.compile(r"<table>(?P<inner>.*?)</table>", re.DOTALL)
HEADER_CELL_RE = re.compile(r"<th\b[^>]*>(?P<text>.*?)</th>", re.DOTALL)
TAG_RE = re.compile(r"<[^>]+>")
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead",
                "tbody", "tr", "th", "td", "a", "img", "em", "strong", "code", "pre",
                "blockquote", "hr", "br", "aside"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                      "td": {"align"}, "ol": {"start"}, "aside": {"class"}, "p": {"class"}}
ALLOWED_CLASSES = {("aside", f"callout callout-{kind}") for kind in CALLOUT_KINDS} | {
    ("p", "callout-title")}
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math",
                        "template", "noscript", "textarea", "select", "title", "frameset"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
OPEN_RE = re.compile(r"^:::[ \t]*(?P<kind>[^\s\"]+)[ \t]*(?P<title>.*?)[ \t]*$")
_CONTENT_TAGS = "|".join(sorted(DROPPED_WITH_CONTENT))
RAW_HTML_RE = rf"<({_CONTENT_TAGS})\b.*?</\1\s*>|{HTML_RE}"
EMPTY_P_RE = re.compile(r"<p>\s*</p>\n?")
SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*:|//)")

ImageUrl = Callable[[str], str]

LINK_SCAN_LIMIT = 2_000  # characters searched for the "]" and ")" of a link
WORK_BASE, WORK_PER_CHAR = 20_000, 400  # units of work a piece may use (see _Work)
# In units: a "]" passed while looking for a link's end, a character of a link's address, and
# one of the rest of a block that is read again (measured: they cost more than a character).
BRACKET_WEIGHT, SCAN_WEIGHT, BLOCK_WEIGHT = 150, 100, 130
_PLACEHOLDER_RE = re.compile(r"\x02klzzwxh:[0-9]+\x03")  # python-markdown's marks for parts done
MAX_CALLOUT_DEPTH = 5  # ::: callouts inside callouts, deeper ones stay text
MARKUP_TOO_COMPLEX = ("this Markdown takes too long to render: close or escape (\\[) unclosed '[' and "
                      "'](' and start a new paragraph or block (a blank line) more often")


class MarkupTooComplex(Exception):
    """A piece of Markdown needs more work than its length allows; ``where`` is the text
    (a paragraph or the rest of a block) being worked on when the work ran out."""

    def __init__(self, where: str) -> None:
        super().__init__("too much work to render")
        self.where = where


class _Work:
    """The work left for the piece being rendered. One unit is a character that python-markdown
    reads again for an inline match, or searches (at C speed) for a link's "]"; the weights above
    count the slower steps (about 2 ns a unit on a busy 2-core machine)."""

    def __init__(self) -> None:
        self.left = 0

    def allow(self, text: str) -> None:
        self.left = WORK_BASE + WORK_PER_CHAR * len(text)

    def spend(self, units: int, where: str) -> None:
        self.left -= units
        if self.left < 0:
            raise MarkupTooComplex(where)


def _metered_match(handle: Callable[..., Any], work: _Work) -> Callable[..., Any]:
    def handle_match(m: re.Match[str], data: str) -> Any:
        work.spend(len(data), data)  # a match rebuilds the text around it
        return handle(m, data)
    return handle_match


def _link_text(work: _Work) -> Callable[[str, int], tuple[str, int, bool]]:
    """python-markdown's ``getText`` (the text up to the matching ``]``), within the scan limit."""
    def get_text(data: str, index: int) -> tuple[str, int, bool]:
        end, depth, start = min(len(data), index + LINK_SCAN_LIMIT), 1, index
        close = data.find("]", index, end)
        while close >= 0:  # from "]" to "]", counting the "[" between them
            work.spend(BRACKET_WEIGHT + close + 1 - start, data)
            depth += data.count("[", start, close) - 1
            if depth == 0:
                return data[index:close], close + 1, True
            start, close = close + 1, data.find("]", close + 1, end)
        work.spend(end - start, data)
        return data[index:end], end, False
    return get_text


def _link_address(get_link: Callable[..., Any], work: _Work) -> Callable[[str, int], Any]:
    """python-markdown's ``getLink`` (the ``(address "title")``), within the scan limit."""
    def get_address(data: str, index: int) -> Any:
        window = data[:index + LINK_SCAN_LIMIT]
        href, title, end, handled = get_link(window, index)
        # It reads to the end of the window unless the link closed; a title left open makes it
        # read to the end and come back (a found link, no title, a quote in the address).
        read_all = not handled or (title is None and ('"' in window[index:end] or "'" in window[index:end]))
        work.spend(SCAN_WEIGHT * ((len(window) if read_all else end) - index), data)
        return href, title, end, handled
    return get_address


def _metered_block(run: Callable[..., Any], work: _Work) -> Callable[..., Any]:
    def run_block(parent: etree.Element, blocks: list[str]) -> Any:
        count = len(blocks)
        result = run(parent, blocks)
        if result is not False and blocks and len(blocks) >= count:  # it took a part and handed the rest back
            work.spend(BLOCK_WEIGHT * len(blocks[0]), blocks[0])
        return result
    return run_block


def _meter(md: markdown.Markdown, work: _Work) -> None:
    """Count the work of every inline and block processor (including other extensions')."""
    for processor in md.inlinePatterns:
        if isinstance(processor, InlineProcessor):
            processor.handleMatch = _metered_match(processor.handleMatch, work)  # type: ignore[method-assign]
        if isinstance(processor, LinkInlineProcessor):
            processor.getText = _link_text(work)  # type: ignore[method-assign, assignment]
            processor.getLink = _link_address(processor.getLink, work)  # type: ignore[method-assign, assignment]
    for block_processor in md.parser.blockprocessors:
        block_processor.run = _metered_block(block_processor.run, work)  # type: ignore[method-assign]


@dataclass(frozen=True)
class RenderedImage:
    """An image met while rendering: its ``src`` as written and its alt text."""

    src: str
    alt: str


class _DropRawHtml(InlineProcessor):
    """Replaces raw HTML tags and comments with nothing (and dangerous elements' content)."""

    # InlineProcessor changes Pattern's signature; Markdown's own stubs mark the same override.
    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # type: ignore[override]  # noqa: N802
        return "", m.start(0), m.end(0)


class _CalloutProcessor(BlockProcessor):
    """``::: kind "title"`` ... ``:::`` becomes ``<aside class="callout callout-kind">``."""

    def __init__(self, parser: markdown.blockparser.BlockParser, language: str) -> None:
        super().__init__(parser)
        self.titles = DEFAULT_TITLES.get(language, DEFAULT_TITLES[Language.EN])
        self.depth = 0

    def test(self, parent: etree.Element, block: str) -> bool:
        return self.depth < MAX_CALLOUT_DEPTH and _opening_index(block) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        lines = blocks.pop(0).split("\n")
        start = _opening_index("\n".join(lines))
        assert start is not None  # test() said so
        if start:  # text right above the fence, without a blank line between
            self.parser.parseBlocks(parent, ["\n".join(lines[:start])])
        match = OPEN_RE.match(lines[start])
        assert match is not None
        kind, title = match["kind"], unquote(match["title"])
        inner = _take_until_close(lines[start + 1:], blocks)
        aside = etree.SubElement(parent, "aside", {"class": f"callout callout-{kind}",
                                                   "role": "note"})
        heading = etree.SubElement(aside, "p", {"class": "callout-title"})
        heading.text = AtomicString(title or self.titles[kind])
        self.depth += 1
        try:
            self.parser.parseChunk(aside, inner)
        finally:
            self.depth -= 1


def _opening_index(block: str) -> int | None:
    """Index of the first line of ``block`` that opens a callout, if any."""
    for index, line in enumerate(block.split("\n")):
        match = OPEN_RE.match(line)
        if match and match["kind"] in CALLOUT_KINDS:
            return index
    return None


def _take_until_close(lines: list[str], blocks: list[str]) -> str:
    """Collect the callout's text up to its closing ``:::``; push back what follows."""
    collected: list[str] = []
    while True:
        for index, line in enumerate(lines):
            if line.strip() == ":::":
                collected.append("\n".join(lines[:index]))
                after = "\n".join(lines[index + 1:])
                if after.strip():
                    blocks.insert(0, after)
                return "\n\n".join(collected)
        collected.append("\n".join(lines))
        if not blocks:  # unclosed: the checker reports it; render what there is
            return "\n\n".join(collected)
        lines = blocks.pop(0).split("\n")


def unquote(title: str) -> str | None:
    """A callout title without its quotes; None when empty."""
    title = title.strip()
    if len(title) >= 2 and title[0] == title[-1] and title[0] in "\"'":
        title = title[1:-1].strip()
    return title or None


class _ImageProcessor(Treeprocessor):
    """Records every image, drops off-site ones, and maps ``src`` through ``image_url``."""

    def __init__(self, md: markdown.Markdown, image_url: ImageUrl | None,
                 seen: list[RenderedImage]) -> None:
        super().__init__(md)
        self.image_url = image_url
        self.seen = seen

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for img in list(root.iter("img")):
            src = img.get("src", "")
            self.seen.append(RenderedImage(src, img.get("alt", "")))
            if SCHEME_RE.match(src):  # images come from the course folder, never elsewhere
                _remove(img, parents[img])
            elif self.image_url is not None:
                img.set("src", self.image_url(src))


def _remove(element: etree.Element, parent: etree.Element) -> None:
    """Remove an element, keeping the text that follows it."""
    index = list(parent).index(element)
    if element.tail:
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


class _CourseExtension(Extension):
    """Wires the callout, image and raw-HTML pieces into one Markdown instance."""

    def __init__(self, language: str, image_url: ImageUrl | None,
                 seen: list[RenderedImage], work: _Work) -> None:
        super().__init__()
        self.language, self.image_url, self.seen, self.work = language, image_url, seen, work

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_DropRawHtml(RAW_HTML_RE, md), "drop_html", 90)
        md.parser.blockprocessors.register(_CalloutProcessor(md.parser, self.language),
                                           "callout", 95)
        md.treeprocessors.register(_ImageProcessor(md, self.image_url, self.seen), "images", 15)
        _meter(md, self.work)  # last, after every extension listed before this one


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Allow ``class`` only with the exact values our own callout markup uses."""
    if attribute == "class":
        return value if (tag, value) in ALLOWED_CLASSES else None
    return value


def wrap_tables(html: str, language: str = Language.EN.value) -> str:
    """Put each table of sanitised HTML in a labelled region that keyboard users can focus and
    scroll sideways, so a wide table never makes the whole page scroll. The label names the
    table by its column headings."""
    word = TABLE_LABELS.get(language, TABLE_LABELS["en"])

    def wrap(match: re.Match[str]) -> str:
        cells = HEADER_CELL_RE.finditer(match["inner"])
        headings = [" ".join(html_lib.unescape(TAG_RE.sub("", m["text"])).split()) for m in cells]
        label = word + (": " + ", ".join(h for h in headings if h) if any(headings) else "")
        return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{html_lib.escape(label)}">'
                f"{match.group(0)}</div>")

    return TABLE_RE.sub(wrap, html)


def sanitize(html: str) -> str:
    """Clean HTML with the allow-list: safe tags, attributes and URL schemes only."""
    return nh3.clean(
        html, tags=ALLOWED_TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES, attribute_filter=_filter_attribute,
        tag_attribute_values={"aside": {"role": {"note"}}}, url_schemes=URL_SCHEMES,
        strip_comments=True, link_rel="noopener noreferrer")


class Renderer:
    """Renders the Markdown pieces of one module or course; remembers the images it met."""

    def __init__(self, language: str = Language.EN.value, image_url: ImageUrl | None = None) -> None:
        self.language = language
        self.images: list[RenderedImage] = []
        self.refused: list[str] = []  # where pieces needed too much work (shown as plain text)
        self._work = _Work()
        self._md = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists",
                        _CourseExtension(language, image_url, self.images, self._work)],
            extension_configs={"tables": {"use_align_attribute": True}},
            output_format="html")

    def render(self, text: str) -> str:
        """Block Markdown to safe HTML ('' for blank text)."""
        if not text.strip():
            return ""
        self._work.allow(text)
        try:
            html = wrap_tables(EMPTY_P_RE.sub("", sanitize(self._md.convert(text))).strip(), self.language)
        except MarkupTooComplex as error:
            self.refused.append(_PLACEHOLDER_RE.sub("", error.where))
        except RecursionError:
            self.refused.append(text)
        else:
            return html
        finally:
            self._md.reset()
        return "<p>" + html_lib.escape(text.strip()) + "</p>"

    def render_inline(self, text: str) -> str:
        """Like :meth:`render`, without the ``<p>`` around a single paragraph."""
        html = self.render(text)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html


def render_markdown(text: str, language: str = Language.EN.value, image_url: ImageUrl | None = None) -> str:
    """Render one piece of Markdown to sanitised HTML."""
    return Renderer(language, image_url).render(text)

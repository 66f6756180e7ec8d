"""Markdown to sanitised HTML, with ``:::`` callouts and course images.

Rendering happens once, at publish time (DESIGN.md decision 3). Raw HTML written in Markdown
is dropped before rendering (tags removed; script/style/... removed with their content), and
the result is cleaned again by nh3 with an explicit allow-list, so nothing unsafe can survive
even if python-markdown lets something through.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

import markdown
import nh3
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

CALLOUT_KINDS = ("indicators", "what-to-do", "who-to-call", "note", "warning", "example",
                 "myth-fact", "self-care")
# Rendered HTML is stored, so default titles are chosen in the course's language here.
DEFAULT_TITLES = {
    "en": {"indicators": "Indicators", "what-to-do": "What to do", "who-to-call": "Who to call",
           "note": "Note", "warning": "Warning", "example": "Example",
           "myth-fact": "Myth and fact", "self-care": "Self-care"},
    "nl": {"indicators": "Signalen", "what-to-do": "Wat te doen", "who-to-call": "Wie te bellen",
           "note": "Opmerking", "warning": "Waarschuwing", "example": "Voorbeeld",
           "myth-fact": "Fabel en feit", "self-care": "Zelfzorg"},
}
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


@dataclass(frozen=True)
class RenderedImage:
    """An image met while rendering: its ``src`` as written and its alt text."""

    src: str
    alt: str


class _DropRawHtml(InlineProcessor):
    """Replaces raw HTML tags and comments with nothing (and dangerous elements' content)."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # noqa: N802
        return "", m.start(0), m.end(0)


class _CalloutProcessor(BlockProcessor):
    """``::: kind "title"`` ... ``:::`` becomes ``<aside class="callout callout-kind">``."""

    def __init__(self, parser: markdown.blockparser.BlockParser, language: str) -> None:
        super().__init__(parser)
        self.titles = DEFAULT_TITLES.get(language, DEFAULT_TITLES["en"])

    def test(self, parent: etree.Element, block: str) -> bool:
        return _opening_index(block) is not None

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
        self.parser.parseChunk(aside, inner)


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
                 seen: list[RenderedImage]) -> None:
        super().__init__()
        self.language, self.image_url, self.seen = language, image_url, seen

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_DropRawHtml(RAW_HTML_RE, md), "drop_html", 90)
        md.parser.blockprocessors.register(_CalloutProcessor(md.parser, self.language),
                                           "callout", 95)
        md.treeprocessors.register(_ImageProcessor(md, self.image_url, self.seen), "images", 15)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Allow ``class`` only with the exact values our own callout markup uses."""
    if attribute == "class":
        return value if (tag, value) in ALLOWED_CLASSES else None
    return value


def sanitize(html: str) -> str:
    """Clean HTML with the allow-list: safe tags, attributes and URL schemes only."""
    return nh3.clean(
        html, tags=ALLOWED_TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES, attribute_filter=_filter_attribute,
        tag_attribute_values={"aside": {"role": {"note"}}}, url_schemes=URL_SCHEMES,
        strip_comments=True, link_rel="noopener noreferrer")


class Renderer:
    """Renders the Markdown pieces of one module or course; remembers the images it met."""

    def __init__(self, language: str = "en", image_url: ImageUrl | None = None) -> None:
        self.images: list[RenderedImage] = []
        self._md = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists",
                        _CourseExtension(language, image_url, self.images)],
            extension_configs={"tables": {"use_align_attribute": True}},
            output_format="html")

    def render(self, text: str) -> str:
        """Block Markdown to safe HTML ('' for blank text)."""
        if not text.strip():
            return ""
        try:
            return EMPTY_P_RE.sub("", sanitize(self._md.convert(text))).strip()
        finally:
            self._md.reset()

    def render_inline(self, text: str) -> str:
        """Like :meth:`render`, without the ``<p>`` around a single paragraph."""
        html = self.render(text)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html


def render_markdown(text: str, language: str = "en", image_url: ImageUrl | None = None) -> str:
    """Render one piece of Markdown to sanitised HTML."""
    return Renderer(language, image_url).render(text)

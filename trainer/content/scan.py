"""Line-level structure of a Markdown body: ``##`` blocks, ``:::`` fences, code fences, ids.

The scanner only finds structure and reports structural mistakes with their lines; Markdown
itself is rendered later by :mod:`trainer.content.render`. Structure is only read outside code
fences, and (like python-markdown's fenced_code) fences start in the first column.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .ids import bad_id_message, is_valid_id
from .problems import Problems
from .render import CALLOUT_KINDS, OPEN_RE, unquote

SPECIAL_KINDS = ("alternative", "explanation")
FENCE_KINDS = CALLOUT_KINDS + SPECIAL_KINDS
HEADING_RE = re.compile(r"^##(?!#)(?P<text>.*)$")
CODE_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
FENCE_CLOSE_RE = re.compile(r"^:::[ \t]*$")
ATTR_BLOCK_RE = re.compile(r"(?<!\\)\{(?P<body>[^{}]*)\}[ \t]*$")
ATTR_RE = re.compile(r'[ \t]+(?P<key>[A-Za-z][\w-]*)=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))')
LIST_ITEM_RE = re.compile(r"^[-*+][ \t]+(?P<rest>.*)$")


@dataclass(frozen=True)
class Line:
    """A source line; ``plain`` when outside code and ``:::`` fences (structure may be read)."""

    no: int
    text: str
    plain: bool = True


@dataclass
class Container:
    """A ``::: alternative`` or ``::: explanation`` taken out of its block."""

    kind: str
    title: str | None
    line: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class Block:
    """Text before the first ``##`` (``heading`` None) or one ``##`` heading and its body."""

    line: int
    heading: str | None
    lines: list[Line] = field(default_factory=list)
    specials: list[Container] = field(default_factory=list)


@dataclass
class Attrs:
    """The ``{#id key=value}`` block of a heading or list item."""

    id: str | None
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Item:
    """A list item after the stem: its text and the ``>`` quote under it."""

    line: int
    text: str
    feedback: list[str] = field(default_factory=list)


def text_of(lines: list[Line]) -> str:
    """The Markdown text of some lines."""
    return "\n".join(line.text for line in lines)


class _Scanner:
    """Feeds lines one by one into blocks, tracking open code and ``:::`` fences."""

    def __init__(self, problems: Problems, first_no: int) -> None:
        self.problems = problems
        self.blocks = [Block(line=first_no, heading=None)]
        self.stack: list[Container] = []
        self.code: tuple[str, int] | None = None  # (fence, line) of an open code fence

    def feed(self, no: int, text: str) -> None:
        """Sort one line into the current block or fence."""
        if self.code:
            self._add(Line(no, text, plain=False))
            if text.rstrip() == self.code[0]:
                self.code = None
        elif match := CODE_FENCE_RE.match(text):
            self.code = (match.group(1), no)
            self._add(Line(no, text, plain=False))
        elif match := HEADING_RE.match(text):
            self.close_all()
            self.blocks.append(Block(line=no, heading=match["text"]))
        elif FENCE_CLOSE_RE.match(text):
            self._close(Line(no, text, plain=False))
        elif match := OPEN_RE.match(text):
            self._open(Line(no, text, plain=False), match["kind"], unquote(match["title"]))
        else:
            self._add(Line(no, text, plain=not self.stack))

    def _add(self, line: Line) -> None:
        """Append to the open alternative/explanation, else to the current block."""
        if self.stack and self.stack[0].kind in SPECIAL_KINDS:
            self.stack[0].lines.append(line)
        else:
            self.blocks[-1].lines.append(line)

    def _open(self, line: Line, kind: str, title: str | None) -> None:
        """Open a ``:::`` fence, reporting unknown kinds and forbidden nesting."""
        if kind not in FENCE_KINDS:
            self.problems.error(line.no, f"unknown ::: kind '{kind}' (use one of: "
                                         f"{', '.join(FENCE_KINDS)})")
        if self.stack:
            outer = self.stack[-1].kind
            if not (outer == "alternative" and kind in CALLOUT_KINDS):
                self.problems.error(line.no, f"::: {kind} cannot be inside ::: {outer}: fences "
                                             "do not nest, except callouts in ::: alternative")
        container = Container(kind, title, line.no)
        if self.stack or kind not in SPECIAL_KINDS:
            self._add(line)
        self.stack.append(container)

    def _close(self, line: Line) -> None:
        """Close the innermost fence; an alternative/explanation is kept aside."""
        if not self.stack:
            self.problems.error(line.no, "::: closes nothing: no ::: fence is open")
            self._add(Line(line.no, line.text))
            return
        container = self.stack.pop()
        if not self.stack and container.kind in SPECIAL_KINDS:
            self.blocks[-1].specials.append(container)
        else:
            self._add(line)

    def close_all(self) -> None:
        """Report fences still open at a heading or the end of the file."""
        for container in reversed(self.stack):
            self.problems.error(container.line, f"::: {container.kind} is not closed: end it "
                                                "with a line :::")
        if self.stack and self.stack[0].kind in SPECIAL_KINDS:
            self.blocks[-1].specials.append(self.stack[0])
        self.stack = []


def scan(lines: list[str], first_no: int, problems: Problems) -> tuple[Block, list[Block]]:
    """Split body lines (the first at file line ``first_no``) into preamble and ``##`` blocks."""
    scanner = _Scanner(problems, first_no)
    for offset, text in enumerate(lines):
        scanner.feed(first_no + offset, text)
    if scanner.code:
        fence, line = scanner.code
        problems.error(line, f"code block is not closed: end it with a line {fence}")
    scanner.close_all()
    return scanner.blocks[0], scanner.blocks[1:]


def split_attrs(text: str, line: int, problems: Problems, what: str,
                allowed: tuple[str, ...] = ()) -> tuple[str, Attrs]:
    """Split ``Title {#id key=value}`` into the title and its attributes, reporting mistakes."""
    match = ATTR_BLOCK_RE.search(text)
    body = match["body"].strip() if match else ""
    if not match or not body.startswith("#"):
        problems.error(line, f"{what} has no {{#id}}")
        return text.strip(), Attrs(None)
    title = text[:match.start()].strip()
    rest = body[1:]
    ident = rest.split(maxsplit=1)[0] if rest and not rest[0].isspace() else ""
    rest = rest[len(ident):]
    attrs = Attrs(ident if is_valid_id(ident) else None)
    if attrs.id is None:
        problems.error(line, bad_id_message(ident) if ident else f"{what} has no {{#id}}")
    _read_values(rest, attrs, line, problems, allowed)
    return title, attrs


def _read_values(rest: str, attrs: Attrs, line: int, problems: Problems,
                 allowed: tuple[str, ...]) -> None:
    """Parse `` key=value key="v w"`` into ``attrs.values``."""
    pos = 0
    for match in ATTR_RE.finditer(rest):
        if rest[pos:match.start()].strip():
            break
        pos = match.end()
        key, value = match["key"], match["quoted"] if match["quoted"] is not None else match["bare"]
        if key not in allowed:
            problems.error(line, f"unknown attribute '{key}' (allowed here: "
                                 f"{', '.join(allowed) or 'none'})")
        elif key in attrs.values:
            problems.error(line, f"attribute '{key}' is given twice")
        else:
            attrs.values[key] = value
    if rest[pos:].strip():
        problems.error(line, f"malformed attributes '{rest[pos:].strip()}': write key=value "
                             'or key="value with spaces"')


def split_items(lines: list[Line], is_item: Callable[[str], bool], problems: Problems,
                not_item: str, after: str) -> tuple[list[Line], list[Item]]:
    """Split a block body into the lines before the first item and the items.

    ``is_item`` tells an item (option, pair, choice) from another list item; other list items
    after the first item are reported with ``not_item``, other text with ``after``.
    """
    first = next((i for i, line in enumerate(lines)
                  if line.plain and _item_text(line.text) is not None
                  and is_item(_logical_item(lines, i))),
                 None)
    if first is None:
        return lines, []
    items: list[Item] = []
    blank, reported = False, False
    for index in range(first, len(lines)):
        line = lines[index]
        rest = _item_text(line.text) if line.plain else None
        if rest is not None:
            if is_item(_logical_item(lines, index)):
                items.append(Item(line.no, rest))
            else:
                problems.error(line.no, not_item)
            blank, reported = False, False
        elif not line.text.strip():
            blank = True
        elif _attach(items[-1], line.text, blank):
            blank = False
        elif not reported:
            problems.error(line.no, after)
            reported = True
    return lines[:first], items


def _logical_item(lines: list[Line], index: int) -> str:
    """A list item's first line joined with its indented continuation lines (not its quote),
    so an item whose arrow or box is wrapped onto a later line is still recognised."""
    parts = [lines[index].text]
    for line in lines[index + 1:]:
        stripped = line.text.strip()
        if not stripped or not line.text[0].isspace() or stripped.startswith(">"):
            break
        parts.append(stripped)
    return " ".join(parts)


def _item_text(text: str) -> str | None:
    """The text after a top-level list marker, or None for other lines."""
    match = LIST_ITEM_RE.match(text)
    return match["rest"] if match else None


def _attach(item: Item, text: str, blank: bool) -> bool:
    """Add an indented or ``>`` line to the item: more text, or its feedback quote."""
    stripped = text.strip()
    if stripped.startswith(">"):
        if blank and item.feedback:
            item.feedback.append("")
        quoted = stripped[1:]
        item.feedback.append(quoted[1:] if quoted.startswith(" ") else quoted)
        return True
    if not text[0].isspace() or blank:
        return False
    if item.feedback:
        item.feedback.append(stripped)  # lazy continuation of the quote
    else:
        item.text += " " + stripped
    return True

"""Turn parsed GIFT questions into quiz-module Markdown (see docs/authoring.md, "Quiz").

This module holds the parsed-question model that :mod:`trainer.content.gift` fills in, the
text-format conversion (Moodle, HTML, plain, Markdown -> safe Markdown), the per-kind mapping
from GIFT to this project's question kinds, and the Markdown rendering. Standard library only.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from html.parser import HTMLParser

BLANK = "\U000F0000"  # stands for the missing-word blank until the text has been converted
NO_EXPLANATION = "No explanation was given in the imported question."
RIGHT, PARTLY, WRONG = "Correct.", "Partly correct.", "Not correct."


class SkipQuestion(Exception):
    """A question that cannot be converted; ``reason`` says why, for the import report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class GiftText:
    """A piece of GIFT text with its escapes resolved, and its format name."""

    text: str
    fmt: str = "moodle"


@dataclass
class GiftAnswer:
    """One answer in a GIFT answer block (for matching: one pair; for numerical: one range)."""

    text: GiftText
    mark: str = "="
    weight: float | None = None
    feedback: GiftText | None = None
    match: str | None = None


@dataclass
class GiftQuestion:
    """A parsed GIFT question of a gradable kind."""

    kind: str  # multichoice, truefalse, shortanswer, matching or numerical
    title: str | None
    stem: GiftText
    answers: list[GiftAnswer] = field(default_factory=list)
    general_feedback: GiftText | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class QuizOption:
    """An option of an output question; ``correct`` is None for a matching pair."""

    id: str
    text: str
    correct: bool | None = None
    feedback: str = ""
    weight: float | None = None
    match: str | None = None


@dataclass
class QuizQuestion:
    """A question in this project's quiz-module format, ready to render."""

    title: str
    kind: str
    stem: str
    options: list[QuizOption]
    explanation: str
    tags: list[str] = field(default_factory=list)
    id: str = ""


# --- images carried in the file ---------------------------------------------------------------

# The images of the conversion under way (name -> bytes), collected by ``collect_images``.
_EMBEDDED: ContextVar[dict[str, bytes] | None] = ContextVar("gift_images", default=None)
_IMAGE_TYPES = {"image/png": (b"\x89PNG", ".png"), "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
                "image/webp": (b"RIFF", ".webp")}
MAX_IMAGE_BYTES = 2 * 1024 * 1024


@contextmanager
def collect_images() -> Iterator[dict[str, bytes]]:
    """While converting, keep the images carried in the file (``data:`` addresses) here."""
    images: dict[str, bytes] = {}
    token = _EMBEDDED.set(images)
    try:
        yield images
    finally:
        _EMBEDDED.reset(token)


def keep_embedded_image(src: str) -> str | None:
    """The course image name for a PNG, JPEG or WebP carried as a ``data:`` address (checked by
    its bytes, at most 2 MB), or None for anything else."""
    images = _EMBEDDED.get()
    match = re.fullmatch(r"data:(image/(?:png|jpeg|webp));base64,([A-Za-z0-9+/=\s]+)", src.strip(), re.I)
    if images is None or not match:
        return None
    try:
        data = base64.b64decode(re.sub(r"\s", "", match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        return None
    magic, extension = _IMAGE_TYPES[match.group(1).lower()]
    if not data.startswith(magic) or len(data) > MAX_IMAGE_BYTES or (magic == b"RIFF" and data[8:12] != b"WEBP"):
        return None
    name = f"images/gift-{hashlib.sha256(data).hexdigest()[:12]}{extension}"
    images[name] = data
    return name


# --- text formats ---------------------------------------------------------------------------

_KNOWN_TAGS = ("a|abbr|b|big|blockquote|body|br|center|cite|code|dd|del|div|dl|dt|em|figcaption|"
               "figure|font|h[1-6]|head|hr|html|i|iframe|img|ins|kbd|li|mark|noscript|object|ol|"
               "p|pre|s|script|small|span|strike|strong|style|sub|sup|svg|table|tbody|td|"
               "template|tfoot|th|thead|title|tr|tt|u|ul")
_TAG = re.compile(rf"<(?:/?(?:{_KNOWN_TAGS})(?:\s[^<>]*)?/?|!--.*?--)>", re.I | re.S)
_NOT_TAG = re.compile(rf"<(?!/?(?:{_KNOWN_TAGS})(?:[\s/>])|!--)", re.I)


def escape_markdown(text: str) -> str:
    """Make plain text literal in Markdown: backslash-escape emphasis, code and link syntax."""
    return _escape_html_chars(re.sub(r"([\\`*_\[\]])", r"\\\1", text))


def _escape_html_chars(text: str) -> str:
    """Stop ``<`` from opening raw HTML and ``&name;`` from being read as an entity."""
    return re.sub(r"&(?=#?\w+;)", "&amp;", text).replace("<", "&lt;")


class _HtmlToMarkdown(HTMLParser):
    """A small HTML-to-Markdown converter: structure and emphasis survive, raw HTML never does."""

    _SKIP = {"script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg"}
    _BLOCK = {"p", "div", "blockquote", "pre", "table", "tr", "hr", "dl", "dt", "dd", "figure",
              "figcaption", "center", "h1", "h2", "h3", "h4", "h5", "h6"}
    _INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`", "tt": "`", "kbd": "`"}

    def __init__(self, escape: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.escape, self.skip, self.images, self.unlabelled = escape, 0, 0, 0
        self.kept: list[str] = []
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # [ordered (0/1), items so far] per open list
        self.links: list[tuple[str, int]] = []  # (href, where its text starts in out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element: emit its Markdown prefix (headings become bold paragraphs)."""
        self.skip += tag in self._SKIP
        if self.skip:
            return
        if tag in self._INLINE or tag in self._BLOCK:
            self.out.append(self._INLINE.get(tag) or ("\n\n**" if tag[0] == "h" else "\n\n"))
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("ul", "ol"):
            self.out.append("" if self.lists else "\n\n")
            self.lists.append([int(tag == "ol"), 0])
        elif tag == "li":
            self.lists = self.lists or [[0, 0]]
            self.lists[-1][1] += 1
            ordered, count = self.lists[-1]
            indent = "    " * (len(self.lists) - 1)
            self.out.append(f"\n{indent}{count}. " if ordered else f"\n{indent}- ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            name = keep_embedded_image(dict(attrs).get("src") or "")
            if name:  # an image carried in the file itself becomes a course image
                self.kept.append(name)
                label = alt or "An image from the imported question"
                self.out.append(f"![{escape_markdown(label)}]({name})")
                self.unlabelled += not alt
            else:
                self.images += 1
                self.out.append(f"(image: {escape_markdown(alt)})" if alt else "(image)")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_endtag(self, tag: str) -> None:
        """Close an element: emit its Markdown suffix."""
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag in self._INLINE or tag in self._BLOCK:
            self.out.append(self._INLINE.get(tag) or ("**\n\n" if tag[0] == "h" else "\n\n"))
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out.append("" if self.lists else "\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.out[start:]).strip()
            del self.out[start:]
            href = href.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            if re.match(r"(?i)(https?://|mailto:)", href):
                self.out.append(f"[{text or href}]({href})")
            else:
                self.out.append(text)

    def handle_data(self, data: str) -> None:
        """Emit text, escaped so that it stays text."""
        if not self.skip:
            self.out.append(escape_markdown(re.sub(r"\s+", " ", data)) if self.escape
                            else _escape_html_chars(data))


def _html_to_markdown(text: str, escape: bool, notes: set[str]) -> str:
    """Convert HTML (``escape``: its text is literal) or Markdown with tags into Markdown."""
    parser = _HtmlToMarkdown(escape)
    parser.feed(text)
    parser.close()
    if parser.images:
        notes.add("images linked from elsewhere were removed (add them to the course's images/ folder)")
    if parser.kept:
        notes.add(f"images carried in the file were kept as {', '.join(parser.kept)}")
    if parser.unlabelled:
        notes.add("an image had no alt text: write what it shows")
    return "".join(parser.out)


def _tidy(text: str) -> str:
    """Trim spaces at line ends (and starts, but for list items), squeeze blank lines."""
    text = re.sub(r"\n[ \t]+(?![ \t\-\d])", "\n", re.sub(r"[ \t]+\n", "\n", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def to_markdown(piece: GiftText, notes: set[str]) -> str:
    """Convert a GIFT text in any of the four formats into Markdown without raw HTML.

    ``[html]`` is converted; in ``[moodle]`` and ``[markdown]`` text, known HTML tags are
    converted and any other ``<`` is kept as a literal character.
    """
    if piece.fmt == "plain":
        return _tidy(escape_markdown(piece.text))
    if piece.fmt == "html":
        return _tidy(_html_to_markdown(piece.text, True, notes))
    text = re.sub(r"<((?:https?://|mailto:)[^<>\s]+)>", r"[\1](\1)", piece.text)
    if _TAG.search(text):
        return _tidy(_html_to_markdown(_NOT_TAG.sub("&lt;", text), False, notes))
    return _tidy(text.replace("<", "&lt;"))


def to_inline(piece: GiftText, notes: set[str]) -> str:
    """Convert text for a one-line place (an option): whitespace becomes one space, and a start
    that Markdown would read as a heading, list, quote or rule stays text."""
    return _inline_safe(_literal_start(re.sub(r"\s+", " ", to_markdown(piece, notes)).strip()))


def _literal_start(text: str) -> str:
    """``# 1``, ``1. x``, ``- x``, ``> x`` or ``---`` as the whole of an option would render as a
    heading, a list, a quote or a rule (an empty option): escape the mark."""
    if re.match(r"^#{1,6}(?:\s|$)", text):
        return "\\" + text
    if match := re.match(r"^(\d{1,9})([.)])(?=\s|$)", text):
        return match.group(1) + "\\" + text[len(match.group(1)):]
    if re.match(r"^[-+*>](?:\s|$)", text) or re.match(r"^([-*_=])(?:\s*\1){2,}\s*$", text):
        return "\\" + text
    return text


def plain_inline(text: str) -> str:
    """A typed answer or matching target, compared as written: one line, HTML tags removed."""
    return _no_attrs(re.sub(r"\s+", " ", _TAG.sub(" ", text)).strip())


def _no_attrs(text: str) -> str:
    """Keep text from ending in something the module parser would read as ``{#id}``."""
    return re.sub(r"\{(?=#)", r"\\{", text)


def _inline_safe(text: str) -> str:
    """Keep Markdown text from looking like an id block or a matching arrow to the parser."""
    return _no_attrs(text.replace("=>", "=\\>"))


def neutralise(text: str) -> str:
    """Escape lines that the module parser would read as headings, fences, options or ids
    (with a backslash where Markdown allows one, else with a character reference)."""
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"^( {0,3})(#|-+\s*$)", r"\1\\\2", line)
        line = re.sub(r"^( {0,3})(:(?=::)|=(?==*\s*$)|`(?=``)|~(?=~~))",
                      lambda m: m.group(1) + f"&#{ord(m.group(2))};", line)
        line = re.sub(r"^(\s*(?:[-*+]|\d+[.)])\s+)\[([ xX])\]", r"\1\\[\2]", line)
        lines.append(_inline_safe(line))
    return "\n".join(lines)


def block_text(piece: GiftText, notes: set[str]) -> str:
    """Convert a stem, feedback or explanation: Markdown, with the missing-word blank filled."""
    return neutralise(to_markdown(piece, notes)).replace(BLANK, "_____")


# --- ids and titles -------------------------------------------------------------------------

def letter_id(index: int) -> str:
    """Option ids a, b, ..., z, aa, ab, ... for a 0-based index."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def _plain_line(markdown: str) -> str:
    """The first line of Markdown as plain text: no emphasis, link syntax or escapes."""
    line = next((ln for ln in markdown.split("\n") if ln.strip()), "")
    line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"^\s*(?:[-+>]|#+|\d+[.)])\s+", "", re.sub(r"(?<!\\)[*_`]+", "", line))
    return html.unescape(re.sub(r"\\(.)", r"\1", line))


def heading_title(title: str | None, stem_markdown: str, number: int) -> str:
    """The question heading, plain text: the GIFT title, else the stem's first line, else
    "Question N"."""
    text = _TAG.sub("", title or _plain_line(stem_markdown))
    text = re.sub(r"\s+", " ", text).replace(BLANK, "...").strip()
    if len(text) > 80:
        text = text[:77].rsplit(" ", 1)[0].rstrip(" ,;:") + "..."
    return text or f"Question {number}"


# --- rendering ------------------------------------------------------------------------------

def _number(value: float) -> str:
    """A weight as written in attributes: 50, -33.33333."""
    return str(int(value)) if value == int(value) else f"{value:.5f}".rstrip("0")


def render_option(option: QuizOption) -> list[str]:
    """An option (or matching pair) list item with its feedback."""
    if option.match is not None:
        left = f"{option.text} " if option.text else ""  # no left side: an extra right side
        head = f"- {left}=> {option.match} {{#{option.id}}}"
    else:
        box = "x" if option.correct else " "
        weight = f" weight={_number(option.weight)}" if option.weight is not None else ""
        head = f"- [{box}] {option.text} {{#{option.id}{weight}}}"
    quote = ["  > " + line if line else "  >" for line in option.feedback.split("\n")]
    return [head, *quote] if option.feedback else [head]


def render_question(question: QuizQuestion) -> str:
    """A complete ``## ...`` question section."""
    attrs = f"#{question.id} kind={question.kind}"
    if question.tags:
        attrs += ' tags="' + ", ".join(question.tags) + '"'
    lines = [f"## {question.title} {{{attrs}}}", "", question.stem, ""]
    for option in question.options:
        lines.extend(render_option(option))
    lines += ["", "::: explanation", question.explanation, ":::"]
    return "\n".join(lines)


def render_module(front: dict[str, object], questions: list[QuizQuestion]) -> str:
    """The whole quiz module file: front matter (texts as JSON strings, which are valid YAML
    double-quoted scalars), then the questions."""
    lines = ["---"]
    for key, value in front.items():
        if isinstance(value, list):
            lines += [f"{key}:", *(f"  - {json.dumps(str(v), ensure_ascii=False)}" for v in value)]
        elif isinstance(value, str) and key not in ("id", "kind", "intensity"):
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
        else:
            lines.append(f"{key}: {value}")
    lines.append("---")
    body = "\n\n".join(render_question(q) for q in questions)
    return "\n".join(lines) + "\n" + ("\n" + body + "\n" if body else "")


# --- GIFT question -> quiz question ---------------------------------------------------------

Built = tuple[str, list[QuizOption]]  # (quiz question kind, options)


def _effective(answer: GiftAnswer) -> float:
    """An answer's credit in percent: ``=`` is 100 and ``~`` is 0 unless a weight is given."""
    if answer.weight is not None:
        return answer.weight
    return 100.0 if answer.mark == "=" else 0.0


def _feedback(piece: GiftText | None, notes: set[str]) -> str:
    """Option feedback as Markdown ('' when there is none)."""
    return block_text(piece, notes) if piece else ""


def _option(index: int, answer: GiftAnswer, notes: set[str], correct: bool,
            weight: float | None = None) -> QuizOption:
    """A boxed option from a GIFT answer; an answer without text cannot be converted."""
    text = to_inline(answer.text, notes)
    if not text:
        raise SkipQuestion(f"answer {index + 1} has no text")
    return QuizOption(letter_id(index), text, correct, _feedback(answer.feedback, notes), weight)


def _choice(question: GiftQuestion, notes: set[str], warnings: list[str]) -> Built:
    """Multiple choice: ``single`` when an answer is marked ``=``, else weighted ``multiple``.

    As in Moodle, a ``~`` answer without a weight is worth 0%: in a multiple-answer question it is
    written ``weight=0`` (ticking it costs nothing), since an unweighted wrong option here cancels a
    right one."""
    if len(question.answers) < 2:
        raise SkipQuestion("a multiple-choice question needs at least two answers")
    weights = [_effective(a) for a in question.answers]
    if any(a.mark == "=" for a in question.answers):
        if weights.count(100) != 1:
            raise SkipQuestion("no correct answer" if 100 not in weights else
                               "more than one answer is marked '=' in a single-answer question "
                               "(use weights such as ~%50% for a multiple-answer question)")
        options = [_option(i, a, notes, w > 0, w if 0 < w < 100 else None)
                   for i, (a, w) in enumerate(zip(question.answers, weights, strict=True))]
        dropped = [o.id for o, w in zip(options, weights, strict=True) if w < 0]
        if dropped:
            warnings.append(f"negative weights on options {', '.join(dropped)} were dropped: "
                            "a single-answer question never scores below zero")
        return "single", options
    if not any(w > 0 for w in weights):
        raise SkipQuestion("no correct answer: no answer is marked '=' or has a positive weight")
    total = sum(w for w in weights if w > 0)
    if abs(total - 100) > 1:
        raise SkipQuestion(f"the positive weights add up to {_number(total)}%, not 100%")
    return "multiple", [_option(i, a, notes, w > 0, w)
                        for i, (a, w) in enumerate(zip(question.answers, weights, strict=True))]


def _true_false(question: GiftQuestion, notes: set[str], warnings: list[str]) -> Built:
    """True/false: the parser gives the answers True and False, with their feedback."""
    return "true-false", [QuizOption(ident, answer.text.text, _effective(answer) == 100,
                                     _feedback(answer.feedback, notes))
                          for ident, answer in zip(("true", "false"), question.answers, strict=True)]


def _short(question: GiftQuestion, notes: set[str], warnings: list[str]) -> Built:
    """Short answer: answers with credit are accepted (partial credit as ``weight``), the others
    give feedback only; ``*`` is a wildcard here as in Moodle."""
    options = []
    for index, answer in enumerate(question.answers):
        text = plain_inline(answer.text.text)
        if not text:
            raise SkipQuestion(f"answer {index + 1} has no text")
        weight = _effective(answer)
        options.append(QuizOption(letter_id(index), text, weight > 0, _feedback(answer.feedback, notes),
                                  weight if 0 < weight < 100 else None))
    if not any(o.correct and o.weight is None for o in options):
        raise SkipQuestion("no correct answer: no answer has full credit")
    return "short", options


def _numerical(question: GiftQuestion, notes: set[str], warnings: list[str]) -> Built:
    """Numerical: every range with credit is an ``[x]`` option, partial credit as ``weight``; a
    range without credit gives feedback only, and Moodle's "any other answer" (``~#feedback``)
    is the ``*`` option."""
    options: list[QuizOption] = []
    for answer in question.answers:
        weight, spec = _effective(answer), answer.text.text
        if spec == "*" and weight > 0:
            warnings.append(f"'*' with {_number(weight)}% credit (any number scores) was dropped")
            continue
        if spec == "*" and any(o.text == "*" for o in options):
            continue
        credited = weight > 0 and spec != "*"
        options.append(QuizOption(letter_id(len(options)), spec, credited, _feedback(answer.feedback, notes),
                                  weight if credited and weight < 100 else None))
    if not any(o.correct and o.weight is None for o in options):
        raise SkipQuestion("no correct answer: no numerical answer has full credit")
    return "numerical", options


def _matching(question: GiftQuestion, notes: set[str], warnings: list[str]) -> Built:
    """Matching: ``Left => Right`` pairs; Moodle's extra wrong answers (``= -> Right``) are extra
    right sides (``- => Right``) that match nothing."""
    options: list[QuizOption] = []
    for position, answer in enumerate(question.answers, start=1):
        left, right = to_inline(answer.text, notes), plain_inline(answer.match or "")
        if not right:
            raise SkipQuestion(f"matching pair {position} has nothing after '->'")
        feedback = _feedback(answer.feedback, notes) if left else ""
        options.append(QuizOption(letter_id(len(options)), left, None, feedback, match=right))
    pairs = [o for o in options if o.text]
    if len(pairs) < 2:
        raise SkipQuestion("a matching question needs at least two pairs")
    answers = {o.match.casefold() for o in pairs if o.match}
    repeated = [o for o in options if not o.text and o.match and o.match.casefold() in answers]
    for extra in repeated:
        warnings.append(f"the extra answer '{extra.match}' is already a pair's answer; it was dropped")
    return "matching", [o for o in options if o not in repeated]


_BUILDERS = {"multichoice": _choice, "truefalse": _true_false, "shortanswer": _short,
             "numerical": _numerical, "matching": _matching}


# Feedback that tells a learner only what the mark already says, in English or Dutch.
PLACEHOLDER_FEEDBACK = frozenset({
    "correct", "correct answer", "incorrect", "not correct", "wrong", "wrong answer", "right",
    "yes", "no", "true", "false", "good", "well done", "great", "ok", "partly correct",
    "goed", "fout", "juist", "onjuist", "niet juist", "ja", "nee", "klopt", "klopt niet",
})


def _placeholder_feedback(options: list[QuizOption]) -> list[str]:
    """The ids of options whose own feedback says only right or wrong, not why."""
    return [o.id for o in options
            if o.feedback and re.sub(r"[\W_]+", " ", o.feedback).strip().lower() in PLACEHOLDER_FEEDBACK]


def _fill_feedback(options: list[QuizOption]) -> list[str]:
    """Give every boxed option without feedback a neutral one; return their ids."""
    generated = []
    for option in options:
        if option.match is None and not option.feedback:
            partial = option.correct and option.weight is not None and option.weight < 100
            option.feedback = PARTLY if partial else RIGHT if option.correct else WRONG
            generated.append(option.id)
    return generated


def build_question(question: GiftQuestion, number: int) -> tuple[QuizQuestion, list[str]]:
    """Map a parsed GIFT question to a quiz question; returns it with warnings for the admin."""
    notes: set[str] = set()
    warnings: list[str] = []
    stem = to_markdown(question.stem, notes)
    if not stem.replace(BLANK, "").strip():
        raise SkipQuestion("the question has no text")
    kind, options = _BUILDERS[question.kind](question, notes, warnings)
    placeholders = _placeholder_feedback(options)
    if placeholders:
        warnings.append(f"the feedback of options {', '.join(placeholders)} says only whether the answer is "
                        "right: say why, so that a learner learns from it")
    generated = _fill_feedback(options)
    if generated:
        warnings.append(f"feedback was generated for options {', '.join(generated)}: "
                        "write real feedback")
    explanation = _feedback(question.general_feedback, notes)
    if not explanation:
        explanation = NO_EXPLANATION
        warnings.append("no general feedback: the explanation is a placeholder; write one")
    warnings.extend(sorted(notes))
    return QuizQuestion(heading_title(question.title, stem, number), kind,
                        neutralise(stem).replace(BLANK, "_____"), options, explanation,
                        list(question.tags)), warnings

"""Convert a Moodle GIFT question bank into a quiz module (see docs/authoring.md, "Quiz").

Follows Moodle's own importer (question/format/gift/format.php): questions are separated by
blank lines, ``//`` starts a comment line, ``::Title::`` names a question, ``$CATEGORY:`` sets
the category of the questions after it, ``\\~ \\= \\# \\{ \\} \\:`` and ``\\n`` are escapes,
``[html]`` / ``[markdown]`` / ``[plain]`` / ``[moodle]`` set a text's format, and the answer
block in braces decides the question type. Standard library only.

    result = convert_gift(text, "indicators-quiz", "Check: indicators")
    result.markdown   # the quiz module file
    result.skipped    # [(question number, line, reason), ...] for every question left out
    result.warnings   # [(question number, line, message), ...] for the admin to review
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from trainer.content.gift_render import (
    BLANK,
    GiftAnswer,
    GiftQuestion,
    GiftText,
    QuizQuestion,
    SkipQuestion,
    build_question,
    collect_images,
    render_module,
)
from trainer.content.spec import INTENSITIES
from trainer.vocabulary import Intensity

__all__ = ["GiftIssue", "GiftResult", "GiftTooLarge", "MAX_GIFT_BYTES", "MAX_QUESTIONS", "convert_gift"]

MAX_GIFT_BYTES = 1024 * 1024  # as large as a module file may be
MAX_QUESTIONS = 500  # per file: a bigger bank is split into several quiz modules
_ID = re.compile(r"[a-z][a-z0-9-]{0,63}")
_ESCAPED = {c: chr(0xF0001 + i) for i, c in enumerate(":#={}~\\")}
_RESTORE = {ord(v): k for k, v in _ESCAPED.items()}
_JUNK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff"
                   "\U000F0000-\U000F00FF]")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,2})?"
# Moodle reads only these four, in capitals: ``{true}`` is a short answer whose answer is "true".
_TRUE_FALSE = re.compile(r"(T|TRUE|F|FALSE)\s*(?:#(.*))?", re.S)


class GiftIssue(NamedTuple):
    """A skipped question or a warning: question number (0: the whole file), line, message."""

    number: int
    line: int
    message: str


class GiftTooLarge(ValueError):
    """The file is larger than ``MAX_GIFT_BYTES`` (``what="bytes"``) or holds more than
    ``MAX_QUESTIONS`` questions (``what="questions"``); ``found`` says how many."""

    def __init__(self, what: str, found: int) -> None:
        limit = MAX_GIFT_BYTES if what == "bytes" else MAX_QUESTIONS
        super().__init__(f"the file has {found} {what}, more than the {limit} allowed")
        self.what, self.found = what, found


@dataclass
class GiftResult:
    """The converted module and the report for the admin."""

    markdown: str
    converted: int
    skipped: list[GiftIssue] = field(default_factory=list)
    warnings: list[GiftIssue] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # images/<name> -> bytes, carried in the file


@dataclass
class _Block:
    """One blank-line separated block: its (line number, text) lines and its comment lines."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


# --- reading --------------------------------------------------------------------------------

def _clean(text: str) -> str:
    """Normalise line ends and drop characters that no text file should hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    return _JUNK.sub("", text.replace("\u2029", "\n").replace("\t", " "))


def _blocks(text: str) -> Iterator[_Block]:
    """Split the file at blank lines; ``//`` lines are comments and do not end a block."""
    block = _Block()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if block.lines:
                yield block
            block = _Block()
        elif line.startswith("//"):
            block.comments.append(line)
        else:
            block.lines.append((number, line))
    if block.lines:
        yield block


def _category_tags(spec: str) -> list[str]:
    """Tags from a category path such as ``$course$/top/Indicators/Health`` (``//`` is a /)."""
    parts = (p.replace("\0", "/").strip() for p in spec.replace("//", "\0").split("/"))
    kept = (p for p in parts if not re.fullmatch(r"\$\w*\$|top|Default for .*|", p, re.I))
    return [t for t in dict.fromkeys(slugify(p) for p in kept) if t]


def _comment_id(comments: list[str]) -> str | None:
    """The question id from Moodle's ``// [id:...]`` comment line, as given (None without one)."""
    found = re.search(r"\[id:((?:\\]|[^\]])+)\]", "\n".join(comments))
    return found.group(1).replace("\\]", "]").strip() if found else None


def _comment_tags(comments: list[str]) -> list[str]:
    """Tags from Moodle's ``// [tag:name]`` comment lines."""
    found = re.findall(r"\[tag:((?:\\]|[^\]])+)\]", "\n".join(comments))
    return [t for t in (slugify(f.replace("\\]", "]")) for f in found) if t]


def slugify(text: str, max_len: int = 64) -> str:
    """A valid id (lowercase letters, digits, hyphens, starting with a letter) or ''."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if slug and not slug[0].isalpha():
        slug = "q-" + slug
    return slug[:max_len].rstrip("-")


class IdAllocator:
    """Hands out ids unique within one scope, adding -2, -3... to repeats."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, base: str) -> str:
        """Reserve ``base`` or the first free numbered variant of it."""
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            suffix = f"-{n}"
            candidate = base[: 64 - len(suffix)].rstrip("-") + suffix
        self.used.add(candidate)
        return candidate


# --- parsing one question -------------------------------------------------------------------

def _encode(text: str) -> str:
    """Replace GIFT escapes with placeholders so that they never act as syntax."""
    def swap(match: re.Match[str]) -> str:
        char = match.group(1)
        if char == "n":
            return "\n"
        return _ESCAPED.get(char, match.group(0))
    return re.sub(r"\\(.)", swap, text, flags=re.S)


def _text(raw: str, default_fmt: str) -> GiftText:
    """A GIFT text with its optional ``[format]`` prefix read and escapes resolved."""
    raw = raw.strip()
    match = re.match(r"\[(moodle|html|plain|markdown)\]", raw)
    fmt = match.group(1) if match else default_fmt
    body = raw[match.end():] if match else raw
    return GiftText(body.translate(_RESTORE).strip(), fmt)


def _answer_block(text: str) -> tuple[str, str, str]:
    """Split the text at its one answer block: (before, inside, after)."""
    depth, opens, start, end = 0, 0, -1, -1
    for index, char in enumerate(text):
        if char == "{":
            depth, opens = depth + 1, opens + 1
            if depth > 1:
                raise SkipQuestion("unbalanced braces: '{' inside an answer block")
            start = index if opens == 1 else start
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise SkipQuestion("unbalanced braces: '}' without an opening '{'")
            end = index if opens == 1 else end
    if depth:
        raise SkipQuestion("unbalanced braces: '{' is never closed "
                           "(a question must not contain blank lines)")
    if opens > 1:
        raise SkipQuestion("more than one answer block (is a blank line missing "
                           "between two questions?)")
    if opens == 0:
        raise SkipQuestion("description item with no answers: there is nothing to grade")
    return text[:start], text[start + 1:end], text[end + 1:]


def _weight(body: str) -> tuple[float | None, str]:
    """Read a leading ``%50%`` weight (percent) from an answer; ``%s%`` is just text."""
    match = re.match(r"%([-+\d.\s]*)%", body)
    if not match:
        return None, body
    if not re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", match.group(1)):
        raise SkipQuestion(f"malformed answer weight '%{match.group(1)}%'")
    weight = float(match.group(1))
    if not -100 <= weight <= 100:
        raise SkipQuestion(f"answer weight {match.group(1).strip()}% is outside -100..100")
    return weight, body[match.end():]


def _items(inside: str, marks: str) -> list[tuple[str, str]]:
    """Split an answer block into (mark, body) items at each of ``marks``."""
    parts = re.split(f"([{marks}])", inside)
    if len(parts) == 1:
        raise SkipQuestion(f"answer block '{_short(inside)}' has no answers marked '='")
    if parts[0].strip():
        raise SkipQuestion(f"text before the first answer mark: '{_short(parts[0])}'")
    return list(zip(parts[1::2], parts[2::2], strict=True))


def _choice_answers(inside: str, fmt: str, marks: str) -> list[GiftAnswer]:
    """Answers of a multiple-choice or short-answer block: mark, weight, text, feedback."""
    answers = []
    for mark, body in _items(inside, marks):
        weight, body = _weight(body.strip())
        text, _, feedback = body.partition("#")
        answers.append(GiftAnswer(_text(text, fmt), mark, weight,
                                  _optional(feedback, fmt)))
    return answers


def _matching_answers(inside: str, fmt: str) -> list[GiftAnswer]:
    """Pairs of a matching block: ``=left -> right``."""
    answers = []
    for position, (_, body) in enumerate(_items(inside, "="), start=1):
        if "->" not in body:
            raise SkipQuestion(f"matching pair {position} has no '->'")
        left, _, right = body.partition("->")
        right, _, feedback = right.partition("#")
        answers.append(GiftAnswer(_text(left, fmt), "=", None,
                                  _optional(feedback, fmt),
                                  right.translate(_RESTORE).strip()))
    return answers


def _decimal(text: str) -> str:
    """A number as this project writes it (``.5`` -> ``0.5``); raises SkipQuestion if not one."""
    if not re.fullmatch(_NUMBER, text.strip()):
        raise SkipQuestion(f"numerical answer '{_short(text)}' is not a number")
    return format(Decimal(text.strip()), "f")


def _numeric_spec(spec: str) -> str:
    """``3.14:0.01`` -> ``3.14 ± 0.01``, ``1..5`` -> ``1..5``, ``42`` -> ``42``; ``*`` stays."""
    spec = spec.strip()
    if spec == "*":
        return spec
    if ".." in spec:
        low, high = (_decimal(part) for part in spec.split("..", 1))
        if Decimal(low) > Decimal(high):
            raise SkipQuestion(f"numerical range '{spec}' has its low end above its high end")
        return f"{low}..{high}"
    value, _, tolerance = spec.partition(":")
    if not tolerance:
        return _decimal(value)
    tol = _decimal(tolerance)
    if Decimal(tol) < 0:
        raise SkipQuestion(f"numerical tolerance in '{spec}' is negative")
    return _decimal(value) if Decimal(tol) == 0 else f"{_decimal(value)} ± {tol}"


def _numerical_answers(inside: str, fmt: str) -> list[GiftAnswer]:
    """Ranges of a numerical block (after its ``#``); ``~#...`` becomes a ``*`` answer."""
    body, _, wrong = inside[1:].partition("~")
    chunks = body.split("=")
    answers = []
    for chunk in ([chunks[0]] if chunks[0].strip() else []) + chunks[1:]:
        weight, chunk = _weight(chunk.strip())
        spec, _, feedback = chunk.partition("#")
        answers.append(GiftAnswer(GiftText(_numeric_spec(spec.translate(_RESTORE)), "plain"),
                                  "=", weight, _optional(feedback, fmt)))
    if not answers:
        raise SkipQuestion("numerical question with no answers")
    if wrong.strip():
        answers.append(GiftAnswer(GiftText("*"), "~", 0, _optional(wrong.partition("#")[2], fmt)))
    return answers


def _true_false(inside: str, fmt: str) -> list[GiftAnswer]:
    """The answers True and False; GIFT gives feedback for a wrong answer, then a right one."""
    match = _TRUE_FALSE.fullmatch(inside)
    assert match is not None
    truth = match.group(1).upper().startswith("T")
    wrong, _, right = (match.group(2) or "").partition("#")
    return [GiftAnswer(GiftText("True"), "=" if truth else "~", None,
                       _optional(right if truth else wrong, fmt)),
            GiftAnswer(GiftText("False"), "~" if truth else "=", None,
                       _optional(wrong if truth else right, fmt))]


def _optional(raw: str, fmt: str) -> GiftText | None:
    """Feedback text, or None when there is none."""
    return _text(raw, fmt) if raw.strip() else None


def _kind(inside: str) -> str:
    """Moodle's rules for telling the question type from the answer block."""
    if not inside:
        raise SkipQuestion("essay question: free-text answers cannot be graded automatically")
    if inside.startswith("#"):
        return "numerical"
    if "~" in inside:
        return "multichoice"
    if "=" in inside and "->" in inside:
        return "matching"
    if _TRUE_FALSE.fullmatch(inside):
        return "truefalse"
    return "shortanswer"


def _short_answers(inside: str, fmt: str) -> list[GiftAnswer]:
    """Answers of a short-answer block; as in Moodle, text before the first ``=`` is an answer
    too (``{true}`` accepts "true")."""
    return _choice_answers(inside if inside.startswith("=") else "=" + inside, fmt, "=")


_ANSWER_PARSERS: dict[str, Callable[[str, str], list[GiftAnswer]]] = {
    "multichoice": lambda inside, fmt: _choice_answers(inside, fmt, "=~"),
    "shortanswer": _short_answers,
    "matching": _matching_answers, "numerical": _numerical_answers, "truefalse": _true_false,
}


def parse_question(source: str, tags: list[str]) -> GiftQuestion:
    """Parse one question block (comments removed) into a GiftQuestion, or raise SkipQuestion."""
    text, title = _encode(source).strip(), None
    if text.startswith("::"):
        title, sep, text = text[2:].partition("::")
        if not sep:
            raise SkipQuestion("question title is not closed with '::'")
        title = re.sub(r"\s+", " ", title.translate(_RESTORE)).strip() or None
    before, inside, after = _answer_block(text.strip())
    stem_raw = before + BLANK + after if after.strip() else before
    stem = _text(stem_raw, "moodle")
    inside, sep, general = inside.rpartition("####") if "####" in inside else (inside, "", "")
    question = GiftQuestion(_kind(inside.strip()), title, stem, tags=tags,
                            general_feedback=_optional(general, stem.fmt))
    question.answers = _ANSWER_PARSERS[question.kind](inside.strip(), stem.fmt)
    return question


def _short(text: str, limit: int = 40) -> str:
    """A one-line excerpt of text for a message."""
    text = re.sub(r"\s+", " ", text.translate(_RESTORE)).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- the whole file -------------------------------------------------------------------------

def _question_id(title: str | None, number: int) -> str:
    """The id a question asks for: a slug of its GIFT title, else ``q-N``."""
    return (slugify(title) if title else "") or f"q-{number}"


def _check_arguments(module_id: str, title: str, overview: str | None, intensity: str,
                     minutes: int | None, objectives: list[str]) -> None:
    """Refuse module settings that the course checker would refuse anyway."""
    if not _ID.fullmatch(module_id):
        raise ValueError(f"module id {module_id!r} must be lowercase letters, digits and "
                         "hyphens, starting with a letter, at most 64 characters")
    if not title.strip() or len(title) > 200:
        raise ValueError("the module title must have 1 to 200 characters")
    if overview is not None and not overview.strip():
        raise ValueError("the overview must not be empty")
    if intensity not in INTENSITIES:
        raise ValueError(f"intensity must be one of {', '.join(INTENSITIES)}")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                or minutes < 1):
        raise ValueError("minutes must be a whole number of at least 1")
    if not 1 <= len(objectives) <= 8 or not all(o.strip() for o in objectives):
        raise ValueError("a module needs one to eight objectives, none of them empty")


def _convert_blocks(text: str) -> tuple[list[QuizQuestion], list[GiftIssue], list[GiftIssue]]:
    """Convert every question of the file: (questions, skipped, warnings)."""
    questions: list[QuizQuestion] = []
    skipped: list[GiftIssue] = []
    warnings: list[GiftIssue] = []
    ids, tags, number = IdAllocator(), [], 0
    blocks = list(_blocks(_clean(text)))
    count = sum(1 for block in blocks if len(block.lines) > 1 or not block.lines[0][1].startswith("$CATEGORY:"))
    if count > MAX_QUESTIONS:
        raise GiftTooLarge("questions", count)
    for block in blocks:
        lines = block.lines
        if lines[0][1].startswith("$CATEGORY:"):
            tags = _category_tags(lines[0][1][len("$CATEGORY:"):])
            lines = lines[1:]
            if not lines:
                continue
        number, line = number + 1, lines[0][0]
        try:
            question_tags = list(dict.fromkeys(tags + _comment_tags(block.comments)))
            parsed = parse_question("\n".join(text for _, text in lines), question_tags)
            question, notes = build_question(parsed, number)
        except SkipQuestion as skip:
            skipped.append(GiftIssue(number, line, skip.reason))
            continue
        given_id = _comment_id(block.comments)
        wanted = slugify(given_id) if given_id else ""
        if given_id and wanted != given_id:
            notes.append(f"the id '{given_id}' is not a valid id here; it became '{wanted or '(none)'}'")
        question.id = ids.take(wanted or _question_id(parsed.title, number))
        if wanted and question.id != wanted:
            notes.append(f"the id '{wanted}' was used by an earlier question; this one is '{question.id}'")
        questions.append(question)
        warnings.extend(GiftIssue(number, line, note) for note in notes)
    return questions, skipped, warnings


def convert_gift(text: str, module_id: str, title: str, *, overview: str | None = None,
                 intensity: str | None = None, minutes: int | None = None,
                 objectives: list[str] | None = None) -> GiftResult:
    """Convert a GIFT file into a quiz module file.

    ``overview``, ``intensity`` (default ``moderate``), ``minutes`` (default: one per question)
    and ``objectives`` fill the front matter; defaults are flagged in ``warnings`` (number 0).
    Raises ValueError for module settings the checker would refuse, and GiftTooLarge for a file
    over ``MAX_GIFT_BYTES`` or with more than ``MAX_QUESTIONS`` questions; never for what the
    GIFT text says.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_GIFT_BYTES:
        raise GiftTooLarge("bytes", size)
    goals = objectives if objectives is not None else [f"Answer the questions on: {title.strip()}"]
    _check_arguments(module_id, title, overview, intensity or Intensity.MODERATE.value, minutes, goals)
    with collect_images() as images:
        questions, skipped, warnings = _convert_blocks(text)
    count = len(questions)
    front: dict[str, object] = {
        "id": module_id, "kind": "quiz", "title": title.strip(),
        "overview": overview or f"{count} question{'' if count == 1 else 's'} imported from a Moodle GIFT file.",
        "intensity": intensity or Intensity.MODERATE.value, "minutes": minutes or max(1, count),
        "objectives": goals,
    }
    markdown = render_module(front, questions)
    if overview is None or intensity is None or objectives is None:
        warnings.insert(0, GiftIssue(0, 0, "the overview, intensity and objectives are "
                                     "placeholders: review them before publishing"))
    if not questions:
        warnings.append(GiftIssue(0, 0, "no question could be converted: the module is empty"))
    if len(markdown.encode("utf-8")) > 1_000_000:
        warnings.append(GiftIssue(0, 0, "the module is larger than 1 MB, which the course "
                                  "checker refuses: split the GIFT file"))
    return GiftResult(markdown, count, skipped, warnings, images)

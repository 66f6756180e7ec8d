"""YAML front matter between ``---`` lines, with the file line of every field.

``yaml.safe_load`` forgets where things were, so the node tree is composed first (for line
numbers) and then constructed from the same parse (for values).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from .ids import bad_id_message, is_valid_id
from .problems import Problems, did_you_mean

# libyaml's loader, where PyYAML was built with it, composes about ten times faster and keeps
# the same marks. Its error messages say less ("did not find expected ','" where the Python
# loader says what it found instead), so a text it refuses is read again by the Python loader.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FieldError(Exception):
    """A field value breaks its rule; ``index`` points at the list item at fault, if any."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


Check = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """A front-matter field: whether it is required and how its value is checked."""

    check: Check
    required: bool = False


@dataclass
class FrontMatter:
    """Parsed front matter: values, and the file lines where they were written."""

    data: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    nodes: dict[str, yaml.Node] = field(default_factory=dict)
    offset: int = 2  # file line of YAML line 0 (the line after the opening ---)
    start: int = 1  # where a missing field is reported

    def line(self, key: str, index: int | None = None) -> int:
        """The file line of ``key``, or of its ``index``-th list item when given."""
        node = self.nodes.get(key)
        if index is not None and isinstance(node, yaml.SequenceNode) and index < len(node.value):
            return node.value[index].start_mark.line + self.offset
        return self.key_lines.get(key, self.start)


def split(text: str, problems: Problems) -> tuple[FrontMatter | None, list[str], int]:
    """Split a file into front matter and body lines.

    Returns (front matter or None when missing/malformed, body lines, file line of the first
    body line).
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        problems.error(1, "the file must start with front matter between two --- lines")
        return None, lines, 1
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        problems.error(1, "front matter is not closed: add a line --- after the last field")
        return None, [], len(lines) + 1
    front = load("\n".join(lines[1:end]), problems, offset=2)
    return front, lines[end + 1:], end + 2


def load(yaml_text: str, problems: Problems, offset: int) -> FrontMatter | None:
    """Load a YAML mapping, remembering the line of each key (``offset`` = file line of line 0)."""
    composed = compose(yaml_text, problems, offset, "front matter")
    if composed is None:
        return None
    node, data = composed
    if node is None:
        return FrontMatter(offset=offset)
    if not isinstance(node, yaml.MappingNode):
        problems.error(offset, "front matter must be 'field: value' lines")
        return None
    return mapping(node, data, problems, offset)


def compose(yaml_text: str, problems: Problems, offset: int,
            what: str) -> tuple[yaml.Node | None, Any] | None:
    """Parse YAML once into (node tree, values); None after reporting a syntax error."""
    if FAST_LOADER is not yaml.SafeLoader:
        fast = FAST_LOADER(yaml_text)
        try:
            node = fast.get_single_node()
            return node, (fast.construct_document(node) if node is not None else None)
        except yaml.YAMLError:
            pass  # read again below, for the Python loader's message
        finally:
            fast.dispose()
    loader = yaml.SafeLoader(yaml_text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        line = mark.line + offset if mark else max(offset - 1, 1)
        problems.error(line, f"malformed {what}: {reason}{_hint(reason)}")
        return None
    finally:
        loader.dispose()


def _hint(reason: str) -> str:
    """What usually causes a YAML error in a field, in the author's terms."""
    if "mapping values are not allowed" in reason:
        return (" (a value that contains ': ' must be put in quotes, as in "
                "title: \"Trafficking: what it is\")")
    if "cannot start any token" in reason or "expected <block end>" in reason:
        return " (put the value in quotes, as in title: \"...\"; a value may not start with ` @ or %)"
    if "found unhashable key" in reason or "expected ',' or '}'" in reason or "expected ',' or ']'" in reason:
        return " (put the value in quotes: { and [ start a YAML map or list)"
    return ""


def mapping(node: yaml.MappingNode, data: dict[str, Any], problems: Problems, offset: int,
            start: int = 1) -> FrontMatter:
    """Wrap a composed mapping and its values, reporting keys given twice."""
    front = FrontMatter(data=data, offset=offset, start=start)
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + offset
        if key in front.key_lines:
            problems.error(line, f"field '{key}' is given twice")
        front.key_lines[key] = line
        front.nodes[key] = value_node
    return front


def read_fields(front: FrontMatter, rules: dict[str, Field], problems: Problems,
                what: str = "") -> dict[str, Any]:
    """Check every field against ``rules``; return the valid, converted values."""
    for key in front.key_lines:
        if key not in rules:
            problems.error(front.line(key), _unknown_field(key, rules, what))
    values: dict[str, Any] = {}
    for name, rule in rules.items():
        value = front.data.get(name)
        if value is None:
            if rule.required:
                where = front.line(name) if name in front.key_lines else front.start
                problems.error(where, f"missing field '{name}'")
            continue
        try:
            values[name] = rule.check(value)
        except FieldError as error:
            problems.error(front.line(name, error.index), f"{name}: {error.message}")
    return values


def _unknown_field(key: str, rules: dict[str, Field], what: str) -> str:
    """'unknown field' with a suggestion for a likely misspelling."""
    hint = did_you_mean(key, list(rules))
    return f"unknown field '{key}'{' in ' + what if what else ''}{hint}"


# --- checks ---------------------------------------------------------------------------------

def ident(value: Any) -> str:
    """A stable id."""
    if not is_valid_id(value):
        raise FieldError(bad_id_message(value))
    return value


def text(max_len: int | None = None) -> Check:
    """Non-empty text, optionally at most ``max_len`` characters."""
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise FieldError("must be text (put numbers, yes/no and dates in quotes)")
        if max_len is not None and len(value.strip()) > max_len:
            raise FieldError(f"must be at most {max_len} characters (it has {len(value.strip())})")
        return value.strip()
    return check


def one_of(*choices: str) -> Check:
    """One of a fixed set of words."""
    def check(value: Any) -> str:
        if value not in choices:
            raise FieldError(f"'{value}' is not one of: {', '.join(choices)}")
        return value
    return check


def whole(low: int = 0, high: int | None = None) -> Check:
    """A whole number in ``low..high``."""
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError("must be a whole number")
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise FieldError(f"must be {bounds}")
        return value
    return check


def number(low: float = 0) -> Check:
    """A number (whole or decimal) of at least ``low``."""
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
            raise FieldError(f"must be a number of at least {low:g}")
        return value
    return check


def boolean(value: Any) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise FieldError("must be true or false")
    return value


def date(value: Any) -> dt.date:
    """A date written YYYY-MM-DD."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FieldError("must be a date written YYYY-MM-DD") from None


def text_list(low: int = 0, high: int | None = None, choices: tuple[str, ...] = ()) -> Check:
    """A list of ``low..high`` non-empty texts (each one of ``choices`` when given)."""
    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise FieldError("must be a list, written [a, b] or as '- item' lines")
        if len(value) < low or (high is not None and len(value) > high):
            raise FieldError(_count_message(low, high))
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise FieldError(f"item {index + 1} must be text", index)
            if choices and item not in choices:
                raise FieldError(f"'{item}' is not one of: {', '.join(choices)}", index)
        return tuple(item.strip() for item in value)
    return check


def _count_message(low: int, high: int | None) -> str:
    """'needs one to eight items' and similar."""
    if high is None:
        return f"needs at least {low} item{'s' if low != 1 else ''}"
    return f"needs {low} to {high} items"

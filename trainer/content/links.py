"""Links in course files: the ones that lead nowhere, or will not work once published.

Reported as ``path:line: message`` like every other problem:

- errors: a relative link to a file or section that does not exist in the course (resolved
  from the file that contains it), or one that leaves the course folder; a link address of a
  form that does not work (``<www.…>``, ``www.…`` without ``https://``, a misspelt scheme such
  as ``htp://``, a space in the address, an empty address);
- warnings: a relative link to another file of the course (publishing does not rewrite such
  links, so on the site they lead to a missing page), a web address on the list of addresses
  known to be dead, and a raw ``<img>`` tag (publishing removes raw HTML).

Images written as ``![alt](src)`` are checked by :mod:`trainer.content.course` (missing,
outside ``images/``, no alt text), so they are only looked at here for dead addresses.

Pure: reads the course's own files, never the network.
"""
from __future__ import annotations

import bisect
import posixpath
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from .course import display_path
from .memo import Memo, relocated
from .problems import Parsed, Problem, Problems, sort_problems
from .spec import CourseSpec, ModuleSpec

# (pattern, why) for web addresses that are known to be gone. Add to it as reviews find more.
DEAD_URLS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"reliefweb\.int/rw/rwb\.nsf", re.I),
     "ReliefWeb's old rwb.nsf addresses no longer work; link to the document's current "
     "reliefweb.int page, or keep the citation without a link"),
    (re.compile(r"(^|[/.])cic\.gc\.ca\b", re.I),
     "cic.gc.ca no longer exists; Immigration, Refugees and Citizenship Canada's pages are on "
     "canada.ca"),
    (re.compile(r"canada\.justice\.gc\.ca/\S*is-fr\.html", re.I),
     "this Department of Justice Canada address no longer works; the Criminal Code is at "
     "laws-lois.justice.gc.ca"),
    (re.compile(r"_wda\d+\.html", re.I),
     "addresses ending in _wda….html (the NSPCC's old site) no longer work"),
    (re.compile(r"btp\.police\.uk/\S*modern_slavery\.aspx", re.I),
     "British Transport Police's old .aspx pages no longer work"),
    (re.compile(r"ourwatch\.org\.uk/moern-slavery\b", re.IGNORECASE),
     ("Neighbourhood Watch's misspelt moern-slavery address is not one to rely on; link to its "
      "pages under ourwatch.org.uk/modern-slavery/")),
)
ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")

INLINE_LINK_RE = re.compile(r"(!?)\[(?:[^\[\]\n]|\n(?![ \t]*\n)|\[[^\[\]\n]*\])*\]\(")
REFERENCE_RE = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)", re.M)
AUTOLINK_RE = re.compile(r"<((?:[a-z][a-z0-9+.-]*:|www\.)[^<>\n]*)>", re.I)
TITLE_RE = re.compile(r"""^(.*?)\s+("[^"]*"|'[^']*'|\([^)]*\))$""", re.S)
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
NO_COLON_RE = re.compile(r"^(h?t+p+s?)//", re.I)
WEB_ADDRESS_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.I)
RAW_IMG_RE = re.compile(r"<img\b", re.I)
FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class _Link:
    """A link address as written, where it starts, and whether it is an image."""

    target: str
    offset: int
    image: bool = False
    autolink: bool = False


@dataclass(frozen=True)
class LinkTargets:
    """What a relative link may point at: files in the course folder, and section ids."""

    folder: Path
    anchors: dict[str, frozenset[str]]  # module path (as in course.md) -> ids for #id


def check_course_links(folder: str | Path, parsed: Parsed[CourseSpec | None],
                       memo: Memo | None = None) -> Parsed[CourseSpec | None]:
    """``parsed`` (a course read by ``parse_course``) with the link problems of its files added.
    With a ``memo``, a file whose text, and the course's files and section ids, it has seen is
    not checked again."""
    spec = parsed.spec
    if spec is None:
        return parsed
    folder = Path(folder)
    course = LinkTargets(folder, {m.path: section_anchors(m) for m in spec.modules})
    memo = memo or Memo()
    # What a file's links may reach: the files of the course and every module's section ids.
    reach = (tuple(sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))),
             tuple(sorted((name, tuple(sorted(ids))) for name, ids in course.anchors.items())))
    files = [(module.path, module.source_md) for module in spec.modules]
    if (folder / "course.md").is_file():
        files.insert(0, ("course.md", (folder / "course.md").read_text("utf-8", "replace")))
    found: list[Problem] = []
    for name, text in files:
        checked = memo.get("links", name, text, partial(check_text, text, name, course), reach)
        found += relocated(checked, display_path(folder / name))
    if not found:
        return parsed
    return Parsed(spec, tuple(sort_problems([*parsed.problems, *found])))


def section_anchors(module: ModuleSpec) -> frozenset[str]:
    """The ids a link may point at in a module's page: each lesson section and its heading.

    The lesson page gives section ``x`` the ids ``section-x`` and ``heading-x``; the smaller
    headings inside a section, quizzes and scenarios have none a link could rely on.
    """
    return frozenset(f"{prefix}-{section.id}" for section in module.sections
                     for prefix in ("section", "heading") if section.id)


def check_text(text: str, name: str, course: LinkTargets) -> list[Problem]:
    """The link problems of one file (``name`` relative to the course folder)."""
    problems = Problems(display_path(course.folder / name))
    masked = mask_code(text)
    starts = [0] + [m.end() for m in re.finditer("\n", masked)]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    for link in find_links(masked):
        if not link.image:
            _check_target(link, line_of(link.offset), name, course, problems)
    for match in WEB_ADDRESS_RE.finditer(masked):
        _check_dead(match.group(0), line_of(match.start()), problems)
    for match in RAW_IMG_RE.finditer(masked):
        problems.warning(line_of(match.start()),
                         "raw <img> tags are removed when the course is published: write "
                         "![what it shows](images/file.png)")
    return problems.items


def mask_code(text: str) -> str:
    """``text`` with code (fenced blocks, code spans) and HTML comments blanked out.

    Offsets and line breaks stay where they were, so lines can still be counted.
    """
    lines = text.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        match = FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            lines[index] = " " * len(line)
        elif fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            lines[index] = " " * len(line)
        else:
            lines[index] = CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)
    masked = "\n".join(lines)
    return COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), masked)


def find_links(text: str) -> list[_Link]:
    """Inline links and images, reference definitions and autolinks, in ``text``."""
    links = []
    for match in INLINE_LINK_RE.finditer(text):
        destination = _destination(text, match.end())
        if destination is not None:
            links.append(_Link(destination[0], destination[1], image=bool(match.group(1))))
    for match in REFERENCE_RE.finditer(text):
        target = match.group(1)
        links.append(_Link(target.strip("<>"), match.start(1)))
    for match in AUTOLINK_RE.finditer(text):
        if text[max(0, match.start() - 2):match.start()] == "](":
            continue  # the address of an inline link, written [text](<address>)
        links.append(_Link(match.group(1), match.start(1), autolink=True))
    return links


def _destination(text: str, start: int) -> tuple[str, int] | None:
    """The address of an inline link whose ``(`` ends at ``start``, without its title."""
    i = start
    while i < len(text) and text[i] in " \t":
        i += 1
    if text.startswith("<", i):
        end = text.find(">", i)
        if end == -1 or "\n" in text[i:end]:
            return None
        return text[i + 1:end], i + 1
    depth, j = 0, i
    while j < len(text) and text[j] != "\n":
        char = text[j]
        if char == "\\":
            j += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                inside = text[i:j].rstrip()
                titled = TITLE_RE.match(inside)
                return (titled.group(1) if titled else inside), i
            depth -= 1
        j += 1
    return None  # no closing parenthesis on this line: not a link python-markdown would make


def _check_target(link: _Link, line: int, here: str, course: LinkTargets, problems: Problems) -> None:
    """Report what is wrong with one link address."""
    target = link.target.strip()
    shown = target if link.autolink else f"({target})"
    if not target:
        problems.error(line, "this link has no address")
    elif target.lower().startswith("www."):
        problems.error(line, f"{shown}: add https:// in front of the address, or the link "
                             "leads to a missing page on this site"
                             + (" (and <www.…> is removed as HTML)" if link.autolink else ""))
    elif re.search(r"\s", target):
        problems.error(line, f"{shown}: a space in a link address breaks the link; write it "
                             "as %20, or leave it out")
    elif NO_COLON_RE.match(target):
        problems.error(line, f"{shown}: the address needs a colon after the scheme, as in "
                             "https://")
    elif SCHEME_RE.match(target):
        _check_scheme(target, shown, line, problems)
    elif not link.autolink and not target.startswith("//"):
        _check_relative(target, line, here, course, problems)


def _check_scheme(target: str, shown: str, line: int, problems: Problems) -> None:
    """An absolute address: only the schemes the site keeps, written in full."""
    scheme = SCHEME_RE.match(target).group(1).lower()  # type: ignore[union-attr]
    if scheme not in ALLOWED_SCHEMES:
        problems.error(line, f"{shown}: '{scheme}:' is not a web address (a typing mistake for "
                             "https:?); the site removes links that do not start with http:, "
                             "https:, mailto: or tel:")
    elif scheme in ("http", "https") and not target.lower().startswith(f"{scheme}://"):
        problems.error(line, f"{shown}: write {scheme}:// with two slashes")
    elif scheme in ("http", "https") and re.match(r"(?i)https?://(?:https?[.:/]|www\.https?[.:])", target):
        problems.error(line, f"{shown}: the scheme is written twice (as in http://https.example.org); "
                             "copy the address again from the browser")


def _check_relative(target: str, line: int, here: str, course: LinkTargets,
                    problems: Problems) -> None:
    """A link to a file or section of the course, resolved from the file that contains it."""
    path_part, _, fragment = target.partition("#")
    path_part = unquote(path_part.split("?", 1)[0])
    resolved = here
    if path_part:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(here), path_part))
        if resolved == ".." or resolved.startswith("../") or posixpath.isabs(resolved):
            problems.error(line, f"({target}) points outside the course folder")
            return
        if not (course.folder / resolved).exists():
            problems.error(line, f"({target}): there is no {resolved} in the course")
            return
    if fragment and not _check_anchor(target, fragment, resolved, line, course, problems):
        return
    if path_part and resolved != here:
        problems.warning(line, f"({target}): links to other files of the course are not "
                               "rewritten when it is published, so this one would lead to a "
                               "missing page; name the module in words instead")


def _check_anchor(target: str, fragment: str, resolved: str, line: int, course: LinkTargets,
                  problems: Problems) -> bool:
    """Whether ``#fragment`` is an id on the page of ``resolved``; reports it when not."""
    anchors = course.anchors.get(resolved, frozenset())
    if unquote(fragment) in anchors:
        return True
    if not anchors:
        problems.error(line, f"({target}): {resolved} has no sections a link can point to "
                             "(only lesson sections can be linked to, as #section-<id>)")
    elif f"section-{fragment}" in anchors:
        problems.error(line, f"({target}): lesson sections are linked to as "
                             f"#section-{fragment}, not #{fragment}")
    else:
        known = ", ".join(sorted(a for a in anchors if a.startswith("section-"))[:8])
        problems.error(line, f"({target}): {resolved} has no section #{fragment} "
                             f"(its sections: {known})")
    return False


def dead_url_reason(address: str) -> str | None:
    """Why ``address`` is known not to work any more, or None."""
    return next((why for pattern, why in DEAD_URLS if pattern.search(address)), None)


def _check_dead(address: str, line: int, problems: Problems) -> None:
    """Warn about a web address on the list of known-dead ones."""
    reason = dead_url_reason(address)
    if reason:
        problems.warning(line, f"{address}: {reason}")

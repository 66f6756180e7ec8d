"""Starting text for a new course and for new modules: each one checks clean as it is.

A new course is written for every sector (`sectors` is filled in from the vocabulary)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

COURSE_MD = """---
id: {slug}
title: "{title}"
summary: One or two sentences for the catalogue.
language: {language}
sectors: [{sectors}]
estimated_minutes: 30
pass_mark: 80
certificate_hours: 0.5
status: draft
version_notes: First draft.
modules:
  - 01-introduction.md
---

An introduction to the course, shown on its page.
"""

LESSON_MD = """---
id: {module_id}
kind: lesson
title: "{title}"
overview: What this module covers, and how heavy it is.
intensity: light
minutes: 10
objectives:
  - The first thing a learner will be able to do.
references:
  - "Author or organisation, *Title* (year). <https://example.org/>"
---

## What this section is about {{#first-section}}

Write the lesson here.

## What to do next {{#next}}

::: what-to-do
The next step, the referral, the self-care.
:::
"""

QUIZ_MD = """---
id: {module_id}
kind: quiz
title: "{title}"
overview: What this quiz checks, and how heavy it is.
intensity: light
minutes: 5
objectives:
  - The first thing a learner will be able to do.
---

## The first question {{#first-question kind=single}}

The question a learner answers.

- [x] The right answer. {{#a}}
  > Why it is right.
- [ ] A wrong answer. {{#b}}
  > Why it is wrong, so the learner learns from it.

::: explanation
What the learner should take away.
:::
"""

SCENARIO_MD = """---
id: {module_id}
kind: scenario
title: "{title}"
overview: The situation, and how heavy it is. The cases are fictional composites.
intensity: moderate
minutes: 10
objectives:
  - The first thing a learner will practise.
---

## The situation {{#start}}

What the learner sees and hears.

- A safe, respectful choice. -> end-best {{#first-choice}}
  > What happens next.
- A choice that is not ideal. -> end-acceptable {{#second-choice}}
  > What happens next.
- A harmful choice. -> end-harmful {{#third-choice}}
  > What happens next.

## A good outcome {{#end-best ending=best}}

The debrief: what went well and why.

## An acceptable outcome {{#end-acceptable ending=acceptable}}

The debrief: what would have been better.

## A harmful outcome {{#end-harmful ending=harmful}}

The debrief: what went wrong, without blame.
"""

MODULE_TEMPLATES = {"lesson": LESSON_MD, "quiz": QUIZ_MD, "scenario": SCENARIO_MD}

# Lines of the starting text that are structure an author may keep; every other line of it is a
# placeholder that must be rewritten before learners see the course.
_FIELDS = ("id|kind|title|language|sectors|estimated_minutes|pass_mark|certificate_hours|status|version_notes|"
           "modules|intensity|minutes|objectives|references")
_STRUCTURE = re.compile(rf"^(---|:::.*|({_FIELDS}):.*|- 01-introduction\.md)$")
STARTER_LINES = frozenset(
    line.strip() for template in (COURSE_MD, *MODULE_TEMPLATES.values())
    for line in template.replace("{{", "{").replace("}}", "}").split("\n")
    if line.strip() and not _STRUCTURE.match(line.strip()) and not line.startswith("#"))


def starter_text(sources: dict[str, str]) -> list[tuple[str, int]]:
    """Where the files still hold a line of the starting text: (file, line), in file order."""
    return [(name, number) for name, text in sources.items()
            for number, line in enumerate(text.split("\n"), start=1) if line.strip() in STARTER_LINES]


def add_module_to_course_md(text: str, filename: str) -> str:
    """List a new module file at the end of course.md's ``modules:`` list, keeping the rest as
    written (comments and layout survive, unlike a YAML round trip)."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("modules:")), None)
    if start is None:
        raise ValueError(str(_l("course.md has no modules: list.")))
    end = start + 1
    indent = "  "
    while end < len(lines) and lines[end].lstrip().startswith("- "):
        indent = lines[end][: len(lines[end]) - len(lines[end].lstrip())]
        end += 1
    if lines[start].strip() != "modules:":  # an inline list such as modules: [a.md]
        raise ValueError(str(_l("Write course.md's modules one per line to add modules here.")))
    lines.insert(end, f"{indent}- {filename}")
    return "\n".join(lines)

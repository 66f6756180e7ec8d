"""Importing this module checks a small course once, in every language, and keeps nothing.

It is the fork server's preload (see :mod:`trainer.services.timebox`): a child forked after it
starts with python-markdown's extensions imported, the regular expressions of the renderer,
front matter and link checker compiled, and the YAML loader ready. A child forked from a
server that had only imported the package spent about 40 ms doing that for every preview.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from trainer.vocabulary import Language

from .check import check_path

COURSE = """---
id: warm-up
title: Warm-up
summary: A small course of every kind of module.
language: {language}
sectors: [health]
estimated_minutes: 10
modules:
  - lesson.md
  - quiz.md
  - scenario.md
---

An *introduction* with a [link](https://example.org) and a [section](lesson.md#section-s).
"""
LESSON = """---
id: lesson
kind: lesson
title: Lesson
overview: A lesson.
intensity: light
objectives:
  - Read.
references:
  - A source.
---

## Section {#s}

Text with **strong**, `code`, <https://example.org> and a list:

- one
- two

| a | b |
|---|---|
| 1 | 2 |

::: indicators Signs
- one
:::
"""
QUIZ = """---
id: quiz
kind: quiz
title: Quiz
overview: A quiz.
intensity: light
objectives:
  - Answer.
---

## Which one? {#q1 kind=single}

- [x] This one {#a}
  > Yes.
- [ ] That one {#b}
  > No.

::: explanation
Because.
:::
"""
SCENARIO = """---
id: scenario
kind: scenario
title: Scenario
overview: A scenario.
intensity: light
objectives:
  - Choose.
---

## Start {#start}

What do you do?

- Ask. -> good {#ask}
  > Good.
- Leave. -> bad {#leave}
  > Not good.

## Good {#good ending=best}

Well done.

## Bad {#bad ending=harmful}

Try again.
"""


def warm_up() -> None:
    """Check the small course once in each language."""
    with tempfile.TemporaryDirectory(prefix="trainer-warm-up-") as tmp:
        for language in Language.values():
            folder = Path(tmp) / language
            folder.mkdir()
            (folder / "course.md").write_text(COURSE.format(language=language), "utf-8")
            for name, text in (("lesson.md", LESSON), ("quiz.md", QUIZ), ("scenario.md", SCENARIO)):
                (folder / name).write_text(text, "utf-8")
            check_path(folder)


warm_up()

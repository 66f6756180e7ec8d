"""Translating between content specs and what the database stores for a module."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from trainer.content import (
    CaseSpec,
    ChapterSpec,
    ChoiceSpec,
    DrawSpec,
    HandoffItemSpec,
    ModuleSpec,
    NodeSpec,
    OptionSpec,
    QuestionSpec,
    SectionSpec,
    pass_ending_of,
)
from trainer.lru import LRUCache
from trainer.models import Module
from trainer.vocabulary import Ending

# Parsed bodies of published modules, by module id and content hash: a lesson's sections or a
# quiz's questions are read and parsed once per process, not on every page (a module's text is
# never edited in place, and its hash is in the key all the same).
_PARSED = LRUCache(1024)


def module_body(spec: ModuleSpec, course_pass_ending: str = Ending.ACCEPTABLE.value) -> dict[str, Any]:
    """The kind-specific part of a module, as JSON-ready data. A scenario keeps the ending it needs
    for completion (its own ``pass_ending``, else the course's)."""
    if spec.kind == "lesson":
        return {"sections": [asdict(s) for s in spec.sections]}
    if spec.kind == "quiz":
        body: dict[str, Any] = {"questions": [asdict(q) for q in spec.questions]}
        if spec.draw is not None:
            body["draw"] = asdict(spec.draw)
        return body
    body = {"start": spec.start, "nodes": [asdict(n) for n in spec.nodes],
            "pass_ending": pass_ending_of(spec, course_pass_ending)}
    if spec.case is not None:
        body["case"] = asdict(spec.case)
    return body


def pass_ending(body: dict[str, Any]) -> str:
    """A scenario's required ending; versions published before the setting need ``acceptable``."""
    return body.get("pass_ending") or Ending.ACCEPTABLE.value


def sections(body: dict[str, Any]) -> tuple[SectionSpec, ...]:
    return tuple(SectionSpec(**s) for s in body.get("sections", ()))


def questions(body: dict[str, Any]) -> tuple[QuestionSpec, ...]:
    return tuple(
        QuestionSpec(**{**q, "tags": tuple(q["tags"]),
                        "options": tuple(OptionSpec(**o) for o in q["options"])})
        for q in body.get("questions", ())
    )


def kept_sections(module: Module) -> tuple[SectionSpec, ...]:
    """A lesson's sections, parsed once (see ``_PARSED``)."""
    return _PARSED.get(("sections", module.id, module.content_hash), lambda: sections(module.body))


def kept_questions(module: Module) -> tuple[QuestionSpec, ...]:
    """A quiz's questions, parsed once (see ``_PARSED``)."""
    return _PARSED.get(("questions", module.id, module.content_hash), lambda: questions(module.body))


def kept_draw(module: Module) -> DrawSpec | None:
    """A quiz's ``draw:``, read once (see ``_PARSED``)."""
    return _PARSED.get(("draw", module.id, module.content_hash), lambda: draw(module.body))


def draw(body: dict[str, Any]) -> DrawSpec | None:
    """A quiz's ``draw:``, or None when every attempt gets every question."""
    found = body.get("draw")
    if not found:
        return None
    return DrawSpec(found["questions"], tuple((tag, count) for tag, count in found.get("at_least", ())))


def nodes(body: dict[str, Any]) -> tuple[NodeSpec, ...]:
    return tuple(
        NodeSpec(**{**n, "choices": tuple(ChoiceSpec(**{**c, "sets": tuple(c.get("sets", ())),
                                                         "needs": tuple(c.get("needs", ()))})
                                          for c in n["choices"]),
                    "items": tuple(HandoffItemSpec(**i) for i in n.get("items", ()))})
        for n in body.get("nodes", ())
    )


def case(body: dict[str, Any]) -> CaseSpec | None:
    """A case's chapters, facts and rules (None for a scenario)."""
    found = body.get("case")
    if not found:
        return None
    return CaseSpec(found["country"], tuple(ChapterSpec(**c) for c in found["chapters"]),
                    tuple((k, v) for k, v in found["facts"]), tuple((k, v) for k, v in found["rules"]),
                    tuple((k, v) for k, v in found.get("risks", ())))

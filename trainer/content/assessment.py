"""Assessment fields of course.md: a pre-test, testing out at recertification, a confidence
self-rating, an evaluation and an attestation of time spent.

    pretest: check-response     # a quiz module of this course: its pool opens the course
    test_out: true              # an earlier certificate + the pre-test passed = a new certificate
    confidence:                 # rated 1-5 with the pre-test and again before the certificate
      - I can recognise the signs that a person may be being trafficked.
      - I know whom to call, and when.
    evaluation: true            # a short evaluation before the certificate
    attestation: true           # the learner attests the time spent (at most certificate_hours)

Each field is checked against the rest of the course (a pre-test must be one of its quizzes; the
last three need a certificate), and every problem is reported at its line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import frontmatter as fm
from .problems import Problems
from .spec import AssessmentSpec, ModuleSpec

MAX_STATEMENT = 200
FIELDS = {
    "pretest": fm.Field(fm.ident),
    "test_out": fm.Field(fm.boolean),
    "confidence": fm.Field(fm.text_list(2, 8)),
    "evaluation": fm.Field(fm.boolean),
    "attestation": fm.Field(fm.boolean),
}

# Rated when a course has a pre-test and names no statements of its own.
DEFAULT_CONFIDENCE = {
    "en": ("I can recognise the signs that a person may be being trafficked.",
           "I know how to respond safely when I suspect that someone is being trafficked.",
           "I know whom to call, and when.",
           "I can support a person's own choices when they do not want help yet."),
    "nl": ("Ik herken de signalen dat iemand slachtoffer kan zijn van mensenhandel.",
           "Ik weet hoe ik veilig reageer als ik vermoed dat iemand wordt uitgebuit.",
           "Ik weet wie ik moet bellen, en wanneer.",
           "Ik kan iemands eigen keuzes steunen als die persoon nog geen hulp wil."),
}


@dataclass(frozen=True)
class _Course:
    """What the assessment fields are checked against."""

    language: str
    modules: tuple[ModuleSpec, ...]
    certificate_hours: float
    certificate_valid_months: int | None


def read_assessment(front: fm.FrontMatter | None, values: dict[str, Any], modules: tuple[ModuleSpec, ...],
                    problems: Problems) -> AssessmentSpec | None:
    """The course's assessment settings, or None when it sets none of them."""
    if front is None or not any(name in front.key_lines for name in FIELDS):
        return None
    course = _Course(values.get("language", "en"), modules, values.get("certificate_hours", 0) or 0,
                     values.get("certificate_valid_months"))
    pretest = _pretest(values.get("pretest"), front, course, problems)
    confidence = _confidence(values.get("confidence"), pretest, front, course, problems)
    test_out = bool(values.get("test_out"))
    if test_out and pretest is None and "pretest" not in front.key_lines:
        problems.error(front.line("test_out"), "test_out: learners test out by passing the pre-test: set pretest first")
    if test_out and not course.certificate_valid_months:
        problems.error(front.line("test_out"), "test_out: testing out is for recertification, and this course's "
                                               "certificates never expire: set certificate_valid_months")
    for name in ("evaluation", "attestation"):
        if values.get(name) and not course.certificate_hours:
            problems.error(front.line(name), f"{name}: comes before the certificate, and this course gives none: "
                                             "set certificate_hours")
    return AssessmentSpec(pretest=pretest, test_out=test_out, confidence=confidence,
                          evaluation=bool(values.get("evaluation")), attestation=bool(values.get("attestation")))


def _pretest(value: str | None, front: fm.FrontMatter, course: _Course, problems: Problems) -> str | None:
    """The id of the quiz the pre-test draws from, if it is one of the course's quizzes."""
    if value is None:
        return None
    quizzes = [m.id for m in course.modules if m.kind == "quiz"]
    if value not in quizzes:
        known = ", ".join(quizzes) if quizzes else "the course has none"
        problems.error(front.line("pretest"), f"pretest: no quiz module of this course has the id '{value}' "
                                              f"(its quizzes: {known})")
        return None
    return value


def _confidence(value: tuple[str, ...] | None, pretest: str | None, front: fm.FrontMatter, course: _Course,
                problems: Problems) -> tuple[str, ...]:
    """The self-rating statements: the course's own, else the defaults in its language (with a pre-test)."""
    if value is None:
        return DEFAULT_CONFIDENCE.get(course.language, DEFAULT_CONFIDENCE["en"]) if pretest else ()
    if pretest is None and "pretest" not in front.key_lines:
        problems.error(front.line("confidence"), "confidence: the statements are rated with the pre-test, before "
                                                 "and after the course: set pretest first")
    for index, statement in enumerate(value):
        if len(statement.strip()) > MAX_STATEMENT:
            problems.error(front.line("confidence", index), f"confidence: each statement must be at most "
                                                            f"{MAX_STATEMENT} characters (it has {len(statement)})")
    return tuple(" ".join(s.split()) for s in value)

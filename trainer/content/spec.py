"""Course specs: the validated, rendered form of a course folder (see docs/authoring.md).

Plain frozen dataclasses, so the publishing service can compare and store them without knowing
anything about Markdown. HTML fields are already sanitised; ``*_md`` fields keep the source.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trainer.vocabulary import Ending, Intensity, Language, Sector, Specialty

MODULE_KINDS = ("lesson", "quiz", "scenario", "case")
# Kinds played node by node, whose runs end in a graded ending.
PLAYED_KINDS = ("scenario", "case")
CASE_COUNTRIES = ("CA", "US", "GB", "NL")
QUESTION_KINDS = ("single", "multiple", "true-false", "short", "numerical", "matching")
ENDINGS = Ending.values()
# What a scenario run must end in to complete the module: any ending, acceptable or better, or best.
PASS_ENDINGS = ("any", Ending.ACCEPTABLE.value, Ending.BEST.value)
INTENSITIES = Intensity.values()
LANGUAGES = Language.values()
SECTORS = Sector.values()
SPECIALTIES = Specialty.values()
STATUSES = ("published", "draft")


@dataclass(frozen=True)
class ImageRef:
    """An image a module or the course introduction shows, as written in the source."""

    src: str
    alt: str
    line: int


@dataclass(frozen=True)
class SectionSpec:
    """A lesson section: one ``##`` heading and its text."""

    id: str
    title: str
    note: str | None
    body_html: str
    alternative_html: str | None = None


@dataclass(frozen=True)
class OptionSpec:
    """A quiz option, a short/numerical answer or a matching pair.

    ``text`` is the option as written (for short answers: the accepted answer; for numerical:
    ``42 ± 0.5``). Numerical options always have ``low``/``high``; ``value``/``tolerance`` are
    set when written as ``value ± tolerance`` or a single number. Matching pairs have
    ``left``/``right`` and ``correct`` True. ``fixed`` pins an option to its written place when
    the others are shuffled ("None of these").
    """

    id: str
    text: str
    text_html: str
    correct: bool
    feedback_html: str | None = None
    weight: float | None = None
    left: str | None = None
    right: str | None = None
    value: float | None = None
    tolerance: float | None = None
    low: float | None = None
    high: float | None = None
    fixed: bool = False


@dataclass(frozen=True)
class QuestionSpec:
    """A quiz question; ``points`` weights it within the quiz."""

    id: str
    kind: str
    title: str
    stem_html: str
    tags: tuple[str, ...]
    points: int
    options: tuple[OptionSpec, ...]
    explanation_html: str


@dataclass(frozen=True)
class DrawSpec:
    """``draw:`` of a quiz: each attempt gets ``questions`` of the quiz's questions, with at least
    so many of each tag in ``at_least`` (tag, count) pairs."""

    questions: int
    at_least: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ChoiceSpec:
    """A scenario choice leading to the node ``target``. In a case, ``sets`` names the facts the
    choice sets, and ``needs`` those it needs (``!fact``: that must not be set)."""

    id: str
    text: str
    text_html: str
    target: str
    consequence_html: str
    sets: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandoffItemSpec:
    """One line of a case's hand-off checklist: ``share`` when it belongs in the referral;
    with ``when``, only while that fact is set. ``rule`` names the rule the debrief cites."""

    id: str
    text_html: str
    share: bool
    feedback_html: str
    when: str | None = None
    rule: str | None = None

    def should_share(self, facts: frozenset[str] | set[str]) -> bool:
        """Whether this belongs in the referral, given the facts of the case so far."""
        return self.share and (self.when is None or self.when in facts)


@dataclass(frozen=True)
class ChapterSpec:
    """One sector's part of a case: its first node is ``start``."""

    id: str
    sector: str
    specialty: str | None
    title: str
    start: str


@dataclass(frozen=True)
class CaseSpec:
    """What a case adds to a scenario: where it is set, its chapters in order, the facts it
    tracks (id, meaning), the rules its debrief cites (id, citation as HTML) and its risks: facts
    that record harm done (an alerted trafficker), which the platform's own moves avoid."""

    country: str
    chapters: tuple[ChapterSpec, ...]
    facts: tuple[tuple[str, str], ...]
    rules: tuple[tuple[str, str], ...]
    risks: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NodeSpec:
    """A scenario node; ``ending`` is best/acceptable/harmful for an ending, else None."""

    id: str
    title: str
    body_html: str
    ending: str | None
    choices: tuple[ChoiceSpec, ...]
    chapter: str | None = None  # a case's chapter
    handoff: str | None = None  # a case's hand-off: the chapter it hands on to
    items: tuple[HandoffItemSpec, ...] = ()  # a hand-off's checklist


@dataclass(frozen=True)
class ModuleSpec:
    """One module file. Only the parts for its ``kind`` are filled in.

    ``source_md`` is the whole file (normalised line endings) for the browser editor;
    ``content_hash`` is the sha256 of it. ``path`` is the file as listed in course.md
    (relative to the course folder), or the name given to ``parse_module_text``.
    """

    id: str
    kind: str
    title: str
    overview: str
    intensity: str
    minutes: int | None
    required: bool
    objectives: tuple[str, ...]
    content_note: str | None
    references: tuple[str, ...]
    references_html: tuple[str, ...]
    intro_html: str
    source_md: str
    content_hash: str
    path: str = ""
    sections: tuple[SectionSpec, ...] = ()
    questions: tuple[QuestionSpec, ...] = ()
    nodes: tuple[NodeSpec, ...] = ()
    start: str | None = None
    images: tuple[ImageRef, ...] = ()
    draw: DrawSpec | None = None
    pass_ending: str | None = None  # scenarios only: overrides the course's ``pass_ending``
    case: CaseSpec | None = None


@dataclass(frozen=True)
class CreditSpec:
    """``credit:`` of a course: the accrediting body, the kind of credit, the body's id for the
    activity (optional) and the credit hours (never more than the certificate's hours)."""

    body: str
    type: str
    activity_id: str | None
    hours: float


@dataclass(frozen=True)
class AssessmentSpec:
    """A course's pre-test (the id of the quiz whose pool it draws from), whether holders of an
    earlier certificate may test out with it, the confidence statements rated before and after,
    and whether an evaluation and an attestation of time spent come before the certificate."""

    pretest: str | None = None
    test_out: bool = False
    confidence: tuple[str, ...] = ()
    evaluation: bool = False
    attestation: bool = False


@dataclass(frozen=True)
class ReviewSpec:
    """One entry of ``reviewed:`` in course.md: who reviewed the course (a name or a role), when
    (``YYYY-MM`` or ``YYYY-MM-DD``) and whether they have lived experience of trafficking."""

    by: str
    date: str
    lived_experience: bool = False


@dataclass(frozen=True)
class CourseSpec:
    """A whole course. ``content_hash`` covers course.md, the module files and their images,
    so an importer can skip a course whose source has not changed."""

    id: str
    title: str
    summary: str
    language: str
    sectors: tuple[str, ...]
    specialties: tuple[str, ...]
    estimated_minutes: int
    pass_mark: int
    certificate_hours: float
    certificate_valid_months: int | None
    show_wrong_answers: bool
    status: str
    version_notes: str | None
    intro_md: str
    intro_html: str
    modules: tuple[ModuleSpec, ...]
    source_path: str
    content_hash: str
    images: tuple[str, ...] = ()
    pass_ending: str = Ending.ACCEPTABLE.value
    credit: CreditSpec | None = None
    assessment: AssessmentSpec | None = None
    reviewed: tuple[ReviewSpec, ...] = ()


@dataclass(frozen=True)
class ReferralSpec:
    """One service from ``courses/referrals.yaml``."""

    country: str
    name: str
    checked: dt.date
    source: str
    description: str | None = None
    phone: str | None = None
    url: str | None = None
    hours: str | None = None
    languages: tuple[str, ...] = ()
    # Descriptions in other interface languages, by language code ("nl"); ``description`` is
    # the English one and the fallback.
    descriptions: dict[str, str] = field(default_factory=dict)

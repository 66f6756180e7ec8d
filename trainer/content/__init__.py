"""Course content: Markdown course folders -> validated, rendered specs (no Flask, no database).

See docs/authoring.md for the format.
"""
from .assessment import DEFAULT_CONFIDENCE
from .check import CheckReport, CourseSummary, check_path, find_courses, format_text, to_json
from .course import parse_course
from .draw import draw_questions, fits as draw_fits
from .grading import GradeResult
from .kinds import KINDS, AnswerView, BadAnswer, FormKeys, Review, ReviewLine, grade_question, kind_of
from .parse import content_hash, normalise, parse_module_text
from .problems import Parsed, Problem
from .referrals import parse_referrals
from .render import ImageUrl, Renderer, render_markdown, sanitize
from .scenario import best_path, pass_ending_of, passes
from .spec import (
    PASS_ENDINGS,
    PLAYED_KINDS,
    AssessmentSpec,
    CaseSpec,
    ChapterSpec,
    ChoiceSpec,
    CourseSpec,
    CreditSpec,
    DrawSpec,
    HandoffItemSpec,
    ImageRef,
    ModuleSpec,
    NodeSpec,
    OptionSpec,
    QuestionSpec,
    ReferralSpec,
    ReviewSpec,
    SectionSpec,
)

__all__ = [
    "AssessmentSpec", "CaseSpec", "ChapterSpec", "DEFAULT_CONFIDENCE", "HandoffItemSpec", "PLAYED_KINDS",
    "AnswerView", "BadAnswer", "DrawSpec", "FormKeys", "KINDS", "Review", "ReviewLine", "draw_fits",
    "draw_questions", "kind_of",
    "CheckReport", "ChoiceSpec", "CourseSpec", "CourseSummary", "CreditSpec", "GradeResult", "ReviewSpec", "ImageRef",
    "ModuleSpec", "NodeSpec", "OptionSpec", "PASS_ENDINGS", "Parsed", "Problem", "QuestionSpec", "ReferralSpec",
    "ImageUrl", "Renderer", "SectionSpec", "best_path", "check_path", "content_hash", "find_courses",
    "format_text", "grade_question", "normalise", "parse_course", "parse_module_text",
    "parse_referrals", "pass_ending_of", "passes", "render_markdown", "sanitize", "to_json",
]

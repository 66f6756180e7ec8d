"""What the cohort misses: item analysis of the assigned quizzes, rolled up by tag, and the
endings the cohort reaches in assigned scenarios.

Each learner's latest attempt at a quiz counts. Facility is the share of learners answering a
question fully right; discrimination compares the top and bottom 27% of learners by quiz score
(the classic upper-lower index: near 0 or negative means the question does not separate those
who know the material from those who do not).
"""
from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa

from trainer import policy
from trainer.content import KINDS, ChapterSpec, NodeSpec, QuestionSpec
from trainer.extensions import db
from trainer.models import Cohort, CohortMember, Module, QuizAttempt, ScenarioRun, User
from trainer.services import catalogue, course_data
from trainer.services.errors import NotFound

GROUP_SHARE = 0.27


@dataclass
class QuestionStats:
    course_title: str
    module_title: str
    question_id: str
    title: str
    tags: tuple[str, ...]
    answered: int
    facility: float | None
    discrimination: float | None
    common_wrong: str | None  # the text of the most chosen wrong option
    common_wrong_count: int = 0


@dataclass
class TagStats:
    tag: str
    questions: int
    accuracy: float | None


@dataclass
class ScenarioStats:
    course_title: str
    module_title: str
    endings: list[tuple[str, str, int]]  # (title, grade, learners)
    # A case's hand-offs, per chapter: (chapter, its sector, hand-offs sent, share of items right).
    handoffs: list[HandoffStats] = field(default_factory=list)


@dataclass
class HandoffStats:
    chapter: ChapterSpec
    sent: int
    accuracy: float | None


@dataclass
class Analysis:
    questions: list[QuestionStats] = field(default_factory=list)
    tags: list[TagStats] = field(default_factory=list)
    scenarios: list[ScenarioStats] = field(default_factory=list)


def _latest(rows: Iterable[Any]) -> Iterable[Any]:
    """The latest row per (user, course, module); rows are result rows with those columns and id."""
    latest: dict[tuple[int, int, str], Any] = {}
    for row in rows:
        key = (row.user_id, row.course_id, row.module)
        if key not in latest or row.id > latest[key].id:
            latest[key] = row
    return latest.values()


class Assigned(NamedTuple):
    title: str  # the course's
    course_id: int
    module: Module


def _assigned_modules(cohort: Cohort) -> list[Assigned]:
    """Every quiz and scenario the cohort is assigned, with its course."""
    published = {c.id: v for c, v in catalogue.latest_published(with_modules=True)}
    found = []
    for assignment in cohort.assignments:
        version = published.get(assignment.course_id)
        if version is None:
            continue
        for module in version.modules:
            if module.kind != "lesson" and assignment.module in (None, module.slug):
                found.append(Assigned(version.title, assignment.course_id, module))
    return found


# Recent analyses by cohort, each with the fingerprint of the data it was computed from. A new
# attempt, run, member or assignment changes the fingerprint, so a stale result is never shown;
# the cache only spares recomputing unchanged data when a trainer comes back to the page.
_CACHE: OrderedDict[int, tuple[tuple, Analysis]] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = threading.Lock()


def _fingerprint(cohort: Cohort, modules: list[Assigned]) -> tuple:
    """What the analysis depends on, in one query: members, attempts, finished runs."""
    members = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    course_ids = {a.course_id for a in modules} or {0}
    attempts = sa.select(QuizAttempt.id).where(QuizAttempt.user_id.in_(members),
                                               QuizAttempt.course_id.in_(course_ids)).subquery()
    runs = sa.select(ScenarioRun.id).where(ScenarioRun.user_id.in_(members), ScenarioRun.course_id.in_(course_ids),
                                           ScenarioRun.finished_at.isnot(None)).subquery()
    member_rows = members.subquery()
    row = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(member_rows).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(member_rows.c.user_id), 0)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(attempts).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.max(attempts.c.id), 0)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(runs).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.max(runs.c.id), 0)).scalar_subquery(),
    )).one()
    return tuple(row), tuple(a.module.id for a in modules), cohort.created_at


def for_cohort(actor: User, cohort: Cohort) -> Analysis:
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    modules = _assigned_modules(cohort)
    key = _fingerprint(cohort, modules)
    with _LOCK:
        cached = _CACHE.get(cohort.id)
        if cached and cached[0] == key:
            _CACHE.move_to_end(cohort.id)
            return cached[1]
    analysis = _compute(cohort, modules)
    with _LOCK:
        _CACHE[cohort.id] = (key, analysis)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return analysis


def _compute(cohort: Cohort, modules: list[Assigned]) -> Analysis:
    members = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    course_ids = {a.course_id for a in modules}
    # Only each learner's latest attempt is read, as plain rows: decoding every earlier
    # attempt's answers would dominate the time for a large cohort.
    latest_ids = (sa.select(sa.func.max(QuizAttempt.id)).where(
        QuizAttempt.user_id.in_(members), QuizAttempt.course_id.in_(course_ids))
        .group_by(QuizAttempt.user_id, QuizAttempt.course_id, QuizAttempt.module))
    attempts = db.session.execute(sa.select(
        QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.course_id, QuizAttempt.module, QuizAttempt.score,
        QuizAttempt.answers, QuizAttempt.results).where(QuizAttempt.id.in_(latest_ids))).all() if modules else []
    runs = db.session.execute(sa.select(ScenarioRun.id, ScenarioRun.user_id, ScenarioRun.course_id,
                                        ScenarioRun.module, ScenarioRun.ending, ScenarioRun.handoffs).where(
        ScenarioRun.user_id.in_(members), ScenarioRun.course_id.in_(course_ids),
        ScenarioRun.finished_at.isnot(None))).all() if modules else []
    by_module_attempts = defaultdict(list)
    for attempt in _latest(attempts):
        by_module_attempts[(attempt.course_id, attempt.module)].append(attempt)
    by_module_runs = defaultdict(list)
    for run in _latest(runs):
        by_module_runs[(run.course_id, run.module)].append(run)
    analysis = Analysis()
    for course_title, course_id, module in modules:
        key = (course_id, module.slug)
        if module.kind == "quiz":
            analysis.questions += _questions(course_title, module, by_module_attempts[key])
        else:
            analysis.scenarios.append(_scenario(course_title, module, by_module_runs[key]))
    analysis.questions.sort(key=lambda q: (q.facility is None, q.facility if q.facility is not None else 0))
    analysis.tags = _tags(analysis.questions)
    return analysis


def _questions(course_title: str, module: Module, attempts: list) -> list[QuestionStats]:
    """Question statistics for one quiz. Where a quiz draws from a pool, each question counts
    only the attempts that drew it (the keys of an attempt's results): its facility, and the
    upper and lower groups of its discrimination, come from those attempts."""
    drew: dict[str, list] = defaultdict(list)
    chosen: dict[str, Counter] = defaultdict(Counter)
    for attempt in attempts:
        for qid in attempt.results:
            drew[qid].append(attempt)
        for qid, answer in attempt.answers.items():
            if isinstance(answer, list):
                chosen[qid].update(answer)
    stats = []
    for question in course_data.questions(module.body):
        taken = drew[question.id]
        facility, discrimination = _item(question.id, taken)
        wrong_text, wrong_count = _common_wrong(question, chosen[question.id])
        stats.append(QuestionStats(course_title, module.title, question.id, question.title, question.tags,
                                   len(taken), facility, discrimination, wrong_text, wrong_count))
    return stats


def _item(qid: str, attempts: list) -> tuple[float | None, float | None]:
    """Facility and upper-lower discrimination of one question over the attempts that drew it."""
    if not attempts:
        return None, None
    right = {a.id for a in attempts if a.results[qid].get("correct")}
    ranked = sorted(attempts, key=lambda a: a.score)
    size = max(1, round(len(ranked) * GROUP_SHARE)) if len(ranked) >= 4 else 0
    if not size:
        return len(right) / len(attempts), None
    upper = sum(a.id in right for a in ranked[-size:])
    lower = sum(a.id in right for a in ranked[:size])
    return len(right) / len(attempts), (upper - lower) / size


def _common_wrong(question: QuestionSpec, chosen: Counter[str]) -> tuple[str | None, int]:
    """The wrong option chosen most often (kinds whose options the learner picks)."""
    if not KINDS[question.kind].picks_options:
        return None, 0
    wrong = {o.id: o.text for o in question.options if not o.correct}
    counts = [(count, option_id) for option_id, count in chosen.items() if option_id in wrong]
    if not counts:
        return None, 0
    count, option_id = max(counts)
    return wrong[option_id], count


def _tags(questions: list[QuestionStats]) -> list[TagStats]:
    grouped: dict[str, list[float]] = defaultdict(list)
    counts: Counter = Counter()
    for q in questions:
        for tag in q.tags:
            counts[tag] += 1
            if q.facility is not None:
                grouped[tag].append(q.facility)
    tags = [TagStats(tag, counts[tag], sum(grouped[tag]) / len(grouped[tag]) if grouped[tag] else None)
            for tag in counts]
    return sorted(tags, key=lambda t: (t.accuracy is None, t.accuracy if t.accuracy is not None else 0))


def _scenario(course_title: str, module: Module, runs: list[ScenarioRun]) -> ScenarioStats:
    nodes = course_data.nodes(module.body)
    reached = Counter(run.ending for run in runs)
    endings = [(n.title, n.ending, reached.get(n.id, 0)) for n in nodes if n.ending]
    return ScenarioStats(course_title, module.title, endings, _handoffs(module, nodes, runs))


def _handoffs(module: Module, nodes: tuple[NodeSpec, ...], runs: list[ScenarioRun]) -> list[HandoffStats]:
    """How accurately each sector's hand-offs were made: the share of checklist items passed on or
    kept back rightly, over the hand-offs the learners sent in their latest runs (not those the
    platform made for a learner who played another chapter)."""
    case = course_data.case(module.body)
    if case is None:
        return []
    chapter_of = {n.id: n.chapter for n in nodes if n.handoff}
    sent: Counter[str] = Counter()
    right: Counter[str] = Counter()
    items: Counter[str] = Counter()
    for run in runs:
        for node_id, handoff in (run.handoffs or {}).items():
            chapter = chapter_of.get(node_id)
            if chapter is not None and not handoff.get("platform"):
                sent[chapter] += 1
                right[chapter] += handoff.get("right", 0)
                items[chapter] += handoff.get("items", 0)
    return [HandoffStats(chapter, sent[chapter.id],
                         right[chapter.id] / items[chapter.id] if items[chapter.id] else None)
            for chapter in case.chapters[:-1]]

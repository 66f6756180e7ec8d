"""Cues that let a learner guess a quiz without knowing the answers, and what guessing earns.

Pure: works on parsed specs and grades with the question kinds' own ``grade``. ``courses check``
calls :func:`check_cues` once per course; ``courses guess`` and the guessing test call
:func:`guess_course`.

Warnings (limits documented in docs/authoring.md, "Cues that give answers away"):

- the key of a single-choice question is the strictly longest option in more than
  ``LONGEST_SHARE`` of a quiz's single-choice questions, with at least ``LONGEST_MIN`` of them
  (and the same for the strictly shortest, the cue an over-correction leaves);
- more than ``TF_SHARE`` of a quiz's true/false keys are the same, with at least ``TF_MIN`` of them;
- an "all of the above" / "none of the above" option (English or Dutch);
- a multiple-response question where every option is a key (or none is), or where ticking
  every box earns more than ``TICK_ALL_SHARE`` of its marks.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .course import display_path, id_line
from .kinds import KINDS
from .problems import Problem
from .spec import CourseSpec, ModuleSpec, QuestionSpec

LONGEST_SHARE = 0.4
LONGEST_MIN = 3
TF_SHARE = 0.7
TF_MIN = 4
TICK_ALL_SHARE = 0.5

ABOVE_RE = re.compile(r"\b(?:all|none|both) of the above\b|\balle(?:maal)? bovenstaande\b"
                      r"|\bgeen van (?:de )?bovenstaande\b|\bbeide bovenstaande\b", re.IGNORECASE)


@dataclass(frozen=True)
class QuizCues:
    """The cue counts of one quiz."""

    single: int = 0
    key_longest: int = 0
    key_shortest: int = 0
    true_false: int = 0
    key_true: int = 0
    multiple: int = 0
    multiple_all_or_none: int = 0
    above: int = 0


def is_single(question: QuestionSpec) -> bool:
    return question.kind == "single" and sum(o.correct for o in question.options) == 1


def key_is_longest(question: QuestionSpec) -> bool:
    """Whether the one key of a single-choice question is strictly longer than every other option."""
    key = next(o for o in question.options if o.correct)
    return all(len(key.text) > len(o.text) for o in question.options if o is not key)


def key_is_shortest(question: QuestionSpec) -> bool:
    """Whether the one key of a single-choice question is strictly shorter than every other option."""
    key = next(o for o in question.options if o.correct)
    return all(len(key.text) < len(o.text) for o in question.options if o is not key)


def quiz_cues(module: ModuleSpec) -> QuizCues:
    """Count the cues of one quiz."""
    singles = [q for q in module.questions if is_single(q)]
    tfs = [q for q in module.questions if q.kind == "true-false"]
    multiples = [q for q in module.questions if q.kind == "multiple" and q.options]
    return QuizCues(
        single=len(singles), key_longest=sum(key_is_longest(q) for q in singles),
        key_shortest=sum(key_is_shortest(q) for q in singles),
        true_false=len(tfs), key_true=sum(any(o.id == "true" and o.correct for o in q.options) for q in tfs),
        multiple=len(multiples),
        multiple_all_or_none=sum(len({o.correct for o in q.options}) == 1 for q in multiples),
        above=sum(bool(ABOVE_RE.search(o.text)) for q in module.questions for o in q.options))


def question_line(source: str, question_id: str) -> int:
    """The line of a question's heading (1 if not found)."""
    pattern = re.compile(r"^#{2}\s.*\{#" + re.escape(question_id) + r"[\s}]")
    for number, line in enumerate(source.split("\n"), start=1):
        if pattern.match(line):
            return number
    return 1


def check_cues(folder: str | Path, course: CourseSpec) -> tuple[tuple[Problem, ...], dict[str, int]]:
    """Warnings about cues in the course's quizzes, and the course's totals of the counts."""
    problems: list[Problem] = []
    totals: dict[str, int] = dict.fromkeys(QuizCues.__dataclass_fields__, 0)
    for module in course.modules:
        if module.kind != "quiz":
            continue
        path = display_path(Path(folder) / module.path)
        cues = quiz_cues(module)
        for name in totals:
            totals[name] += getattr(cues, name)
        problems.extend(Problem(path, line, message, "warning")
                        for line, message in _quiz_warnings(module, cues))
    return tuple(problems), totals


def _quiz_warnings(module: ModuleSpec, cues: QuizCues) -> Iterable[tuple[int, str]]:
    top = id_line(module.source_md)

    def line(q: QuestionSpec) -> int:
        return question_line(module.source_md, q.id)

    if cues.single >= LONGEST_MIN and cues.key_longest > LONGEST_SHARE * cues.single:
        longest = [q.id for q in module.questions if is_single(q) and key_is_longest(q)]
        yield top, (f"the key is the longest option in {cues.key_longest} of {cues.single} single-choice "
                    f"questions (more than {LONGEST_SHARE:.0%}): {', '.join(longest)}; write distractors "
                    "as long and careful as the key")
    if cues.single >= LONGEST_MIN and cues.key_shortest > LONGEST_SHARE * cues.single:
        shortest = [q.id for q in module.questions if is_single(q) and key_is_shortest(q)]
        yield top, (f"the key is the shortest option in {cues.key_shortest} of {cues.single} single-choice "
                    f"questions (more than {LONGEST_SHARE:.0%}): {', '.join(shortest)}; a short key is a cue "
                    "too once learners know that long answers are traps")
    if cues.true_false >= TF_MIN:
        most = max(cues.key_true, cues.true_false - cues.key_true)
        if most > TF_SHARE * cues.true_false:
            side = "True" if cues.key_true > cues.true_false - cues.key_true else "False"
            yield top, (f"{most} of {cues.true_false} true/false keys are {side} (more than "
                        f"{TF_SHARE:.0%} one way); balance True and False")
    for q in module.questions:
        for o in q.options:
            if ABOVE_RE.search(o.text):
                yield line(q), (f"option '{o.id}' is an 'all/none of the above' option: options are "
                                "shuffled, and it rewards guessing; write a real option")
        if q.kind == "multiple" and q.options:
            if len({o.correct for o in q.options}) == 1:
                yield line(q), ("every option is a key" if q.options[0].correct else "no option is a key") + \
                    ": ticking every box (or none) gives it away"
            elif (share := grade(q, {o.id for o in q.options})) > TICK_ALL_SHARE:
                yield line(q), (f"ticking every box earns {share:.0%} of the marks; add a wrong option "
                                "or make fewer options right")


# --- guessing strategies -------------------------------------------------------------------

def grade(question: QuestionSpec, response: object) -> float:
    """The platform's own grade of a response."""
    return KINDS[question.kind].grade(question, response).score


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def random_score(question: QuestionSpec) -> float:
    """Expected score of a blind guess: a random option (single, true/false), a random non-empty
    set of boxes (multiple), a random matching; typed answers earn nothing."""
    options = question.options
    if question.kind in ("single", "true-false"):
        return _mean(grade(question, o.id) for o in options)
    if question.kind == "multiple":
        subsets = (set(c) for r in range(1, len(options) + 1)
                   for c in itertools.combinations([o.id for o in options], r))
        return _mean(grade(question, s) for s in subsets)
    if question.kind == "matching":
        ids = [o.id for o in options][:7]
        return _mean(grade(question, dict(zip(ids, perm, strict=True))) for perm in itertools.permutations(ids))
    return 0.0


def _by_length(question: QuestionSpec, pick: Callable[[Sequence[int]], int]) -> float:
    """Expected score picking the option of extreme length (ties: each equally likely)."""
    lengths = [len(o.text) for o in question.options]
    target = pick(lengths)
    return _mean(grade(question, o.id) for o in question.options if len(o.text) == target)


def _single(rule: str) -> Callable[[QuestionSpec], float]:
    def score(q: QuestionSpec) -> float:
        if rule == "longest":
            return _by_length(q, max)
        if rule == "shortest":
            return _by_length(q, min)
        if rule == "first":
            return grade(q, q.options[0].id)
        if rule == "last":
            return grade(q, q.options[-1].id)
        return random_score(q)
    return score


def _tf(answer: str) -> Callable[[QuestionSpec], float]:
    return lambda q: grade(q, answer) if answer in ("true", "false") else random_score(q)


def _multiple(rule: str) -> Callable[[QuestionSpec], float]:
    def score(q: QuestionSpec) -> float:
        ids = [o.id for o in q.options]
        subset = {"every": set(ids), "none": set(), "first": set(ids[:1]), "last": set(ids[-1:]),
                  "first-half": set(ids[:(len(ids) + 1) // 2]), "all-but-last": set(ids[:-1])}.get(rule)
        return random_score(q) if subset is None else grade(q, subset)
    return score


# Rules a learner can follow whatever order the options are shown in (position is shuffled).
SINGLE_RULES = ("longest", "shortest", "random")
TF_RULES = ("true", "false", "random")
MULTIPLE_RULES = ("every", "none", "random")

# Named strategies: (single-choice rule, true/false answer, multiple-response rule).
STRATEGIES: dict[str, tuple[str, str, str]] = {
    "random option": ("random", "random", "random"),
    "always longest": ("longest", "random", "random"),
    "always shortest": ("shortest", "random", "random"),
    "always first": ("first", "random", "first"),
    "always last": ("last", "random", "last"),
    "always True": ("random", "true", "random"),
    "always False": ("random", "false", "random"),
    "tick every box": ("random", "random", "every"),
    "tick no box": ("random", "random", "none"),
    "longest + False + every box": ("longest", "false", "every"),
    "longest + True + every box": ("longest", "true", "every"),
    "first + False + all but last box": ("first", "false", "all-but-last"),
}


def _rule_score(q: QuestionSpec, single: str, tf: str, multiple: str) -> float:
    if q.kind == "single":
        return _single(single)(q)
    if q.kind == "true-false":
        return _tf(tf)(q)
    if q.kind == "multiple":
        return _multiple(multiple)(q)
    return random_score(q)


def guess_scores(questions: Sequence[QuestionSpec]) -> dict[str, float]:
    """Expected score (0..1, weighted by points, over the whole pool) of each named strategy, and
    ``best rule per kind``: the best length rule for single choice, the better of always True and
    always False, and the best of every box, no box or random boxes, chosen separately for this
    quiz (an upper bound on a guesser who reads only what shuffling leaves: length and kind).
    "first" and "last" are the written order, which the platform shuffles; they are scored so the
    written order carries no pattern either."""
    total = sum(q.points for q in questions)
    if not total:
        return {}

    def score(single: str, tf: str, multiple: str) -> float:
        return sum(q.points * _rule_score(q, single, tf, multiple) for q in questions) / total

    scores = {name: score(*rules) for name, rules in STRATEGIES.items()}
    best = 0.0
    for kind, rules in (("single", SINGLE_RULES), ("true-false", TF_RULES), ("multiple", MULTIPLE_RULES)):
        part = [q for q in questions if q.kind == kind]
        best += max(sum(q.points * _rule_score(q, r, r, r) for q in part) for r in rules) / total
    others = [q for q in questions if q.kind not in ("single", "true-false", "multiple")]
    best += sum(q.points * random_score(q) for q in others) / total
    scores["best rule per kind"] = best
    return scores



@dataclass(frozen=True)
class QuizGuess:
    """The expected score of every guessing strategy on one quiz, and its pass mark (0..1)."""

    quiz: str
    pass_mark: float
    scores: dict[str, float]

    @property
    def passing(self) -> dict[str, float]:
        """The strategies that reach the pass mark."""
        return {name: score for name, score in self.scores.items() if score >= self.pass_mark - 1e-9}


def guess_course(course: CourseSpec, folder: str | Path) -> list[QuizGuess]:
    """Each quiz of a course, scored for every guessing strategy over its whole pool."""
    return [QuizGuess(display_path(Path(folder) / module.path), course.pass_mark / 100,
                      guess_scores(module.questions))
            for module in course.modules if module.kind == "quiz"]


def format_guesses(guesses: Sequence[QuizGuess]) -> str:
    """One block per quiz: each strategy's expected score in percent, marked where it passes."""
    lines = []
    for guess in guesses:
        lines.append(f"{guess.quiz} (pass mark {guess.pass_mark:.0%})")
        for name, score in guess.scores.items():
            mark = "  PASSES" if name in guess.passing else ""
            lines.append(f"  {name:<34} {score * 100:5.1f}%{mark}")
    failing = sum(bool(g.passing) for g in guesses)
    lines.append(f"{len(guesses)} quizzes, {failing} passable by guessing")
    return "\n".join(lines) + "\n"

"""Branching scenarios: one situation at a time, each choice recorded, the ending graded."""
from __future__ import annotations

from collections import deque
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from trainer.content import PLAYED_KINDS, ChoiceSpec, NodeSpec, passes
from trainer.extensions import db
from trainer.models import CohortCase, Course, CourseVersion, Module, ScenarioRun, User
from trainer.services import course_data, progress, xapi
from trainer.services.errors import InvalidInput, NotFound
from trainer.services.quizzes import option_key
from trainer.vocabulary import Ending

GRADE_SCORES: dict[str, float] = {Ending.BEST: 1.0, Ending.ACCEPTABLE: 0.5, Ending.HARMFUL: 0.0}


def nodes(module: Module) -> dict[str, NodeSpec]:
    return {n.id: n for n in course_data.nodes(module.body)}


def start(user: User, course: Course, version: CourseVersion, module: Module) -> ScenarioRun:
    if module.kind not in PLAYED_KINDS:
        raise NotFound()
    run = ScenarioRun(user_id=user.id, course_id=course.id, module=module.slug,
                      version_number=version.number, current_node=module.body["start"], path=[])
    if module.kind == "case":
        run.facts, run.handoffs = [], {}
    db.session.add(run)
    progress.visit(user, course, module, position=run.current_node)
    db.session.flush()
    return run


def get_run(user: User, course: Course, module: Module, run_id: int) -> ScenarioRun:
    run = db.session.get(ScenarioRun, run_id)
    if run is None or run.user_id != user.id or run.course_id != course.id or run.module != module.slug:
        raise NotFound()
    return run


def latest_run(user: User, course: Course, slug: str) -> ScenarioRun | None:
    return db.session.scalar(sa.select(ScenarioRun).where(
        ScenarioRun.user_id == user.id, ScenarioRun.course_id == course.id, ScenarioRun.module == slug)
        .order_by(ScenarioRun.id.desc()).limit(1))


def choice_key(run: ScenarioRun, node_id: str, choice_id: str) -> str:
    """What a form sends for a choice: opaque, so an id such as 'harmful' tells nothing."""
    return option_key(f"run-{run.id}", node_id, choice_id)


def choose(user: User, course: Course, version: CourseVersion, module: Module, run: ScenarioRun,
           at_node: str, key: str) -> ChoiceSpec | None:
    """Take a choice at the run's current node. A form from an earlier step (a resent form or a
    second tab) changes nothing and returns None."""
    if run.finished_at is not None or at_node != run.current_node:
        return None
    graph = nodes(module)
    node = graph.get(run.current_node)
    if node is None:  # the course changed under an unfinished run: start again
        raise InvalidInput("choice", str(_l("This scenario has changed since you began it. Please start again.")))
    choice = next((c for c in node.choices if choice_key(run, node.id, c.id) == key), None)
    if choice is None:
        raise InvalidInput("choice", str(_l("Choose one of the options.")))
    if not open_to(choice, run):
        raise InvalidInput("choice", str(_l("That choice is not open at this point in the case.")))
    run.path = [*run.path, {"node": node.id, "choice": choice.id}]
    if choice.sets:
        run.facts = sorted({*(run.facts or ()), *choice.sets})
    move_to(user, course, version, module, run, choice.target)
    return choice


def open_to(choice: ChoiceSpec, run: ScenarioRun | CohortCase) -> bool:
    """Whether the facts of the run so far allow the choice (a scenario's choices always are)."""
    facts = set(run.facts or ())
    return all(need[1:] not in facts if need.startswith("!") else need in facts for need in choice.needs)


def choices_open(node: NodeSpec, run: ScenarioRun | CohortCase) -> list[ChoiceSpec]:
    """The choices offered at ``node``: those the run's facts allow."""
    return [choice for choice in node.choices if open_to(choice, run)]


def move_to(user: User, course: Course, version: CourseVersion, module: Module, run: ScenarioRun,
            node_id: str) -> None:
    """Go on to ``node_id``: record progress, and at an ending grade the run."""
    graph = nodes(module)
    run.current_node = node_id
    target = graph[node_id]
    if target.ending:
        run.ending, run.grade = target.id, target.ending
        run.finished_at = datetime.now(UTC)
        if passed(module, run):
            progress.complete_module(user, course, version, module.slug, GRADE_SCORES[target.ending])
        else:  # below the ending the course requires: the debrief, then a new run
            progress.visit(user, course, module, position=target.id)
        xapi.run_finished(user, course, version, module, run, passed(module, run))
    else:
        row = progress.visit(user, course, module, position=target.id)
        progress.note_percent(row, percent(module, run))
    db.session.flush()


def required_ending(module: Module) -> str:
    """What a run must end in to complete the module: any, acceptable (or best), or best."""
    return course_data.pass_ending(module.body)


def passed(module: Module, run: ScenarioRun) -> bool:
    """Whether a finished run reached an ending good enough to complete the module."""
    return run.finished_at is not None and passes(run.grade, required_ending(module))


def last_choice(module: Module, run: ScenarioRun | CohortCase) -> ChoiceSpec | None:
    """The choice that led to the current node, to show its consequence."""
    if not run.path:
        return None
    step = run.path[-1]
    node = nodes(module).get(step["node"])
    return next((c for c in node.choices if c.id == step.get("choice")), None) if node else None


def walked(module: Module, run: ScenarioRun) -> list[tuple[NodeSpec, ChoiceSpec]]:
    """The path taken, as (node, choice) pairs."""
    graph = nodes(module)
    steps = []
    for step in run.path:
        node = graph.get(step["node"])
        choice = next((c for c in node.choices if c.id == step.get("choice")), None) if node else None
        if node and choice:
            steps.append((node, choice))
    return steps


def percent(module: Module, run: ScenarioRun | None) -> int:
    """How far through the scenario a run is: the steps taken against those taken plus the
    fewest still needed to reach an ending (branches differ in length, so this is an estimate)."""
    if run is None:
        return 0
    if run.finished_at is not None:
        return 100
    graph = nodes(module)
    remaining = _steps_to_an_ending(graph, run.current_node, chapter_starts(module))
    taken = len(run.path)
    if remaining is None or taken + remaining == 0:
        return 0
    return round(100 * taken / (taken + remaining))


def chapter_starts(module: Module) -> dict[str, str]:
    """A case's chapter ids and their first nodes, where its hand-offs lead ({} for a scenario)."""
    case = course_data.case(module.body)
    return {chapter.id: chapter.start for chapter in case.chapters} if case else {}


def _steps_to_an_ending(graph: dict[str, NodeSpec], start: str, starts: dict[str, str]) -> int | None:
    """The fewest steps from ``start`` to any ending (breadth-first), or None if none is reachable;
    a case's hand-off is one step, to the next chapter."""
    if start not in graph:
        return None
    depth, queue = {start: 0}, deque([start])
    while queue:
        node_id = queue.popleft()
        node = graph[node_id]
        if node.ending:
            return depth[node_id]
        targets = [starts[node.handoff]] if node.handoff in starts else [c.target for c in node.choices]
        for target in targets:
            if target in graph and target not in depth:
                depth[target] = depth[node_id] + 1
                queue.append(target)
    return None


def best_path(module: Module) -> tuple[list[tuple[NodeSpec, ChoiceSpec]], NodeSpec | None]:
    """The shortest route from the start to a best ending: the (node, choice) steps and the ending."""
    graph = nodes(module)
    start = module.body["start"]
    came_from: dict[str, tuple[str, ChoiceSpec] | None] = {start: None}
    queue, end = deque([start]), None
    while queue:
        node_id = queue.popleft()
        if graph[node_id].ending == Ending.BEST:
            end = node_id
            break
        for choice in graph[node_id].choices:
            if choice.target not in came_from:
                came_from[choice.target] = (node_id, choice)
                queue.append(choice.target)
    steps: list[tuple[NodeSpec, ChoiceSpec]] = []
    cursor = end
    while cursor is not None and (step := came_from[cursor]) is not None:
        previous, choice = step
        steps.append((graph[previous], choice))
        cursor = previous
    return list(reversed(steps)), graph[end] if end else None

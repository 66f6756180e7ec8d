"""Cases: a scenario in chapters, one per sector, joined by hand-offs (see docs/authoring.md).

A case is played with the scenario machinery (trainer.services.scenarios): a run, one node at a
time, choices offered only when the facts of the run allow them. What a case adds lives here:
the hand-off at the end of each chapter, what the next chapter receives, and the debrief's
timeline of the whole case. Everything a later chapter reveals stays on the server: the page
gets the current node, the choices open to the learner and, once a hand-off is sent, what it
carried.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from trainer.content import CaseSpec, ChapterSpec, ChoiceSpec, HandoffItemSpec, NodeSpec
from trainer.content.scenario_map import ScenarioMap, played_map
from trainer.extensions import db
from trainer.models import CohortCase, Course, CourseVersion, Module, ScenarioRun, User
from trainer.services import course_data, scenarios
from trainer.services.errors import InvalidInput
from trainer.services.quizzes import option_key
from trainer.vocabulary import Ending

MAX_NOTE = 1000
CaseState = ScenarioRun | CohortCase  # a learner's run, or a cohort's case played together
Advance = Callable[[str], None]  # go on to a node, recording what that means for the state


def spec(module: Module) -> CaseSpec:
    """The case's chapters, facts and rules."""
    case = course_data.case(module.body)
    if case is None:
        raise InvalidInput("case", str(_l("This module is not a case.")))
    return case


def item_key(scope: str, node_id: str, item_id: str) -> str:
    """What the hand-off form sends for an item: opaque, so its id tells nothing. ``scope`` names
    the run ("run-ID") or the cohort's case ("cohort-case-ID")."""
    return option_key(f"handoff-{scope}", node_id, item_id)


def chapter_of(module: Module, node: NodeSpec) -> tuple[int, ChapterSpec]:
    """The chapter a node belongs to, with its place (1-based) in the case."""
    chapters = spec(module).chapters
    index = next((i for i, chapter in enumerate(chapters) if chapter.id == node.chapter), 0)
    return index + 1, chapters[index]


def hand_off(user: User, course: Course, version: CourseVersion, module: Module, run: ScenarioRun,
             at_node: str, keys: list[str], note: str) -> None:
    """Send the hand-off at the run's current node: the items chosen (by their form keys) and a
    note. It sets the facts of the items passed on and opens the next chapter. A hand-off sent
    again, or from a page that is no longer current, is refused and changes nothing."""
    def advance(node_id: str) -> None:
        scenarios.move_to(user, course, version, module, run, node_id)

    node, shared, note = read_hand_off(module, run, f"run-{run.id}", at_node, keys, note)
    send(module, run, node, shared, note, "sent", advance)
    _play_on(user, course, version, module, run)
    db.session.flush()


def read_hand_off(module: Module, state: CaseState, scope: str, at_node: str, keys: list[str],
                  note: str) -> tuple[NodeSpec, list[str], str]:
    """The hand-off node, the ids of the items passed on and the note, from a posted form;
    InvalidInput (and nothing changed) for a hand-off sent already or a key not on its list."""
    node = scenarios.nodes(module).get(state.current_node)
    if state.finished_at is not None or at_node != state.current_node or node is None or node.handoff is None:
        raise InvalidInput("handoff", str(_l("This hand-off has been sent already, or the case has moved on. "
                                             "Nothing was changed.")))
    by_key = {item_key(scope, node.id, item.id): item for item in node.items}
    if any(key not in by_key for key in keys) or len(set(keys)) != len(keys):
        raise InvalidInput("handoff", str(_l("Choose from the items listed.")))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput("note", str(_l("The note is too long: at most %(count)d characters.", count=MAX_NOTE)))
    return node, [by_key[key].id for key in keys], note


def send(module: Module, state: CaseState, node: NodeSpec, shared: list[str], note: str, by: str,
         advance: Advance) -> None:
    """Record a hand-off (``by``: "sent" by a learner, "platform", or a member's id) and open
    the next chapter with it."""
    facts = set(state.facts or ())
    right = sum((item.id in shared) == item.should_share(facts) for item in node.items)
    state.handoffs = {**(state.handoffs or {}), node.id: {
        "shared": [item.id for item in node.items if item.id in shared], "note": note,
        "facts": sorted(facts), "right": right, "items": len(node.items), "platform": by == "platform"}}
    state.facts = sorted(facts | set(shared))
    state.path = [*state.path, {"node": node.id, "handoff": by}]
    following = next(chapter for chapter in spec(module).chapters if chapter.id == node.handoff)
    advance(following.start)


def take(state: CaseState, choice: ChoiceSpec, by: str | None, advance: Advance) -> None:
    """Take an open choice at the current node (``by``: who took it, when not the run's learner)."""
    step = {"node": state.current_node, "choice": choice.id}
    state.path = [*state.path, {**step, "by": by} if by else step]
    if choice.sets:
        state.facts = sorted({*(state.facts or ()), *choice.sets})
    advance(choice.target)


def play_for(user: User, course: Course, version: CourseVersion, module: Module, run: ScenarioRun,
             chapter_id: str) -> None:
    """Make ``run`` a run in which the learner plays only ``chapter_id``: the platform plays the
    chapters before it now, along a sensible path, and the chapters after it once the learner's
    hand-off is sent (see :func:`hand_off`)."""
    chapters = [chapter.id for chapter in spec(module).chapters]
    if chapter_id not in chapters:
        raise InvalidInput("chapter", str(_l("Choose one of the case's chapters.")))
    run.own_chapter = chapter_id
    _play_on(user, course, version, module, run)


def _play_on(user: User, course: Course, version: CourseVersion, module: Module, run: ScenarioRun) -> None:
    mine = run.own_chapter
    if mine is not None:
        play_by_platform(module, run, lambda node: node.chapter == mine,
                         lambda node_id: scenarios.move_to(user, course, version, module, run, node_id))


def play_by_platform(module: Module, state: CaseState, until: Callable[[NodeSpec], bool],
                     advance: Advance) -> None:
    """The platform's moves, until the case ends or reaches a node ``until`` accepts: in each
    chapter it takes the sensible way (the fewest steps to its hand-off, or to the best ending
    open) and passes on exactly what belongs in the referral."""
    graph = scenarios.nodes(module)
    while state.finished_at is None and not until(graph[state.current_node]):
        node = graph[state.current_node]
        if node.handoff is not None:
            facts = set(state.facts or ())
            send(module, state, node, [i.id for i in node.items if i.should_share(facts)], "", "platform", advance)
        else:
            take(state, sensible_choice(module, node, state), "platform", advance)


def sensible_choice(module: Module, node: NodeSpec, state: CaseState) -> ChoiceSpec:
    """What a careful professional would choose here: the first step of a way, through the rest of
    the case, to its best ending, with every hand-off on the way passing on exactly what belongs in
    it and each choice open only when the facts allow it. Of such ways, the one that does the most
    good on the way: the fewest of the case's risks set (an alerted trafficker), then the most
    facts set (trust won, consent asked, injuries documented), then the fewest steps. When the
    case can no longer end best, the same towards an acceptable ending; else the first open
    choice."""
    graph = scenarios.nodes(module)
    case = spec(module)
    starts = {chapter.id: chapter.start for chapter in case.chapters}
    ways = _ways(graph, starts, node, frozenset(state.facts or ()), frozenset(name for name, _ in case.risks))
    for grade in (Ending.BEST, Ending.ACCEPTABLE):
        if grade in ways:
            return ways[grade]
    return scenarios.choices_open(node, state)[0]


MAX_STATES = 50_000  # (first choice, node, facts) explored; a case has a few dozen nodes and facts


def _ways(graph: dict[str, NodeSpec], starts: dict[str, str], node: NodeSpec, facts: frozenset[str],
          risks: frozenset[str]) -> dict[str, ChoiceSpec]:
    """For each grade of ending, the choice at ``node`` that begins the way to one with the fewest
    risks and the most facts set, then the fewest steps (breadth-first over node and facts)."""
    best: dict[str, tuple[int, int, int, ChoiceSpec]] = {}
    queue: deque[tuple[str, frozenset[str], ChoiceSpec, int]] = deque()
    seen: set[tuple[str, str, frozenset[str]]] = set()
    for choice in node.choices:
        if _allows(choice, facts):
            queue.append((choice.target, facts | set(choice.sets), choice, 1))
    while queue and len(seen) < MAX_STATES:
        node_id, held, first, steps = queue.popleft()
        if (first.id, node_id, held) in seen or node_id not in graph:
            continue
        seen.add((first.id, node_id, held))
        here = graph[node_id]
        if here.ending:
            score = (-len(held & risks), len(held - risks), -steps)
            if here.ending not in best or score > best[here.ending][:3]:
                best[here.ending] = (*score, first)
        elif here.handoff is not None and here.handoff in starts:
            shared = {item.id for item in here.items if item.should_share(held)}
            queue.append((starts[here.handoff], held | shared, first, steps + 1))
        else:
            queue.extend((choice.target, held | set(choice.sets), first, steps + 1)
                         for choice in here.choices if _allows(choice, held))
    return {grade: way[3] for grade, way in best.items()}


def _allows(choice: ChoiceSpec, facts: frozenset[str]) -> bool:
    return all(need[1:] not in facts if need.startswith("!") else need in facts for need in choice.needs)


@dataclass(frozen=True)
class Received:
    """A hand-off as the next sector receives it: what was passed on, and the note."""

    node: NodeSpec
    chapter: ChapterSpec
    items: list[HandoffItemSpec]
    note: str


def received(module: Module, run: CaseState, chapter: ChapterSpec) -> Received | None:
    """The hand-off that opened ``chapter`` in this run, as its sector received it."""
    graph = scenarios.nodes(module)
    for node_id, sent in (run.handoffs or {}).items():
        node = graph.get(node_id)
        if node is not None and node.handoff == chapter.id:
            sender = next(c for c in spec(module).chapters if c.id == node.chapter)
            return Received(node, sender, [item for item in node.items if item.id in sent["shared"]],
                            sent.get("note", ""))
    return None


@dataclass(frozen=True)
class ItemOutcome:
    """One item of a sent hand-off, in the debrief: passed on or not, and whether that was right."""

    item: HandoffItemSpec
    shared: bool
    should: bool
    rule: str | None  # the rule's citation (HTML)

    @property
    def right(self) -> bool:
        return self.shared == self.should


@dataclass
class Stage:
    """One chapter in the debrief's timeline: the choices made, and the hand-off it sent."""

    number: int
    chapter: ChapterSpec
    steps: list[tuple[NodeSpec, ChoiceSpec]] = field(default_factory=list)
    handoff: NodeSpec | None = None
    outcomes: list[ItemOutcome] = field(default_factory=list)
    note: str = ""
    by_platform: bool = False  # the learner played another chapter; the platform played this one

    @property
    def held(self) -> bool | None:
        """Whether the chain held at this hand-off (None when the chapter sent none)."""
        return None if self.handoff is None else all(o.right for o in self.outcomes)


def timeline(module: Module, run: CaseState) -> list[Stage]:
    """The run, chapter by chapter: each sector's choices and its hand-off, item by item."""
    case = spec(module)
    graph = scenarios.nodes(module)
    rules = dict(case.rules)
    stages = {chapter.id: Stage(number, chapter) for number, chapter in enumerate(case.chapters, start=1)}
    for step in run.path:
        node = graph.get(step["node"])
        if node is None or node.chapter not in stages:
            continue
        stage = stages[node.chapter]
        stage.by_platform = stage.by_platform or step.get("by") == "platform" or step.get("handoff") == "platform"
        if step.get("handoff"):
            sent = (run.handoffs or {}).get(node.id, {})
            facts = set(sent.get("facts", ()))
            stage.handoff, stage.note = node, sent.get("note", "")
            stage.outcomes = [ItemOutcome(item, item.id in sent.get("shared", ()), item.should_share(facts),
                                          rules.get(item.rule) if item.rule else None) for item in node.items]
        else:
            choice = next((c for c in node.choices if c.id == step.get("choice")), None)
            if choice is not None:
                stage.steps.append((node, choice))
    return [stage for stage in stages.values() if stage.steps or stage.handoff]


def debrief_map(module: Module, run: CaseState) -> ScenarioMap:
    """The map of the whole case, with the nodes of this run's path marked."""
    visited = frozenset([*(step["node"] for step in run.path), run.current_node])
    return played_map(course_data.nodes(module.body), module.body.get("start"), spec(module), visited)

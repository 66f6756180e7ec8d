"""A case played by a cohort together: each member plays their sector's chapter, in turn.

A trainer starts a case for a cohort and gives members sector roles (several may share one; a
chapter nobody holds is played by the platform). Chapters unlock in order: when a chapter's
hand-off is sent, the members who play the next one are told, by mail and on My learning, and
play from the hand-off a colleague wrote. The trainer follows it live, may let the platform play
a stalled chapter or give it to other members, and runs the debrief from the timeline; members
see the debrief when the case ends. Only the members whose chapter it is may move the case on,
and they see nothing of what a later chapter holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy.orm import undefer

from trainer import policy
from trainer.content import ChapterSpec, ChoiceSpec, NodeSpec, passes
from trainer.extensions import db
from trainer.models import Cohort, CohortCase, CohortCaseRole, CohortMember, Course, CourseVersion, Module, User
from trainer.services import cases, catalogue, course_data, links, mail, progress, scenarios, xapi
from trainer.services.errors import InvalidInput, NotFound
from trainer.services.quizzes import option_key

PLATFORM = "platform"


def playable() -> list[tuple[Course, CourseVersion, Module]]:
    """Every case of the published courses."""
    found = []
    for course, version in catalogue.latest_published():
        found += [(course, version, module) for module in version.modules if module.kind == "case"]
    return found


def scope(case: CohortCase) -> str:
    """What makes the form keys of this cohort's case its own."""
    return f"cohort-case-{case.id}"


def choice_key(case: CohortCase, node_id: str, choice_id: str) -> str:
    return option_key(scope(case), node_id, choice_id)


def module_of(case: CohortCase) -> tuple[CourseVersion, Module]:
    """The version the case was started on, and its module (the case plays on it to the end)."""
    version = db.session.scalar(sa.select(CourseVersion).where(
        CourseVersion.course_id == case.course_id, CourseVersion.number == case.version_number))
    if version is None:
        raise NotFound()
    return version, catalogue.module(version, case.module)


def current_chapter(case: CohortCase, module: Module) -> ChapterSpec:
    return cases.chapter_of(module, scenarios.nodes(module)[case.current_node])[1]


def start(actor: User, cohort: Cohort, course_slug: str, module_slug: str,
          roles: dict[int, str]) -> tuple[CohortCase, list[int]]:
    """Start a case for the cohort with members' roles (user id -> chapter id). Returns the case
    and the mail to deliver once committed (to the members whose chapter comes first)."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    found = next(((c, v, m) for c, v, m in playable() if c.slug == course_slug and m.slug == module_slug), None)
    if found is None:
        raise InvalidInput("case", str(_l("Choose one of the cases.")))
    course, version, module = found
    module = catalogue.module(version, module.slug)
    chapters = {chapter.id for chapter in cases.spec(module).chapters}
    members = set(db.session.scalars(sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)))
    roles = {user_id: chapter for user_id, chapter in roles.items() if chapter}
    if any(user_id not in members for user_id in roles) or any(chapter not in chapters for chapter in roles.values()):
        raise InvalidInput("roles", str(_l("Give roles only to members of the cohort, in the case's chapters.")))
    if not roles:
        raise InvalidInput("roles", str(_l("Give at least one member a role: the platform cannot play the whole case "
                                            "for a cohort.")))
    case = CohortCase(cohort_id=cohort.id, course_id=course.id, module=module.slug, version_number=version.number,
                      started_by_id=actor.id, current_node=module.body["start"], path=[], facts=[], handoffs={},
                      roles=[CohortCaseRole(user_id=user_id, chapter=chapter) for user_id, chapter in roles.items()])
    db.session.add(case)
    db.session.flush()
    return case, _turn_begins(case, course, version, module)


def list_for(actor: User, cohort: Cohort) -> list[CohortCase]:
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    return list(db.session.scalars(sa.select(CohortCase).where(CohortCase.cohort_id == cohort.id)
                                   .order_by(CohortCase.id.desc())))


def titles(found: list[CohortCase]) -> dict[int, str]:
    """Each case's title, from the version it is played on."""
    modules = _modules_of(found)
    return {case.id: modules[case.id].title for case in found if case.id in modules}


def _modules_of(found: list[CohortCase]) -> dict[int, Module]:
    """The module each case is played on, by case id: one query for them all."""
    if not found:
        return {}
    keys = {(case.course_id, case.version_number, case.module): case.id for case in found}
    rows = db.session.execute(
        sa.select(CourseVersion.course_id, CourseVersion.number, Module).options(undefer(Module.body))
        .join(Module, Module.version_id == CourseVersion.id)
        .where(sa.tuple_(CourseVersion.course_id, CourseVersion.number, Module.slug).in_(sorted(keys))))
    return {keys[(course_id, number, module.slug)]: module for course_id, number, module in rows}


def for_trainer(actor: User, cohort: Cohort, case_id: int) -> CohortCase:
    case = db.session.get(CohortCase, case_id)
    if case is None or case.cohort_id != cohort.id or not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    return case


def for_member(user: User, case_id: int) -> CohortCase:
    """A cohort's case the user has a role in; any other is 'not found'."""
    case = db.session.get(CohortCase, case_id)
    if case is None or user.id not in {role.user_id for role in case.roles}:
        raise NotFound()
    return case


def my_role(user: User, case: CohortCase) -> str:
    return next(role.chapter for role in case.roles if role.user_id == user.id)


@dataclass(frozen=True)
class MyCase:
    """A cohort's case as one of its players sees it on My learning."""

    case: CohortCase
    title: str
    my_turn: bool


def mine(user: User) -> list[MyCase]:
    """The cohort cases the user has a role in, newest first: whose turn it is, and the title."""
    found = list(db.session.scalars(_MINE, {"user_id": user.id}).unique())
    modules = _modules_of(found)
    listed = []
    for case in found:
        module = modules[case.id]
        turn = case.finished_at is None and user.id in case.holders(current_chapter(case, module).id)
        listed.append(MyCase(case, module.title, turn))
    return listed


# Asked on every visit to My learning: built once (see services/sessions.py).
_MINE = (sa.select(CohortCase).join(CohortCaseRole).where(CohortCaseRole.user_id == sa.bindparam("user_id"))
         .order_by(CohortCase.id.desc()))


def _require_turn(user: User, case: CohortCase, module: Module) -> None:
    if case.finished_at is not None or user.id not in case.holders(current_chapter(case, module).id):
        raise InvalidInput("turn", str(_l("It is not your chapter's turn: the case is with another sector. "
                                          "Nothing was changed.")))


def choose(user: User, case: CohortCase, at_node: str, key: str) -> list[int]:
    """A member whose chapter it is takes a choice; returns mail to deliver once committed."""
    course = case.course
    version, module = module_of(case)
    _require_turn(user, case, module)
    node = scenarios.nodes(module)[case.current_node]
    if at_node != case.current_node:
        raise InvalidInput("choice", str(_l("The case has moved on since this page was opened. Nothing was "
                                            "changed.")))
    choice: ChoiceSpec | None = next((c for c in node.choices if choice_key(case, node.id, c.id) == key), None)
    if choice is None:
        raise InvalidInput("choice", str(_l("Choose one of the options.")))
    if not scenarios.open_to(choice, case):
        raise InvalidInput("choice", str(_l("That choice is not open at this point in the case.")))
    cases.take(case, choice, str(user.id), lambda node_id: _advance(case, course, version, module, node_id))
    return _after_move(case, course, version, module, node)


def hand_off(user: User, case: CohortCase, at_node: str, keys: list[str], note: str) -> list[int]:
    """A member whose chapter it is sends its hand-off; the next chapter's members are told."""
    course = case.course
    version, module = module_of(case)
    _require_turn(user, case, module)
    node, shared, note = cases.read_hand_off(module, case, scope(case), at_node, keys, note)
    cases.send(module, case, node, shared, note, str(user.id),
               lambda node_id: _advance(case, course, version, module, node_id))
    return _after_move(case, course, version, module, node)


def platform_plays(actor: User, cohort: Cohort, case: CohortCase) -> list[int]:
    """The trainer lets the platform play the current chapter (it stalled): it plays on to the
    next chapter that members hold, who are told."""
    if not policy.can_manage_cohort(actor, cohort) or case.cohort_id != cohort.id:
        raise NotFound()
    if case.finished_at is not None:
        raise InvalidInput("case", str(_l("This case has ended.")))
    course = case.course
    version, module = module_of(case)
    here = current_chapter(case, module).id
    cases.play_by_platform(module, case, lambda node: node.chapter != here,
                           lambda node_id: _advance(case, course, version, module, node_id))
    return _after_move(case, course, version, module, None, force=True)


def set_holders(actor: User, cohort: Cohort, case: CohortCase, chapter: str, user_ids: list[int]) -> list[int]:
    """Give a chapter to other members (a stalled chapter, or someone away); the new holders of
    the current chapter are told it is their turn."""
    if not policy.can_manage_cohort(actor, cohort) or case.cohort_id != cohort.id:
        raise NotFound()
    version, module = module_of(case)
    if chapter not in {c.id for c in cases.spec(module).chapters}:
        raise InvalidInput("chapter", str(_l("Choose one of the case's chapters.")))
    members = set(db.session.scalars(sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)))
    if any(user_id not in members for user_id in user_ids):
        raise InvalidInput("holders", str(_l("Give roles only to members of the cohort, in the case's chapters.")))
    before = case.holders(chapter)
    by_user = {role.user_id: role for role in case.roles}
    for user_id in set(user_ids):  # a member keeps one role: one moved from another chapter changes it
        if user_id in by_user:
            by_user[user_id].chapter = chapter
        else:
            case.roles.append(CohortCaseRole(user_id=user_id, chapter=chapter))
    case.roles = [role for role in case.roles if role.chapter != chapter or role.user_id in user_ids]
    db.session.flush()
    if case.finished_at is None and current_chapter(case, module).id == chapter:
        return _notify(case, case.course, module, set(user_ids) - before)
    return []


def _advance(case: CohortCase, course: Course, version: CourseVersion, module: Module, node_id: str) -> None:
    """Go on to a node; at an ending, the case ends, and every member with a role whose case ended
    well enough has the module completed."""
    case.current_node = node_id
    target = scenarios.nodes(module)[node_id]
    if not target.ending:
        return
    case.ending, case.grade, case.finished_at = target.id, target.ending, datetime.now(UTC)
    passed = passes(target.ending, course_data.pass_ending(module.body))
    if passed:
        players = sa.select(User).where(User.id.in_(role.user_id for role in case.roles))
        for user in db.session.scalars(players).unique():
            progress.complete_module(user, course, version, module.slug, scenarios.GRADE_SCORES[target.ending])
    xapi.cohort_case_finished(case, course, version, module, passed)


def _after_move(case: CohortCase, course: Course, version: CourseVersion, module: Module, before: NodeSpec | None,
                force: bool = False) -> list[int]:
    """When a move opened another chapter: the platform plays chapters nobody holds, and the
    members of the chapter it stops at are told it is their turn."""
    graph = scenarios.nodes(module)
    moved = force or (before is not None and graph[case.current_node].chapter != before.chapter)
    db.session.flush()
    return _turn_begins(case, course, version, module) if moved else []


def _turn_begins(case: CohortCase, course: Course, version: CourseVersion, module: Module) -> list[int]:
    cases.play_by_platform(module, case, lambda node: bool(case.holders(node.chapter or "")),
                           lambda node_id: _advance(case, course, version, module, node_id))
    case.turn_started_at = datetime.now(UTC)
    db.session.flush()
    if case.finished_at is not None:
        return []
    return _notify(case, course, module, case.holders(current_chapter(case, module).id))


def _notify(case: CohortCase, course: Course, module: Module, user_ids: set[int]) -> list[int]:
    """Mail each member that their chapter's turn has come (in their language)."""
    link = links.public_url("cohorts.my_case", case_id=case.id)
    chapter = current_chapter(case, module)
    ids = []
    for user in db.session.scalars(sa.select(User).where(User.id.in_(user_ids))).unique():
        with force_locale(user.locale or "en"):
            subject = _("Your turn in a case with your training group")
            body = render_template("mail/case_turn.txt", user=user, module=module, chapter=chapter, link=link,
                                   cohort=case.cohort)
        ids.append(mail.queue(user.email, subject, body))
    return ids


def played_by(user: User) -> list[dict[str, object]]:
    """For the person's data export: each cohort case they have a role in, their chapter, and the
    choices and hand-offs (with their notes) that they made in it."""
    mine_ = str(user.id)
    found = db.session.scalars(sa.select(CohortCase).join(CohortCaseRole).where(CohortCaseRole.user_id == user.id)
                               .order_by(CohortCase.id)).unique()
    return [{"cohort": case.cohort.name, "module": case.module, "chapter": my_role(user, case),
             "started_at": case.started_at.isoformat(),
             "choices": [step for step in case.path if step.get("by") == mine_],
             "handoffs": {step["node"]: (case.handoffs or {}).get(step["node"]) for step in case.path
                          if step.get("handoff") == mine_}}
            for case in found]


def forget_player(user_id: int) -> None:
    """When an account is deleted: its steps in cohort cases are kept for the others' debrief,
    but no longer say whose they were, and the notes it wrote in hand-offs are removed."""
    mine_ = str(user_id)
    for case in db.session.scalars(sa.select(CohortCase).where(CohortCase.path.isnot(None))):
        if not any(mine_ in (step.get("by"), step.get("handoff")) for step in case.path):
            continue
        handoffs = dict(case.handoffs or {})
        for step in case.path:
            if step.get("handoff") == mine_ and step["node"] in handoffs:
                handoffs[step["node"]] = {**handoffs[step["node"]], "note": ""}
        case.handoffs = handoffs
        case.path = [{**step, **({"by": "former member"} if step.get("by") == mine_ else {}),
                      **({"handoff": "former member"} if step.get("handoff") == mine_ else {})}
                     for step in case.path]

"""Learning events as xAPI statements, for the Learning Record Store (LRS) an organisation keeps.

Off unless XAPI_ENDPOINT is set. When it is, the services report five kinds of event here, each
from the one place it happens:

- a module completed (progress.complete_module) and a course completed (progress.update_completion,
  and assessments' testing out),
- a quiz attempt, module quiz or pre-test (quizzes.grade): scaled score, pass or fail, and the tags
  of the questions drawn, with the score on each tag,
- a scenario or case run that reached an ending (scenarios.move_to), and a cohort's case that ended
  (cohort_cases), for each member who played it: the path (node and choice ids, hand-offs with the
  ids of the items passed on, never their notes) and the ending,
- a certificate issued (certificates.issue).

Each event writes one `XapiStatement` row in the caller's transaction (the outbox): nothing is
sent during the request, so an LRS that is slow or down never delays or breaks it. Its id is a
UUID worked out from the event (`statement_id`), so an event reported twice writes one row, and a
batch sent again after a lost answer is stored once by the LRS. A background job
("xapi.deliver", trainer/services/jobs.py) sends the rows in batches (one POST of an array to
<XAPI_ENDPOINT>/statements); an LRS that cannot be reached, or answers 5xx, 401, 403, 404, 408 or
429, leaves them for another try after a pause that doubles each time (up to
XAPI_RETRY_MAX_SECONDS); a statement the LRS refuses itself (another 4xx, found by sending the
refused batch again in halves) is set aside as "rejected" with the status, and the rest go on.

The actor is never a name or an address: an `account` whose homePage is PUBLIC_BASE_URL and whose
name is a random UUID stored for the learner (`XapiActor`, see docs/xapi.md for why). Verbs and
activity types come from ADL's xAPI vocabulary (and the registry's "earned" for certificates);
activity ids are the pages of the site under PUBLIC_BASE_URL.
"""
from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from trainer.content import QuestionSpec
from trainer.extensions import db
from trainer.models import (
    Certificate,
    CohortCase,
    Course,
    CourseVersion,
    Job,
    Module,
    ModuleProgress,
    QuizAttempt,
    ScenarioRun,
    User,
    XapiActor,
    XapiStatement,
)
from trainer.services import jobs
from trainer.vocabulary import JobState

log = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
TASK = "xapi.deliver"
ADL_VERBS = "http://adlnet.gov/expapi/verbs"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities"
# Statuses that say the LRS (or the way to it) is not working, not that a statement is wrong:
# every statement waits for another try.
_LRS_DOWN = {401, 403, 404, 407, 408, 425, 429}


@dataclass(frozen=True)
class Verb:
    id: str
    display: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "display": {"en": self.display}}


COMPLETED = Verb(f"{ADL_VERBS}/completed", "completed")
PASSED = Verb(f"{ADL_VERBS}/passed", "passed")
FAILED = Verb(f"{ADL_VERBS}/failed", "failed")
EARNED = Verb("http://id.tincanapi.com/verb/earned", "earned")

COURSE = f"{ADL_ACTIVITIES}/course"
MODULE = f"{ADL_ACTIVITIES}/module"
ASSESSMENT = f"{ADL_ACTIVITIES}/assessment"
SIMULATION = f"{ADL_ACTIVITIES}/simulation"
BADGE = "http://id.tincanapi.com/activitytype/badge"


def enabled() -> bool:
    return bool(current_app.config.get("XAPI_ENDPOINT"))


def _base() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")


def extension(name: str) -> str:
    """The IRI of one of our own extensions (documented in docs/xapi.md)."""
    return f"{_base()}/xapi/extensions/{name}"


def statement_id(key: str) -> str:
    """The statement's id for an event: the same event on the same site always gets the same one."""
    return str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, _base() + "/xapi"), key))


# Activities: the site's own pages.

def course_activity(course: Course, version: CourseVersion) -> dict[str, Any]:
    return _activity(f"{_base()}/courses/{course.slug}", COURSE, version.title, version.language)


def module_activity(course: Course, version: CourseVersion, slug: str, title: str,
                    kind: str = MODULE) -> dict[str, Any]:
    return _activity(f"{_base()}/courses/{course.slug}/{slug}", kind, title, version.language)


def _activity(iri: str, kind: str, name: str, language: str) -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri,
            "definition": {"type": kind, "name": {language or "en": name or iri}}}


def build(sid: str, actor: str, verb: Verb, obj: dict[str, Any], when: datetime, *,
          result: dict[str, Any] | None = None, parents: Sequence[dict[str, Any]] = (),
          extensions: dict[str, Any] | None = None, language: str = "en") -> dict[str, Any]:
    """One statement as the xAPI JSON an LRS takes."""
    context: dict[str, Any] = {"platform": "Frontline Trainer", "language": language or "en"}
    if parents:
        context["contextActivities"] = {"parent": [{"objectType": "Activity", "id": p["id"]} for p in parents]}
    if extensions:
        context["extensions"] = extensions
    statement: dict[str, Any] = {
        "id": sid, "version": XAPI_VERSION,
        "actor": {"objectType": "Agent", "account": {"homePage": _base(), "name": actor}},
        "verb": verb.as_json(), "object": obj, "context": context,
        "timestamp": when.astimezone(UTC).isoformat(timespec="milliseconds"),
    }
    if result is not None:
        statement["result"] = result
    return statement


def _scaled(value: float) -> float:
    return round(min(max(value, 0.0), 1.0), 4)


# The events.

def module_completed(user: User, course: Course, version: CourseVersion, row: ModuleProgress) -> None:
    if not enabled():
        return
    when = row.completed_at or datetime.now(UTC)
    module = next((m for m in version.modules if m.slug == row.module), None)

    def make(sid: str, actor: str) -> dict[str, Any]:
        result: dict[str, Any] = {"completion": True}
        if row.score is not None:
            result["score"] = {"scaled": _scaled(row.score)}
        return build(sid, actor, COMPLETED,
                     module_activity(course, version, row.module, module.title if module else row.module),
                     when, result=result, parents=[course_activity(course, version)], language=version.language,
                     extensions={extension("course-version"): version.number})

    _queue(user, "module", f"module:{row.id}:{when.isoformat()}", make)


def course_completed(user: User, course: Course, version: CourseVersion, completed_at: datetime) -> None:
    if not enabled():
        return

    def make(sid: str, actor: str) -> dict[str, Any]:
        return build(sid, actor, COMPLETED, course_activity(course, version), completed_at,
                     result={"completion": True}, language=version.language,
                     extensions={extension("course-version"): version.number})

    _queue(user, "course", f"course:{user.id}:{course.id}:{completed_at.isoformat()}", make)


def quiz_attempted(user: User, course: Course, version: CourseVersion, module: Module, attempt: QuizAttempt,
                   drawn: Sequence[QuestionSpec]) -> None:
    """A graded attempt: `drawn` are the questions it had (their tags go with it)."""
    if not enabled():
        return
    when = attempt.submitted_at or datetime.now(UTC)
    tags = sorted({tag for q in drawn for tag in q.tags})
    by_tag: dict[str, float] = {}
    for tag in tags:
        tagged = [q for q in drawn if tag in q.tags]
        points = sum(q.points for q in tagged)
        earned = sum(float(attempt.results.get(q.id, {}).get("score", 0.0)) * q.points for q in tagged)
        by_tag[tag] = _scaled(earned / points) if points else 0.0
    slug = "assessment/pre-test" if attempt.module != module.slug else module.slug
    title = module.title if attempt.module == module.slug else f"{module.title} (pre-test)"

    def make(sid: str, actor: str) -> dict[str, Any]:
        result = {"score": {"scaled": _scaled(attempt.score)}, "success": attempt.passed, "completion": True,
                  "extensions": {extension("tag-scores"): by_tag, extension("questions"): len(drawn)}}
        return build(sid, actor, PASSED if attempt.passed else FAILED,
                     module_activity(course, version, slug, title, ASSESSMENT), when, result=result,
                     parents=[course_activity(course, version)], language=version.language,
                     extensions={extension("question-tags"): tags, extension("course-version"): version.number,
                                 extension("pass-mark"): version.pass_mark})

    _queue(user, "quiz", f"quiz:{attempt.form_token}", make)


def _steps(path: Iterable[dict[str, str]], handoffs: dict[str, dict] | None,
           who: Callable[[dict[str, str]], str | None]) -> list[dict[str, Any]]:
    """A run's path for a statement: node and choice ids, and for each hand-off the ids of the
    items passed on (never its note)."""
    steps: list[dict[str, Any]] = []
    for step in path:
        out: dict[str, Any] = {"node": step["node"]}
        if "choice" in step:
            out["choice"] = step["choice"]
        else:
            sent = (handoffs or {}).get(step["node"], {})
            out["handoff"] = list(sent.get("shared", []))
        by = who(step)
        if by:
            out["by"] = by
        steps.append(out)
    return steps


def _run_result(grade: str | None, ending: str | None, passed: bool, steps: list[dict[str, Any]]) -> dict[str, Any]:
    from trainer.services.scenarios import GRADE_SCORES

    return {"success": passed, "completion": True, "response": ending or "",
            "score": {"scaled": GRADE_SCORES.get(grade or "", 0.0)},
            "extensions": {extension("path"): steps, extension("ending"): ending, extension("grade"): grade}}


def run_finished(user: User, course: Course, version: CourseVersion, module: Module, run: ScenarioRun,
                 passed: bool) -> None:
    """A learner's scenario or case run reached an ending."""
    if not enabled():
        return
    when = run.finished_at or datetime.now(UTC)

    def who(step: dict[str, str]) -> str | None:
        return "platform" if step.get("handoff") == "platform" or step.get("by") == "platform" else None

    def make(sid: str, actor: str) -> dict[str, Any]:
        extensions: dict[str, Any] = {extension("course-version"): version.number}
        if run.own_chapter:
            extensions[extension("chapter")] = run.own_chapter
        return build(sid, actor, PASSED if passed else FAILED,
                     module_activity(course, version, module.slug, module.title, SIMULATION), when,
                     result=_run_result(run.grade, run.ending, passed, _steps(run.path, run.handoffs, who)),
                     parents=[course_activity(course, version)], language=version.language, extensions=extensions)

    _queue(user, "run", f"run:{run.id}:{run.started_at.isoformat()}", make)


def cohort_case_finished(case: CohortCase, course: Course, version: CourseVersion, module: Module,
                         passed: bool) -> None:
    """A cohort's case reached an ending: one statement for each member who held a chapter, whose
    path says which steps were theirs ("self"), another member's ("cohort") or the platform's."""
    if not enabled():
        return
    when = case.finished_at or datetime.now(UTC)
    chapters = {role.user_id: role.chapter for role in case.roles}
    players = db.session.scalars(sa.select(User).where(User.id.in_(chapters))).unique()
    for user in players:
        mine = str(user.id)

        def who(step: dict[str, str], mine: str = mine) -> str | None:
            by = step.get("by") or step.get("handoff")
            if by is None:
                return None
            return "self" if by == mine else "platform" if by == "platform" else "cohort"

        def make(sid: str, actor: str, user_id: int = user.id,
                 who: Callable[[dict[str, str]], str | None] = who) -> dict[str, Any]:
            return build(sid, actor, PASSED if passed else FAILED,
                         module_activity(course, version, module.slug, module.title, SIMULATION), when,
                         result=_run_result(case.grade, case.ending, passed, _steps(case.path, case.handoffs, who)),
                         parents=[course_activity(course, version)], language=version.language,
                         extensions={extension("course-version"): version.number,
                                     extension("chapter"): chapters[user_id], extension("cohort-case"): True})

        _queue(user, "cohort-case", f"cohort-case:{case.id}:{case.started_at.isoformat()}:{user.id}", make)


def certificate_issued(user: User, course: Course, version: CourseVersion, certificate: Certificate) -> None:
    """The object is the course's badge class (each certificate is also an Open Badge); the
    certificate's own code and page are left out, since they lead to the holder's name."""
    if not enabled():
        return
    when = certificate.issued_at or datetime.now(UTC)

    def make(sid: str, actor: str) -> dict[str, Any]:
        result: dict[str, Any] = {"completion": True, "extensions": {extension("hours"): certificate.hours}}
        if certificate.expires_on is not None:
            result["extensions"][extension("expires-on")] = certificate.expires_on.isoformat()
        badge = _activity(f"{_base()}/badges/courses/{course.slug}.json", BADGE, version.title, version.language)
        return build(sid, actor, EARNED, badge, when, result=result, parents=[course_activity(course, version)],
                     language=version.language, extensions={extension("course-version"): version.number})

    _queue(user, "certificate", f"certificate:{certificate.code}", make)


# The outbox.

def actor_name(user: User) -> str:
    """The learner's name in the LRS, made (a random UUID) the first time it is needed."""
    found = db.session.get(XapiActor, user.id)
    if found is not None:
        return found.name
    actor = XapiActor(user_id=user.id, name=str(uuid.uuid4()))
    try:
        with db.session.begin_nested():
            db.session.add(actor)
    except IntegrityError:  # a parallel request made it first
        return db.session.get_one(XapiActor, user.id, populate_existing=True).name
    return actor.name


def _queue(user: User, kind: str, key: str, make: Callable[[str, str], dict[str, Any]]) -> None:
    """Write the event's statement into the outbox (once), and make sure a delivery is due."""
    if not enabled():
        return
    sid = statement_id(key)
    if db.session.scalar(sa.select(XapiStatement.id).where(XapiStatement.statement_id == sid)) is not None:
        return
    row = XapiStatement(statement_id=sid, user_id=user.id, kind=kind, statement=make(sid, actor_name(user)),
                        state="pending", next_attempt_at=datetime.now(UTC))
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same event, reported by a parallel request
        return
    _schedule()


def _schedule(not_before: datetime | None = None) -> None:
    """A delivery job, unless one is waiting already (it sends whatever is due when it runs)."""
    waiting = db.session.scalar(sa.select(Job).where(Job.name == TASK, Job.state == JobState.QUEUED)
                                .order_by(Job.not_before).limit(1))
    want = not_before or datetime.now(UTC)
    if waiting is not None:
        if waiting.not_before > want:  # new statements need not wait for the others' retry
            waiting.not_before = want
        return
    job = jobs.enqueue(TASK)
    if not_before is not None:
        job.not_before = not_before


# Delivery.

@dataclass
class Delivery:
    sent: int = 0
    rejected: int = 0
    failed: int = 0  # statements the LRS could not take this time (they wait for another try)


def deliver_job(progress: jobs.Progress) -> None:
    """The "xapi.deliver" job: send everything due, and come back for what has to wait."""
    done = deliver_due(progress=progress)
    progress.advance(0, sent=done.sent, rejected=done.rejected, failed=done.failed)


def deliver_due(now: datetime | None = None, transport: httpx.BaseTransport | None = None,
                progress: jobs.Progress | None = None) -> Delivery:
    """Send every statement due now, batch after batch, until none is due or the LRS stops
    taking them. Never raises for the LRS: its failures are recorded on the rows. A job's
    `progress` renews its claim after each batch, so a long backlog is not taken for a dead job."""
    done = Delivery()
    if not enabled():
        return done
    with _client(transport) as client:
        while True:
            token, rows = _claim_batch(now or datetime.now(UTC))
            if not rows:
                break
            error = _deliver(client, rows, done, now or datetime.now(UTC))
            if error is not None:
                done.failed += _release(token, error, now or datetime.now(UTC))
                db.session.commit()
                log.warning("the LRS did not take %d xAPI statement(s) (%s): they wait for another try",
                            done.failed, error)
                break
            db.session.commit()
            if progress is not None:
                progress.advance(0)
    _purge_sent(now or datetime.now(UTC))
    _schedule_retry(now or datetime.now(UTC))
    db.session.commit()
    return done


def _client(transport: httpx.BaseTransport | None) -> httpx.Client:
    cfg = current_app.config
    auth = (cfg["XAPI_USERNAME"], cfg["XAPI_PASSWORD"]) if cfg.get("XAPI_USERNAME") else None
    return httpx.Client(auth=auth, timeout=float(cfg["XAPI_TIMEOUT"]), transport=transport,
                        headers={"X-Experience-API-Version": XAPI_VERSION})


def _free(now: datetime) -> sa.ColumnElement[bool]:
    expired = now - timedelta(seconds=current_app.config["JOBS_CLAIM_SECONDS"])
    return sa.and_(XapiStatement.state == "pending", XapiStatement.next_attempt_at <= now,
                   sa.or_(XapiStatement.claim.is_(None), XapiStatement.claimed_at < expired))


def _claim_batch(now: datetime) -> tuple[str, list[XapiStatement]]:
    """Take up to XAPI_BATCH_SIZE due statements for this delivery (others skip them)."""
    ids = list(db.session.scalars(sa.select(XapiStatement.id).where(_free(now)).order_by(XapiStatement.id)
                                  .limit(int(current_app.config["XAPI_BATCH_SIZE"]))))
    if not ids:
        return "", []
    token = secrets.token_hex(16)
    db.session.execute(sa.update(XapiStatement).where(XapiStatement.id.in_(ids), _free(now))
                       .values(claim=token, claimed_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    rows = list(db.session.scalars(sa.select(XapiStatement).where(XapiStatement.claim == token)
                                   .order_by(XapiStatement.id).execution_options(populate_existing=True)))
    return token, rows


def _post(client: httpx.Client, rows: list[XapiStatement]) -> tuple[int, str]:
    """Send a batch: (HTTP status, or 0 when there was no answer; the error for the log)."""
    url = str(current_app.config["XAPI_ENDPOINT"]).rstrip("/") + "/statements"
    try:
        answer = client.post(url, json=[row.statement for row in rows])
    except httpx.HTTPError as error:
        return 0, type(error).__name__
    return answer.status_code, f"HTTP {answer.status_code}"


def _deliver(client: httpx.Client, rows: list[XapiStatement], done: Delivery, now: datetime) -> str | None:
    """Send `rows`; a batch the LRS refuses is sent again in halves, down to the statement it
    refuses. Returns the error when the LRS could not take them (the rest then wait), else None."""
    status, error = _post(client, rows)
    if 200 <= status < 300:
        for row in rows:
            row.attempts += 1
            row.state, row.sent_at, row.claim, row.claimed_at, row.last_error = "sent", now, None, None, ""
        done.sent += len(rows)
        return None
    if not 400 <= status < 500 or status in _LRS_DOWN:
        return error
    if len(rows) > 1:
        half = len(rows) // 2
        return _deliver(client, rows[:half], done, now) or _deliver(client, rows[half:], done, now)
    row = rows[0]
    row.attempts += 1
    row.state, row.claim, row.claimed_at, row.last_error = "rejected", None, None, error[:300]
    done.rejected += 1
    log.warning("the LRS refused xAPI statement %s (%s): %s; it is set aside", row.statement_id, row.kind, error)
    return None


def _release(token: str, error: str, now: datetime) -> int:
    """The statements of a batch the LRS could not take wait for a pause that doubles with each
    try, up to XAPI_RETRY_MAX_SECONDS. Returns how many."""
    cfg = current_app.config
    rows = list(db.session.scalars(sa.select(XapiStatement).where(XapiStatement.claim == token,
                                                                   XapiStatement.state == "pending")))
    for row in rows:
        row.attempts += 1
        pause = min(float(cfg["XAPI_RETRY_SECONDS"]) * 2 ** min(row.attempts - 1, 30),
                    float(cfg["XAPI_RETRY_MAX_SECONDS"]))
        row.next_attempt_at = now + timedelta(seconds=pause)
        row.claim, row.claimed_at, row.last_error = None, None, error[:300]
    return len(rows)


def _schedule_retry(now: datetime) -> None:
    """Statements left waiting get a delivery job for when the first of them is due: after its
    pause, or, if a delivery that died still holds it, when that claim runs out. (Statements due
    now and free are a newer transaction's, which queued a delivery of its own.)"""
    pending = sa.select(sa.func.min(XapiStatement.next_attempt_at)).where(XapiStatement.state == "pending")
    free_at = db.session.scalar(pending.where(XapiStatement.claim.is_(None)))
    claimed = db.session.scalar(sa.select(sa.func.min(XapiStatement.claimed_at))
                                .where(XapiStatement.state == "pending", XapiStatement.claim.isnot(None)))
    expiry = timedelta(seconds=current_app.config["JOBS_CLAIM_SECONDS"])
    claim_ends = _aware(claimed)
    times = [_aware(free_at), claim_ends + expiry if claim_ends is not None else None]
    later = [when for when in times if when is not None and when > now]
    if later:
        _schedule(not_before=min(later))


def _aware(value: datetime | None) -> datetime | None:
    """An aggregate's datetime: naive UTC on SQLite (where MIN loses the column's type)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _purge_sent(now: datetime) -> int:
    """Sent statements are kept XAPI_KEEP_DAYS (to see what went), then deleted."""
    cutoff = now - timedelta(days=int(current_app.config["XAPI_KEEP_DAYS"]))
    deleted: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.delete(XapiStatement).where(XapiStatement.state == "sent", XapiStatement.sent_at < cutoff)
        .execution_options(synchronize_session=False))
    return deleted.rowcount or 0


def outbox_counts() -> dict[str, int]:
    """How many statements are waiting, sent (and kept) and refused."""
    found = db.session.execute(sa.select(XapiStatement.state, sa.func.count()).group_by(XapiStatement.state))
    return {"pending": 0, "sent": 0, "rejected": 0, **{state: count for state, count in found}}


def rejected(limit: int = 20) -> list[XapiStatement]:
    """The statements the LRS refused, newest first (for `flask xapi status`)."""
    return list(db.session.scalars(sa.select(XapiStatement).where(XapiStatement.state == "rejected")
                                   .order_by(XapiStatement.id.desc()).limit(limit)))


def resend_rejected() -> int:
    """Put the refused statements back in the queue (once what made the LRS refuse them is put
    right) and make sure a delivery is due. Returns how many."""
    changed: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(XapiStatement).where(XapiStatement.state == "rejected")
        .values(state="pending", next_attempt_at=datetime.now(UTC), claim=None, claimed_at=None)
        .execution_options(synchronize_session=False))
    if changed.rowcount:
        _schedule()
    return changed.rowcount or 0

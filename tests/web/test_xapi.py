"""xAPI statements: what each learning event writes (module and course completions, quiz attempts
with their tags, scenario, case and cohort-case runs with their paths, certificates), never a
name or an address; one statement per event, whatever happens twice; and their delivery: in
batches, a down LRS leaving them to retry with growing pauses and delivering each once when it
is back, and a statement the LRS refuses set aside while the others go on. The LRS here is an
httpx stand-in that counts what it gets; tests/web/test_xapi_lrs.py does the same against Ralph."""
from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.support.case_sample import choose, hand_off
from tests.support.journeys import complete_example_course
from tests.support.waiting import free_port
from trainer.extensions import db
from trainer.models import (
    Certificate,
    CohortCase,
    CohortMember,
    Course,
    CourseVersion,
    Job,
    User,
    XapiActor,
    XapiStatement,
)
from trainer.services import job_runner, privacy, xapi

BASE = "http://127.0.0.1:5000"
ADL = "http://adlnet.gov/expapi"


@pytest.fixture
def lrs_on(app, monkeypatch):
    """An LRS is configured; the test runs the deliveries itself."""
    monkeypatch.setitem(app.config, "XAPI_ENDPOINT", "http://lrs.example.test/xAPI")
    monkeypatch.setitem(app.config, "XAPI_USERNAME", "trainer")
    monkeypatch.setitem(app.config, "XAPI_PASSWORD", "lrs-secret")
    monkeypatch.setitem(app.config, "JOBS_EMBEDDED_WORKER", False)


class FakeLrs:
    """Stores statements by id, as an LRS does; can be down, answer 5xx, or refuse given ids."""

    def __init__(self) -> None:
        self.mode = "up"
        self.refuse: set[str] = set()
        self.posts: list[list[str]] = []
        self.stored: dict[str, dict] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/xAPI/statements" and request.method == "POST"
        assert request.headers["X-Experience-API-Version"] == "1.0.3"
        assert request.headers["Authorization"] == httpx.BasicAuth("trainer", "lrs-secret")._auth_header
        if self.mode == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if self.mode.isdigit():
            return httpx.Response(int(self.mode))
        batch = json.loads(request.content)
        self.posts.append([s["id"] for s in batch])
        if any(s["id"] in self.refuse for s in batch):
            return httpx.Response(400, json={"detail": "invalid statement"})
        for statement in batch:
            self.stored.setdefault(statement["id"], statement)
        return httpx.Response(200, json=[s["id"] for s in batch])

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def received(self) -> list[str]:
        return [sid for post in self.posts for sid in post]


def _rows(app) -> list[XapiStatement]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(XapiStatement).order_by(XapiStatement.id)))
        db.session.expunge_all()
        return rows


def _by_kind(app) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for row in _rows(app):
        found.setdefault(row.kind, []).append(row.statement)
    return found


def _deliver(app, lrs: FakeLrs, now: datetime | None = None) -> xapi.Delivery:
    with app.app_context():
        return xapi.deliver_due(now, transport=lrs.transport)


def _delivery_jobs(app) -> list[tuple[str, datetime]]:
    with app.app_context():
        return [(job.state, job.not_before) for job in db.session.scalars(
            sa.select(Job).where(Job.name == "xapi.deliver").order_by(Job.id))]


@pytest.fixture
def graduate(app, client, make_user, published_course, lrs_on):
    """A learner who completed the example course (lesson, scenario, quiz, certificate)."""
    user = make_user(name="Zoë Łukasiewicz", email="zoe@example.org")
    login(client, user)
    complete_example_course(client)
    return user


def test_nothing_is_recorded_when_no_lrs_is_configured(app, client, make_user, published_course, count_rows):
    login(client, make_user())
    complete_example_course(client)
    assert count_rows(XapiStatement) == 0 and count_rows(XapiActor) == 0
    assert _delivery_jobs(app) == []


def test_each_event_of_a_course_writes_one_statement_without_name_or_address(app, graduate):
    rows = _rows(app)
    assert sorted(row.kind for row in rows) == ["certificate", "course", "module", "module", "module", "quiz", "run"]
    with app.app_context():
        pseudonym = db.session.get(XapiActor, graduate.id).name
    assert uuid.UUID(pseudonym).version == 4
    for row in rows:
        statement = row.statement
        assert statement["id"] == row.statement_id and statement["version"] == "1.0.3"
        assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": BASE, "name": pseudonym}}
        assert statement["timestamp"].endswith("+00:00") and row.state == "pending"
        text = json.dumps(statement, ensure_ascii=False)
        assert "zoe@example.org" not in text and "Zoë" not in text and "Łukasiewicz" not in text
    assert len({row.statement_id for row in rows}) == len(rows)
    # One delivery job waits for all of them.
    assert [state for state, _ in _delivery_jobs(app)] == ["queued"]


def test_completions_name_the_module_and_course_as_activities_under_the_site(app, graduate):
    kinds = _by_kind(app)
    modules = {s["object"]["id"]: s for s in kinds["module"]}
    assert set(modules) == {f"{BASE}/courses/core/what-it-is", f"{BASE}/courses/core/ed-night-shift",
                            f"{BASE}/courses/core/indicators-quiz"}
    lesson = modules[f"{BASE}/courses/core/what-it-is"]
    assert lesson["verb"] == {"id": f"{ADL}/verbs/completed", "display": {"en": "completed"}}
    assert lesson["object"]["definition"]["type"] == f"{ADL}/activities/module"
    assert lesson["result"]["completion"] is True
    parent = lesson["context"]["contextActivities"]["parent"]
    assert parent == [{"objectType": "Activity", "id": f"{BASE}/courses/core"}]
    (course,) = kinds["course"]
    assert course["verb"]["id"] == f"{ADL}/verbs/completed" and course["object"]["id"] == f"{BASE}/courses/core"
    assert course["object"]["definition"]["type"] == f"{ADL}/activities/course"
    assert course["context"]["extensions"][f"{BASE}/xapi/extensions/course-version"] == 1


def test_a_quiz_attempt_has_its_scaled_score_its_outcome_and_the_tags_of_its_questions(app, graduate):
    (quiz,) = _by_kind(app)["quiz"]
    assert quiz["verb"]["id"] == f"{ADL}/verbs/passed"
    assert quiz["object"]["id"] == f"{BASE}/courses/core/indicators-quiz"
    assert quiz["object"]["definition"]["type"] == f"{ADL}/activities/assessment"
    with app.app_context():
        from trainer.models import QuizAttempt

        attempt = db.session.scalar(sa.select(QuizAttempt))
    assert quiz["result"]["score"] == {"scaled": round(attempt.score, 4)} and quiz["result"]["success"] is True
    tags = quiz["context"]["extensions"][f"{BASE}/xapi/extensions/question-tags"]
    assert {"control", "health"} <= set(tags) and tags == sorted(tags)
    by_tag = quiz["result"]["extensions"][f"{BASE}/xapi/extensions/tag-scores"]
    assert set(by_tag) == set(tags) and all(0 <= score <= 1 for score in by_tag.values())
    assert quiz["result"]["extensions"][f"{BASE}/xapi/extensions/questions"] == len(attempt.questions)


def test_a_failed_attempt_says_failed(app, client, make_user, published_course, lrs_on):
    import re

    login(client, make_user())
    page = client.get("/courses/core/indicators-quiz").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    client.post("/courses/core/indicators-quiz/quiz", data={"token": token, "unanswered": "submit"})
    (quiz,) = _by_kind(app)["quiz"]
    assert quiz["verb"] == {"id": f"{ADL}/verbs/failed", "display": {"en": "failed"}}
    assert quiz["result"]["success"] is False and quiz["result"]["score"] == {"scaled": 0.0}
    assert "module" not in _by_kind(app)  # a failed quiz completes nothing


def test_a_scenario_run_reports_the_choices_made_and_the_ending(app, graduate):
    (run,) = _by_kind(app)["run"]
    assert run["verb"]["id"] == f"{ADL}/verbs/passed"
    assert run["object"]["definition"]["type"] == f"{ADL}/activities/simulation"
    with app.app_context():
        from trainer.models import ScenarioRun

        played = db.session.scalar(sa.select(ScenarioRun))
    ext = run["result"]["extensions"]
    assert ext[f"{BASE}/xapi/extensions/path"] == [{"node": s["node"], "choice": s["choice"]} for s in played.path]
    assert ext[f"{BASE}/xapi/extensions/ending"] == played.ending == run["result"]["response"]
    assert ext[f"{BASE}/xapi/extensions/grade"] == played.grade


def test_a_certificate_is_earned_as_the_courses_badge_without_its_code(app, graduate):
    (earned,) = _by_kind(app)["certificate"]
    assert earned["verb"] == {"id": "http://id.tincanapi.com/verb/earned", "display": {"en": "earned"}}
    assert earned["object"]["id"] == f"{BASE}/badges/courses/core.json"
    assert earned["object"]["definition"]["type"] == "http://id.tincanapi.com/activitytype/badge"
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.code not in json.dumps(earned)  # the code leads to the holder's name
    ext = earned["result"]["extensions"]
    assert ext[f"{BASE}/xapi/extensions/hours"] == 1
    assert ext[f"{BASE}/xapi/extensions/expires-on"] == certificate.expires_on.isoformat()


def test_an_event_reported_again_writes_no_second_statement_and_ids_follow_from_the_event(app, graduate,
                                                                                          monkeypatch):
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        user, course = db.session.get(User, graduate.id), db.session.get(Course, certificate.course_id)
        version = db.session.scalar(sa.select(CourseVersion).where(CourseVersion.course_id == course.id))
        xapi.certificate_issued(user, course, version, certificate)
        db.session.commit()
        same = xapi.statement_id(f"certificate:{certificate.code}")
        monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://training.example.org")
        other_site = xapi.statement_id(f"certificate:{certificate.code}")
    assert [row.statement_id for row in _rows(app) if row.kind == "certificate"] == [same]
    assert other_site != same and uuid.UUID(same).version == 5


def test_a_case_run_reports_what_each_hand_off_passed_on_but_never_its_note(app, client, make_user, case_course,
                                                                             lrs_on):
    login(client, make_user(sector="community"))
    url = client.post("/courses/wrap/case-small/runs").headers["Location"]
    choose(client, url, "Ask quietly")
    choose(client, url, "Ask whether she would like you to call a clinic")
    hand_off(client, url, ["Her hand needs to be seen", "She agreed that you call"], note="She prefers mornings.")
    choose(client, url, "Treat her hand, and see her alone")
    (run,) = _by_kind(app)["run"]
    assert run["result"]["extensions"][f"{BASE}/xapi/extensions/path"] == [
        {"node": "bus-stop", "choice": "ask"}, {"node": "talk", "choice": "offer"},
        {"node": "refer", "handoff": ["told-hand", "told-consent"]}, {"node": "triage", "choice": "alone"}]
    assert run["result"]["response"] == "end-best" and run["verb"]["id"] == f"{ADL}/verbs/passed"
    assert "mornings" not in json.dumps(run)


def test_a_run_in_which_the_learner_plays_one_chapter_marks_the_platforms_steps(app, client, make_user, case_course,
                                                                               lrs_on):
    login(client, make_user(sector="health"))
    url = client.post("/courses/wrap/case-small/runs", data={"chapter": "clinic"}).headers["Location"]
    choose(client, url, "Treat her hand, and see her alone")
    (run,) = _by_kind(app)["run"]
    assert run["result"]["extensions"][f"{BASE}/xapi/extensions/path"] == [
        {"node": "bus-stop", "choice": "ask", "by": "platform"}, {"node": "talk", "choice": "offer", "by": "platform"},
        {"node": "refer", "handoff": ["told-hand", "told-consent"], "by": "platform"},
        {"node": "triage", "choice": "alone"}]
    assert run["context"]["extensions"][f"{BASE}/xapi/extensions/chapter"] == "clinic"


def test_a_cohort_case_reports_to_each_player_which_steps_were_theirs(app, client, make_user, case_course, lrs_on):
    from tests.support.case_sample import choose as post_choice

    login(client, make_user(roles=("trainer",), timezone="UTC"))
    neighbour, nurse = make_user(name="Noor", sector="community"), make_user(name="Bram", sector="health")
    cohort_id = int(client.post("/cohorts", data={"name": "Region", "organisation": "Health and police"})
                    .headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        db.session.add_all(CohortMember(cohort_id=cohort_id, user_id=m.id) for m in (neighbour, nurse))
        db.session.commit()
    client.post(f"/cohorts/{cohort_id}/cases/new", data={"case": "wrap/case-small", "action": "start",
                                                          f"role-{neighbour.id}": "community",
                                                          f"role-{nurse.id}": "clinic"})
    with app.app_context():
        case_id = db.session.scalar(sa.select(CohortCase.id))
    noor, bram = app.test_client(), app.test_client()
    login(noor, neighbour)
    login(bram, nurse)
    url = f"/my/cases/{case_id}"
    post_choice(noor, url, "Ask quietly")
    post_choice(noor, url, "Ask whether she would like you to call a clinic")
    hand_off(noor, url, ["Her hand needs to be seen", "She agreed that you call"], note="Mornings are safest.")
    post_choice(bram, url, "Treat her hand, and see her alone")
    with app.app_context():
        names = {a.user_id: a.name for a in db.session.scalars(sa.select(XapiActor))}
    runs = {s["actor"]["account"]["name"]: s for s in _by_kind(app)["cohort-case"]}
    assert set(runs) == {names[neighbour.id], names[nurse.id]}
    path = f"{BASE}/xapi/extensions/path"
    assert runs[names[neighbour.id]]["result"]["extensions"][path] == [
        {"node": "bus-stop", "choice": "ask", "by": "self"}, {"node": "talk", "choice": "offer", "by": "self"},
        {"node": "refer", "handoff": ["told-hand", "told-consent"], "by": "self"},
        {"node": "triage", "choice": "alone", "by": "cohort"}]
    assert [s["by"] for s in runs[names[nurse.id]]["result"]["extensions"][path]] == ["cohort"] * 3 + ["self"]
    chapter = f"{BASE}/xapi/extensions/chapter"
    assert runs[names[nurse.id]]["context"]["extensions"][chapter] == "clinic"
    assert all(s["result"]["response"] == "end-best" for s in runs.values())
    text = json.dumps(list(runs.values()), ensure_ascii=False)
    assert "Noor" not in text and "Bram" not in text and "Mornings" not in text
    assert str(neighbour.id) not in {s.get("by") for r in runs.values() for s in r["result"]["extensions"][path]}


def test_a_pre_test_is_an_assessment_of_its_own_and_testing_out_completes_the_course_again(app, client, make_user,
                                                                                           lrs_on):
    from tests.support.assessed import ASSESSED_COURSE, COURSE, FINISH, FINISHED, complete_course, take_pretest
    from trainer.services import publishing

    with app.app_context():
        assert publishing.import_path(ASSESSED_COURSE).ok
        db.session.commit()
    login(client, make_user())
    take_pretest(client, right=False)
    (pretest,) = _by_kind(app)["quiz"]
    assert pretest["object"]["id"] == f"{BASE}/courses/assessed/assessment/pre-test"
    assert pretest["object"]["definition"]["type"] == f"{ADL}/activities/assessment"
    assert pretest["verb"]["id"] == f"{ADL}/verbs/failed"
    complete_course(client)
    assert "certificate" not in _by_kind(app)  # it waits for the steps before it
    client.post(FINISH, data=FINISHED)
    assert len(_by_kind(app)["certificate"]) == 1 and len(_by_kind(app)["course"]) == 1
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        certificate.expires_on = datetime.now(UTC).date() + timedelta(days=20)
        db.session.commit()
    client.post(f"{COURSE}/recertify")
    take_pretest(client, right=True)  # tests out
    client.post(FINISH, data={"relevance": "4", "evaluation_confidence": "4", "hours": "0.5"})
    kinds = _by_kind(app)
    assert [s["verb"]["id"] for s in kinds["quiz"]][-1] == f"{ADL}/verbs/passed"
    assert len(kinds["course"]) == 2 and len(kinds["certificate"]) == 2
    assert len({s["id"] for s in kinds["course"] + kinds["certificate"]}) == 4


# Delivery.

def test_statements_go_in_batches_and_each_once(app, graduate, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_BATCH_SIZE", 3)
    lrs = FakeLrs()
    done = _deliver(app, lrs)
    rows = _rows(app)
    assert (done.sent, done.rejected, done.failed) == (7, 0, 0)
    assert [len(post) for post in lrs.posts] == [3, 3, 1]
    assert sorted(lrs.received()) == sorted(row.statement_id for row in rows)
    assert {(row.state, row.attempts, row.claim) for row in rows} == {("sent", 1, None)}
    assert lrs.stored[rows[0].statement_id] == rows[0].statement
    assert _deliver(app, lrs).sent == 0 and len(lrs.posts) == 3  # nothing sent twice


def test_a_down_lrs_leaves_the_statements_to_retry_and_they_are_delivered_once_when_it_is_back(app, graduate,
                                                                                             caplog):
    lrs = FakeLrs()
    lrs.mode = "down"
    now = datetime.now(UTC)
    with caplog.at_level(logging.INFO):
        done = _deliver(app, lrs, now)
    assert (done.sent, done.failed) == (0, 7)
    rows = _rows(app)
    assert {(row.state, row.attempts, row.last_error) for row in rows} == {("pending", 1, "ConnectError")}
    assert {row.next_attempt_at for row in rows} == {now + timedelta(seconds=60)}
    # A delivery job waits for them (here the one the request queued, which has not run).
    assert [state for state, due in _delivery_jobs(app) if due <= now + timedelta(seconds=60)] == ["queued"]
    logged = caplog.text
    assert "did not take 7 xAPI statement(s)" in logged
    assert "zoe@example.org" not in logged and "Zoë" not in logged and "lrs-secret" not in logged
    # Not due yet: nothing is tried.
    lrs.mode = "up"
    assert _deliver(app, lrs, now + timedelta(seconds=30)).sent == 0 and lrs.posts == []
    # Still down at the next try: the pause doubles.
    lrs.mode = "503"
    assert _deliver(app, lrs, now + timedelta(seconds=61)).failed == 7
    assert {(row.attempts, row.last_error, row.next_attempt_at) for row in _rows(app)} == {
        (2, "HTTP 503", now + timedelta(seconds=61 + 120))}
    lrs.mode = "up"
    done = _deliver(app, lrs, now + timedelta(seconds=200))
    assert done.sent == 7 and sorted(lrs.received()) == sorted(row.statement_id for row in _rows(app))
    assert {row.state for row in _rows(app)} == {"sent"}


@pytest.mark.parametrize("status", ["401", "403", "429", "500", "502"])
def test_an_lrs_that_refuses_everyone_or_fails_is_down_not_a_bad_statement(app, graduate, status):
    lrs = FakeLrs()
    lrs.mode = status
    assert _deliver(app, lrs).failed == 7
    assert {(row.state, row.last_error) for row in _rows(app)} == {("pending", f"HTTP {status}")}


def test_the_pause_between_tries_doubles_up_to_its_ceiling(app, graduate, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_RETRY_MAX_SECONDS", 300)
    lrs = FakeLrs()
    lrs.mode = "down"
    now, pauses = datetime.now(UTC), []
    for _ in range(5):
        _deliver(app, lrs, now)
        (due,) = {row.next_attempt_at for row in _rows(app)}
        pauses.append((due - now).total_seconds())
        now = due
    assert pauses == [60, 120, 240, 300, 300]
    assert {row.attempts for row in _rows(app)} == {5}


def test_a_statement_the_lrs_refuses_is_set_aside_and_the_others_go_on(app, graduate, caplog):
    rows = _rows(app)
    bad = rows[3]
    lrs = FakeLrs()
    lrs.refuse = {bad.statement_id}
    with caplog.at_level(logging.WARNING):
        done = _deliver(app, lrs)
    assert (done.sent, done.rejected, done.failed) == (6, 1, 0)
    after = {row.id: row for row in _rows(app)}
    assert (after[bad.id].state, after[bad.id].last_error) == ("rejected", "HTTP 400")
    assert all(row.state == "sent" for row in after.values() if row.id != bad.id)
    assert set(lrs.stored) == {row.statement_id for row in rows} - {bad.statement_id}
    assert f"refused xAPI statement {bad.statement_id} ({bad.kind})" in caplog.text
    # It is not sent again, and nothing waits behind it.
    posts = len(lrs.posts)
    assert _deliver(app, lrs).rejected == 0 and len(lrs.posts) == posts
    assert [state for state, _ in _delivery_jobs(app) if state == "queued"] == ["queued"]  # the first, never run
    with app.app_context():
        assert xapi.outbox_counts() == {"pending": 0, "sent": 6, "rejected": 1}


def test_the_background_job_delivers_and_comes_back_when_the_lrs_is_unreachable(app, graduate, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_ENDPOINT", f"http://127.0.0.1:{free_port()}/xAPI")  # nothing listens
    with app.app_context():
        assert job_runner.run_due() == 1
        first = db.session.scalar(sa.select(Job).where(Job.name == "xapi.deliver").order_by(Job.id))
        assert (first.state, first.summary) == ("done", {"sent": 0, "rejected": 0, "failed": 7})
    assert {(row.state, row.last_error) for row in _rows(app)} == {("pending", "ConnectError")}
    due = min(row.next_attempt_at for row in _rows(app))
    assert [job for job in _delivery_jobs(app) if job[0] == "queued"] == [("queued", due)]


def test_statements_a_dead_delivery_held_are_sent_once_its_claim_runs_out(app, graduate):
    now = datetime.now(UTC)
    with app.app_context():  # a worker took them, then died before it sent them
        db.session.execute(sa.update(XapiStatement).values(claim="0" * 32, claimed_at=now))
        db.session.execute(sa.delete(Job))
        db.session.commit()
    lrs = FakeLrs()
    assert _deliver(app, lrs, now) == xapi.Delivery() and lrs.posts == []
    expires = now + timedelta(seconds=app.config["JOBS_CLAIM_SECONDS"])
    assert _delivery_jobs(app) == [("queued", expires)]  # a delivery comes back for them
    assert _deliver(app, lrs, expires + timedelta(seconds=1)).sent == 7
    assert sorted(lrs.received()) == sorted(row.statement_id for row in _rows(app))


def test_new_statements_do_not_wait_for_a_retry_that_is_far_off(app, graduate):
    with app.app_context():
        (job,) = db.session.scalars(sa.select(Job).where(Job.name == "xapi.deliver"))
        job.not_before = datetime.now(UTC) + timedelta(hours=1)  # as after a down LRS
        db.session.commit()
        user = db.session.get(User, graduate.id)
        certificate = db.session.scalar(sa.select(Certificate))
        course = db.session.get(Course, certificate.course_id)
        version = db.session.scalar(sa.select(CourseVersion).where(CourseVersion.course_id == course.id))
        xapi.course_completed(user, course, version, datetime.now(UTC) + timedelta(days=400))  # completed again
        db.session.commit()
    ((state, due),) = _delivery_jobs(app)
    assert state == "queued" and due <= datetime.now(UTC)


def test_erasing_an_account_removes_its_pseudonym_and_its_statements_not_yet_sent(app, graduate, count_rows):
    assert count_rows(XapiStatement) == 7
    with app.app_context():
        privacy.delete_account(db.session.get(User, graduate.id), graduate.password)
        db.session.commit()
    assert count_rows(XapiStatement) == 0 and count_rows(XapiActor) == 0


def test_an_operator_sees_the_refused_statements_and_queues_them_again(app, graduate, runner):
    bad = _rows(app)[2]
    lrs = FakeLrs()
    lrs.refuse = {bad.statement_id}
    _deliver(app, lrs)
    status = runner.invoke(args=["xapi", "status"])
    assert status.exit_code == 0, status.output
    assert "LRS: http://lrs.example.test/xAPI" in status.output and "Waiting 0, sent 6, refused 1." in status.output
    assert f"refused: {bad.statement_id} ({bad.kind}) HTTP 400" in status.output
    assert "zoe@example.org" not in status.output
    lrs.refuse = set()  # the LRS was put right
    resent = runner.invoke(args=["xapi", "resend"])
    assert resent.exit_code == 0 and "1 statement(s) queued again." in resent.output
    before = len(lrs.posts)
    assert _deliver(app, lrs).sent == 1 and lrs.posts[before:] == [[bad.statement_id]]
    assert {row.state for row in _rows(app)} == {"sent"}

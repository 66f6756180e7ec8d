"""xAPI against a real LRS: Ralph, started by the tests on a loopback port (tests/support/lrs.py).
A learner completes a course, plays a case and earns a certificate through the site; the
background job delivers the statements; they are read back from the LRS. A down LRS, then the
same LRS back: each statement is stored once, also when a batch is sent again after its answer
was lost. A statement the LRS refuses is set aside and the others reach it."""
from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.support.case_sample import choose, hand_off
from tests.support.journeys import complete_example_course
from tests.support.lrs import running_ralph
from tests.support.waiting import free_port
from trainer.extensions import db
from trainer.models import XapiActor, XapiStatement
from trainer.services import job_runner, xapi

BASE = "http://127.0.0.1:5000"


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    with running_ralph(tmp_path_factory.mktemp("ralph")) as lrs:
        yield lrs


@pytest.fixture
def lrs_on(app, monkeypatch, ralph):
    from tests.support.lrs import PASSWORD, USERNAME

    monkeypatch.setitem(app.config, "XAPI_ENDPOINT", ralph.endpoint)
    monkeypatch.setitem(app.config, "XAPI_USERNAME", USERNAME)
    monkeypatch.setitem(app.config, "XAPI_PASSWORD", PASSWORD)
    monkeypatch.setitem(app.config, "JOBS_EMBEDDED_WORKER", False)
    return ralph


def _rows(app) -> list[XapiStatement]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(XapiStatement).order_by(XapiStatement.id)))
        db.session.expunge_all()
        return rows


def _stored(lrs, rows) -> dict[str, list[dict]]:
    """The LRS's statements with the ids of `rows`, by id (a list, to see any stored twice)."""
    ours = {row.statement_id for row in rows}
    found: dict[str, list[dict]] = {}
    for statement in lrs.statements():
        if statement["id"] in ours:
            found.setdefault(statement["id"], []).append(statement)
    return found


def test_a_learners_course_case_and_certificate_are_read_back_from_the_lrs(app, client, make_user, published_course,
                                                                            case_course, lrs_on):
    user = make_user(name="Zoë Łukasiewicz", email="zoe@example.org", sector="community")
    login(client, user)
    complete_example_course(client)
    url = client.post("/courses/wrap/case-small/runs").headers["Location"]
    choose(client, url, "Ask quietly")
    choose(client, url, "Ask whether she would like you to call a clinic")
    hand_off(client, url, ["Her hand needs to be seen", "She agreed that you call"], note="She prefers mornings.")
    choose(client, url, "Treat her hand, and see her alone")
    with app.app_context():
        ran = 0
        while job_runner.run_due():  # the delivery job the requests queued
            ran += 1
        assert ran == 1
        pseudonym = db.session.get(XapiActor, user.id).name
    rows = _rows(app)
    assert sorted(row.kind for row in rows) == ["certificate", "course", "course", "module", "module", "module",
                                                "module", "quiz", "run", "run"]  # the case's course has one module
    assert {row.state for row in rows} == {"sent"}
    stored = _stored(lrs_on, rows)
    assert set(stored) == {row.statement_id for row in rows} and all(len(s) == 1 for s in stored.values())
    by_id = {sid: found[0] for sid, found in stored.items()}
    for row in rows:
        statement = by_id[row.statement_id]
        assert statement["actor"]["account"] == {"homePage": BASE, "name": pseudonym}
        assert statement["verb"] == row.statement["verb"] and statement["object"] == row.statement["object"]
        assert "zoe@example.org" not in str(statement) and "Zoë" not in str(statement)
    verbs = sorted((row.kind, by_id[row.statement_id]["verb"]["display"]["en"]) for row in rows)
    assert verbs == [("certificate", "earned"), *[("course", "completed")] * 2, *[("module", "completed")] * 4,
                     ("quiz", "passed"), ("run", "passed"), ("run", "passed")]
    quiz = next(by_id[row.statement_id] for row in rows if row.kind == "quiz")
    assert {"control", "health"} <= set(quiz["context"]["extensions"][f"{BASE}/xapi/extensions/question-tags"])
    case = next(by_id[row.statement_id] for row in rows
                if row.kind == "run" and row.statement["object"]["id"].endswith("/case-small"))
    assert case["result"]["extensions"][f"{BASE}/xapi/extensions/path"][2] == {
        "node": "refer", "handoff": ["told-hand", "told-consent"]}
    assert "mornings" not in str(case)


def test_a_down_lrs_then_the_lrs_back_stores_each_statement_once(app, client, make_user, published_course, lrs_on,
                                                                  monkeypatch):
    login(client, make_user())
    complete_example_course(client)
    monkeypatch.setitem(app.config, "XAPI_ENDPOINT", f"http://127.0.0.1:{free_port()}/xAPI")  # nothing listens
    now = datetime.now(UTC)
    with app.app_context():
        assert xapi.deliver_due(now).failed == 7
    assert {(row.state, row.last_error) for row in _rows(app)} == {("pending", "ConnectError")}
    monkeypatch.setitem(app.config, "XAPI_ENDPOINT", lrs_on.endpoint)  # it is back
    with app.app_context():
        assert xapi.deliver_due(now + timedelta(seconds=61)).sent == 7
    rows = _rows(app)
    assert {row.state for row in rows} == {"sent"}
    assert {sid: len(found) for sid, found in _stored(lrs_on, rows).items()} == {row.statement_id: 1 for row in rows}
    # The LRS took the batch but its answer was lost: the batch is sent again, and stored once.
    with app.app_context():
        db.session.execute(sa.update(XapiStatement).values(state="pending", sent_at=None))
        db.session.commit()
        assert xapi.deliver_due(now + timedelta(seconds=62)).sent == 7
    assert {sid: len(found) for sid, found in _stored(lrs_on, rows).items()} == {row.statement_id: 1 for row in rows}


def test_a_statement_the_lrs_refuses_is_set_aside_and_the_others_reach_it(app, client, make_user, published_course,
                                                                           lrs_on):
    login(client, make_user())
    complete_example_course(client)
    with app.app_context():
        good = db.session.scalar(sa.select(XapiStatement).order_by(XapiStatement.id))
        broken = copy.deepcopy(good.statement)
        broken["id"] = xapi.statement_id("a statement no LRS takes")
        broken["verb"] = {"id": "not an IRI"}
        del broken["actor"]["account"]["homePage"]
        db.session.add(XapiStatement(statement_id=broken["id"], user_id=good.user_id, kind="module",
                                     statement=broken, next_attempt_at=datetime.now(UTC)))
        db.session.commit()
        done = xapi.deliver_due()
    assert (done.sent, done.rejected, done.failed) == (7, 1, 0)
    rows = _rows(app)
    refused = next(row for row in rows if row.statement_id == broken["id"])
    assert refused.state == "rejected" and refused.last_error in {"HTTP 400", "HTTP 422"}
    stored = _stored(lrs_on, rows)
    assert set(stored) == {row.statement_id for row in rows} - {broken["id"]}
    with app.app_context():  # it is not sent again, and blocks nothing
        assert xapi.deliver_due() == xapi.Delivery()
        assert xapi.outbox_counts() == {"pending": 0, "sent": 7, "rejected": 1}


def test_the_app_delivers_by_itself_once_the_request_has_committed(app, client, make_user, published_course, lrs_on,
                                                                    monkeypatch):
    from trainer.services import job_worker

    monkeypatch.setitem(app.config, "JOBS_EMBEDDED_WORKER", True)  # as `make run` and a single host work
    login(client, make_user())
    complete_example_course(client)
    job_worker.wait_all(60)
    rows = _rows(app)
    assert len(rows) == 7 and {row.state for row in rows} == {"sent"}
    assert {sid: len(found) for sid, found in _stored(lrs_on, rows).items()} == {row.statement_id: 1 for row in rows}

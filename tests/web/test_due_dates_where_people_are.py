"""A due date ends at midnight where the learner is. Honolulu (UTC-10) and Kiritimati (UTC+14) are
a whole day apart at every moment, so work due on Honolulu's today is overdue in Kiritimati and
not yet in Honolulu, whatever the time these tests run; every place that says "overdue" must agree."""
from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from tests.conftest import login
from tests.support.journeys import assign_past_due
from trainer.extensions import db
from trainer.models import Cohort, CohortMember, Reminder, User
from trainer.services import assignments, command_report, local_dates, reminders
from trainer.vocabulary import AssignmentState

HONOLULU, KIRITIMATI = "Pacific/Honolulu", "Pacific/Kiritimati"


def test_a_date_is_the_one_where_the_person_is():
    instant = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert local_dates.today_in(HONOLULU, instant) == date(2026, 12, 4)
    assert local_dates.today_in("America/Vancouver", instant) == date(2026, 12, 5)
    assert local_dates.today_in(KIRITIMATI, instant) == date(2026, 12, 5)
    assert local_dates.today_in(KIRITIMATI, datetime(2026, 12, 5, 10, 0, tzinfo=UTC)) == date(2026, 12, 6)
    assert local_dates.latest_today(datetime(2026, 12, 5, 10, 0, tzinfo=UTC)) == date(2026, 12, 6)
    # An unknown or missing zone falls back to UTC rather than failing a page.
    assert local_dates.today_in("Not/AZone", instant) == local_dates.today_in(None, instant) == date(2026, 12, 5)


def _cohort_due_on_honolulus_today(app, client, make_user):
    """A cohort of two learners, in Honolulu and in Kiritimati, with the course due on Honolulu's
    date; returns (cohort id, Honolulu learner's id, Kiritimati learner's id)."""
    response = client.post("/cohorts", data={"name": "Pacific outreach", "organisation": "Health Service"})
    cohort_id = int(response.headers["Location"].rsplit("/", 1)[1])
    hana = make_user(name="Hana Kealoha", timezone=HONOLULU)
    kiri = make_user(name="Kiri Tebano", timezone=KIRITIMATI)
    with app.app_context():
        db.session.add_all([CohortMember(cohort_id=cohort_id, user_id=u.id) for u in (hana, kiri)])
        db.session.commit()
    # Honolulu's date may already be yesterday for the trainer (in UTC), which the form refuses.
    assign_past_due(app, client, cohort_id, local_dates.today_in(HONOLULU), course="core")
    return cohort_id, hana, kiri


def test_overdue_where_the_learner_is_on_the_dashboard_their_page_the_report_and_reminders(
        app, client, make_user, published_course, outbox):
    trainer = make_user(roles=("trainer",), name="Tamsin Trainer", timezone="UTC")
    login(client, trainer)
    cohort_id, hana, kiri = _cohort_due_on_honolulus_today(app, client, make_user)
    with app.test_request_context():
        actor, cohort = db.session.get(User, trainer.id), db.session.get(Cohort, cohort_id)
        (assignment,) = cohort.assignments
        board = assignments.dashboard(actor, cohort, page=1)
        assert board.cells[(kiri.id, assignment.id)].state == AssignmentState.OVERDUE
        assert board.cells[(hana.id, assignment.id)].state == AssignmentState.NOT_STARTED
        for learner, state in ((hana, AssignmentState.NOT_STARTED), (kiri, AssignmentState.OVERDUE)):
            (mine,) = assignments.for_learner(db.session.get(User, learner.id))
            assert mine.status.state == state

        found = command_report.report(actor)
        assert [(o.user_id, o.due_on) for o in found.overdue] == [(kiri.id, assignment.due_on)]
        assert [line.overdue for line in found.cohorts] == [1]

        assert [d.user.id for d in reminders.overdue(actor, cohort)] == [kiri.id]
        assert reminders.send_scheduled() == {"due-soon": 1, "overdue": 1}
        db.session.commit()
        sent = {(r.user_id, r.kind) for r in db.session.scalars(sa.select(Reminder))}
        assert sent == {(hana.id, "due-soon"), (kiri.id, "overdue")}
    assert sorted(m["To"] for m in outbox()) == sorted([hana.email, kiri.email])


def test_each_learner_sees_their_own_date_on_my_learning(app, client, make_user, published_course):
    trainer = make_user(roles=("trainer",), timezone="UTC")
    login(client, trainer)
    _cohort_id, hana, kiri = _cohort_due_on_honolulus_today(app, client, make_user)
    for learner, overdue in ((hana, False), (kiri, True)):
        reader = app.test_client()
        login(reader, learner)
        page = reader.get("/learning").get_data(as_text=True)
        assert ("card-overdue" in page) is overdue, learner

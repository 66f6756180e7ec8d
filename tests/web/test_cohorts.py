"""Trainers and cohorts: lists of learners, join links, assignments with due dates, the
dashboard and its CSV, and who may see what."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.support.journeys import assign_past_due
from trainer.extensions import db
from trainer.models import Cohort, CohortMember, Invitation

TODAY = date.today()


def _create(client, name="Officers 2026"):
    response = client.post("/cohorts", data={"name": name, "organisation": "Police College"})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _csv(*rows: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(("\n".join(rows) + "\n").encode("utf-8")), "officers.csv"


def test_a_list_with_one_bad_row_is_reported_and_adds_nobody(client, trainer, make_user, count_rows):
    make_user(email="ana@example.org")
    cohort_id = _create(client)
    response = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": _csv(
        "name,email", "Ana Ortiz,ana@example.org", "Bram de Vries,not-an-email", "Chen Li,chen@example.org")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nobody was invited" in page
    assert "Line 3" in page and "not-an-email" in page
    assert count_rows(CohortMember) == 0 and count_rows(Invitation) == 0


@pytest.mark.parametrize("rows, message", [
    (("email", "a@example.org"), "name and email (or naam and e-mail)"),
    (("name,email", ",a@example.org"), "name is missing"),
    (("name,email", "A,a@example.org", "B,A@example.org"), "appears twice"),
])
def test_roster_problems_are_named(client, trainer, rows, message):
    cohort_id = _create(client)
    page = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": _csv(*rows)}).get_data(as_text=True)
    assert message in page


def test_a_good_list_invites_everyone_and_adds_nobody(app, client, trainer, make_user, outbox, count_rows):
    """Before consent was built, an existing account on a list joined at once and its record was
    shown to the trainer; now everyone on a list is invited, with an account or without."""
    make_user(email="ana@example.org")
    cohort_id = _create(client)
    response = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": _csv(
        "name,email", "Ana Ortiz,ANA@example.org", "Chen Li,chen@example.org")})
    assert "2 people were emailed an invitation." in response.get_data(as_text=True)
    assert count_rows(CohortMember) == 0 and count_rows(Invitation) == 2
    mails = outbox()
    assert sorted(m["To"] for m in mails) == ["ana@example.org", "chen@example.org"]
    # Links are built on PUBLIC_BASE_URL, never on the request's host.
    assert all(app.config["PUBLIC_BASE_URL"] + "/" in m.get_content() for m in mails)
    # Chen registers with the invited address: invited still, not in the cohort.
    newcomer = app.test_client()
    newcomer.post("/register", data=dict(name="Chen Li", email="chen@example.org", password="violet-kettle-harbour-9",
                                         confirm="violet-kettle-harbour-9", sector="police", locale="en",
                                         timezone="Europe/London"))
    assert count_rows(CohortMember) == 0
    again = client.post(f"/cohorts/{cohort_id}/roster",
                        data={"roster": _csv("name,email", "Ana Ortiz,ana@example.org")})
    assert "1 was invited before or is in the cohort already" in again.get_data(as_text=True)
    assert count_rows(Invitation) == 2 and [m["To"] for m in outbox()].count("ana@example.org") == 1


def test_an_address_that_mixes_alphabets_is_flagged_for_the_trainer(client, trainer, count_rows):
    cohort_id = _create(client)
    page = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": _csv(
        "name,email", "Ana Ortiz,\u0430na@example.org", "Chen Li,chen@example.org")}).get_data(as_text=True)
    assert "Line 2" in page and "\u0430na@example.org mixes letters from different alphabets" in page
    assert count_rows(Invitation) == 0


def test_join_link_can_be_switched_on_and_off(app, client, trainer, make_user):
    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/joining", data={"enabled": "1", "new_code": "1"})
    page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    join_url = re.search(re.escape(app.config["PUBLIC_BASE_URL"]) + r"(/join/[^<\s]+)", page).group(1)
    learner = app.test_client()
    login(learner, make_user())
    assert learner.get(join_url).status_code == 200
    assert learner.post(join_url).status_code == 302
    client.post(f"/cohorts/{cohort_id}/joining", data={"enabled": "0"})
    assert learner.get(join_url).status_code == 404


def _member(app, cohort_id, user_id):
    with app.app_context():
        db.session.add(CohortMember(cohort_id=cohort_id, user_id=user_id))
        db.session.commit()


def test_assignments_show_on_the_learners_dashboard_with_overdue_marks(app, client, trainer, make_user):
    cohort_id = _create(client)
    learner_account = make_user(name="Ana Ortiz")
    _member(app, cohort_id, learner_account.id)
    assign_past_due(app, client, cohort_id, TODAY - timedelta(days=1), course="core")
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "indicators-quiz",
                                                           "due_on": (TODAY + timedelta(days=7)).isoformat()})
    learner = app.test_client()
    login(learner, learner_account)
    page = learner.get("/learning").get_data(as_text=True)
    assert "Assigned to you" in page and "overdue" in page and "not started" in page
    board = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Ana Ortiz" in board and 'class="state-overdue"' in board


def test_bad_assignments_are_refused(client, trainer):
    cohort_id = _create(client)
    page = client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "no-such",
                                                                  "due_on": TODAY.isoformat()},
                       follow_redirects=True).get_data(as_text=True)
    assert "That module is not part of the course." in page
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    page = client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()},
                       follow_redirects=True).get_data(as_text=True)
    assert "assigned to the cohort already" in page


def test_progress_shows_on_the_dashboard_and_the_csv_matches(app, client, trainer, make_user):
    cohort_id = _create(client)
    done, idle = make_user(name="=HYPERLINK(\"http://evil\")"), make_user(name="Bram")
    for user in (done, idle):
        _member(app, cohort_id, user.id)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "what-it-is",
                                                           "due_on": (TODAY + timedelta(days=3)).isoformat()})
    learner = app.test_client()
    login(learner, done)
    learner.post("/courses/core/what-it-is/sections/sexual-exploitation", data={"action": "alternative"})
    learner.post("/courses/core/what-it-is/complete")
    page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Overall: 50% of assignments completed by 2 learners." in page
    export = client.get(f"/cohorts/{cohort_id}/export.csv")
    assert export.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    names = [r[0] for r in rows[1:-1]]
    assert "'=HYPERLINK(\"http://evil\")" in names  # neutralised, not a formula
    assert rows[-1][0] == "Completed %" and rows[-1][-1] == "50"
    only_done = client.get(f"/cohorts/{cohort_id}/export.csv?state=completed").data.decode("utf-8-sig")
    assert "Bram" not in only_done


def test_learner_drill_down_shows_attempts_and_endings_but_never_wellbeing(app, client, trainer, make_user):
    cohort_id = _create(client)
    account = make_user(name="Ana Ortiz")
    _member(app, cohort_id, account.id)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    learner = app.test_client()
    login(learner, account)
    learner.post("/wellbeing", data={"intrusion": "3", "note": "private words"})
    run = learner.post("/courses/core/ed-night-shift/runs").headers["Location"]
    page = learner.get(run).get_data(as_text=True)
    key = re.findall(r'name="choice" value="([0-9a-f]{16})"', page)[1]
    learner.post(run, data={"node": "start", "choice": key})
    page = learner.get(run).get_data(as_text=True)
    key = re.findall(r'name="choice" value="([0-9a-f]{16})"', page)[-1]
    learner.post(run, data={"node": "later", "choice": key})
    report = client.get(f"/cohorts/{cohort_id}/learners/{account.id}").get_data(as_text=True)
    assert "Scenario endings reached" in report and "ed-night-shift" in report
    assert "private words" not in report


def test_other_trainers_cannot_find_the_cohort_but_co_trainers_can(app, client, trainer, make_user):
    cohort_id = _create(client)
    colleague, stranger = make_user(roles=("trainer",)), make_user(roles=("trainer",))
    client.post(f"/cohorts/{cohort_id}/trainers", data={"email": colleague.email})
    for account, status in ((colleague, 200), (stranger, 404)):
        other = app.test_client()
        login(other, account)
        assert other.get(f"/cohorts/{cohort_id}").status_code == status
        assert ("Officers 2026" in other.get("/cohorts").get_data(as_text=True)) is (status == 200)
    for guess in (cohort_id + 1, 0, 999999):
        assert client.get(f"/cohorts/{guess}").status_code == 404


def test_a_trainer_whose_address_is_unproven_cannot_become_a_co_trainer(app, client, trainer, make_user, count_rows):
    from trainer.models import CohortTrainer

    cohort_id = _create(client)
    unproven = make_user(roles=("trainer",), verified=False)
    page = client.post(f"/cohorts/{cohort_id}/trainers", data={"email": unproven.email},
                       follow_redirects=True).get_data(as_text=True)
    assert "No active trainer account has that email address." in page
    assert count_rows(CohortTrainer) == 1  # the owner only


def test_archiving_hides_a_cohort_and_stops_joining(app, client, trainer):
    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/joining", data={"enabled": "1"})
    client.post(f"/cohorts/{cohort_id}/archive", data={"archived": "1"})
    assert "Officers 2026" not in client.get("/cohorts").get_data(as_text=True)
    assert "Officers 2026" in client.get("/cohorts?archived=1").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).join_enabled is False


def test_removing_a_learner_takes_effect_at_once(app, client, trainer, make_user):
    cohort_id = _create(client)
    account = make_user(name="Ana Ortiz")
    _member(app, cohort_id, account.id)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    client.post(f"/cohorts/{cohort_id}/members/{account.id}/remove")
    learner = app.test_client()
    login(learner, account)
    assert "Assigned to you" not in learner.get("/learning").get_data(as_text=True)
    assert client.get(f"/cohorts/{cohort_id}/learners/{account.id}").status_code == 404


def test_dashboard_queries_do_not_grow_with_the_cohort(app, client, trainer, make_user, sql_statements):
    from trainer.services import accounts

    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "what-it-is",
                                                           "due_on": TODAY.isoformat()})

    def add_learners(n, start):
        with app.app_context():
            for i in range(start, start + n):
                profile = accounts.Profile(name=f"L{i}", organisation="", sector="police", specialty=None,
                                           is_resident=False, locale=None, timezone="UTC")
                user = accounts.register(f"l{i}@example.org", "violet-kettle-harbour-9", profile)
                db.session.add(CohortMember(cohort_id=cohort_id, user_id=user.id))
            db.session.commit()

    def queries():
        with sql_statements() as statements:
            assert client.get(f"/cohorts/{cohort_id}").status_code == 200
        return len(statements)

    add_learners(5, 0)
    few = queries()
    add_learners(45, 5)
    assert queries() == few


def _answer_quiz(client, companion_text):
    page = client.get("/courses/core/indicators-quiz").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    key = re.search(r'value="([0-9a-f]{16})">\s*<label for="[^"]+">' + re.escape(companion_text), page).group(1)
    client.post("/courses/core/indicators-quiz/quiz", data={"token": token, "unanswered": "submit", "q-companion": key,
                                                            "q-protocol": "Palermo"})


def test_what_the_cohort_misses(app, client, trainer, make_user):
    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    answers = ["Arrange to see her alone", "Arrange to see her alone", "Call the police", "Call the police",
               "Call the police"]
    for i, choice in enumerate(answers):
        account = make_user(name=f"Learner {i}")
        _member(app, cohort_id, account.id)
        learner = app.test_client()
        login(learner, account)
        if i == 0:
            _answer_quiz(learner, "Call the police")  # a first try that the latest attempt replaces
        _answer_quiz(learner, choice)
    page = client.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True)
    row = page.split("A companion who answers for her")[1].split("</tr>")[0]
    assert "40%" in row  # 2 of 5 latest attempts right
    assert "Call the police straight away. (3)" in row  # the most chosen wrong answer
    assert "1.00" in row  # the top quarter got it right, the bottom quarter did not
    assert "Signs of control" in page and "<meter" in page
    assert "She knows where help is" in page  # the scenario's endings are listed, 0 learners so far


def test_analysis_is_only_for_the_cohorts_trainers(app, client, trainer, make_user):
    cohort_id = _create(client)
    other = app.test_client()
    login(other, make_user(roles=("trainer",)))
    assert other.get(f"/cohorts/{cohort_id}/analysis").status_code == 404


def test_reminders_preview_send_once_a_day_and_scheduled_once(app, client, trainer, make_user, outbox, runner):
    from trainer.models import Reminder
    from trainer.services import job_worker

    cohort_id = _create(client)
    late, ahead = make_user(name="Ana Ortiz", locale="nl"), make_user(name="Bram")
    for user in (late, ahead):
        _member(app, cohort_id, user.id)
    assign_past_due(app, client, cohort_id, TODAY - timedelta(days=2), course="core", module="what-it-is")
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "indicators-quiz",
                                                           "due_on": (TODAY + timedelta(days=2)).isoformat()})
    page = client.get(f"/cohorts/{cohort_id}/reminders").get_data(as_text=True)
    assert "Ana Ortiz" in page and "Bram" in page and "Preview of the first message" in page
    sent = client.post(f"/cohorts/{cohort_id}/reminders")  # a job writes and mails them
    assert sent.status_code == 302 and "/jobs/" in sent.headers["Location"]
    job_worker.wait_all()
    assert "2 reminders sent." in client.get(sent.headers["Location"]).get_data(as_text=True)
    again = client.post(f"/cohorts/{cohort_id}/reminders")  # again the same day: nothing new
    job_worker.wait_all()
    assert "0 reminders sent." in client.get(again.headers["Location"]).get_data(as_text=True)
    manual = outbox()
    assert len(manual) == 2 and {m["To"] for m in manual} == {late.email, ahead.email}
    assert all(f"{app.config['PUBLIC_BASE_URL']}/learning\n" in m.get_content() for m in manual)
    subjects = {m["To"]: m["Subject"] for m in manual}
    assert subjects[late.email].startswith("Herinnering") and subjects[ahead.email].startswith("Reminder")
    first = runner.invoke(args=["cohorts", "remind"])
    assert "Sent 2 due-soon and 2 overdue reminders." in first.output
    second = runner.invoke(args=["cohorts", "remind"])
    assert "Sent 0 due-soon and 0 overdue reminders." in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 6


def test_a_large_cohort_is_paged_but_totals_cover_everyone(app, client, trainer, make_user):
    cohort_id = _create(client)
    for i in range(101):
        _member(app, cohort_id, make_user(name=f"Learner {i:03d}").id)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    first = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Learner 099" in first and "Learner 100" not in first
    assert "completed by 101 learners" in first
    second = client.get(f"/cohorts/{cohort_id}?page=2").get_data(as_text=True)
    assert "Learner 100" in second
    assert len(client.get(f"/cohorts/{cohort_id}/export.csv").data.decode("utf-8-sig").strip().splitlines()) == 103


def test_analysis_follows_new_attempts(app, client, trainer, make_user):
    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "indicators-quiz",
                                                           "due_on": TODAY.isoformat()})
    account = make_user()
    _member(app, cohort_id, account.id)
    learner = app.test_client()
    login(learner, account)
    _answer_quiz(learner, "Call the police")
    first = client.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True)
    assert "0%" in first.split("A companion who answers for her")[1].split("</tr>")[0]
    second = client.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True)
    assert second.split("<h1>")[1] == first.split("<h1>")[1]  # unchanged data, same figures
    _answer_quiz(learner, "Arrange to see her alone")
    again = client.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True)
    assert "100%" in again.split("A companion who answers for her")[1].split("</tr>")[0]


def test_a_page_of_the_dashboard_counts_the_totals_the_whole_table_does(app, client, trainer, make_user):
    """A screen reads one page's cells and counts the totals in the database; the counts must be
    what a reading of every learner gives (the CSV's), completed work only, on every page."""
    from datetime import UTC, datetime

    from trainer.models import Course, Enrolment, ModuleProgress
    from trainer.services import assignments
    from trainer.vocabulary import ModuleState

    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "what-it-is",
                                                           "due_on": (TODAY + timedelta(days=9)).isoformat()})
    users = [make_user(name=f"Learner {i:03d}") for i in range(130)]
    outsider = make_user(name="Not in the cohort")
    done = datetime.now(UTC)
    with app.app_context():
        course_id = db.session.scalar(sa.select(Course.id).where(Course.slug == "core"))
        for i, user in enumerate(users):
            db.session.add(CohortMember(cohort_id=cohort_id, user_id=user.id))
            if i % 3 == 0:
                db.session.add(Enrolment(user_id=user.id, course_id=course_id, completed_at=done))
            elif i % 3 == 1:
                db.session.add(Enrolment(user_id=user.id, course_id=course_id))  # started only
            if i % 4 == 0:
                db.session.add(ModuleProgress(user_id=user.id, course_id=course_id, module="what-it-is",
                                              state=ModuleState.COMPLETED, completed_at=done))
            elif i % 4 == 1:
                db.session.add(ModuleProgress(user_id=user.id, course_id=course_id, module="what-it-is"))
            elif i % 4 == 2:  # another module completed does not count for this one
                db.session.add(ModuleProgress(user_id=user.id, course_id=course_id, module="indicators-quiz",
                                              state=ModuleState.COMPLETED, completed_at=done))
        db.session.add(Enrolment(user_id=outsider.id, course_id=course_id, completed_at=done))
        db.session.commit()
        cohort = db.session.get(Cohort, cohort_id)
        whole = assignments.dashboard(None, cohort, check=False)
        assert [whole.completion(a) for a in whole.assignments] == [round(100 * 44 / 130), round(100 * 33 / 130)]
        for number in (1, 2):
            screen = assignments.dashboard(None, cohort, check=False, page=number)
            assert screen.number == number and screen.pages == 2
            assert ([screen.completion(a) for a in screen.assignments]
                    == [whole.completion(a) for a in whole.assignments])
            assert screen.overall() == whole.overall()
            for learner in screen.page(number):
                assert screen.learner_completion(learner) == whole.learner_completion(learner)
                for a in screen.assignments:
                    assert screen.cells[(learner.id, a.id)] == whole.cells[(learner.id, a.id)]
        assert assignments.dashboard(None, cohort, check=False, page=7).number == 2  # past the end: the last
        finished = assignments.dashboard(None, cohort, state="completed", check=False, page=3)
        assert finished.number == 1 and len(finished.learners) == 44 + 33 - 11  # one page once filtered

"""The signed-in Home page: a start page that continues where the learner stopped."""
from __future__ import annotations

import shutil
from datetime import date, timedelta

import sqlalchemy as sa

from tests.conftest import GOOD_COURSE, login
from trainer.extensions import db
from trainer.models import Assignment, Certificate, Cohort, CohortMember, Course

LESSON = "/courses/core/what-it-is"


def _learner(client, make_user):
    user = make_user(sector="health", specialty="emergency")
    login(client, user)
    return user


def _assign(app, user_id, slug, due_on):
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        cohort = Cohort(name=f"Ward {slug}", join_code=f"code-{slug}")
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all([CohortMember(cohort_id=cohort.id, user_id=user_id),
                            Assignment(cohort_id=cohort.id, course_id=course.id, due_on=due_on)])
        db.session.commit()


def test_someone_with_nothing_yet_is_pointed_to_the_catalogue(client, make_user, published_course):
    _learner(client, make_user)
    page = client.get("/").get_data(as_text=True)
    assert "You have not started a course yet" in page and 'href="/courses"' in page
    assert "Continue where you left off" not in page and "Your courses will appear here" not in page


def test_continue_leads_to_the_exact_place_the_learner_stopped(client, make_user, published_course):
    _learner(client, make_user)
    client.post("/courses/core/enrol")
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "skip"})
    page = client.get("/").get_data(as_text=True)
    assert "Continue where you left off" in page and "Human trafficking: the shared core" in page
    assert 'href="/courses/core/what-it-is#section-sexual-exploitation">Continue<' in page
    assert "You have not started a course yet" not in page


def test_assigned_courses_show_their_due_date_and_overdue_ones_are_marked(app, client, make_user,
                                                                          published_course):
    user = _learner(client, make_user)
    _assign(app, user.id, "core", date.today() - timedelta(days=3))
    page = client.get("/").get_data(as_text=True)
    assert "Assigned to you" in page and "card-overdue" in page and ">overdue<" in page
    assert "Ward core" in page and "Due " in page and "You have not started a course yet" not in page


def test_recent_certificates_are_listed(app, client, make_user, published_course):
    user = _learner(client, make_user)
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == "core"))
        db.session.add(Certificate(code="HOME-TEST-1", user_id=user.id, course_id=course.id,
                                   completion_key=f"{user.id}:core:1", version_number=1, name="Sam",
                                   course_title="Human trafficking: the shared core", sector="health",
                                   hours=1, completed_on=date.today(), expires_on=None))
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Your recent certificates" in page and "Certificate (PDF)" in page
    assert "You have not started a course yet" not in page


def test_the_home_page_reads_a_fixed_number_of_queries(app, client, make_user, published_course, tmp_path,
                                                      sql_statements):
    from trainer.services import publishing

    user = _learner(client, make_user)

    def queries():
        with sql_statements() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    client.post("/courses/core/enrol")
    _assign(app, user.id, "core", date.today())
    few = queries()
    folder = tmp_path / "second"
    shutil.copytree(GOOD_COURSE, folder)
    course_md = folder / "course.md"
    course_md.write_text(course_md.read_text().replace("id: core", "id: second-course", 1))
    with app.app_context():
        assert publishing.import_path(folder).ok
        db.session.commit()
    client.post("/courses/second-course/enrol")
    client.get("/courses/second-course/what-it-is")
    _assign(app, user.id, "second-course", date.today())
    page = client.get("/").get_data(as_text=True)
    assert "Also in progress" in page
    assert queries() == few

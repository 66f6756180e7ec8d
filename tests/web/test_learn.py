"""The learner's side: catalogue, lessons with content notes, quizzes, scenarios, progress."""
from __future__ import annotations

import re

import pytest

from tests.conftest import GOOD_COURSE, login
from trainer.models import ModuleProgress, QuizAttempt, ScenarioRun

QUIZ = "/courses/core/indicators-quiz"
LESSON = "/courses/core/what-it-is"
SCENARIO = "/courses/core/ed-night-shift"


def _quiz_form(client):
    page = client.get(QUIZ).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return page, token


def _key_for(page, option_text):
    """The opaque value of the option whose label shows `option_text`."""
    match = re.search(r'value="([0-9a-f]{16})">\s*<label for="[^"]+">' + re.escape(option_text), page)
    return match.group(1)


def test_catalogue_lists_courses_for_the_learners_sector_first(client, learner):
    page = client.get("/courses").get_data(as_text=True)
    assert "For your sector and specialty" in page and "Human trafficking: the shared core" in page


def test_police_learner_sees_a_health_only_course_under_other_courses(client, make_user, published_course):
    login(client, make_user(sector="community"))
    page = client.get("/courses").get_data(as_text=True)
    assert "Other courses" in page and "For your sector" not in page


def test_lesson_hides_noted_section_until_the_learner_chooses(client, learner):
    page = client.get(LESSON).get_data(as_text=True)
    assert "Content note:" in page and "this section deals with sexual violence" in page
    assert "Skip for now" in page and "Read a non-graphic version" in page
    noted = page.split('id="section-sexual-exploitation"')[1].split("</section>")[0]
    assert "Continue to the section" in noted


def test_a_lesson_page_reads_a_few_narrow_statements_however_far_the_learner_got(client, learner, sql_statements):
    """The reader with their session, the course with its modules (bodies not read: the lesson's
    sections are kept), the pre-test round, the learner's progress rows and enrolment, and the
    phone list: no statement per module, section or completed step."""
    def statements():
        with sql_statements() as sent:
            assert client.get(LESSON).status_code == 200
        return sent

    client.get(LESSON)
    first = statements()
    assert len(first) <= 6, first
    assert not any("course_modules.body" in s for s in first)
    client.post(f"{LESSON}/complete")
    client.get(SCENARIO)
    back = [s for s in statements() if s.startswith("SELECT")]  # coming back records the visit too
    assert len(back) == len(first)


def test_skipping_keeps_the_module_open_and_alternative_completes_it(client, learner, get_user, app):
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "skip"})
    response = client.post(f"{LESSON}/complete", follow_redirects=True)
    assert "The module stays open" in response.get_data(as_text=True)
    assert _state(app, learner.id, "what-it-is") == "in-progress"
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "alternative"})
    page = client.get(LESSON).get_data(as_text=True)
    assert "You are reading the non-graphic version" in page
    client.post(f"{LESSON}/complete")
    assert _state(app, learner.id, "what-it-is") == "completed"


def _state(app, user_id, module):
    import sqlalchemy as sa

    from trainer.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(ModuleProgress.state).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module == module))


def test_tampered_section_actions_are_refused(client, learner, count_rows):
    assert client.post(f"{LESSON}/sections/definition", data={"action": "skip"}).status_code == 400
    assert client.post(f"{LESSON}/sections/no-such", data={"action": "read"}).status_code == 400
    assert client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "delete"}).status_code == 400


def test_quiz_page_holds_no_answers_or_feedback(client, learner):
    from trainer.content import parse_module_text

    page, _ = _quiz_form(client)
    with open(f"{GOOD_COURSE}/02-indicators-quiz.md", encoding="utf-8") as f:
        spec = parse_module_text(f.read(), "quiz.md").spec
    text = re.sub(r"<[^>]+>", " ", page)
    for question in spec.questions:
        assert re.sub(r"<[^>]+>", " ", question.explanation_html).strip()[:40] not in text
        for option in question.options:
            if option.feedback_html:
                assert re.sub(r"<[^>]+>", " ", option.feedback_html).strip()[:40] not in text
            assert f'value="{option.id}"' not in page
    assert "data-correct" not in page and "correct" not in page.lower().replace("incorrect", "")
    # Option values are opaque keys, not the ids written in the source.
    values = re.findall(r'name="q-companion" value="([^"]+)"', page)
    assert len(values) == 3 and all(re.fullmatch(r"[0-9a-f]{16}", v) for v in values)


def test_quiz_is_graded_and_reviewed_then_passed_on_retry(client, learner, count_rows):
    page, token = _quiz_form(client)
    wrong = {"token": token, "unanswered": "submit", "q-companion": _key_for(page, "Call the police")}
    response = client.post(f"{QUIZ}/quiz", data=wrong)
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The pass mark is 80%" in review
    assert "Not right" in review
    # The course keeps the key after a fail: the right option's feedback is not shown.
    assert "Seeing a patient alone is routine care" not in review
    assert count_rows(QuizAttempt) == 1


def test_double_submission_records_one_attempt(client, learner, count_rows):
    page, token = _quiz_form(client)
    data = {"token": token, "unanswered": "submit", "q-companion": _key_for(page, "Arrange to see her alone")}
    first = client.post(f"{QUIZ}/quiz", data=data)
    second = client.post(f"{QUIZ}/quiz", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count_rows(QuizAttempt) == 1


def test_option_from_another_question_is_refused(client, learner, count_rows):
    page, token = _quiz_form(client)
    foreign = re.findall(r'name="q-signs" value="([^"]+)"', page)[0]
    response = client.post(f"{QUIZ}/quiz", data={"token": token, "unanswered": "submit", "q-companion": foreign})
    assert response.status_code == 400
    assert count_rows(QuizAttempt) == 0


def test_forged_keys_and_unknown_modules(client, learner, count_rows):
    _, token = _quiz_form(client)
    foreign = {"token": token, "unanswered": "submit", "q-companion": "0" * 16}
    assert client.post(f"{QUIZ}/quiz", data=foreign).status_code == 400
    assert client.post(f"{LESSON}/quiz", data={"token": token, "unanswered": "submit"}).status_code == 404
    assert client.get("/courses/core/no-such-module").status_code == 404
    assert client.get("/courses/no-such-course").status_code == 404
    assert count_rows(QuizAttempt) == 0


def test_another_learners_attempt_is_not_found(app, client, learner, make_user):
    page, token = _quiz_form(client)
    response = client.post(f"{QUIZ}/quiz", data={"token": token, "unanswered": "submit",
                                                  "q-companion": _key_for(page, "Call the police")})
    other = app.test_client()
    login(other, make_user())
    assert other.get(response.headers["Location"]).status_code == 404
    # Replaying someone else's form token is not theirs either.
    assert other.post(f"{QUIZ}/quiz", data={"token": token, "unanswered": "submit"}).status_code == 404


def _play(client, run_url, choose_text):
    page = client.get(run_url).get_data(as_text=True)
    node = re.search(r'name="node" value="([^"]+)"', page).group(1)
    key = re.search(r'value="([0-9a-f]{16})" required>\s*<label for="[^"]+">' + re.escape(choose_text), page).group(1)
    return client.post(run_url, data={"node": node, "choice": key}), node, key


def test_scenario_path_is_recorded_and_ending_graded(client, learner, app):
    run_url = client.post(f"{SCENARIO}/runs").headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "He hesitates" not in page  # consequences stay on the server until chosen
    _play(client, run_url, "Let him stay")
    page = client.get(run_url).get_data(as_text=True)
    assert "He answers for her" in page and 'role="status"' in page
    _play(client, run_url, "Discharge her")
    page = client.get(run_url).get_data(as_text=True)
    assert "a harmful outcome" in page and "The best path" in page
    assert "Ask the boyfriend to wait outside" in page.split("The best path")[1]
    from trainer.extensions import db

    with app.app_context():
        run = db.session.scalar(db.select(ScenarioRun))
        assert [s["choice"] for s in run.path] == ["let-stay", "discharge"] and run.grade == "harmful"
    # Below the course's pass_ending (acceptable by default): the debrief, then a replay.
    assert _state(app, learner.id, "ed-night-shift") == "in-progress"
    assert 'id="replay-needed"' in page and "the module is not complete yet" in page
    replay = page.split('id="replay-needed"')[1]
    assert f'action="{SCENARIO}/runs"' in replay and "Play it again" in replay


def test_a_replay_that_reaches_the_best_ending_completes_the_module(client, learner, app):
    run_url = client.post(f"{SCENARIO}/runs").headers["Location"]
    _play(client, run_url, "Let him stay")
    _play(client, run_url, "Discharge her")
    again = client.post(f"{SCENARIO}/runs").headers["Location"]
    assert again != run_url
    _play(client, again, "Ask the boyfriend")
    _play(client, again, "Ask open questions")
    page = client.get(again).get_data(as_text=True)
    assert 'id="replay-needed"' not in page
    assert _state(app, learner.id, "ed-night-shift") == "completed"
    # A later harmful replay does not undo the completion.
    third = client.post(f"{SCENARIO}/runs").headers["Location"]
    _play(client, third, "Let him stay")
    _play(client, third, "Discharge her")
    assert _state(app, learner.id, "ed-night-shift") == "completed"


def test_a_stale_scenario_form_changes_nothing(client, learner, app):
    run_url = client.post(f"{SCENARIO}/runs").headers["Location"]
    response, node, key = _play(client, run_url, "Let him stay")
    client.post(run_url, data={"node": node, "choice": key})  # the same form again
    from trainer.extensions import db

    with app.app_context():
        assert len(db.session.scalar(db.select(ScenarioRun)).path) == 1
    assert client.post(run_url, data={"node": "later", "choice": "f" * 16}).status_code == 400


def test_course_completes_when_every_module_is_done_and_the_quiz_passed(client, learner, app):
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "read"})
    client.post(f"{LESSON}/complete")
    run_url = client.post(f"{SCENARIO}/runs").headers["Location"]
    _play(client, run_url, "Ask the boyfriend")
    _play(client, run_url, "Ask open questions")
    assert "completed on" not in client.get("/learning").get_data(as_text=True)
    page, token = _quiz_form(client)
    answers = {"token": token, "unanswered": "submit", "q-companion": _key_for(page, "Arrange to see her alone"),
               "q-signs": [_key_for(page, "Someone else holds her passport"), _key_for(page, "She is never alone")],
               "q-consent": _key_for(page, "False"), "q-protocol": "palermo", "q-elements": "3"}
    # The matching question is left unanswered: the others carry the pass mark.
    response = client.post(f"{QUIZ}/quiz", data=answers)
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You passed." in review
    assert "completed on" in client.get("/learning").get_data(as_text=True)


def test_resume_points_to_the_first_unfinished_module(client, learner):
    client.post("/courses/core/enrol")
    client.get(QUIZ)
    page = client.get("/learning").get_data(as_text=True)
    assert "Resume" in page and 'href="/courses/core/indicators-quiz"' in page


def test_resume_lands_on_the_last_section_reached(client, learner):
    client.post("/courses/core/enrol")
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "skip"})
    page = client.get("/learning").get_data(as_text=True)
    assert 'href="/courses/core/what-it-is#section-sexual-exploitation"' in page


def test_print_view_shows_the_alternative_of_noted_sections(client, learner):
    page = client.get(f"{LESSON}/print").get_data(as_text=True)
    assert "The non-graphic version of this section is printed." in page


def _module_percent(page: str) -> int:
    return int(re.search(r'<progress id="module-progress" max="100" value="(\d+)"', page).group(1))


def test_the_module_bar_follows_the_sections_reached_and_read(client, learner):
    assert _module_percent(client.get(LESSON).get_data(as_text=True)) == 0
    answer = client.post(f"{LESSON}/reached", data={"section": "definition"})
    # The course bar counts the half-read lesson: half of one of its three modules.
    assert answer.status_code == 200 and answer.json == {"percent": 50, "course_percent": 17}
    # Scrolling past a content note is not reading the section behind it, and does not finish
    # the lesson.
    answer = client.post(f"{LESSON}/reached", data={"section": "sexual-exploitation"})
    assert answer.json == {"percent": 50, "course_percent": 17}
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "alternative"})
    assert _module_percent(client.get(LESSON).get_data(as_text=True)) == 100


def test_reading_to_the_end_completes_the_lesson_once_every_note_is_answered(client, learner, app):
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "skip"})
    client.post(f"{LESSON}/reached", data={"section": "sexual-exploitation"})
    assert _state(app, learner.id, "what-it-is") == "in-progress"  # skipped for now: stays open
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "read"})
    answer = client.post(f"{LESSON}/reached", data={"section": "sexual-exploitation"})
    assert answer.json["percent"] == 100 and answer.json["course_percent"] > 0
    assert _state(app, learner.id, "what-it-is") == "completed"


def test_the_place_to_resume_only_moves_forward_as_the_learner_scrolls(client, learner):
    client.post(f"{LESSON}/reached", data={"section": "sexual-exploitation"})
    client.post(f"{LESSON}/reached", data={"section": "definition"})  # scrolled back up
    page = client.get("/learning").get_data(as_text=True)
    assert 'href="/courses/core/what-it-is#section-sexual-exploitation"' in page


def test_a_tampered_reached_form_changes_nothing(client, learner, count_rows):
    assert client.post(f"{LESSON}/reached", data={"section": "nowhere"}).status_code == 400
    assert client.post(f"{QUIZ}/reached", data={"section": "definition"}).status_code == 400
    assert client.post("/courses/unknown/what-it-is/reached", data={"section": "definition"}).status_code == 404
    assert count_rows(ModuleProgress) == 0


def test_the_scenario_bar_counts_steps_towards_an_ending(client, learner):
    assert _module_percent(client.get(SCENARIO).get_data(as_text=True)) == 0
    run_url = client.post(f"{SCENARIO}/runs").headers["Location"]
    assert _module_percent(client.get(run_url).get_data(as_text=True)) == 0
    _play(client, run_url, "Let him stay")
    middle = _module_percent(client.get(run_url).get_data(as_text=True))
    assert 0 < middle < 100
    _play(client, run_url, "Discharge her")
    assert _module_percent(client.get(run_url).get_data(as_text=True)) == 100
    assert _module_percent(client.get(SCENARIO).get_data(as_text=True)) == 100


def test_the_quiz_page_lists_recent_attempts_and_all_on_request(client, learner):
    for _ in range(12):
        _page, token = _quiz_form(client)
        client.post(f"{QUIZ}/quiz", data={"token": token, "unanswered": "submit"})
    page = client.get(QUIZ).get_data(as_text=True)
    assert page.count("/attempts/") == 10 and "Show all 12 attempts" in page
    assert client.get(f"{QUIZ}?attempts=all").get_data(as_text=True).count("/attempts/") == 12


def _course_percent(page: str) -> int:
    return int(re.search(r'<progress id="course-progress" max="100" value="(\d+)"', page).group(1))


def test_course_progress_counts_lessons_read_and_scenario_steps_before_any_module_ends(client, learner):
    assert _course_percent(client.get(LESSON).get_data(as_text=True)) == 0
    client.post(f"{LESSON}/reached", data={"section": "definition"})
    assert _course_percent(client.get(LESSON).get_data(as_text=True)) == 17  # half of one module in three
    run = client.post(f"{SCENARIO}/runs").headers["Location"]
    _play(client, run, "Ask the boyfriend")  # one step of a scenario not yet ended
    page = client.get(LESSON).get_data(as_text=True)
    assert 17 < _course_percent(page) < 100
    # My learning shows the same figure, not 0% until a module ends.
    assert f"{_course_percent(page)}% complete" in client.get("/learning").get_data(as_text=True)


@pytest.fixture
def dutch_course(app, published_course, tmp_path):
    """A second course, written in Dutch, beside the English example course."""
    import shutil

    from trainer.extensions import db
    from trainer.services import publishing

    folder = tmp_path / "dutch"
    shutil.copytree(GOOD_COURSE, folder)
    course_md = folder / "course.md"
    text = course_md.read_text().replace("id: core", "id: kern", 1).replace("language: en", "language: nl", 1)
    course_md.write_text(text.replace('title: "Human trafficking: the shared core"',
                                      'title: "Mensenhandel: de kern"', 1))
    with app.app_context():
        assert publishing.import_path(folder).ok
        db.session.commit()


def test_the_catalogue_filters_by_the_language_courses_are_written_in(client, learner, dutch_course):
    every = client.get("/courses").get_data(as_text=True)
    assert "Mensenhandel: de kern" in every and "Human trafficking: the shared core" in every
    assert '<label for="language">Courses in</label>' in every
    dutch = client.get("/courses?language=nl").get_data(as_text=True)
    assert "Mensenhandel: de kern" in dutch and "Human trafficking: the shared core" not in dutch
    assert "1 course in Nederlands." in dutch and '<option value="nl" lang="nl" selected>' in dutch


def test_an_unknown_catalogue_language_shows_every_course_and_says_so(client, learner, dutch_course):
    response = client.get("/courses?language=xx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There are no courses in that language" in page
    assert "Mensenhandel: de kern" in page and "Human trafficking: the shared core" in page

"""Quizzes without JavaScript: questions left unanswered are shown again, marked, with the
learner's answers kept, until they answer them or say to submit anyway; after a pass, the way
on to the next module."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login
from trainer.models import QuizAttempt

QUIZ = "/courses/core/indicators-quiz"


@pytest.fixture
def learner(client, make_user, published_course):
    user = make_user(sector="health", specialty="emergency")
    login(client, user)
    return user


def _form(client):
    page = client.get(QUIZ).get_data(as_text=True)
    return page, re.search(r'name="token" value="([^"]+)"', page).group(1)


def _key(page, text):
    return re.search(r'value="([0-9a-f]{16})"(?: checked)?>\s*<label for="[^"]+">' + re.escape(text), page).group(1)


def _passing(page, token):
    """Every question answered right, the matching pairs too."""
    pairs = dict(re.findall(r'<label for="pair-\d+-\d+">([^<]+)</label>\s*<select id="[^"]+" name="([^"]+)"', page))
    rights = {text: key for key, text in re.findall(r'<option value="([0-9a-f]{16})">([^<]+)</option>', page)}
    answers = {"token": token, "q-companion": _key(page, "Arrange to see her alone"),
               "q-signs": [_key(page, "Someone else holds her passport"), _key(page, "She is never alone")],
               "q-consent": _key(page, "False"), "q-protocol": "palermo", "q-elements": "3"}
    for left, right in (("Recruitment", "Act"), ("Deception", "Means"), ("Forced labour", "Purpose")):
        answers[pairs[left]] = rights[right]
    return answers


def test_an_incomplete_quiz_is_shown_again_with_the_answers_kept_and_nothing_recorded(client, learner, count_rows):
    page, token = _form(client)
    chosen = _key(page, "Arrange to see her alone")
    response = client.post(f"{QUIZ}/quiz", data={"token": token, "q-companion": chosen, "q-protocol": "Palermo"})
    again = response.get_data(as_text=True)
    assert response.status_code == 200 and count_rows(QuizAttempt) == 0
    # A summary, announced, with a link to each open question (five of six are open).
    assert 'role="alert"' in again and "You have not answered 4 questions" in again
    assert 'href="#question-2"' in again and 'href="#question-1"' not in again
    # The open questions are marked and described; the answered ones are not.
    assert re.search(r'class="question question-unanswered" id="question-2"\s+aria-describedby="question-2-unanswered"',
                     again)
    assert 'class="question" id="question-1"' in again
    # The learner's answers are in the form again: the radio chosen, the text typed, the same form.
    assert f'value="{chosen}" checked>' in again and 'value="Palermo"' in again
    assert f'name="token" value="{token}"' in again
    # And the way to submit as they are.
    assert re.search(r'<button type="submit" name="unanswered" value="submit"[^>]*>Submit with questions unanswered',
                     again)


def test_submitting_anyway_grades_the_answers_given(client, learner, count_rows):
    page, token = _form(client)
    response = client.post(f"{QUIZ}/quiz", data={"token": token, "unanswered": "submit",
                                                  "q-companion": _key(page, "Arrange to see her alone")})
    assert response.status_code == 302 and count_rows(QuizAttempt) == 1


def test_a_complete_quiz_is_graded_at_once(client, learner, count_rows):
    page, token = _form(client)
    response = client.post(f"{QUIZ}/quiz", data=_passing(page, token))
    assert response.status_code == 302 and count_rows(QuizAttempt) == 1


def test_a_partly_matched_question_counts_as_unanswered(client, learner, count_rows):
    page, token = _form(client)
    answers = _passing(page, token)
    first_pair = next(name for name in answers if name.startswith("q-match-"))
    answers[first_pair] = ""
    again = client.post(f"{QUIZ}/quiz", data=answers).get_data(as_text=True)
    assert "You have not answered 1 question" in again and count_rows(QuizAttempt) == 0
    # The pairs already matched stay selected.
    assert len(re.findall(r'<option value="[0-9a-f]{16}" selected>', again)) == 2


def test_after_a_pass_the_review_leads_to_the_next_module(client, learner):
    page, token = _form(client)
    review = client.get(client.post(f"{QUIZ}/quiz", data=_passing(page, token)).headers["Location"])
    text = review.get_data(as_text=True)
    assert "You passed." in text
    assert '<a class="button" href="/courses/core/ed-night-shift">Next: Scenario: the night shift</a>' in text


def test_after_a_fail_the_review_offers_a_retry_not_the_next_module(client, learner):
    page, token = _form(client)
    response = client.post(f"{QUIZ}/quiz", data={"token": token, "unanswered": "submit",
                                                  "q-companion": _key(page, "Call the police")})
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Try again" in text and "Next: Scenario" not in text

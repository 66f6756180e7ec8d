"""Quiz attempts through the browser's eyes: a form per attempt (stable on reload, shuffled
between attempts), draws from a pool, what each kind's review shows after a fail and a pass,
and forms that are not the attempt's own (a clear 400, nothing recorded)."""
from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import GOOD_COURSE, login
from trainer.extensions import db
from trainer.models import QuizAttempt, QuizDraw

QUIZ = "/courses/core/indicators-quiz"


def _form(client, url=QUIZ):
    page = client.get(url).get_data(as_text=True)
    return page, re.search(r'name="token" value="([^"]+)"', page).group(1)


def _key(page, option_text):
    """The opaque value of the option (or right side) shown as `option_text`."""
    radio = re.search(r'value="([0-9a-f]{16})">\s*<label for="[^"]+">' + re.escape(option_text), page)
    return radio.group(1) if radio else re.search(r'<option value="([0-9a-f]{16})">' + re.escape(option_text),
                                                 page).group(1)


def _pair(page, left):
    """The field name of the matching pair whose left side is `left`."""
    return re.search(r'<label for="([^"]+)">' + re.escape(left) + r'</label>\s*<select id="\1" name="([^"]+)"',
                     page).group(2)


def _labels(page, question_id):
    """The option texts of a choice question, in the order the page shows them."""
    return re.findall(r'name="q-' + question_id + r'" value="[0-9a-f]{16}">\s*<label for="[^"]+">([^<]+)<', page)


def _submit(client, data, url=QUIZ):
    """Submit answers, saying to submit them even with questions left unanswered."""
    response = client.post(f"{url}/quiz", data={"unanswered": "submit", **data})
    return response, (client.get(response.headers["Location"]).get_data(as_text=True)
                      if response.status_code == 302 else response.get_data(as_text=True))


def _section(review, title):
    return review.split(title, 1)[1].split("</section>", 1)[0]


# --- one form per attempt -------------------------------------------------------------------

def test_a_reload_shows_the_same_form_and_a_new_attempt_a_new_one(client, learner):
    first, token = _form(client)
    again, same = _form(client)
    assert same == token and _labels(again, "companion") == _labels(first, "companion")
    option = r'<option value="([0-9a-f]{16})">'
    assert re.findall(option, again) == re.findall(option, first)
    _submit(client, {"token": token})
    _, fresh = _form(client)
    assert fresh != token


def test_option_order_changes_between_attempts(client, learner):
    orders = set()
    for _ in range(6):
        page, token = _form(client)
        orders.add(tuple(_labels(page, "companion")))
        assert _labels(page, "consent") == ["True", "False"]
        _submit(client, {"token": token})
    assert len(orders) > 1


def test_the_review_shows_the_learners_order(client, learner):
    page, token = _form(client)
    shown = _labels(page, "companion")
    _, review = _submit(client, _right_answers(page, token))
    assert "You passed." in review
    listed = re.findall(r"<li(?: class=\"chosen\")?>([^<]+?)\s*<", _section(review, "A companion who answers for her"))
    assert listed == shown


def _right_answers(page, token):
    return {"token": token, "q-companion": _key(page, "Arrange to see her alone"),
            "q-signs": [_key(page, "Someone else holds her passport"), _key(page, "She is never alone")],
            "q-consent": _key(page, "False"), "q-protocol": "Palermo", "q-elements": "3"}


# --- what a review shows, kind by kind ------------------------------------------------------



def _fail(client):
    page, token = _form(client)
    data = {"token": token, "q-companion": _key(page, "Call the police"),
            "q-signs": [_key(page, "She has a mobile phone")], "q-consent": _key(page, "True"),
            "q-protocol": "Geneva", "q-elements": "7",
            _pair(page, "Recruitment"): _key(page, "Means"), _pair(page, "Forced labour"): _key(page, "Purpose")}
    response, review = _submit(client, data)
    assert response.status_code == 302 and "The pass mark is 80%" in review
    return review


def test_after_a_fail_each_kind_shows_only_the_learners_own_answers(client, learner):
    review = _fail(client)
    assert "not the answer key" in review and "Explanation" not in review
    single = _section(review, "A companion who answers for her")
    assert "Call the police straight away." in single and "your choice" in single
    assert "Arrange to see her alone" not in single and "routine care" not in single
    multiple = _section(review, "Signs of control")
    assert "She has a mobile phone." in multiple and "passport" not in multiple and "never alone" not in multiple
    true_false = _section(review, "Consent")
    assert "True" in true_false and "consent is irrelevant" in true_false and "False" not in true_false
    short = _section(review, "The protocol")
    assert "Geneva" in short and "armed conflict" in short and "Palermo" not in short
    numerical = _section(review, "How many elements")
    assert "7" in numerical and "act, means and purpose" not in numerical.lower().replace("match each", "")
    assert "Close." not in numerical and "a right answer" not in numerical


def test_after_a_fail_matching_labels_only_chosen_pairs_and_keeps_their_feedback(client, learner):
    matching = _section(_fail(client), "Match the element")
    lines = {re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li)).strip().split(" → ")[0]: li
             for li in re.findall(r"<li.*?</li>", matching, re.S)}
    assert "your choice" in lines["Recruitment"] and "Means" in lines["Recruitment"]
    assert "a right answer" not in lines["Recruitment"]
    assert "your choice" not in lines["Deception"] and "(no answer)" in lines["Deception"]
    assert "your choice" in lines["Forced labour"] and "a right answer" in lines["Forced labour"]
    assert matching.count("your choice") == 2
    assert "Deception is one of the means listed" not in matching and "The right match" not in matching


def test_after_a_pass_the_review_shows_the_key(client, learner):
    page, token = _form(client)
    _, review = _submit(client, _right_answers(page, token))  # the matching question left blank
    assert "You passed." in review and "not the answer key" not in review
    assert review.count("Explanation") == 6
    assert "Seeing a patient alone is routine care" in review and "a right answer" in review
    matching = _section(review, "Match the element")
    assert "The right match: Means" in matching and "Deception is one of the means listed" in matching
    assert "your choice" not in matching
    assert "Geneva" in _section(review, "The protocol")  # every answer, with its feedback


# --- forms that are not this attempt's ------------------------------------------------------

def _refused(client, count_rows, data, attempts_before=0):
    response = client.post(f"{QUIZ}/quiz", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answers were not recorded" in page and "Nothing was recorded." in page
    assert count_rows(QuizAttempt) == attempts_before
    return page


def test_a_form_from_another_attempt_is_refused(app, client, learner, make_user, count_rows):
    other = app.test_client()
    login(other, make_user())
    _, theirs = _form(other)
    page, mine = _form(client)
    _refused(client, count_rows, {"token": theirs, "q-companion": _key(page, "Call the police")})
    _refused(client, count_rows, {"token": "never-issued-" + "x" * 20})
    assert _form(client)[1] == mine and _form(other)[1] == theirs  # both forms stay open


def test_an_option_from_another_attempts_shuffle_is_refused(client, learner, count_rows):
    earlier, token = _form(client)
    _submit(client, {"token": token})
    page, fresh = _form(client)
    _refused(client, count_rows, {"token": fresh, "q-companion": _key(earlier, "Call the police")}, 1)
    _refused(client, count_rows, {"token": fresh, _pair(earlier, "Recruitment"): _key(page, "Act")}, 1)
    _refused(client, count_rows, {"token": fresh, _pair(page, "Recruitment"): _key(earlier, "Act")}, 1)
    after, token = _form(client)  # the refused form is shown again as it was
    assert token == fresh and _labels(after, "companion") == _labels(page, "companion")
    assert _key(after, "Call the police") == _key(page, "Call the police")


def test_a_question_that_does_not_exist_is_refused(client, learner, count_rows):
    _, token = _form(client)
    _refused(client, count_rows, {"token": token, "q-no-such-question": "x"})


def test_correct_answers_never_reach_the_form(client, learner):
    page, _ = _form(client)
    text = re.sub(r"<[^>]+>", " ", page)
    for hidden in ("routine care", "classic means of control", "consent is irrelevant", "Palermo Protocol of 2000",
                   "act, means and purpose", "Deception is one of the means", "Every adult case needs all three"):
        assert hidden not in text
    assert not re.search(r'value="(alone|police|let-him|passport|true|false|act|means|purpose)"', page)


# --- a quiz that draws from a pool ----------------------------------------------------------

POOL = "draw:\n  questions: 3\n  at_least:\n    control: 1\n"


@pytest.fixture
def pool_learner(app, client, make_user, tmp_path):
    """The example course, its quiz drawing 3 of its 6 questions (always the one tagged control)."""
    from trainer.services import publishing

    folder = tmp_path / "good-course"
    shutil.copytree(GOOD_COURSE, folder)
    quiz = folder / "02-indicators-quiz.md"
    quiz.write_text(quiz.read_text("utf-8").replace("minutes: 10\n", "minutes: 10\n" + POOL), "utf-8")
    with app.app_context():
        result = publishing.import_path(folder)
        assert result.ok, [str(p) for p in result.report.problems]
        db.session.commit()
    user = make_user(sector="health")
    login(client, user)
    return user


QUESTION_IDS = ("companion", "signs", "consent", "protocol", "elements", "match")


def _drawn(page):
    return [q for q in QUESTION_IDS if f'name="q-{q}' in page]


def test_each_attempt_draws_its_questions_and_only_they_count(app, client, pool_learner):
    page, token = _form(client)
    drawn = _drawn(page)
    assert len(drawn) == 3 and "companion" in drawn and "Question 1 of 3" in page
    assert _drawn(_form(client)[0]) == drawn  # a reload: the same draw
    data = {"token": token, "q-companion": _key(page, "Arrange to see her alone")}
    if "signs" in drawn:
        data["q-signs"] = [_key(page, "Someone else holds her passport"), _key(page, "She is never alone")]
    if "consent" in drawn:
        data["q-consent"] = _key(page, "False")
    data.update({f"q-{q}": a for q, a in (("protocol", "Palermo"), ("elements", "3")) if q in drawn})
    if "match" in drawn:
        data.update({_pair(page, left): _key(page, right)
                     for left, right in (("Recruitment", "Act"), ("Deception", "Means"), ("Forced labour", "Purpose"))})
    _, review = _submit(client, data)
    assert "You scored 100%" in review and review.count('class="question-review"') == 3
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt))
        assert attempt.questions == drawn and set(attempt.results) == set(drawn) and attempt.passed
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizDraw)) == 0


def test_retakes_draw_again(client, pool_learner):
    draws = set()
    for _ in range(8):
        page, token = _form(client)
        draws.add(tuple(_drawn(page)))
        _submit(client, {"token": token})
    assert len(draws) > 1 and all("companion" in d and len(d) == 3 for d in draws)


def test_a_question_that_was_not_drawn_is_refused(client, pool_learner, count_rows):
    page, token = _form(client)
    missing = next(q for q in ("protocol", "elements") if q not in _drawn(page)) \
        if not {"protocol", "elements"} <= set(_drawn(page)) else None
    if missing is None:  # both drawn: then signs or consent was not
        missing = next(q for q in ("signs", "consent") if q not in _drawn(page))
    response = client.post(f"{QUIZ}/quiz", data={"token": token, "unanswered": "submit", f"q-{missing}": "3"})
    assert response.status_code == 400 and "Nothing was recorded." in response.get_data(as_text=True)
    assert count_rows(QuizAttempt) == 0

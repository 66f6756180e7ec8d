"""The wellbeing self-check is private: only its author can read or delete it."""
from __future__ import annotations

import pytest

from tests.conftest import login
from trainer.models import WellbeingCheck

ANSWERS = {"intrusion": "3", "on-edge": "2", "withdrawn": "0", "difference": "3", "someone": "0", "rest": "1"}


@pytest.fixture
def author(client, make_user):
    user = make_user()
    login(client, user)
    return user


def _record(client, **extra):
    return client.post("/wellbeing", data={**ANSWERS, "note": "A hard disclosure on Tuesday.", **extra})


def test_a_check_is_kept_and_reflected_back_without_a_score(client, author, count_rows):
    page = client.get("/wellbeing").get_data(as_text=True)
    assert "Only you can see your answers" in page and "shared or monitored device" in page
    response = _record(client)
    assert response.status_code == 302 and count_rows(WellbeingCheck) == 1
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A hard disclosure on Tuesday." in result and "Worth a moment" in result
    assert "Support, whatever your answers" in result
    assert "score" not in result.lower()


def test_support_is_shown_whatever_the_answers(client, author):
    calm = {"intrusion": "0", "on-edge": "0", "withdrawn": "0", "difference": "3", "someone": "3", "rest": "3"}
    response = client.post("/wellbeing", data=calm)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Worth a moment" not in result and "Support, whatever your answers" in result


@pytest.mark.parametrize("roles", [("learner",), ("trainer",), ("admin",)])
def test_nobody_else_can_read_or_delete_it(app, client, author, make_user, count_rows, roles):
    url = _record(client).headers["Location"]
    other = app.test_client()
    login(other, make_user(roles=roles))
    assert other.get(url).status_code == 404
    assert other.post(url + "/delete").status_code == 404
    other.post("/wellbeing/delete-all")
    assert count_rows(WellbeingCheck) == 1
    assert "A hard disclosure" not in other.get("/wellbeing").get_data(as_text=True)


def test_the_author_deletes_one_or_all(client, author, count_rows):
    url = _record(client).headers["Location"]
    _record(client)
    client.post(url + "/delete")
    assert count_rows(WellbeingCheck) == 1
    client.post("/wellbeing/delete-all")
    assert count_rows(WellbeingCheck) == 0


@pytest.mark.parametrize("extra", [{"intrusion": "7"}, {"rest": "a lot"}, {"note": "x" * 2001}])
def test_bad_input_is_refused_and_nothing_written(client, author, count_rows, extra):
    assert _record(client, **extra).status_code == 400
    assert count_rows(WellbeingCheck) == 0

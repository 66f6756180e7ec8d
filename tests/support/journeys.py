"""Steps a learner takes, shared by tests that need a completed course."""
from __future__ import annotations

import re

LESSON = "/courses/core/what-it-is"
QUIZ = "/courses/core/indicators-quiz"
SCENARIO = "/courses/core/ed-night-shift"


def key_for(page: str, option_text: str) -> str:
    """The opaque form value of the option labelled `option_text`."""
    return re.search(r'value="([0-9a-f]{16})"(?: required)?>\s*<label for="[^"]+">' + re.escape(option_text),
                     page).group(1)


def complete_example_course(client) -> None:
    """Finish every module of the example course, passing its quiz."""
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "read"})
    client.post(f"{LESSON}/complete")
    run = client.post(f"{SCENARIO}/runs").headers["Location"]
    for node, text in (("start", "Ask the boyfriend"), ("alone", "Ask open questions")):
        client.post(run, data={"node": node, "choice": key_for(client.get(run).get_data(as_text=True), text)})
    page = client.get(QUIZ).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    client.post(f"{QUIZ}/quiz", data={
        "token": token, "unanswered": "submit", "q-companion": key_for(page, "Arrange to see her alone"),
        "q-signs": [key_for(page, "Someone else holds her passport"), key_for(page, "She is never alone")],
        "q-consent": key_for(page, "False"), "q-protocol": "palermo", "q-elements": "3"})


def assign_past_due(app, client, cohort_id: int, due_on, **fields) -> None:
    """Assign through the page with a date to come, then move the date into the past, as time
    would: the page refuses a due date that has passed."""
    from datetime import date, timedelta

    import sqlalchemy as sa

    from trainer.extensions import db
    from trainer.models import Assignment

    response = client.post(f"/cohorts/{cohort_id}/assignments",
                           data={**fields, "due_on": (date.today() + timedelta(days=365)).isoformat()})
    assert response.status_code == 302
    with app.app_context():
        newest = db.session.scalar(sa.select(Assignment).where(Assignment.cohort_id == cohort_id)
                                   .order_by(Assignment.id.desc()))
        newest.due_on = due_on
        db.session.commit()

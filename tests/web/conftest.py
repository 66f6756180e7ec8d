"""Signed-in people for the web tests: each fixture makes an account, signs it in on `client` and
returns it (id, email, password, name)."""
from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.fixture
def learner(client, make_user, published_course):
    """A health professional (emergency care), with the example course published."""
    user = make_user(sector="health", specialty="emergency")
    login(client, user)
    return user


@pytest.fixture
def trainer(client, make_user, published_course):
    """A trainer, with the example course published to assign."""
    # In UTC: a due date is refused when it has passed in the trainer's own day, and the tests write
    # due dates from the machine's date (UTC), which is a day behind Amsterdam after 23:00 UTC.
    user = make_user(roles=("trainer",), name="Tamsin Trainer", timezone="UTC")
    login(client, user)
    return user


@pytest.fixture
def admin(client, make_user):
    user = make_user(roles=("admin",))
    login(client, user)
    return user


@pytest.fixture
def case_course(app, tmp_path):
    """The small case of tests/support/case_sample.py, published in the course "wrap"."""
    from tests.support.case_sample import write_course
    from trainer.extensions import db
    from trainer.services import publishing

    with app.app_context():
        result = publishing.import_path(write_course(tmp_path))
        assert result.ok, [str(p) for p in result.report.problems]
        db.session.commit()
    return "wrap"

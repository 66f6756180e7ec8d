"""Command-line tools an operator uses on a new installation."""
from __future__ import annotations

from trainer.models import User
from trainer.services.demo import DEMO_ACCOUNTS


def test_users_create_makes_the_first_admin(runner, get_user):
    result = runner.invoke(args=["users", "create", "--email", "first@example.org", "--name", "First Admin",
                                 "--role", "admin", "--password", "lantern-harbour-meadow-3"])
    assert result.exit_code == 0, result.output
    assert "Created first@example.org with roles: admin, learner" in result.output
    assert get_user("first@example.org").role_names == {"admin", "learner"}


def test_users_create_refuses_a_weak_password_and_writes_nothing(runner, count_rows):
    result = runner.invoke(args=["users", "create", "--email", "first@example.org", "--name", "A",
                                 "--password", "password"])
    assert result.exit_code == 1
    assert "password: Use at least 10 characters." in result.output
    assert count_rows(User) == 0


def test_demo_seed_is_idempotent_and_prints_sign_ins(runner, count_rows):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0 and second.exit_code == 0
    for account in DEMO_ACCOUNTS:
        assert account.email in first.output and account.password in first.output
    assert "(exists)" in second.output and count_rows(User) == 3

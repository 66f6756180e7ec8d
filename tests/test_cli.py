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


def test_referrals_stale_lists_entries_due_for_checking_for_a_scheduler(app, runner, monkeypatch):
    from datetime import datetime, timedelta, timezone

    from trainer.extensions import db
    from trainer.models import Referral

    assert runner.invoke(args=["referrals", "stale"]).exit_code == 0  # an empty directory
    monkeypatch.setitem(app.config, "REFERRAL_CHECK_MAX_AGE_DAYS", 30)
    today = datetime.now(timezone.utc).date()
    with app.app_context():
        db.session.add_all([
            Referral(country="NL", name="CoMensha", phone="033 448 11 86", checked=today - timedelta(days=30),
                     source="https://www.comensha.nl/"),
            Referral(country="GB", name="Samaritans", phone="116 123", checked=today - timedelta(days=29),
                     source="https://www.samaritans.org/")])
        db.session.commit()
    result = runner.invoke(args=["referrals", "stale"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "1 directory entry is due for checking (not checked for 30 days or more):",
        f"  CoMensha (NL): last checked {(today - timedelta(days=30)).isoformat()}, "
        "source https://www.comensha.nl/"]
    monkeypatch.setitem(app.config, "REFERRAL_CHECK_MAX_AGE_DAYS", 31)
    result = runner.invoke(args=["referrals", "stale"])
    assert result.exit_code == 0 and result.output == "No directory entries are due for checking.\n"

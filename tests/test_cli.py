"""Command-line tools an operator uses on a new installation."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from trainer.models import Organisation, OrganisationMember, User
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
    assert "(exists)" in second.output and count_rows(User) == len(DEMO_ACCOUNTS) == 4
    # The trainer and the coordinator belong to the demo organisation, which the coordinator administers.
    assert count_rows(Organisation) == 1 and count_rows(OrganisationMember) == 2


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_demo_seed_refuses_outside_development_and_testing(app, runner, count_rows, monkeypatch, environment):
    monkeypatch.setitem(app.config, "ENV", environment)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 1
    assert f"Demo accounts have published passwords, so they are never made in {environment}." in result.output
    assert "TRAINER_ENV=development" in result.output
    assert not any(account.password in result.output for account in DEMO_ACCOUNTS)
    assert count_rows(User) == 0


def test_demo_seed_runs_in_development(app, runner, count_rows, monkeypatch):
    monkeypatch.setitem(app.config, "ENV", "development")
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0 and count_rows(User) == len(DEMO_ACCOUNTS)


def test_demo_seed_refuses_when_trainer_env_is_not_set(tmp_path):
    """The real command, as an operator would type it on a server: no TRAINER_ENV is production."""
    root = Path(__file__).resolve().parent.parent
    env = {key: value for key, value in os.environ.items() if key not in {"TRAINER_ENV", "DATABASE_URL"}}
    env.update(SECRET_KEY="x" * 64, DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite'}")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "demo", "seed"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "never made in production" in result.stderr


def test_referrals_stale_lists_entries_due_for_checking_for_a_scheduler(app, runner, monkeypatch):
    from datetime import datetime, timedelta

    from trainer.extensions import db
    from trainer.models import Referral

    assert runner.invoke(args=["referrals", "stale"]).exit_code == 0  # an empty directory
    monkeypatch.setitem(app.config, "REFERRAL_CHECK_MAX_AGE_DAYS", 30)
    today = datetime.now(UTC).date()
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

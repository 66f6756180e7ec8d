"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from contextlib import contextmanager

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from trainer.extensions import db


def _scratch_app(database_urls, tmp_path):
    """An app on a database of the test's own on SQLite; on PostgreSQL, the shared unit database
    (which may be at any revision: each test migrates it where it needs it, and back)."""
    from tests.conftest import build_app

    url = database_urls["unit"]
    return build_app(f"sqlite:///{tmp_path / 'migrations.sqlite'}" if url.startswith("sqlite") else url)


@contextmanager
def _rows_at(revision: str, tables: tuple[str, ...]):
    """In an app context: the database at ``revision`` for the rows a test puts in; afterwards
    those tables emptied, then migrated to the head again for the tests that follow."""
    import flask_migrate
    import sqlalchemy as sa

    flask_migrate.upgrade()  # a shared PostgreSQL database may be at any revision
    flask_migrate.downgrade(revision=revision)
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(sa.text(f"DELETE FROM {table}"))
        flask_migrate.upgrade()


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_and_upgrade_again(database_urls, tmp_path):
    import flask_migrate

    app = _scratch_app(database_urls, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        tables = set(db.inspect(db.engine).get_table_names())
    assert {"users", "user_roles", "pending_mail"} <= tables


def test_consent_migration_keeps_members_and_records_owners(database_urls, tmp_path):
    """0015 adds columns without copying `cohorts` (on SQLite a copy would cascade-delete every
    member); an existing cohort with one trainer gets that trainer as owner, with several none."""
    import flask_migrate
    import sqlalchemy as sa

    app = _scratch_app(database_urls, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()  # a shared PostgreSQL database may be at any revision: start from 0013
        flask_migrate.downgrade(revision="0013")
        with db.engine.begin() as conn:
            for i in (1, 2, 3):
                conn.execute(sa.text("INSERT INTO users (id, email, password_hash, name, organisation, sector, "
                                     "is_resident, timezone, active, session_version, created_at) VALUES "
                                     f"({i}, 'u{i}@example.org', '-', 'U{i}', '', 'police', false, 'UTC', true, 0, "
                                     "'2026-01-01 00:00:00')"))
            for cohort_id in (1, 2):
                conn.execute(sa.text("INSERT INTO cohorts (id, name, organisation, archived, join_code, join_enabled, "
                                     f"created_at) VALUES ({cohort_id}, 'C', '', false, 'code{cohort_id}', false, "
                                     "'2026-01-01 00:00:00')"))
            conn.execute(sa.text("INSERT INTO cohort_trainers (cohort_id, user_id) VALUES (1, 1), (2, 1), (2, 2)"))
            conn.execute(sa.text("INSERT INTO cohort_members (cohort_id, user_id, joined_at) "
                                 "VALUES (1, 3, '2026-01-01 00:00:00'), (2, 3, '2026-01-01 00:00:00')"))
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM cohort_members")).scalar() == 2
            owners = conn.execute(sa.text("SELECT cohort_id, user_id FROM cohort_trainers WHERE owner "
                                          "ORDER BY cohort_id")).all()
        assert [tuple(row) for row in owners] == [(1, 1)]
        flask_migrate.downgrade(revision="base")  # leave an empty, current schema behind
        flask_migrate.upgrade()


def _insert(connection, table_name: str, **values) -> int:
    """A row in the table as the schema stands, with plain values in every other required column."""
    import datetime

    import sqlalchemy as sa

    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        values[column.name] = {str: "x", int: 0, float: 0.0, bool: False, bytes: b"", dict: {}, list: [],
                               datetime.datetime: datetime.datetime(2026, 1, 1),
                               datetime.date: datetime.date(2026, 1, 1)}[column.type.python_type]
    return connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def test_upgrading_drops_recorded_names_and_withdraws_the_certificates_of_deleted_accounts(database_urls, tmp_path):
    """Names already in the audit log and certificates of accounts deleted before 0017 are minimised too."""
    import json

    import flask_migrate
    import sqlalchemy as sa

    app = _scratch_app(database_urls, tmp_path)
    with app.app_context(), _rows_at("0013", ("audit_events", "certificates", "courses", "users")):
        with db.engine.begin() as conn:
            user = _insert(conn, "users", email="alex@example.org", name="Alex Admin", sector="police")
            course = _insert(conn, "courses", slug="core")
            gone = _insert(conn, "certificates", code="GONE", user_id=None, course_id=course,
                           completion_key="7:1:x", name="Ana Ortiz", sector="health", pdf=b"%PDF",
                           revoked_reason="")
            kept = _insert(conn, "certificates", code="KEPT", user_id=user, course_id=course,
                           completion_key="8:1:x", name="Bo Berg", sector="police", revoked_reason="")
            for actor_id, actor_name, target, details in [
                    (user, "Alex Admin", "certificate GONE", {"reason": "Ana Ortiz shared answers"}),
                    (user, "Alex Admin", "certificate KEPT", {"reason": "issued in error"}),
                    (None, "Removed Person", "user 7", {"roles": ["trainer"]}),
                    (None, "system", "user 7", {})]:
                _insert(conn, "audit_events", actor_id=actor_id, actor_name=actor_name, action="a",
                        target=target, details=details)
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            events = conn.execute(sa.text("SELECT actor, target, details FROM audit_events ORDER BY id")).all()
            certificates = {row.code: row for row in conn.execute(sa.text(
                "SELECT code, user_id, name, sector, pdf, revoked_at, completion_key FROM certificates"))}
        details = [d if isinstance(d, dict) else json.loads(d) for _, _, d in events]
        assert [(a, t) for a, t, _ in events] == [
            (f"user {user}", f"certificate {gone}"), (f"user {user}", f"certificate {kept}"),
            ("removed account", "user 7"), ("system", "user 7")]
        assert details == [{}, {"reason": "issued in error"}, {"roles": ["trainer"]}, {}]
        withdrawn = certificates["GONE"]
        assert (withdrawn.name, withdrawn.sector, withdrawn.pdf) == ("", "", None)
        assert withdrawn.revoked_at is not None and withdrawn.completion_key == f"withdrawn:{gone}"
        assert (certificates["KEPT"].name, certificates["KEPT"].revoked_at) == ("Bo Berg", None)


def test_audit_log_is_indexed_for_erasing_an_account(app):
    """Erasing an account finds the audit entries by actor (the foreign key's SET NULL) and by
    target; without these indexes both read the whole log (see bench/scale.py)."""
    with app.app_context():
        indexes = {tuple(index["column_names"]) for index in db.inspect(db.engine).get_indexes("audit_events")}
    assert {("actor_id",), ("target",)} <= indexes


def test_learners_a_learning_system_put_in_a_cohort_are_invited_instead(database_urls, tmp_path):
    """0035: a learner an LTI launch made a member without asking is invited instead; one who
    accepted an invitation or joined by link, or who came another way, stays a member."""
    import flask_migrate
    import sqlalchemy as sa

    app = _scratch_app(database_urls, tmp_path)
    tables = ("audit_events", "cohort_invitations", "cohort_members", "lti_accounts", "lti_contexts", "lti_platforms",
              "cohorts", "users")
    with app.app_context(), _rows_at("0034", tables):
        with db.engine.begin() as conn:
            launched, accepted, linked, listed = (
                _insert(conn, "users", email=f"{who}@example.org", name=who.title(), sector="health")
                for who in ("launched", "accepted", "linked", "listed"))
            cohort = _insert(conn, "cohorts", name="Safeguarding 101", organisation="", join_code="lti-code")
            platform = _insert(conn, "lti_platforms", name="Hospital LMS", issuer="https://lms.example",
                               client_id="tool", deployment_ids="[]")
            _insert(conn, "lti_contexts", platform_id=platform, context_id="course-101", cohort_id=cohort)
            for user in (launched, accepted, linked, listed):
                if user != listed:
                    _insert(conn, "lti_accounts", platform_id=platform, subject=f"sub-{user}", user_id=user)
                conn.execute(sa.text(f"INSERT INTO cohort_members (cohort_id, user_id, joined_at) "
                                     f"VALUES ({cohort}, {user}, '2026-12-01 00:00:00')"))
            _insert(conn, "cohort_invitations", cohort_id=cohort, email="accepted@example.org", name="Accepted",
                    accepted_at=sa.func.now())
            _insert(conn, "cohort_invitations", cohort_id=cohort, email="listed@example.org", name="Listed",
                    accepted_at=sa.func.now())
            _insert(conn, "audit_events", actor_id=linked, actor="user", action="cohort-joined-by-link",
                    target=f"cohort {cohort}", details={})
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            kept = set(conn.execute(sa.text("SELECT user_id FROM cohort_members")).scalars())
            asked = conn.execute(sa.text("SELECT email, name, accepted_at, declined_at FROM cohort_invitations "
                                         "WHERE email = 'launched@example.org'")).all()
        assert kept == {accepted, linked, listed}
        assert [tuple(row) for row in asked] == [("launched@example.org", "Launched", None, None)]

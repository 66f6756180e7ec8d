"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from trainer.extensions import db


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_and_upgrade_again(database_urls, tmp_path):
    import flask_migrate

    from tests.conftest import build_app

    url = database_urls["unit"]
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"
    app = build_app(url)
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

    from tests.conftest import build_app

    url = database_urls["unit"]
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'consent.sqlite'}"
    app = build_app(url)
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

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

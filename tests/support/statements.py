"""Counting the SQL statements a piece of work sends, for tests that hold a page to a fixed number."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def recorded_statements(engine):
    """Yields a list that collects every statement sent on the engine while the block runs."""
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)

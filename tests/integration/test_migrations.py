"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mailbot.adapters.db import Database
from mailbot.adapters.db_tables import Base


def test_upgrade_head_matches_the_models(db_url):
    db = Database(db_url)
    db.upgrade()
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert diff == [], f"migrations and models disagree: {diff}"


def test_upgrade_is_idempotent_and_creates_every_table(db_url):
    db = Database(db_url)
    db.upgrade()
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    db.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables

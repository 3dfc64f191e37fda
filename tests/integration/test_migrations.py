"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mailbot.adapters.db import Database
from mailbot.adapters.db_tables import Base, declared_for


def test_upgrade_head_matches_the_models(db_url):
    db = Database(db_url)
    db.upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": declared_for(connection.dialect.name)})
        diff = compare_metadata(context, Base.metadata)
    db.dispose()
    assert diff == [], f"migrations and models disagree: {diff}"


def test_postgresql_has_the_trigram_search_index_and_sqlite_does_not(db_url):
    db = Database(db_url)
    db.upgrade()
    names = {ix["name"] for ix in inspect(db.engine).get_indexes("messages")}
    dialect = db.engine.dialect.name
    db.dispose()
    assert ("ix_messages_search_trgm" in names) == (dialect == "postgresql")


def test_upgrade_is_idempotent_and_creates_every_table(db_url):
    db = Database(db_url)
    db.upgrade()
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    db.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables

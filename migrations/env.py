"""Alembic environment: the URL comes from mailbot's settings, or from the caller's connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mailbot.adapters.db_tables import Base, declared_for

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("connection_url")
    if url:
        return url
    from mailbot.settings import load_settings

    return load_settings().database_url


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True,
        include_object=declared_for(create_engine(url).dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True,
            include_object=declared_for(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url())
    with engine.connect() as conn:
        context.configure(
            connection=conn, target_metadata=target_metadata, render_as_batch=True,
            include_object=declared_for(conn.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""trigram index for the staff log's search (PostgreSQL only)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 17:40:00

`search_text LIKE '%word%'` walks the received-time index until it has a page of matches: instant for
common words, a full read for a word few messages contain (benchmarks/staff_pages.py: 0.57 s on
PostgreSQL at 1,000,000 messages). pg_trgm's GIN index answers such a LIKE directly. pg_trgm is a
trusted extension (PostgreSQL >= 13): the database owner may create it. SQLite keeps the scan.
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_messages_search_trgm ON messages USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_messages_search_trgm")

"""submissions and notices

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:20:09.727059
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('report_id', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('first_message_id', sa.Integer(), nullable=False),
    sa.Column('latest_message_id', sa.Integer(), nullable=False),
    sa.Column('first_received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('latest_received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('late_seconds', sa.BigInteger(), nullable=True),
    sa.Column('revisions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('unit_id', 'report_id', 'period', name='uq_submissions_unit_report_period')
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('period', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('submission_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_messages_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_submission_id'), ['submission_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_messages_submission_id_submissions'), 'submissions', ['submission_id'], ['id'])

    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_key', sa.String(length=200), nullable=True))
        batch_op.alter_column('message_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_replies_message_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_replies_message_id'), ['message_id'], unique=False)
        batch_op.create_unique_constraint('uq_replies_message_kind', ['message_id', 'kind'])
        batch_op.create_unique_constraint(batch_op.f('uq_replies_notice_key'), ['notice_key'])




def downgrade() -> None:

    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_replies_notice_key'), type_='unique')
        batch_op.drop_constraint('uq_replies_message_kind', type_='unique')
        batch_op.drop_index(batch_op.f('ix_replies_message_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_replies_message_id'), ['message_id'])
        batch_op.alter_column('message_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('notice_key')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_messages_submission_id_submissions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_messages_submission_id'))
        batch_op.drop_index(batch_op.f('ix_messages_report_id'))
        batch_op.drop_column('revision')
        batch_op.drop_column('submission_id')
        batch_op.drop_column('period')
        batch_op.drop_column('report_id')

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_unit_id'))

    op.drop_table('submissions')


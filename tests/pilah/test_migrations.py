"""Migrations are the only way the schema changes: they must build exactly the ORM's schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from pilah import migrate
from pilah.schema import Base


def test_upgrade_from_empty_reaches_head(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    assert set(Base.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_downgrade_to_base_removes_every_table(engine: Engine) -> None:
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_upgrade_after_downgrade_is_repeatable(engine: Engine) -> None:
    migrate.downgrade(engine, "base")
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_schema_made_by_migrations_equals_orm_metadata(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []

"""Migrations are the only way the schema changes: they must build exactly the ORM's schema."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

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


def test_stored_sms_ids_gain_their_receiving_time(engine: Engine) -> None:
    """Ids stored before 0008 take the form the importer now writes, so reading an old export again adds nothing."""
    migrate.downgrade(engine, "0007")
    received = datetime(2026, 11, 20, 1, 15, 33, tzinfo=UTC)
    stored = [
        ("lamsel-sms1:101", "sms", received),
        ("lamsel-sms1:101#pisah-1", "sms", received),
        ("101", "twitter", received),
        ("webhook:abc@gw1", "sms", received),
        ("lamsel-sms1:5", "sms", received),
        ("lamsel-sms1:5@20261202T030000Z", "sms", received.replace(day=22)),
    ]
    with engine.begin() as connection:
        payload = connection.execute(text(
            "INSERT INTO channel_payloads (channel, endpoint, parameters, collector_version, retrieved_at, sha256, "
            "body) VALUES ('sms', 'file', '{}', 't', :at, 'x', :body) RETURNING id"),
            {"at": received, "body": b""}).scalar()
        for source_id, channel, at in stored:
            connection.execute(text(
                "INSERT INTO posts (channel, source_id, payload_id, text, created_at, ingested_at) "
                "VALUES (:channel, :source_id, :payload, 'jalan rusak', :at, :at)"),
                {"channel": channel, "source_id": source_id, "payload": payload, "at": at})
    migrate.upgrade(engine)
    assert _source_ids(engine) == [
        "101", "lamsel-sms1:101@20261120T011533Z", "lamsel-sms1:101@20261120T011533Z#pisah-1",
        "lamsel-sms1:5@20261120T011533Z", "lamsel-sms1:5@20261202T030000Z", "webhook:abc@gw1@20261120T011533Z"]
    migrate.downgrade(engine, "0007")
    # The second message 5 (the gateway numbered again from 1) keeps its time: two ids "lamsel-sms1:5" cannot be.
    assert _source_ids(engine) == ["101", "lamsel-sms1:101", "lamsel-sms1:101#pisah-1", "lamsel-sms1:5",
                                   "lamsel-sms1:5@20261202T030000Z", "webhook:abc@gw1"]


def test_labels_gain_a_taxonomy_version_that_old_labels_leave_empty(engine: Engine) -> None:
    """Nothing says which taxonomy a label stored before 0009 was written under: NULL, never a guess."""
    migrate.downgrade(engine, "0008")
    assert "taxonomy_version" not in _label_columns(engine)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO labels (text, category, source, labeller, created_at) "
            "VALUES ('elpiji 3 kg langka', 'sosial', 'verifikasi', 'ani', :at)"), {"at": datetime(2026, 11, 2)})
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT category, taxonomy_version FROM labels")).all() == [("sosial", None)]
    migrate.downgrade(engine, "0008")
    assert "taxonomy_version" not in _label_columns(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT category FROM labels")).scalars().all() == ["sosial"]


def _label_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("labels")}


def _source_ids(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(text("SELECT source_id FROM posts")).scalars())

"""The one ingest path: raw first, idempotent, checkpoint with the posts, quarantine with a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ingest.records import CheckpointAdvance, ParsedPage, PostRecord, Provenance, Rejected
from ingest.store import ingest_page
from ingest.twitter.payload import parse_page
from pilah.queries.channel import get_checkpoint
from pilah.schema import ChannelPayload, Post, QuarantinedItem

RETRIEVED = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def _counts(session: Session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(t)) for t in (ChannelPayload, Post, QuarantinedItem))


def _ingest(factory: sessionmaker[Session], body: bytes, checkpoint: CheckpointAdvance | None = None):
    provenance = Provenance("twitter", "GET /2/users/:id/mentions", RETRIEVED, {"max_results": 100})
    with factory() as session, session.begin():
        return ingest_page(session, body, provenance, parse_page, checkpoint)


def test_raw_payload_is_kept_byte_for_byte(factory: sessionmaker[Session], fixtures_dir: Path) -> None:
    body = (fixtures_dir / "twitter/mentions_page.json").read_bytes()
    _ingest(factory, body)
    with factory() as session:
        stored = session.scalars(select(ChannelPayload)).one()
    assert stored.body == body
    assert stored.parameters == {"max_results": 100} and stored.retrieved_at == RETRIEVED


def test_ingesting_the_same_page_twice_changes_nothing(factory: sessionmaker[Session], fixtures_dir: Path) -> None:
    body = (fixtures_dir / "twitter/mentions_page_malformed_items.json").read_bytes()
    first = _ingest(factory, body)
    with factory() as session:
        before = _counts(session)
    second = _ingest(factory, body)
    with factory() as session:
        assert _counts(session) == before == (1, 1, 3)
    assert (first.new, first.quarantined) == (1, 3)
    assert (second.new, second.duplicates) == (0, 1)


def test_unreadable_payload_is_stored_and_quarantined(factory: sessionmaker[Session], fixtures_dir: Path) -> None:
    outcome = _ingest(factory, (fixtures_dir / "twitter/truncated_page.json").read_bytes())
    with factory() as session:
        item = session.scalars(select(QuarantinedItem)).one()
        assert _counts(session) == (1, 0, 1)
    assert outcome.quarantined == 1 and item.reason_code == "unreadable_payload" and item.locator == "payload"


def test_checkpoint_moves_in_the_same_transaction(factory: sessionmaker[Session], fixtures_dir: Path) -> None:
    body = (fixtures_dir / "twitter/mentions_page.json").read_bytes()
    _ingest(factory, body, CheckpointAdvance("twitter:mentions", "pemkablamsel", "1991000000000000003"))
    with factory() as session:
        assert get_checkpoint(session, "twitter:mentions", "pemkablamsel") == "1991000000000000003"


def test_failure_mid_page_leaves_neither_posts_nor_checkpoint(factory: sessionmaker[Session],
                                                               fixtures_dir: Path) -> None:
    body = (fixtures_dir / "twitter/mentions_page.json").read_bytes()
    provenance = Provenance("twitter", "GET /2/users/:id/mentions", RETRIEVED)
    try:
        with factory() as session, session.begin():
            ingest_page(session, body, provenance, parse_page, CheckpointAdvance("twitter:mentions", "x", "1"))
            raise RuntimeError("collector killed before commit")
    except RuntimeError:
        pass
    with factory() as session:
        assert _counts(session) == (0, 0, 0)
        assert get_checkpoint(session, "twitter:mentions", "x") is None


def test_posts_are_stored_exactly_as_an_orm_insert_stores_them(factory: sessionmaker[Session],
                                                                fixtures_dir: Path) -> None:
    """The store writes posts below the ORM for speed; the values read back, typed and raw, must not differ."""
    _ingest(factory, (fixtures_dir / "twitter/mentions_page.json").read_bytes())
    with factory() as session, session.begin():
        stored = session.scalars(select(Post).order_by(Post.id)).first()
        twin = Post(**{column.name: getattr(stored, column.name) for column in Post.__table__.c
                       if column.name not in ("id", "source_id")}, source_id="twin")
        session.add(twin)
    with factory() as session:
        fast, orm = (session.scalars(select(Post).where(Post.source_id == source_id)).one()
                     for source_id in (stored.source_id, "twin"))
        columns = [column.name for column in Post.__table__.c if column.name not in ("id", "source_id")]
        assert [getattr(fast, name) for name in columns] == [getattr(orm, name) for name in columns]
        assert fast.created_at.tzinfo is not None and fast.payload_id is not None and fast.text
        raw = session.connection().exec_driver_sql(
            "SELECT created_at, ingested_at FROM posts WHERE source_id IN (?, ?) ORDER BY id"
            if session.get_bind().dialect.name == "sqlite" else
            "SELECT created_at, ingested_at FROM posts WHERE source_id IN (%s, %s) ORDER BY id",
            (stored.source_id, "twin")).all()
        assert raw[0] == raw[1]


def _rows_parser(records: list[PostRecord], rejected: list[Rejected] | None = None):
    return lambda body: ParsedPage(posts=list(records), rejected=list(rejected or []))


def test_values_a_database_refuses_are_made_storable_not_a_failed_page(factory: sessionmaker[Session]) -> None:
    """A NUL, half an emoji or a long display name used to roll back the page, payload and all."""
    when = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    records = [
        PostRecord("sms:1", "jalan rusak\x00 di natar", when),
        PostRecord("fb:2", "banjir lagi \ud83d di kalianda", when, author_name="Budi \ud83d"),
        PostRecord("csv:3", "sampah numpuk", when, author_name="W" * 250, url="https://x.id/" + "a" * 600),
        PostRecord("csv:" + "9" * 120, "id terlalu panjang", when),
    ]
    broken = Rejected("row 5\x00", "malformed_row", "kolom isi kosong \ud83d", "{\"isi\": \"\x00\"}")
    provenance = Provenance("files", "file:rekap.csv", RETRIEVED, {})
    with factory() as session, session.begin():
        outcome = ingest_page(session, b"raw bytes", provenance, _rows_parser(records, [broken]),
                              CheckpointAdvance("import:csv", "/data/" + "x" * 300 + ".csv", "c" * 900))
    assert (outcome.new, outcome.quarantined) == (3, 2)
    with factory() as session:
        posts = {p.source_id: p for p in session.scalars(select(Post))}
        assert posts["sms:1"].text == "jalan rusak di natar"
        assert posts["fb:2"].text == "banjir lagi \ufffd di kalianda" and posts["fb:2"].author_name == "Budi \ufffd"
        assert len(posts["csv:3"].author_name) == 200 and posts["csv:3"].url is None
        reasons = sorted(session.scalars(select(QuarantinedItem.reason_code)))
        assert reasons == ["field_too_long", "malformed_row"]
        assert get_checkpoint(session, "import:csv", "/data/" + "x" * 300 + ".csv") == "c" * 900

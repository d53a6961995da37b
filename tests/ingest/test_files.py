"""File imports through the one path, in each supported format."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import SourceUnreadable, UnknownFormat
from ingest.files import import_file
from pilah.queries.channel import quarantined_with_source
from pilah.queries.reports import count_quarantine
from pilah.schema import Post, QuarantinedItem

WIB = ZoneInfo("Asia/Jakarta")


def test_sms_import_keeps_good_rows_and_quarantines_bad_ones(factory: sessionmaker[Session],
                                                             fixtures_dir: Path) -> None:
    outcome = import_file(factory, fixtures_dir / "sms/inbox.csv", "sms-csv", WIB)
    assert (outcome.new, outcome.quarantined) == (3, 2)
    with factory() as session:
        reasons = session.scalars(select(QuarantinedItem.reason).order_by(QuarantinedItem.locator)).all()
    assert reasons == ["kolom ID kosong / column ID is empty",
                       "waktu 'kemarin sore' tidak terbaca (contoh 2026-11-20 08:00 atau 20/11/2026 08:00) / "
                       "unreadable time"]


INBOX_HEADER = "ID,ReceivingDateTime,SenderNumber,TextDecoded,RecipientID\n"


def test_a_gateway_numbering_again_from_1_loses_no_message(factory: sessionmaker[Session], tmp_path: Path) -> None:
    """The office emptied Gammu's inbox table and its ID counter started again: message 1 of December
    is not message 1 of November, while reading either export again adds nothing."""
    november, december = tmp_path / "inbox-november.csv", tmp_path / "inbox-desember.csv"
    november.write_text(INBOX_HEADER + "1,2026-11-20 08:00:00,+6281200000001,jalan natar rusak,lamsel-sms1\n")
    december.write_text(INBOX_HEADER + "1,2026-12-02 10:30:00,+6281200000002,bpnt blm cair,lamsel-sms1\n")
    outcomes = [import_file(factory, path, "sms-csv", WIB).new for path in (november, december, november, december)]
    with factory() as session:
        stored = session.scalars(select(Post.text).order_by(Post.created_at)).all()
    assert (outcomes, stored) == ([1, 1, 0, 0], ["jalan natar rusak", "bpnt blm cair"])


def test_an_export_imported_again_with_a_corrected_map_takes_in_the_rows_it_now_reads(
        factory: sessionmaker[Session], tmp_path: Path) -> None:
    """The same bytes read with other options are read again, not counted as already stored: the row
    the wrong map quarantined becomes a post and leaves the quarantine, the row still unreadable keeps
    it, with this read's reason."""
    export = tmp_path / "rekap.csv"
    export.write_text("no,isi,tanggal\n1,jalan rusak di natar,2026-11-20 08:00\n2,sampah numpuk,kemarin\n")
    wrong = import_file(factory, export, "csv", WIB, {"text": "isi", "created_at": "no"})
    right = {"text": "isi", "created_at": "tanggal"}
    corrected, again = (import_file(factory, export, "csv", WIB, right) for _ in range(2))
    assert [(o.new, o.quarantined) for o in (wrong, corrected, again)] == [(0, 2), (1, 1), (0, 1)]
    with factory() as session:
        assert session.scalars(select(Post.text)).all() == ["jalan rusak di natar"]
        unread = [(item.locator, item.reason) for item, _ in quarantined_with_source(session)]
        assert count_quarantine(session, None, None) == 1
    assert len(unread) == 1 and unread[0][0] == "row 3" and "'kemarin'" in unread[0][1]


def test_reading_an_export_again_with_a_map_that_reads_nothing_keeps_its_unread_rows(
        factory: sessionmaker[Session], tmp_path: Path) -> None:
    """A whole-file failure (no column the map names) took in none of the rows: the rows an earlier read
    quarantined stay unread, beside the new item that says why this read failed."""
    export = tmp_path / "aduan.csv"
    export.write_text("no,isi,tanggal\n1,jalan rusak di natar,2026-11-20 08:00\n2,sampah numpuk,kemarin\n")
    import_file(factory, export, "csv", WIB, {"text": "isi", "created_at": "tanggal"})
    failed = import_file(factory, export, "csv", WIB)  # the default map: columns text, created_at
    assert (failed.new, failed.quarantined, failed.unreadable) == (0, 1, 1)
    assert failed.unreadable_reason.startswith("CSV tidak punya kolom / has no column text, created_at")
    with factory() as session:
        unread = sorted((item.locator, item.reason_code) for item, _ in quarantined_with_source(session))
    assert unread == [("payload", "unreadable_payload"), ("row 3", "malformed_row")]
    again = import_file(factory, export, "csv", WIB, {"text": "isi", "created_at": "tanggal"})
    assert (again.new, again.duplicates, again.unreadable) == (0, 1, 0)  # as the first read: nothing new...
    with factory() as session:  # ...but the failed read's item is settled
        unread = [(item.locator, item.reason_code) for item, _ in quarantined_with_source(session)]
    assert unread == [("row 3", "malformed_row")]


@pytest.mark.parametrize(("fixture", "wrong_format", "hint"), [
    ("twitter/mentions_page.json", "fb-json", "--format x-json"),
    ("facebook/feed_page.json", "x-json", "--format fb-json"),
])
def test_a_page_given_the_other_channels_format_is_one_unreadable_item(
        factory: sessionmaker[Session], fixtures_dir: Path, fixture: str, wrong_format: str, hint: str) -> None:
    """Not one "no text" item per tweet, which no later import with the right format would clear."""
    outcome = import_file(factory, fixtures_dir / fixture, wrong_format, WIB)
    assert (outcome.new, outcome.quarantined, outcome.unreadable) == (0, 1, 1)
    assert hint in outcome.unreadable_reason


def test_facebook_import_stores_channel_facebook(factory: sessionmaker[Session], fixtures_dir: Path) -> None:
    import_file(factory, fixtures_dir / "facebook/feed_page.json", "fb-json", WIB)
    with factory() as session:
        channels = set(session.scalars(select(Post.channel)))
    assert channels == {"facebook"}


def test_unknown_format_is_refused(factory: sessionmaker[Session], fixtures_dir: Path) -> None:
    with pytest.raises(UnknownFormat, match="x-json"):
        import_file(factory, fixtures_dir / "sms/inbox.csv", "whatsapp", WIB)


def test_missing_file_is_a_clear_error(factory: sessionmaker[Session], tmp_path: Path) -> None:
    with pytest.raises(SourceUnreadable, match="cannot read"):
        import_file(factory, tmp_path / "hilang.csv", "sms-csv", WIB)


def test_a_tagged_export_keeps_visitors_posts_when_the_page_is_named(factory: sessionmaker[Session],
                                                                     tmp_path: Path) -> None:
    """On the `tagged` edge post ids start with the visitor's id: read off the ids, every visitor
    would be taken for the Page speaking, and their complaints dropped."""
    page = {"data": [
        {"id": "100000000000777_555", "from": {"id": "100000000000777", "name": "Warga Natar"},
         "message": "@Pemkab Lampung Selatan jalan di Natar rusak parah", "created_time": "2026-11-20T02:00:00+0000"},
        {"id": "105000000000001_556", "from": {"id": "105000000000001", "name": "Pemkab Lampung Selatan"},
         "message": "Terima kasih laporannya", "created_time": "2026-11-20T03:00:00+0000"},
    ]}
    path = tmp_path / "tagged.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    outcome = import_file(factory, path, "fb-json", WIB, page_ids=frozenset({"105000000000001"}))
    assert outcome.new == 1
    with factory() as session:
        assert session.scalars(select(Post.author_name)).all() == ["Warga Natar"]
